"""dlt sources over the landing folder: one source per tool, one resource per export folder.

Each resource lists its folder (`ingestion/listing.py`), incremental on the files' modification time,
so an unchanged file is not read twice. Files are read in bounded batches (`files_per_batch`) and
handed to dlt as Arrow tables. Every raw table merges on its primary key, so a re-delivered page
updates rather than duplicates.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import dlt
import pyarrow as pa
from dlt.extract.resource import DltResource
from dlt.extract.source import DltSource

from ingestion import azure_devops, github, gitlab, jenkins, jira, opsgenie, pagerduty
from ingestion.listing import export_files
from ingestion.reader import ExportFile, iter_tables, read_batch
from ingestion.records import QUARANTINE, ExportFolder, RawTable, quarantine_schema

DEFAULT_FILES_PER_BATCH = 50
# Files listed per page. The incremental filter runs on each listed page, so on a later run a page holds
# only the few new or changed files among the listed ones: pages of a batch's size would parse them a
# handful at a time, with a batch's fixed cost each. Pages are listed large and parsed in batches.
LISTING_PAGE_FILES = 5000

# New columns may be added by a newer version of the product; a changed type must fail loudly.
SCHEMA_CONTRACT = {"tables": "evolve", "columns": "evolve", "data_type": "freeze"}

TOOLS: dict[str, tuple[str, Sequence[ExportFolder]]] = {
    "jira": (jira.DATASET, jira.FOLDERS),
    "github": (github.DATASET, github.FOLDERS),
    "pagerduty": (pagerduty.DATASET, pagerduty.FOLDERS),
    "azure_devops": (azure_devops.DATASET, azure_devops.FOLDERS),
    "gitlab": (gitlab.DATASET, gitlab.FOLDERS),
    "jenkins": (jenkins.DATASET, jenkins.FOLDERS),
    "opsgenie": (opsgenie.DATASET, opsgenie.FOLDERS),
}
# The raw datasets of every tool, in the warehouse.
RAW_DATASETS: tuple[str, ...] = tuple(dataset for dataset, _ in TOOLS.values())


def table_hints(table: RawTable) -> dict[str, Any]:
    return dlt.mark.make_hints(
        table_name=table.name,
        primary_key=list(table.primary_key),
        write_disposition="merge",
        schema_contract=SCHEMA_CONTRACT,
    )


def tables_of(folders: Sequence[ExportFolder]) -> dict[str, RawTable]:
    """Every raw table the folders write, quarantine included, by name."""
    tables = {table.name: table for folder in folders for table in folder.tables}
    tables[QUARANTINE.name] = QUARANTINE
    return tables


def folder_resource(exports_dir: Path, folder: ExportFolder, files_per_batch: int) -> DltResource:
    """The folder's listing (new or changed files), piped into a reader that yields Arrow tables."""
    tables = tables_of([folder])
    main_table = folder.tables[0]
    # Each folder's listing is its own resource, so each keeps its own incremental state.
    page_size = max(files_per_batch, LISTING_PAGE_FILES)
    files = export_files(exports_dir, folder.glob, name=f"{folder.resource}_files", page_size=page_size)
    root = exports_dir.resolve()

    def read_files(items: list[dict]) -> Iterator[Any]:
        for start in range(0, len(items), files_per_batch):
            batch = items[start : start + files_per_batch]
            result = read_batch(folder, [_export_file(root, item) for item in batch])
            for name, rows in iter_tables(result):
                if name == main_table.name:
                    yield rows
                else:
                    yield dlt.mark.with_hints(rows, table_hints(tables[name]), create_table_variant=True)

    reader = dlt.transformer(
        read_files,
        name=folder.resource,
        table_name=main_table.name,
        primary_key=list(main_table.primary_key),
        write_disposition="merge",
        schema_contract=SCHEMA_CONTRACT,
    )
    return files | reader


def quarantine_resource(folders: Sequence[ExportFolder]) -> DltResource:
    """The quarantine ledger. It also declares every raw table, empty, so that each exists with all its
    columns from the first load on, even when a tool's export has no file of that kind yet. A table the
    pipeline's schema already holds with every column is not declared again: an empty merge per table
    cost every run with nothing new seconds per tool."""

    def declare_tables() -> Iterator[Any]:
        known = dlt.current.source_schema().tables
        for table in tables_of(folders).values():
            schema = quarantine_schema() if table.name == QUARANTINE.name else table.arrow_schema()
            if _holds_every_column(known.get(table.name), schema):
                continue
            if table.name == QUARANTINE.name:
                yield schema.empty_table()
            else:
                yield dlt.mark.with_hints(schema.empty_table(), table_hints(table), create_table_variant=True)

    return dlt.resource(
        declare_tables,
        name=QUARANTINE.name,
        primary_key=list(QUARANTINE.primary_key),
        write_disposition="merge",
        schema_contract=SCHEMA_CONTRACT,
    )


def _holds_every_column(known_table: dict | None, schema: pa.Schema) -> bool:
    """The pipeline's schema has the table with every declared column (a newer version of the product may
    declare more)."""
    return known_table is not None and set(schema.names) <= set(known_table.get("columns", {}))


def export_source(tool: str, exports_dir: Path, files_per_batch: int = DEFAULT_FILES_PER_BATCH) -> DltSource:
    """The dlt source of one tool (a key of `TOOLS`) over the landing folder."""
    _, folders = TOOLS[tool]

    @dlt.source(name=tool, max_table_nesting=0)
    def tool_source() -> list[DltResource]:
        resources = [folder_resource(exports_dir, folder, files_per_batch) for folder in folders]
        return [*resources, quarantine_resource(folders)]

    return tool_source()


def _export_file(root: Path, item: dict) -> ExportFile:
    """A listed file (ingestion/listing.py: times in UTC) under the resolved exports folder."""
    relative_path = item["relative_path"]
    return ExportFile(
        path=root / relative_path,
        source_file=relative_path,
        modified_at=item["content_modified_at"],
        size_bytes=item.get("size_in_bytes", 0),
        not_read_because=item.get("not_read_because"),
    )
