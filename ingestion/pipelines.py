"""dlt pipelines: one per tool, all loading into one DuckDB warehouse file."""

from __future__ import annotations

import os
from pathlib import Path

import dlt
from dlt.common.pipeline import LoadInfo
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

from ingestion.sources import DEFAULT_FILES_PER_BATCH, TOOLS, export_source

# Arrow tables get `_dlt_load_id` too, so every raw row names the load that brought it.
os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID", "true")


def pipelines_dir_for(warehouse_path: Path) -> Path:
    """dlt's local working folder, beside the warehouse it loads (its state also lives in the warehouse)."""
    return warehouse_path.resolve().parent / ".dlt_pipelines" / warehouse_path.stem


def tool_pipeline(tool: str, warehouse_path: Path, memory_limit: str | None = None) -> dlt.Pipeline:
    """`memory_limit` is DuckDB's budget for the load's connections (the setting `duckdb_memory_limit`,
    which the orchestration passes); None leaves DuckDB's own default, 80 % of the machine."""
    dataset, _ = TOOLS[tool]
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    global_config = {"memory_limit": memory_limit} if memory_limit else {}
    return dlt.pipeline(
        pipeline_name=f"delivery_{tool}",
        destination=dlt.destinations.duckdb(
            DuckDbCredentials(str(warehouse_path.resolve()), global_config=global_config),
            # dlt's scratch datasets for merges, named so nobody mistakes them for dbt's `staging`.
            staging_dataset_name_layout="_dlt_merge_%s",
        ),
        dataset_name=dataset,
        pipelines_dir=str(pipelines_dir_for(warehouse_path)),
    )


def load_tool(
    tool: str,
    exports_dir: Path,
    warehouse_path: Path,
    files_per_batch: int = DEFAULT_FILES_PER_BATCH,
    memory_limit: str | None = None,
) -> LoadInfo:
    """Load one tool's new and changed export files into its raw dataset."""
    pipeline = tool_pipeline(tool, warehouse_path, memory_limit)
    return pipeline.run(export_source(tool, exports_dir, files_per_batch))


def load_all(exports_dir: Path, warehouse_path: Path, memory_limit: str | None = None) -> dict[str, LoadInfo]:
    return {
        tool: load_tool(tool, exports_dir, warehouse_path, memory_limit=memory_limit) for tool in TOOLS
    }
