"""Raw tables: one dlt multi-asset per tool, over the landing folder."""


import dagster as dg
from dagster_dlt import DagsterDltResource, dlt_assets

from ingestion.pipelines import tool_pipeline
from ingestion.sources import TOOLS, export_source
from orchestration.lib.duckdb_pool import DUCKDB_POOL
from orchestration.lib.settings import Settings
from orchestration.lib.translators import RawTableTranslator
from orchestration.lib.warehouse_identity import ensure_warehouse_id


def raw_assets(settings: Settings, tool: str) -> dg.AssetsDefinition:
    dataset, _ = TOOLS[tool]

    @dlt_assets(
        dlt_source=export_source(tool, settings.exports_dir, settings.files_per_batch),
        dlt_pipeline=tool_pipeline(tool, settings.warehouse_path, settings.duckdb_memory_limit),
        name=f"{tool}_raw_tables",
        dagster_dlt_translator=RawTableTranslator(tool, dataset),
        pool=DUCKDB_POOL,
    )
    def load_raw_tables(context: dg.AssetExecutionContext, dlt: DagsterDltResource):
        # Created with the warehouse: the checks keep their history per warehouse by it.
        ensure_warehouse_id(settings.warehouse_path)
        yield from dlt.run(context=context)

    return load_raw_tables


def all_raw_assets(settings: Settings) -> list[dg.AssetsDefinition]:
    return [raw_assets(settings, tool) for tool in TOOLS]
