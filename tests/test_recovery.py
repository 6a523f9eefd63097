"""Write-audit-publish under failure, end to end through `delivery run`.

A warehouse is built from the small demo organisation's exports the hard way: first without the PagerDuty
exports (snapshot P1), then with them, through runs killed during ingestion, during the dbt build and
during publish. After every kill the serving file must still be P1. The run that finally completes, with
a reader querying the serving file throughout, must publish the same marts as an uninterrupted build of
the same exports (the session's `demo_serving`). Last, a bad value that ingestion accepts is reported and
publishes, and a raw table that lost rows stops publish at its check.

A module of its own, so that it runs beside the other end-to-end module rather than after it. It asks
for the session's uninterrupted build first: it starts on a worker of its own (tests/conftest.py), so
the modules that read that build later find it ready.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from dagster import AssetCheckKey, AssetKey, DagsterInstance

from tests.conftest import DemoServing, mart_contents, snapshot_id
from tests.limits import HANG_SECONDS

READER = Path(__file__).parent / "serving_reader.py"


def _delivery_run(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run"],
        env=env, capture_output=True, text=True, timeout=HANG_SECONDS, cwd=Path(__file__).parents[1], check=False,
    )


def _start_run(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "run"], env=env, cwd=Path(__file__).parents[1],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )


def _kill_when(run: subprocess.Popen, ready, timeout: float = HANG_SECONDS) -> None:
    """SIGKILL the run and its children (dbt) the moment `ready()` is true: a crash, not a shutdown."""
    deadline = time.time() + timeout
    while not ready():
        assert run.poll() is None, "the run ended before reaching the point where it was to be killed"
        assert time.time() < deadline, "the run never reached the point where it was to be killed"
        time.sleep(0.005)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()


def _log_has(logs: Path, *needles: str):
    """True once the newest run log holds every needle (the log is line-buffered)."""
    def ready() -> bool:
        newest = max(logs.glob("delivery-run-*.log"), key=lambda p: p.stat().st_mtime_ns, default=None)
        text = newest.read_text() if newest else ""
        return all(needle in text for needle in needles)
    return ready


@pytest.fixture(scope="module")
def interrupted_build(demo_serving: DemoServing, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("wap")
    demo_exports = demo_serving.exports
    shutil.copytree(demo_exports, root / "exports", ignore=shutil.ignore_patterns("pagerduty"))
    env = {
        **os.environ,
        "DELIVERY_EXPORTS_DIR": str(root / "exports"),
        "DELIVERY_WAREHOUSE_PATH": str(root / "warehouse" / "delivery.duckdb"),
        "DELIVERY_SERVING_PATH": str(root / "warehouse" / "serving.duckdb"),
        "DAGSTER_HOME": str(root / "dagster"),
        "COLUMNS": "200",
    }
    first = _delivery_run(env)
    assert first.returncode == 0, first.stdout + first.stderr
    return root, env


def test_a_killed_run_never_touches_the_serving_file_and_the_next_run_converges(
    demo_serving: DemoServing, interrupted_build
):
    root, env = interrupted_build
    serving, logs = root / "warehouse" / "serving.duckdb", root / "warehouse" / "logs"
    p1_id, p1 = snapshot_id(serving), mart_contents(serving)
    with duckdb.connect(str(serving), read_only=True) as con:
        p1_tools = {tool for (tool,) in con.execute("select distinct source_tool from marts.fct_incidents").fetchall()}
    assert p1_tools == {"opsgenie"}, "P1 was built without the PagerDuty exports"
    shutil.copytree(demo_serving.exports / "pagerduty", root / "exports" / "pagerduty")

    kill_points = {
        "ingestion": _log_has(logs, 'STEP_START - Started execution of step "github_raw_tables"'),
        "dbt build": _log_has(logs, 'STEP_START - Started execution of step "delivery_dbt_models"',
                              "ASSET_MATERIALIZATION - Materialized value staging"),
        "publish": lambda: any(serving.parent.glob(".serving.duckdb.*.tmp")),
    }
    for point, ready in kill_points.items():
        before = {p.name for p in logs.glob("*.log")}
        _kill_when(_start_run(env), lambda ready=ready, before=before: (
            {p.name for p in logs.glob("*.log")} != before and ready()))
        assert snapshot_id(serving) == p1_id, f"killed during {point}: the serving file changed"
        assert mart_contents(serving) == p1, f"killed during {point}: the serving file changed"

    reader = subprocess.Popen([sys.executable, str(READER), str(serving), str(root / "reader.json")])
    try:
        final = _delivery_run(env)
    finally:
        (root / "reader.json.stop").touch()
        reader.wait(timeout=60)
    assert final.returncode == 0, final.stdout + final.stderr
    assert snapshot_id(serving) != p1_id
    # The uninterrupted build of the same exports.
    assert mart_contents(serving) == mart_contents(demo_serving.serving)

    answers = json.loads((root / "reader.json").read_text())
    assert answers["failed_queries"] == [], answers["failed_queries"][:3]
    assert answers["inconsistent_answers"] == [], answers["inconsistent_answers"][:3]
    assert answers["queries"] >= 20 and set(answers["snapshots_seen"]) == {p1_id, snapshot_id(serving)}


def test_a_value_outside_the_vocabulary_is_reported_and_publishes(interrupted_build):
    """A record-level problem: a state GitHub never emits loads, is named with its count, and publishes."""
    root, env = interrupted_build
    serving = root / "warehouse" / "serving.duckdb"
    published_id = snapshot_id(serving)
    repository = next((root / "exports" / "github").glob("*/*"))
    page = json.loads(next((repository / "pulls").glob("*.json")).read_text())
    bad = {**page[0], "state": "merged", "updated_at": "2026-11-01T00:00:00Z"}  # GitHub says closed + merged_at
    (repository / "pulls" / "zz-bad-state.json").write_text(json.dumps([bad]))

    run = _delivery_run(env)

    assert run.returncode == 0, run.stdout + run.stderr
    assert "raw_github/pull_requests raw_record_rules" in run.stdout and "merged (1 row)" in run.stdout
    assert snapshot_id(serving) != published_id
    with DagsterInstance.from_config(str(root / "dagster")) as instance:
        key = AssetCheckKey(AssetKey(["raw_github", "pull_requests"]), "raw_record_rules")
        record = instance.event_log_storage.get_latest_asset_check_execution_by_key([key])[key]
        evaluation = record.event.dagster_event.event_specific_data
        assert not evaluation.passed and evaluation.severity.value == "WARN"
        failing = evaluation.metadata["failed_expectations"].value
        assert [rule["examples"] for rule in failing.values()] == [["merged"]]
        # It read the new load alone: the current version of the one pull request it touched.
        assert evaluation.metadata["validated_after_load_id"].value != ""
        assert evaluation.metadata["validated_rows"].value == 1


def test_a_raw_table_that_shrank_stops_publish_at_its_check(interrupted_build):
    """A systemic problem: rows lost from a raw table (here deleted behind the loads' back)."""
    root, env = interrupted_build
    serving = root / "warehouse" / "serving.duckdb"
    published_id, published = snapshot_id(serving), mart_contents(serving)
    with duckdb.connect(str(root / "warehouse" / "delivery.duckdb")) as con:
        con.execute("DELETE FROM raw_github.pull_requests WHERE number % 2 = 0")

    failed = _delivery_run(env)

    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "github_raw_checks failed" in failed.stdout and "raw_github/pull_requests" in failed.stdout
    assert "Serving file unchanged" in failed.stdout
    assert snapshot_id(serving) == published_id and mart_contents(serving) == published
    with DagsterInstance.from_config(str(root / "dagster")) as instance:
        key = AssetCheckKey(AssetKey(["raw_github", "pull_requests"]), "raw_expectations")
        record = instance.event_log_storage.get_latest_asset_check_execution_by_key([key])[key]
        evaluation = record.event.dagster_event.event_specific_data
        assert not evaluation.passed and evaluation.severity.value == "ERROR"
        failing = evaluation.metadata["failed_expectations"].value
        assert [rule.split(" ")[0] for rule in failing] == ["expect_column_values_to_be_between"]
