"""The short report `delivery run` ends with: rows per raw table, quarantined files, the mapping gaps, where the
warehouse is."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

from ingestion.sources import RAW_DATASETS
from orchestration.lib.mapping_gaps import MappingGap, read_gaps_from, summary_lines
from orchestration.lib.raw_tables import raw_tables


@dataclass(frozen=True)
class RawTableCount:
    dataset: str
    table: str
    rows: int
    rows_loaded_since: int


@dataclass(frozen=True)
class QuarantineCount:
    """The quarantine as the run's summary and `delivery status` both count it: the files of the landing
    folder with rejected content, whole or some of their records. Entries of a file no longer in the landing
    folder stay in the quarantine ledger (nothing is lost) but are no longer counted as to be fixed."""

    whole_files: int
    record_files: int
    records: int
    gone_files: int

    @property
    def files(self) -> int:
        return self.whole_files + self.record_files

    def line(self) -> str:
        counted = f"Quarantined: {self.files} file(s)"
        if self.files:
            counted += (f": {self.whole_files} rejected whole, {self.records} record(s) rejected in "
                        f"{self.record_files} other(s)")
        if self.gone_files:
            counted += (f"; {self.gone_files} more no longer in the landing folder (kept in the ledger, "
                        "not counted)")
        return counted + "."


def in_landing_folder(exports_dir: Path, source_file: str) -> bool:
    """Anything at the path counts, as anything there was quarantined: a directory, a pipe, a broken link."""
    return os.path.lexists(exports_dir / source_file)


def count_quarantine(entries: Iterable[tuple[str, str, int]], exports_dir: Path) -> QuarantineCount:
    """Count (tool, source file, record index) quarantine entries; record index -1 rejects the whole file.
    An entry per reason: a record rejected for two reasons counts once."""
    whole, records, gone = set(), set(), set()
    for tool, source_file, record_index in entries:
        if not in_landing_folder(exports_dir, source_file):
            gone.add((tool, source_file))
        elif record_index < 0:
            whole.add((tool, source_file))
        else:
            records.add((tool, source_file, record_index))
    record_files = {(tool, source_file) for tool, source_file, _ in records} - whole
    return QuarantineCount(len(whole), len(record_files), len(records), len(gone))


@dataclass(frozen=True)
class LoadSummary:
    warehouse_path: Path
    tables: list[RawTableCount]
    quarantine: QuarantineCount
    # None when the warehouse has no gap table yet (the build has not run)
    mapping_gaps: list[MappingGap] | None = None


def summarise(warehouse_path: Path, exports_dir: Path, since_epoch: float = 0.0) -> LoadSummary:
    """Count raw rows (and those loaded after `since_epoch`) and quarantine entries, and read the mapping
    gaps of the last build, reading only."""
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        tables = [
            _count(con, dataset, table, since_epoch)
            for dataset, table in raw_tables(con, with_quarantine=False)
        ]
        quarantine = count_quarantine(_quarantine_entries(con), exports_dir)
        gaps = read_gaps_from(con)
    return LoadSummary(warehouse_path, tables, quarantine, gaps)


def _count(con: duckdb.DuckDBPyConnection, dataset: str, table: str, since_epoch: float) -> RawTableCount:
    rows, recent = con.execute(
        f'SELECT count(*), count(*) FILTER (WHERE CAST(_dlt_load_id AS DOUBLE) >= ?) FROM {dataset}."{table}"',
        [since_epoch],
    ).fetchone()
    return RawTableCount(dataset, table, rows, recent)


def _quarantine_entries(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    present = [
        dataset
        for (dataset,) in con.execute(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = 'quarantine' AND table_schema IN ?",
            [list(RAW_DATASETS)],
        ).fetchall()
    ]
    return [
        (dataset.removeprefix("raw_"), source_file, record_index)
        for dataset in present
        for source_file, record_index in con.execute(
            f"SELECT DISTINCT source_file, record_index FROM {dataset}.quarantine"
        ).fetchall()
    ]


def print_summary(summary: LoadSummary, console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title="Raw tables")
    table.add_column("table")
    table.add_column("rows", justify="right")
    table.add_column("loaded this run", justify="right")
    for count in summary.tables:
        table.add_row(f"{count.dataset}.{count.table}", f"{count.rows:,}", f"{count.rows_loaded_since:,}")
    console.print(table)
    console.print(f"{summary.quarantine.line()} See the `quarantine` table of each raw dataset.",
                  highlight=False, soft_wrap=True)
    if summary.mapping_gaps is not None:
        for line in summary_lines(summary.mapping_gaps):
            console.print(line, markup=False, highlight=False, soft_wrap=True)
    console.print(f"Warehouse: {summary.warehouse_path}")
