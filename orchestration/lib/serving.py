"""The serving file BI tools read: a complete copy of the published schemas, swapped in atomically.

The snapshot is written aside (a hidden temporary file beside the serving file), checkpointed, then
renamed over the serving file. A reader that opened the old file keeps reading the old inode, so it
never sees a half-written snapshot; a new connection opens the new file.

The snapshot starts as a byte copy of the working warehouse, from which everything that is not published
is dropped: copying the files is a fraction of rewriting every published table (at L, 1.6 GB of them,
about 50 s and 3 GB of memory). Its free blocks keep the file at the warehouse's size. For an older
storage format (`storage_version`), the published tables are written table by table instead.

`meta.snapshot` records what was published (run, time, the raw loads and dbt project it was built
from) and `meta.tables` the row count of every published table, so a reader can tell which snapshot
answered and check that it is whole. `meta.freshness` has each tool's newest load, and `meta.runs` and
`meta.checks` what only Dagster knows: the last runs and the latest evaluation of every check.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingestion.records import QUARANTINE
from ingestion.sources import RAW_DATASETS
from orchestration.config.spec import SOURCE_FRESHNESS_VARS
from orchestration.lib.pseudonyms import (
    PeoplePolicy,
    PersonColumn,
    person_columns,
    pseudonym_key,
    pseudonymise_snapshot,
)
from orchestration.lib.raw_tables import raw_tables, table_state
from orchestration.lib.run_history import RunHistory
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
    # Built from the demo organisation's exports only (`delivery demo`): BI and the report say so.
    demo_data: bool = False
    # How people were published (pseudonyms with which key, or names): a change calls for a new publish.
    people_policy: str = ""


def publish(
    warehouse_path: Path,
    serving_path: Path,
    snapshot_id: str,
    storage_version: str = "",
    people: PeoplePolicy | None = None,
    demo_data: bool = False,
    memory_limit: str | None = None,
    history: RunHistory | None = None,
) -> Snapshot:
    """Copy the published schemas of the working warehouse into a new serving file, atomically.

    `storage_version` (e.g. `v1.2.0`) writes the file in an older DuckDB storage format, for BI drivers
    built on an older DuckDB than the pipeline's; empty means this DuckDB's own format. `people` says how
    people are published: by default pseudonymised with the key `pseudonym_key` finds (docs/privacy.md).
    `demo_data` is recorded in `meta.snapshot`: the landing folder held the demo's exports only.
    `memory_limit` is DuckDB's budget while copying (the setting `duckdb_memory_limit`). `history` (the last
    runs and checks, from Dagster) fills `meta.runs` and `meta.checks`; without it they are empty."""
    serving_path.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_snapshots(serving_path)
    aside = serving_path.with_name(f".{serving_path.name}.{snapshot_id}.tmp")
    people = people or PeoplePolicy(pseudonym_key(warehouse_path))
    recorded = {"demo_data": demo_data, "people_policy": people.fingerprint}
    history = history or RunHistory()
    if storage_version:
        snapshot = _write_table_by_table(warehouse_path, aside, snapshot_id, storage_version, recorded,
                                         memory_limit, history)
    else:
        snapshot = _write_from_file_copy(warehouse_path, aside, snapshot_id, recorded, memory_limit, history)
    _pseudonymise_people(aside, people, memory_limit)
    os.replace(aside, serving_path)
    _fsync_directory(serving_path.parent)
    return snapshot


def _write_from_file_copy(
    warehouse_path: Path, aside: Path, snapshot_id: str, recorded: dict, memory_limit: str | None,
    history: RunHistory,
) -> Snapshot:
    """Copy the warehouse's files, then drop from the copy what is not published and turn views into
    tables. The pipeline's writers share one pool, so nothing writes the warehouse while it is copied."""
    published_at = datetime.now(UTC)
    _copy_database_files(warehouse_path, aside)
    with snapshot_connection(memory_limit) as con:
        # dbt's views name their catalog after the warehouse file: attach the copy under that name.
        working = warehouse_path.stem
        con.execute(f"ATTACH '{aside}' AS \"{working}\"")
        state = raw_state(con, working)
        published = _published_tables(con, working)
        kinds = _relation_kinds(con, working)
        for name in published:  # views first: they read raw tables that are about to go
            if kinds[name] == "VIEW":
                _materialise_view(con, working, name)
        kept = set(published)
        _drop_unpublished(con, working, {name: kind for name, kind in kinds.items() if name not in kept})
        rows = {name: _row_count(con, working, name) for name in published}
        fingerprint = _digest_state(state)
        snapshot = Snapshot(snapshot_id, published_at, fingerprint, dbt_fingerprint(), rows, **recorded)
        _write_meta(con, working, snapshot, tool_freshness(state), history)
        con.execute(f'DETACH "{working}"')
    return snapshot


def _write_table_by_table(
    warehouse_path: Path, aside: Path, snapshot_id: str, storage_version: str, recorded: dict,
    memory_limit: str | None, history: RunHistory,
) -> Snapshot:
    """Write each published table into a new file in the given storage format."""
    published_at = datetime.now(UTC)
    with snapshot_connection(memory_limit) as con:
        # dbt's views name their catalog after the warehouse file: attach it under that name.
        working = warehouse_path.stem
        con.execute(f"ATTACH '{warehouse_path}' AS \"{working}\" (READ_ONLY)")
        con.execute(f"ATTACH '{aside}' AS snapshot (STORAGE_VERSION '{storage_version}')")
        state = raw_state(con, working)
        snapshot = Snapshot(
            snapshot_id,
            published_at,
            _digest_state(state),
            dbt_fingerprint(),
            {name: _copy(con, working, name) for name in _published_tables(con, working)},
            **recorded,
        )
        _write_meta(con, "snapshot", snapshot, tool_freshness(state), history)
        con.execute("DETACH snapshot")
    return snapshot


# The checks' descriptions written at publish can name people (an unmapped account in the mapping gaps' warning).
META_PERSON_COLUMNS = (PersonColumn("meta.checks", "description", "text"),)


def _pseudonymise_people(aside: Path, people: PeoplePolicy, memory_limit: str | None) -> None:
    """People become pseudonyms in the snapshot before anyone can open it; the warehouse keeps the originals."""
    with snapshot_connection(memory_limit) as con:
        con.execute(f"ATTACH '{aside}' AS snapshot")
        pseudonymise_snapshot(con, "snapshot", [*person_columns(), *META_PERSON_COLUMNS], people)
        con.execute("CHECKPOINT snapshot")
        con.execute("DETACH snapshot")


def _copy_database_files(warehouse_path: Path, aside: Path) -> None:
    """The database file and, when a write was not yet checkpointed, its write-ahead log."""
    shutil.copyfile(warehouse_path, aside)
    wal = warehouse_path.with_name(warehouse_path.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, aside.with_name(aside.name + ".wal"))


def _relation_kinds(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, str]:
    """Every table and view of the catalog, as `schema.name`: 'BASE TABLE' or 'VIEW'."""
    rows = con.execute(
        "SELECT table_schema || '.' || table_name, table_type FROM information_schema.tables WHERE table_catalog = ?",
        [catalog],
    ).fetchall()
    return dict(rows)


def _drop_unpublished(con: duckdb.DuckDBPyConnection, catalog: str, unpublished: dict[str, str]) -> None:
    """The copy's tables and views that are not published (raw records, dlt's state and merge tables), then
    the schemas they leave empty."""
    for name, kind in unpublished.items():
        schema, relation = name.split(".")
        con.execute(f'DROP {"VIEW" if kind == "VIEW" else "TABLE"} "{catalog}".{schema}."{relation}"')
    empty = con.execute(
        """
        SELECT schema_name FROM information_schema.schemata AS s
        WHERE catalog_name = ? AND schema_name NOT IN ('main', 'information_schema', 'pg_catalog')
            AND NOT EXISTS (SELECT 1 FROM information_schema.tables AS t
                            WHERE t.table_catalog = s.catalog_name AND t.table_schema = s.schema_name)
        """,
        [catalog],
    ).fetchall()
    for (schema,) in empty:
        con.execute(f'DROP SCHEMA "{catalog}".{schema} CASCADE')  # no table left; any other object goes


def _materialise_view(con: duckdb.DuckDBPyConnection, catalog: str, name: str) -> None:
    """A view becomes a table of the same name: the snapshot must not depend on the working warehouse."""
    schema, view = name.split(".")
    qualified, built = f'"{catalog}".{schema}."{view}"', f'"{catalog}".{schema}."{view}__snapshot"'
    con.execute(f"CREATE TABLE {built} AS SELECT * FROM {qualified}")
    con.execute(f"DROP VIEW {qualified}")
    con.execute(f'ALTER TABLE {built} RENAME TO "{view}"')


def _row_count(con: duckdb.DuckDBPyConnection, catalog: str, name: str) -> int:
    schema, table = name.split(".")
    return con.execute(f'SELECT count(*) FROM "{catalog}".{schema}."{table}"').fetchone()[0]


def snapshot_connection(memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """The in-memory DuckDB that copies the warehouse into a snapshot, within the pipeline's memory budget
    (at L, without it, publishing a later day peaked at 3,967 MiB); None: DuckDB's own default."""
    con = duckdb.connect(":memory:", config={"memory_limit": memory_limit} if memory_limit else {})
    con.execute("SET TimeZone = 'UTC'")
    return con


def read_snapshot(serving_path: Path) -> Snapshot | None:
    """What the serving file holds, or None when nothing was published yet."""
    if not serving_path.exists():
        return None
    with duckdb.connect(str(serving_path), read_only=True) as con:
        recorded = {name for (name,) in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'meta' "
            "AND table_name = 'snapshot'").fetchall()}
        # A snapshot of an earlier version lacks the newer columns: read as not demo, policy unknown.
        demo = "demo_data" if "demo_data" in recorded else "false"
        policy = "people_policy" if "people_policy" in recorded else "''"
        snapshot_id, published_at, raw, dbt, demo_data, people_policy = con.execute(
            "SELECT snapshot_id, published_at, raw_fingerprint, dbt_fingerprint, "
            f"{demo}, {policy} FROM meta.snapshot"
        ).fetchone()
        rows = dict(con.execute("SELECT table_name, row_count FROM meta.tables ORDER BY 1").fetchall())
    return Snapshot(snapshot_id, published_at, raw, dbt, rows, bool(demo_data), people_policy)


def working_fingerprint(warehouse_path: Path) -> str | None:
    """The raw fingerprint of the working warehouse, or None when it has no raw tables yet."""
    if not warehouse_path.exists():
        return None
    with duckdb.connect(":memory:") as con:
        con.execute(f"ATTACH '{warehouse_path}' AS working (READ_ONLY)")
        return raw_fingerprint(con, "working")


def raw_fingerprint(con: duckdb.DuckDBPyConnection, catalog: str) -> str:
    """Rows and newest load of every raw table: it changes when, and only when, a load brought rows."""
    return _digest_state(raw_state(con, catalog))


def raw_state(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, tuple[int, str | None]]:
    """`dataset.table` -> (rows, newest load id) of every raw table."""
    return {
        f"{dataset}.{table}": table_state(con, f'"{catalog}".{dataset}."{table}"')
        for dataset, table in raw_tables(con, catalog=catalog)
    }


def _digest_state(state: dict[str, tuple[int, str | None]]) -> str:
    return _digest(json.dumps(state, sort_keys=True, default=str))


def tool_freshness(state: dict[str, tuple[int, str | None]]) -> list[tuple[str, datetime | None, int]]:
    """(tool, newest load that brought rows, raw rows) of every raw dataset, its quarantine aside: the same
    newest load the freshness check judges (dlt load ids are epoch seconds). None: nothing loaded yet."""
    newest: dict[str, float | None] = {}
    rows: dict[str, int] = {}
    for name, (count, load_id) in state.items():
        dataset, table = name.split(".", 1)
        if table == QUARANTINE.name:
            continue
        tool = dataset.removeprefix("raw_")
        rows[tool] = rows.get(tool, 0) + count
        loaded = float(load_id) if load_id is not None else None
        newest[tool] = max(filter(None, (newest.get(tool), loaded)), default=None)
    return [
        (tool, datetime.fromtimestamp(newest[tool], UTC) if newest[tool] is not None else None, rows[tool])
        for tool in sorted(rows)
    ]


def dbt_fingerprint(project_dir: Path = DBT_PROJECT_DIR) -> str:
    """The content of the dbt project's models, seeds, macros, tests and settings, and of what the
    configuration folder gives it: the mapping tables and the dbt vars (as exported to the environment)."""
    digest = hashlib.sha256()
    for path in dbt_source_files(project_dir):
        digest.update(str(path.relative_to(project_dir)).encode())
        digest.update(path.read_bytes())
    mappings_dir = os.environ.get("DELIVERY_MAPPINGS_DIR")
    for path in sorted((project_dir / mappings_dir).glob("*.csv")) if mappings_dir else []:
        digest.update(f"mappings/{path.name}".encode())
        digest.update(path.read_bytes())
    digest.update(_model_vars(os.environ.get("DELIVERY_DBT_VARS", "")).encode())
    return digest.hexdigest()[:16]


def _model_vars(dbt_vars_json: str) -> str:
    """The dbt vars that shape models: the freshness windows only judge the raw tables' age."""
    if not dbt_vars_json:
        return ""
    dbt_vars = {name: value for name, value in json.loads(dbt_vars_json).items()
                if name not in SOURCE_FRESHNESS_VARS}
    return json.dumps(dbt_vars, sort_keys=True)


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
    return _row_count(con, "snapshot", name)


def _write_meta(
    con: duckdb.DuckDBPyConnection,
    catalog: str,
    snapshot: Snapshot,
    freshness: list[tuple[str, datetime | None, int]],
    history: RunHistory,
) -> None:
    con.execute(f'CREATE SCHEMA "{catalog}".meta')
    con.execute(
        f"""
        CREATE TABLE "{catalog}".meta.snapshot AS
        SELECT ?::VARCHAR AS snapshot_id, ?::TIMESTAMPTZ AS published_at,
               ?::VARCHAR AS raw_fingerprint, ?::VARCHAR AS dbt_fingerprint, ?::BOOLEAN AS demo_data,
               ?::VARCHAR AS people_policy
        """,
        [snapshot.snapshot_id, snapshot.published_at, snapshot.raw_fingerprint, snapshot.dbt_fingerprint,
         snapshot.demo_data, snapshot.people_policy],
    )
    con.execute(f'CREATE TABLE "{catalog}".meta.tables (table_name VARCHAR, row_count BIGINT)')
    con.executemany(f'INSERT INTO "{catalog}".meta.tables VALUES (?, ?)', sorted(snapshot.table_rows.items()))
    _write_freshness(con, catalog, snapshot.published_at, freshness)
    _write_history(con, catalog, history)
    con.execute(f'CHECKPOINT "{catalog}"')


def _write_freshness(
    con: duckdb.DuckDBPyConnection, catalog: str, published_at: datetime,
    freshness: list[tuple[str, datetime | None, int]],
) -> None:
    """meta.freshness: each tool's newest load and its age when the snapshot was published."""
    con.execute(
        f'CREATE TABLE "{catalog}".meta.freshness (source_tool VARCHAR, newest_load_at TIMESTAMPTZ, '
        "age_hours_at_publish DOUBLE, raw_row_count BIGINT)"
    )
    _insert(con, f'"{catalog}".meta.freshness', [
        (tool, newest, (published_at - newest).total_seconds() / 3600 if newest else None, rows)
        for tool, newest, rows in freshness
    ])


def _write_history(con: duckdb.DuckDBPyConnection, catalog: str, history: RunHistory) -> None:
    """meta.runs and meta.checks: always created, so BI finds them even when published outside Dagster."""
    con.execute(
        f'CREATE TABLE "{catalog}".meta.runs (run_id VARCHAR, job_name VARCHAR, status VARCHAR, '
        "started_at TIMESTAMPTZ, ended_at TIMESTAMPTZ)"
    )
    _insert(con, f'"{catalog}".meta.runs',
            [(r.run_id, r.job_name, r.status, r.started_at, r.ended_at) for r in history.runs])
    con.execute(
        f'CREATE TABLE "{catalog}".meta.checks (asset VARCHAR, check_name VARCHAR, passed BOOLEAN, '
        "severity VARCHAR, description VARCHAR, run_id VARCHAR, evaluated_at TIMESTAMPTZ)"
    )
    _insert(con, f'"{catalog}".meta.checks', [
        (c.asset, c.check_name, c.passed, c.severity, c.description, c.run_id, c.evaluated_at)
        for c in history.checks
    ])


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    """Rows into a table; none is fine (DuckDB's executemany refuses an empty list)."""
    if rows:
        con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)


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
