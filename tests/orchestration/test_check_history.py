"""The raw checks' history is kept per warehouse, though every warehouse shares one DAGSTER_HOME.

Warehouse A loads the small demo organisation; warehouse B, a new file with the same DAGSTER_HOME, loads the
same exports but every other Jira issues page, so its raw_jira.issues holds fewer rows than A's. Its checks
must pass: "the table never shrinks" compares B with B's own earlier counts (none yet), never with A's. A
load of A afterwards finds A's own last evaluations past B's. The load job runs alone (as `delivery run`
runs it first), in a process of its own per warehouse.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import AssetCheckKey, AssetKey, DagsterEventType, DagsterInstance

from orchestration.defs.checks.quality_checks import RAW_SUITE_CHECK, WAREHOUSE_ID
from tests.conftest import query
from tests.limits import HANG_SECONDS

LOAD = """
from orchestration.cli.commands import _execute
from orchestration.lib.settings import Settings
result = _execute("ingest_job", Settings.from_env(), "Loading and checking the raw tables")
print("RUN", result.run_id, result.success)
"""


def _load(root: Path, exports: Path, dagster_home: Path) -> str:
    """The load job alone on the warehouse under `root`; its run id."""
    env = {
        **os.environ,
        "DELIVERY_EXPORTS_DIR": str(exports),
        "DELIVERY_WAREHOUSE_PATH": str(root / "delivery.duckdb"),
        "DAGSTER_HOME": str(dagster_home),
        "COLUMNS": "200",
    }
    loaded = subprocess.run([sys.executable, "-c", LOAD], env=env, capture_output=True, text=True, timeout=HANG_SECONDS,
                            cwd=Path(__file__).parents[2], check=False)
    assert loaded.returncode == 0, loaded.stdout[-4000:] + loaded.stderr[-4000:]
    [line] = [line for line in loaded.stdout.splitlines() if line.startswith("RUN ")]
    _, run_id, success = line.split()
    assert success == "True", loaded.stdout[-4000:]
    return run_id


def _suite_evaluations(dagster_home: Path, run_id: str) -> dict[str, dict]:
    """Every raw suite check the run evaluated: table -> passed, description and metadata."""
    with DagsterInstance.from_config(str(dagster_home)) as instance:
        records = instance.get_records_for_run(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION).records
        evaluations = [r.event_log_entry.dagster_event.event_specific_data for r in records]
    return {
        e.asset_key.to_user_string(): {"passed": e.passed, "description": e.description,
                                       **{k: v.value for k, v in e.metadata.items()}}
        for e in evaluations if e.check_name == RAW_SUITE_CHECK
    }


@pytest.fixture(scope="module")
def two_warehouses(demo_exports: Path, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("check-history")
    dagster_home = root / "dagster"
    fewer = root / "fewer-exports"
    shutil.copytree(demo_exports, fewer)
    dropped = sorted((fewer / "jira" / "issues").glob("page-0*.json"))[1::2]
    for page in dropped:
        page.unlink()
    runs = {
        "a": _load(root / "a", demo_exports, dagster_home),
        "b": _load(root / "b", fewer, dagster_home),
        "a again": _load(root / "a", demo_exports, dagster_home),
    }
    return root, dagster_home, runs


def test_a_new_warehouse_is_checked_against_its_own_history_only(two_warehouses):
    root, dagster_home, runs = two_warehouses
    issues = "raw_jira/issues"
    count = "SELECT count(*) FROM raw_jira.issues"
    [(a_rows,)] = query(root / "a" / "delivery.duckdb", count)
    [(b_rows,)] = query(root / "b" / "delivery.duckdb", count)
    assert b_rows < a_rows, "B must hold fewer issues than A, or the test proves nothing"

    a, b = _suite_evaluations(dagster_home, runs["a"]), _suite_evaluations(dagster_home, runs["b"])
    # Every raw table's suite ran on B (25 tables at least across the tools) and passed: no shrink against A.
    assert len(b) >= 25 and set(b) == set(a)
    assert [table for table, e in b.items() if not e["passed"]] == []
    # Validated whole, as a new warehouse: no earlier count of its own to compare with.
    assert b[issues]["previous_row_count"] == -1 and b[issues]["row_count"] == b_rows
    assert b[issues][WAREHOUSE_ID] != a[issues][WAREHOUSE_ID]


def test_the_first_warehouse_finds_its_own_last_evaluation_past_the_others(two_warehouses):
    _, dagster_home, runs = two_warehouses
    a, again = _suite_evaluations(dagster_home, runs["a"]), _suite_evaluations(dagster_home, runs["a again"])
    # Nothing new for A since its first load: every table is unchanged since A's own passing validation,
    # though B's evaluations (of other row counts) came in between.
    assert all(e["passed"] and e["validated"] is False for e in again.values()), again
    assert {t: e["row_count"] for t, e in again.items()} == {t: e["row_count"] for t, e in a.items()}
    assert {e[WAREHOUSE_ID] for e in again.values()} == {a["raw_jira/issues"][WAREHOUSE_ID]}
    with DagsterInstance.from_config(str(dagster_home)) as instance:
        key = AssetCheckKey(AssetKey(["raw_jira", "issues"]), RAW_SUITE_CHECK)
        assert len(instance.event_log_storage.get_asset_check_execution_history(key, limit=10)) == 3
