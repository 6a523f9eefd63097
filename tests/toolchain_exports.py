"""Helpers for the GitLab, Jenkins and Opsgenie tests: copy a tool's fixtures, read a raw dataset whole."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.conftest import FIXTURES, query

# dlt's and the loader's own columns: they name the load, not the data.
LOAD_COLUMNS = ("_dlt_load_id", "_dlt_id")


def copy_fixture_exports(tool: str, exports: Path) -> Path:
    """The tool's hand-written fixtures, in the landing layout under `exports/<tool>/`."""
    shutil.copytree(FIXTURES / tool, exports / tool, ignore=shutil.ignore_patterns("*.md"), dirs_exist_ok=True)
    return exports


def touch_all(exports: Path, seconds_later: int = 60) -> None:
    """Move every file's modification time forward, so the next load reads them all again."""
    for path in exports.rglob("*.json"):
        stat = path.stat()
        os.utime(path, (stat.st_atime + seconds_later, stat.st_mtime + seconds_later))


def dataset_snapshot(warehouse: Path, dataset: str) -> dict[str, list[tuple]]:
    """Every table of a raw dataset, its rows sorted, without the load columns."""
    tables = [
        row[0]
        for row in query(
            warehouse,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ? "
            "AND table_name NOT LIKE '\\_dlt%' ESCAPE '\\' ORDER BY table_name",
            [dataset],
        )
    ]
    snapshot = {}
    for table in tables:
        columns = [
            row[0]
            for row in query(
                warehouse,
                "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
                "ORDER BY ordinal_position",
                [dataset, table],
            )
            if row[0] not in LOAD_COLUMNS
        ]
        selected = ", ".join(f'"{c}"' for c in columns)
        snapshot[table] = query(warehouse, f"SELECT {selected} FROM {dataset}.{table} ORDER BY ALL")
    return snapshot


DUCKDB_TYPES = {"VARCHAR": "varchar", "BIGINT": "bigint", "BOOLEAN": "boolean", "TIMESTAMPTZ": "timestamptz",
                "DATE": "date", "JSON": "varchar"}


def raw_ddl(tools: tuple[str, ...]) -> str:
    """CREATE statements for the tools' raw datasets, as the loaders create them (declared columns,
    lineage and dlt's columns), for tests that fill a warehouse by hand."""
    from ingestion.sources import TOOLS, tables_of

    statements = []
    for tool in tools:
        dataset, folders = TOOLS[tool]
        statements.append(f"create schema if not exists {dataset};")
        for name, table in tables_of(folders).items():
            columns = [f"{c.name} {DUCKDB_TYPES[c.type]}" for c in table.columns]
            if name != "quarantine":
                columns += ["_source_file varchar", "_record_index bigint"]
            columns += ["_dlt_load_id varchar", "_dlt_id varchar"]
            statements.append(f"create table {dataset}.{name} ({', '.join(columns)});")
    return "\n".join(statements)
