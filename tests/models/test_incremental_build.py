"""An incremental build equals a full rebuild on the same data.

The S demo is loaded in two steps: first most of its export files, then a later day's exports (a sample
of new files, and the re-exports that carry newer versions of records already loaded). After the second
load dbt builds incrementally: the staging models rank again only the records the new loads touched. A
copy of the same warehouse is then rebuilt from scratch with --full-refresh, and every staging,
intermediate and mart relation must hold the same rows, column for column, lineage included.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from demo.generate import generate_demo_exports
from demo.later_day import deliver_later_day, withhold_later_day
from ingestion.pipelines import load_all
from tests.models.dbt_runner import run_dbt

BUILT_SCHEMAS = ("staging", "intermediate", "marts")
MODELS_AND_SEEDS = ("--resource-type", "model", "--resource-type", "seed")


def _build(work: Path, warehouse: Path, *options: str) -> None:
    result = run_dbt(["build", *MODELS_AND_SEEDS, *options], work, warehouse)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def _relations(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_catalog = ? and table_schema in ? order by 1, 2",
        [catalog, list(BUILT_SCHEMAS)],
    ).fetchall()
    return [f"{schema}.{name}" for schema, name in rows]


def _row_differences(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[int, int, int]:
    """Rows only in the incremental build, rows only in the full rebuild, and the relation's row count."""
    only_incremental, only_full = (
        con.execute(
            f"select count(*) from (select * from {a}.{relation} except all select * from {b}.{relation})"
        ).fetchone()[0]
        for a, b in (("incremental", "rebuilt"), ("rebuilt", "incremental"))
    )
    count = con.execute(f"select count(*) from rebuilt.{relation}").fetchone()[0]
    return only_incremental, only_full, count


SENTINEL = "left alone by the incremental build"


@dataclass(frozen=True)
class TwoBuilds:
    root: Path
    incremental: Path
    rebuilt: Path
    later_day_files: int
    untouched_issue_summary: str  # after the incremental build, of an issue the later day did not touch


def _mark_an_untouched_issue(warehouse: Path) -> tuple[str, str]:
    """Overwrite, in staging, the summary of an issue no new load touched: an incremental build must leave
    that row as it is (it ranks again only touched records). Returns the issue and its real summary."""
    with duckdb.connect(str(warehouse)) as con:
        issue_id, summary = con.execute(
            """
            select issue_id, summary from staging.stg_jira__issues
            where issue_id not in (
                select issue_id from raw_jira.issues
                where _dlt_load_id = (select max(load_id) from raw_jira._dlt_loads)
            )
            order by issue_id limit 1
            """
        ).fetchone()
        con.execute(
            "update staging.stg_jira__issues set summary = ? where issue_id = ?", [SENTINEL, issue_id]
        )
    return issue_id, summary


def _summary_after_an_incremental_build(warehouse: Path, work: Path) -> str:
    """On a copy, so the mark never reaches the warehouse compared with the full rebuild (the intermediate
    tables built from staging would keep it): mark an untouched issue, build its staging table
    incrementally, and read the summary back."""
    probe = work / "delivery.duckdb"
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy2(warehouse, probe)
    issue_id, _ = _mark_an_untouched_issue(probe)
    result = run_dbt(["run", "--select", "stg_jira__issues"], work, probe)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    with duckdb.connect(str(probe), read_only=True) as con:
        [(seen,)] = con.execute(
            "select summary from staging.stg_jira__issues where issue_id = ?", [issue_id]
        ).fetchall()
    return seen


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> TwoBuilds:
    root = tmp_path_factory.mktemp("incremental")
    exports, held = root / "exports", root / "held"
    generate_demo_exports(exports, size="S")
    later_day = withhold_later_day(exports, held)
    incremental = (root / "incremental" / "delivery.duckdb").resolve()
    incremental.parent.mkdir(parents=True, exist_ok=True)
    load_all(exports, incremental)
    _build(root / "first", incremental)
    deliver_later_day(held, exports, later_day)
    load_all(exports, incremental)
    seen = _summary_after_an_incremental_build(incremental, root / "probe")
    _build(root / "incremental", incremental)
    rebuilt = (root / "rebuilt" / "delivery.duckdb").resolve()
    rebuilt.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(incremental, rebuilt)
    _build(root / "rebuilt", rebuilt, "--full-refresh")
    return TwoBuilds(root, incremental, rebuilt, len(later_day), seen)


def test_the_later_day_brings_new_and_newer_records(two_builds: TwoBuilds) -> None:
    assert two_builds.later_day_files > 100
    con = duckdb.connect(str(two_builds.incremental), read_only=True)
    try:
        [(second_load,)] = con.execute("select max(load_id) from raw_jira._dlt_loads").fetchall()
        # Jira issues the later day re-exported replace their earlier version in staging.
        [(updated_issues,)] = con.execute(
            """
            select count(*) from staging.stg_jira__issues as s
            where s._dlt_load_id = ?
                and exists (select 1 from raw_jira.issues as r where r.issue_id = s.issue_id and r._dlt_load_id < ?)
            """,
            [second_load, second_load],
        ).fetchall()
        [(new_changes,)] = con.execute(
            "select count(*) from staging.stg_github__pull_request_commits where _dlt_load_id = "
            "(select max(load_id) from raw_github._dlt_loads)"
        ).fetchall()
    finally:
        con.close()
    assert updated_issues > 0 and new_changes > 0


def test_the_incremental_build_ranks_again_only_the_records_new_loads_touched(two_builds: TwoBuilds) -> None:
    # A rebuild of the whole staging table would have written the issue's real summary over the mark.
    assert two_builds.untouched_issue_summary == SENTINEL
    compiled = next((two_builds.root / "incremental" / "target" / "compiled").rglob("stg_jira__issues.sql"))
    assert "newly_loaded" in compiled.read_text()


def test_every_built_relation_equals_its_full_rebuild(two_builds: TwoBuilds) -> None:
    incremental, full = two_builds.incremental, two_builds.rebuilt
    con = duckdb.connect()
    try:
        con.execute(f"attach '{incremental}' as incremental (read_only)")
        con.execute(f"attach '{full}' as rebuilt (read_only)")
        relations = _relations(con, "rebuilt")
        assert _relations(con, "incremental") == relations
        assert {"staging.stg_jira__issues", "marts.fct_changes", "marts.mart_flow__weekly"} <= set(relations)
        counts = {relation: _row_differences(con, relation) for relation in relations}
    finally:
        con.close()
    assert {relation: c for relation, c in counts.items() if c[:2] != (0, 0)} == {}
    # Equal because both hold rows, not because both are empty (the empty ones are the demo's gaps).
    empty = [relation for relation, c in counts.items() if c[2] == 0]
    assert len(empty) < len(relations) / 4, empty
