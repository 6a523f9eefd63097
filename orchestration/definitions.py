"""The one `Definitions` of Delivery Warehouse: raw tables (dlt), models and tests (dbt), the blocking
checks, the serving snapshot, and when it all runs."""

from __future__ import annotations

import dagster as dg
from dagster_dlt import DagsterDltResource

from orchestration.defs.automation import daily_schedule, explain_failure, landing_sensor
from orchestration.defs.checks.quality_checks import mart_row_count_check, raw_table_checks
from orchestration.defs.ingestion.collect_assets import collect_asset_keys, landing_assets
from orchestration.defs.ingestion.dlt_assets import all_raw_assets
from orchestration.defs.models.dbt_assets import dbt_models, dbt_resource
from orchestration.defs.serving.publish_assets import SERVING_KEY, serving_snapshot_asset
from orchestration.lib.settings import Settings
from orchestration.lib.translators import is_mart

DELIVERY_JOB = "delivery_job"
INGEST_JOB = "ingest_job"
BUILD_JOB = "build_job"
CHECKS_JOB = "checks_job"
LANDING_JOB = "landing_job"


def build_definitions(settings: Settings) -> dg.Definitions:
    settings.export_to_environment()
    models = dbt_models(settings)
    raw = all_raw_assets(settings)
    mart_keys = sorted((key for key in models.keys if is_mart(key)), key=lambda k: k.to_user_string())
    serving = serving_snapshot_asset(settings, mart_keys)
    delivery_job = dg.define_asset_job(
        DELIVERY_JOB,
        selection=dg.AssetSelection.all(),
        description=(
            "Load every tool's new exports, check the raw tables, build and test every dbt model, check "
            "the marts, then publish the serving snapshot."
        ),
        # Transient failures (a locked file) are retried; failed tests and checks are not.
        op_retry_policy=dg.RetryPolicy(max_retries=2, delay=5),
        hooks={explain_failure},
    )
    # `delivery run` runs the same graph in two jobs, so that a run with nothing new stops after the first.
    raw_tables = dg.AssetSelection.assets(*(key for assets in raw for key in assets.keys))
    collected = dg.AssetSelection.assets(*collect_asset_keys(settings))
    ingest_job = dg.define_asset_job(
        INGEST_JOB,
        selection=collected | raw_tables,
        description="Collect the tools configured in collect.yaml, load every tool's new exports and check "
                    "the raw tables.",
        op_retry_policy=dg.RetryPolicy(max_retries=2, delay=5),
        hooks={explain_failure},
    )
    build_job = dg.define_asset_job(
        BUILD_JOB,
        selection=dg.AssetSelection.assets(models, serving),
        description="Build and test every dbt model, check the marts, publish the serving snapshot.",
        op_retry_policy=dg.RetryPolicy(max_retries=2, delay=5),
        hooks={explain_failure},
    )
    # The landing sensor loads what lands, never collects: a collection lands files, which would start
    # another run, and so on.
    landing_job = dg.define_asset_job(
        LANDING_JOB,
        selection=dg.AssetSelection.all() - collected,
        description="Load what landed, check, build, test and publish: what the landing sensor starts.",
        op_retry_policy=dg.RetryPolicy(max_retries=2, delay=5),
        hooks={explain_failure},
    )
    checks_job = dg.define_asset_job(
        CHECKS_JOB,
        selection=dg.AssetSelection.all_asset_checks(),
        description="Every check alone, on the warehouse as it is: raw suites, freshness, dbt tests, row counts.",
        hooks={explain_failure},
    )
    return dg.Definitions(
        assets=[
            *landing_assets(settings),
            *raw,
            models,
            serving,
        ],
        asset_checks=[*raw_table_checks(settings), mart_row_count_check(settings, mart_keys)],
        jobs=[delivery_job, ingest_job, build_job, landing_job, checks_job],
        schedules=[daily_schedule(delivery_job)],
        sensors=[landing_sensor(settings, landing_job)],
        resources={"dlt": DagsterDltResource(), "dbt": dbt_resource()},
    )


__all__ = ["BUILD_JOB", "CHECKS_JOB", "DELIVERY_JOB", "INGEST_JOB", "LANDING_JOB", "SERVING_KEY", "build_definitions"]

defs = build_definitions(Settings.from_env())
