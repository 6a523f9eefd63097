"""The short report `delivery run` ends with: rows per raw table, quarantined files, the mapping gaps, where the
warehouse is."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

from ingestion.sources import RAW_DATASETS
from orchestration.lib.raw_tables import raw_tables
from orchestration.mapping_gaps import MappingGap, read_gaps_from, summary_lines


@dataclass(frozen=True)
class RawTableCount:
    dataset: str
    table: str
    rows: int
    rows_loaded_since: int


@dataclass(frozen=True)
class LoadSummary:
    warehouse_path: Path
    tables: list[RawTableCount]
    quarantined_files: int
    quarantined_records: int
    # None when the warehouse has no gap table yet (the build has not run)
    mapping_gaps: list[MappingGap] | None = None


def summarise(warehouse_path: Path, since_epoch: float = 0.0) -> LoadSummary:
    """Count raw rows (and those loaded after `since_epoch`) and quarantine entries, and read the mapping
    gaps of the last build, reading only."""
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        tables = [
            _count(con, dataset, table, since_epoch)
            for dataset, table in raw_tables(con, with_quarantine=False)
        ]
        files, records = _quarantine_counts(con)
        gaps = read_gaps_from(con)
    return LoadSummary(warehouse_path, tables, files, records, gaps)


def _count(con: duckdb.DuckDBPyConnection, dataset: str, table: str, since_epoch: float) -> RawTableCount:
    rows, recent = con.execute(
        f'SELECT count(*), count(*) FILTER (WHERE CAST(_dlt_load_id AS DOUBLE) >= ?) FROM {dataset}."{table}"',
        [since_epoch],
    ).fetchone()
    return RawTableCount(dataset, table, rows, recent)


def _quarantine_counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    present = [
        dataset
        for (dataset,) in con.execute(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = 'quarantine' AND table_schema IN ?",
            [list(RAW_DATASETS)],
        ).fetchall()
    ]
    if not present:
        return 0, 0
    union = " UNION ALL ".join(f"SELECT source_file, record_index FROM {d}.quarantine" for d in present)
    return con.execute(
        f"""
        SELECT count(DISTINCT source_file) FILTER (WHERE record_index = -1),
               count(*) FILTER (WHERE record_index >= 0)
        FROM ({union})
        """
    ).fetchone()


def print_summary(summary: LoadSummary, console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title="Raw tables")
    table.add_column("table")
    table.add_column("rows", justify="right")
    table.add_column("loaded this run", justify="right")
    for count in summary.tables:
        table.add_row(f"{count.dataset}.{count.table}", f"{count.rows:,}", f"{count.rows_loaded_since:,}")
    console.print(table)
    console.print(
        f"Quarantined: {summary.quarantined_files} file(s) and {summary.quarantined_records} record(s) "
        "(see the `quarantine` table of each raw dataset)."
    )
    if summary.mapping_gaps is not None:
        for line in summary_lines(summary.mapping_gaps):
            console.print(line, markup=False, highlight=False, soft_wrap=True)
    console.print(f"Warehouse: {summary.warehouse_path}")
