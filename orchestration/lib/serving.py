"""The serving file BI tools read: a complete copy of the published schemas, swapped in atomically.

The snapshot is written aside (a hidden temporary file beside the serving file), checkpointed, then
renamed over the serving file. A reader that opened the old file keeps reading the old inode, so it
never sees a half-written snapshot; a new connection opens the new file.

`meta.snapshot` records what was published (run, time, the raw loads and dbt project it was built
from) and `meta.tables` the row count of every published table, so a reader can tell which snapshot
answered and check that it is whole.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingestion.pipelines import duckdb_memory_limit
from ingestion.sources import RAW_DATASETS
from orchestration.lib.raw_tables import raw_tables, table_state
from orchestration.lib.settings import DBT_PROJECT_DIR, dbt_source_files

# What BI and auditors read: the marts, the models under them and the mapping seeds.
PUBLISHED_SCHEMAS = ("marts", "intermediate", "staging", "mappings")


@dataclass(frozen=True)
class Snapshot:
    snapshot_id: str
    published_at: datetime
    raw_fingerprint: str
    dbt_fingerprint: str
    table_rows: dict[str, int]


def publish(warehouse_path: Path, serving_path: Path, snapshot_id: str, storage_version: str = "") -> Snapshot:
    """Copy the published schemas of the working warehouse into a new serving file, atomically.

    `storage_version` (e.g. `v1.2.0`) writes the file in an older DuckDB storage format, for BI drivers
    built on an older DuckDB than the pipeline's; empty means this DuckDB's own format."""
    serving_path.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_snapshots(serving_path)
    aside = serving_path.with_name(f".{serving_path.name}.{snapshot_id}.tmp")
    published_at = datetime.now(UTC)
    with snapshot_connection() as con:
        # dbt's views name their catalog after the warehouse file: attach it under that name.
        working = warehouse_path.stem
        con.execute(f"ATTACH '{warehouse_path}' AS \"{working}\" (READ_ONLY)")
        options = f" (STORAGE_VERSION '{storage_version}')" if storage_version else ""
        con.execute(f"ATTACH '{aside}' AS snapshot{options}")
        snapshot = Snapshot(
            snapshot_id,
            published_at,
            raw_fingerprint(con, working),
            dbt_fingerprint(),
            {name: _copy(con, working, name) for name in _published_tables(con, working)},
        )
        _write_meta(con, snapshot)
        con.execute("DETACH snapshot")
    os.replace(aside, serving_path)
    _fsync_directory(serving_path.parent)
    return snapshot


def snapshot_connection() -> duckdb.DuckDBPyConnection:
    """The in-memory DuckDB that copies the warehouse into a snapshot, within the pipeline's memory budget
    (at L, without it, publishing a later day peaked at 3,967 MiB)."""
    con = duckdb.connect(":memory:", config={"memory_limit": duckdb_memory_limit()})
    con.execute("SET TimeZone = 'UTC'")
    return con


def read_snapshot(serving_path: Path) -> Snapshot | None:
    """What the serving file holds, or None when nothing was published yet."""
    if not serving_path.exists():
        return None
    with duckdb.connect(str(serving_path), read_only=True) as con:
        snapshot_id, published_at, raw, dbt = con.execute(
            "SELECT snapshot_id, published_at, raw_fingerprint, dbt_fingerprint FROM meta.snapshot"
        ).fetchone()
        rows = dict(con.execute("SELECT table_name, row_count FROM meta.tables ORDER BY 1").fetchall())
    return Snapshot(snapshot_id, published_at, raw, dbt, rows)


def working_fingerprint(warehouse_path: Path) -> str | None:
    """The raw fingerprint of the working warehouse, or None when it has no raw tables yet."""
    if not warehouse_path.exists():
        return None
    with duckdb.connect(":memory:") as con:
        con.execute(f"ATTACH '{warehouse_path}' AS working (READ_ONLY)")
        return raw_fingerprint(con, "working")


def raw_fingerprint(con: duckdb.DuckDBPyConnection, catalog: str) -> str:
    """Rows and newest load of every raw table: it changes when, and only when, a load brought rows."""
    state = {
        f"{dataset}.{table}": table_state(con, f'"{catalog}".{dataset}."{table}"')
        for dataset, table in raw_tables(con, catalog=catalog)
    }
    return _digest(json.dumps(state, sort_keys=True, default=str))


def dbt_fingerprint(project_dir: Path = DBT_PROJECT_DIR) -> str:
    """The content of the dbt project's models, seeds, macros, tests and settings."""
    digest = hashlib.sha256()
    for path in dbt_source_files(project_dir):
        digest.update(str(path.relative_to(project_dir)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _published_tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    rows = con.execute(
        """
        SELECT table_schema || '.' || table_name FROM information_schema.tables
        WHERE table_catalog = ? AND (table_schema IN ? OR (table_schema IN ? AND table_name = '_dlt_loads'))
        ORDER BY 1
        """,
        [catalog, list(PUBLISHED_SCHEMAS), list(RAW_DATASETS)],
    ).fetchall()
    return [name for (name,) in rows]


def _copy(con: duckdb.DuckDBPyConnection, catalog: str, name: str) -> int:
    """A table or view of the working warehouse becomes a table of the snapshot; returns its rows."""
    schema, table = name.split(".")
    con.execute(f"CREATE SCHEMA IF NOT EXISTS snapshot.{schema}")
    con.execute(f'CREATE TABLE snapshot.{schema}."{table}" AS SELECT * FROM "{catalog}".{schema}."{table}"')
    return con.execute(f'SELECT count(*) FROM snapshot.{schema}."{table}"').fetchone()[0]


def _write_meta(con: duckdb.DuckDBPyConnection, snapshot: Snapshot) -> None:
    con.execute("CREATE SCHEMA snapshot.meta")
    con.execute(
        """
        CREATE TABLE snapshot.meta.snapshot AS
        SELECT ?::VARCHAR AS snapshot_id, ?::TIMESTAMPTZ AS published_at,
               ?::VARCHAR AS raw_fingerprint, ?::VARCHAR AS dbt_fingerprint
        """,
        [snapshot.snapshot_id, snapshot.published_at, snapshot.raw_fingerprint, snapshot.dbt_fingerprint],
    )
    con.execute("CREATE TABLE snapshot.meta.tables (table_name VARCHAR, row_count BIGINT)")
    con.executemany("INSERT INTO snapshot.meta.tables VALUES (?, ?)", sorted(snapshot.table_rows.items()))
    con.execute("CHECKPOINT snapshot")


def _remove_abandoned_snapshots(serving_path: Path) -> None:
    """Temporary files a killed publish left behind; they were never visible to readers."""
    for leftover in _abandoned(serving_path):
        leftover.unlink(missing_ok=True)


def _abandoned(serving_path: Path) -> Iterable[Path]:
    return serving_path.parent.glob(f".{serving_path.name}.*.tmp*")


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable, so a crash right after publish cannot bring back the old file."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]
