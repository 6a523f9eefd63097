"""The one `Definitions` of Delivery Warehouse: raw tables (dlt), models and tests (dbt), the blocking
checks, the serving snapshot, and when it all runs."""

from __future__ import annotations

import dagster as dg
from dagster_dlt import DagsterDltResource

from orchestration.defs.automation import (
    BUILD_JOB,
    CHECKS_JOB,
    DELIVERY_JOB,
    INGEST_JOB,
    LANDING_JOB,
    DeliveryJobs,
    daily_schedule,
    landing_sensor,
)
from orchestration.defs.checks.quality_checks import mart_row_count_check, raw_table_checks
from orchestration.defs.ingestion.collect_assets import collect_asset_keys, landing_assets
from orchestration.defs.ingestion.dlt_assets import all_raw_assets
from orchestration.defs.models.dbt_assets import dbt_models, dbt_resource
from orchestration.defs.serving.publish_assets import SERVING_KEY, serving_snapshot_asset
from orchestration.lib.settings import Settings
from orchestration.lib.translators import is_counted_mart, is_mart


def build_definitions(settings: Settings) -> dg.Definitions:
    settings.export_to_environment()
    models = dbt_models(settings)
    raw = all_raw_assets(settings)
    mart_keys = sorted((key for key in models.keys if is_mart(key)), key=lambda k: k.to_user_string())
    checks = [*raw_table_checks(settings), mart_row_count_check(settings, [k for k in mart_keys if is_counted_mart(k)])]
    # Every check of the graph (the dbt tests are the models' checks): publish records the latest of each.
    check_keys = sorted({*models.check_keys, *(key for check in checks for key in check.check_keys)})
    serving = serving_snapshot_asset(settings, mart_keys, check_keys)
    jobs = DeliveryJobs.over(collect_asset_keys(settings), raw, models, serving)
    return dg.Definitions.merge(
        # One Definitions per system of defs/, merged into the one graph the UI and `delivery run` load.
        dg.Definitions(assets=[*landing_assets(settings), *raw], resources={"dlt": DagsterDltResource()}),
        dg.Definitions(assets=[models], resources={"dbt": dbt_resource()}),
        dg.Definitions(assets=[serving]),
        dg.Definitions(asset_checks=checks),
        dg.Definitions(
            jobs=jobs.all(),
            schedules=[daily_schedule(jobs.delivery)],
            sensors=[landing_sensor(settings, jobs.landing)],
        ),
    )


__all__ = ["BUILD_JOB", "CHECKS_JOB", "DELIVERY_JOB", "INGEST_JOB", "LANDING_JOB", "SERVING_KEY", "build_definitions"]

defs = build_definitions(Settings.from_env())
