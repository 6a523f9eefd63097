"""The one `Definitions` of Delivery Warehouse: raw tables (dlt), models and tests (dbt), the job."""

from __future__ import annotations

import dagster as dg
from dagster_dlt import DagsterDltResource

from orchestration.dbt_assets import dbt_models, dbt_resource
from orchestration.ingestion_assets import all_raw_assets, landing_specs
from orchestration.lib.settings import Settings

DELIVERY_JOB = "delivery_job"


def build_definitions(settings: Settings) -> dg.Definitions:
    settings.export_to_environment()
    delivery_job = dg.define_asset_job(
        DELIVERY_JOB,
        selection=dg.AssetSelection.all(),
        description="Load every tool's new exports, then build and test every dbt model.",
        op_retry_policy=dg.RetryPolicy(max_retries=2, delay=5),
    )
    return dg.Definitions(
        assets=[*landing_specs(settings), *all_raw_assets(settings), dbt_models()],
        jobs=[delivery_job],
        resources={"dlt": DagsterDltResource(), "dbt": dbt_resource()},
    )


defs = build_definitions(Settings.from_env())
