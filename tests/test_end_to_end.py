"""End to end: `delivery run` on a missing exports folder stops before anything runs; `delivery demo` writes a
small demo organisation, `delivery run` loads it with dlt, builds and tests every dbt model through Dagster
and publishes a snapshot marked as demo data; a second `delivery demo` and run change nothing, and two runs
never overlap on one warehouse.

Expected counts are computed from the export files with the standard library, independently of the
DuckDB extraction, the dlt merge and the dbt models under test.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dagster import AssetCheckKey, AssetKey, DagsterEventType, DagsterInstance, DagsterRunStatus

from tests.conftest import query, snapshot_id
from tests.limits import HANG_SECONDS

DEMO_SIZE = "0.2"  # a fifth of the default demo: every case of the generator, in seconds


def _delivery(env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *arguments],
        env=env, capture_output=True, text=True, timeout=HANG_SECONDS, cwd=Path(__file__).parents[1], check=False,
    )


def _delivery_run(env: dict[str, str]) -> subprocess.CompletedProcess:
    return _delivery(env, "run")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("e2e")
    env = {
        **os.environ,
        "DELIVERY_EXPORTS_DIR": str(root / "exports"),
        "DELIVERY_WAREHOUSE_PATH": str(root / "warehouse" / "delivery.duckdb"),
        "DELIVERY_SERVING_PATH": str(root / "warehouse" / "serving.duckdb"),
        "DAGSTER_HOME": str(root / "dagster"),
        "DELIVERY_DEMO_SIZE": DEMO_SIZE,
        "DELIVERY_WRITE_DBT_DOCS": "true",  # the session leaves them out (tests/conftest.py); this run checks them
        "COLUMNS": "200",
    }
    nothing = _delivery_run(env)  # the landing folder does not exist yet
    demo = _delivery(env, "demo")
    assert demo.returncode == 0, demo.stdout + demo.stderr
    first = _delivery_run(env)
    assert first.returncode == 0, first.stdout + first.stderr
    return root, env, first, nothing


def test_a_run_without_exports_stops_before_anything_runs_and_says_how_to_run_the_demo(demo_run):
    root, _, _, nothing = demo_run
    assert nothing.returncode == 2, nothing.stdout + nothing.stderr
    said = " ".join(nothing.stdout.split())
    assert f"the landing folder {root / 'exports'} does not exist" in said
    assert "`delivery demo`" in said and "`make run`" in said
    # Nothing ran: the demo run that followed is the instance's first, and its only two jobs.
    with DagsterInstance.from_config(str(root / "dagster")) as instance:
        assert sorted(run.job_name for run in instance.get_runs()) == ["build_job", "ingest_job"]


def test_an_empty_landing_folder_stops_too_and_publishes_nothing(tmp_path: Path):
    (tmp_path / "exports" / "jira" / "issues").mkdir(parents=True)
    (tmp_path / "exports" / "notes.txt").write_text("no export files here")
    env = {**os.environ, "DELIVERY_EXPORTS_DIR": str(tmp_path / "exports"), "COLUMNS": "200",
           "DELIVERY_WAREHOUSE_PATH": str(tmp_path / "warehouse" / "delivery.duckdb"),
           "DAGSTER_HOME": str(tmp_path / "dagster")}
    empty = _delivery_run(env)
    assert empty.returncode == 2, empty.stdout + empty.stderr
    assert "holds no export files" in empty.stdout and str(tmp_path / "exports") in empty.stdout
    assert not (tmp_path / "warehouse").exists() and not (tmp_path / "dagster").exists()


def test_the_snapshot_of_the_demo_is_marked_as_demo_data(demo_run):
    root, _, first, _ = demo_run
    assert "Published" in first.stdout
    assert query(root / "warehouse" / "serving.duckdb", "SELECT demo_data FROM meta.snapshot") == [(True,)]


def _bodies(exports: Path, glob: str, envelope: str | None = None):
    for path in sorted(exports.glob(glob)):
        body = json.loads(path.read_text())
        yield path, (body[envelope] if envelope else body)


def test_the_run_prints_the_summary(demo_run):
    root, _, first, _ = demo_run
    assert "raw_github.pull_requests" in first.stdout
    assert "Quarantined: 0 file(s)." in first.stdout
    assert str(root / "warehouse" / "delivery.duckdb") in first.stdout.replace("\n", "")
    assert any((root / "exports" / "jira" / "issues").glob("*.json"))


def test_the_build_writes_the_dbt_docs_with_lineage_up_to_the_dashboards(demo_run):
    root, _, _, _ = demo_run
    docs = root / "warehouse" / "dbt_docs"
    manifest = json.loads((docs / "manifest.json").read_text())
    catalog = json.loads((docs / "catalog.json").read_text())
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    assert {"superset_dora_overview", "superset_flow_and_handoffs", "superset_delivery_risk"} <= set(exposures)
    assert "model.delivery_warehouse.mart_dora__weekly" in exposures["superset_dora_overview"]["depends_on"]["nodes"]
    # The catalog was read from the warehouse just built: the marts are there with their columns.
    weekly = catalog["nodes"]["model.delivery_warehouse.mart_dora__weekly"]
    assert "change_failure_rate" in weekly["columns"]
    assert (docs / "static_index.html").stat().st_size > 100_000


def test_raw_tables_hold_every_record_version_once(demo_run):
    root, _, _, _ = demo_run
    exports, warehouse = root / "exports", root / "warehouse" / "delivery.duckdb"

    pulls = {(p["id"], p["updated_at"]) for _, page in _bodies(exports, "github/*/*/pulls/*.json") for p in page}
    assert query(warehouse, "SELECT count(*) FROM raw_github.pull_requests") == [(len(pulls),)]

    issues = {(i["id"], i["fields"]["updated"]) for _, page in _bodies(exports, "jira/issues/*.json", "issues")
              for i in page}
    assert query(warehouse, "SELECT count(*) FROM raw_jira.issues") == [(len(issues),)]

    histories = {h["id"] for _, page in _bodies(exports, "jira/issues/*.json", "issues") for i in page
                 for h in i["changelog"]["histories"]}
    histories |= {h["id"] for _, page in _bodies(exports, "jira/changelogs/*/*.json", "values") for h in page}
    assert query(warehouse, "SELECT count(DISTINCT history_id) FROM raw_jira.changelog_items") == [
        (len(histories),)
    ]

    edges = {(path.parts[-4] + "/" + path.parts[-3], c["sha"], i)
             for path, page in _bodies(exports, "github/*/*/commits/*.json") for c in page
             for i, _ in enumerate(c["parents"])}
    assert query(warehouse, "SELECT count(*) FROM raw_github.commit_parents") == [(len(edges),)]

    incidents = {i["id"] for _, page in _bodies(exports, "pagerduty/incidents/*.json", "incidents") for i in page}
    assert query(warehouse, "SELECT count(DISTINCT incident_id) FROM raw_pagerduty.incidents") == [
        (len(incidents),)
    ]


def test_staging_keeps_the_newest_version_of_each_record(demo_run):
    root, _, _, _ = demo_run
    exports, warehouse = root / "exports", root / "warehouse" / "delivery.duckdb"
    newest: dict[int, tuple[str, str]] = {}
    for _, page in _bodies(exports, "github/*/*/pulls/*.json"):
        for pull in page:
            if pull["id"] not in newest or pull["updated_at"] > newest[pull["id"]][0]:
                newest[pull["id"]] = (pull["updated_at"], pull["state"])
    staged = dict(query(warehouse, "SELECT pull_request_id, state FROM staging.stg_github__pull_requests"))
    assert staged == {pull_id: state for pull_id, (_, state) in newest.items()}
    assert len(newest) < sum(1 for _, page in _bodies(exports, "github/*/*/pulls/*.json") for _ in page), (
        "the demo re-exports some pull requests, so versions outnumber pull requests"
    )


def test_the_demo_organisation_is_fully_mapped(demo_run):
    root, _, _, _ = demo_run
    assert query(root / "warehouse" / "delivery.duckdb", "SELECT count(*) FROM intermediate.int_mappings__gaps") == [
        (0,)
    ]


def test_dagster_recorded_the_run_its_materialisations_and_passing_checks(demo_run):
    root, _, _, _ = demo_run
    with DagsterInstance.from_config(str(root / "dagster")) as instance:
        runs = instance.get_runs()
        assert runs and all(run.status == DagsterRunStatus.SUCCESS for run in runs)
        keys = [AssetKey(["raw_github", "pull_requests"]), AssetKey(["staging", "stg_github__pull_requests"])]
        latest = instance.get_latest_materialization_events(keys)
        assert set(latest) == set(keys) and all(event is not None for event in latest.values())
        check = instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [AssetCheckKey(keys[1], "unique_stg_github__pull_requests_pull_request_id")]
        )
        assert [execution.status.value for execution in check.values()] == ["SUCCEEDED"]


def test_the_serving_file_publishes_the_last_runs_the_checks_and_each_tools_freshness(demo_run):
    root, _, _, _ = demo_run
    serving = root / "warehouse" / "serving.duckdb"
    [(published_by, published_at)] = query(serving, "SELECT snapshot_id, published_at FROM meta.snapshot")
    with DagsterInstance.from_config(str(root / "dagster")) as instance:
        runs = {run.run_id: run for run in instance.get_runs()}
        evaluations = {}
        for run_id in runs:  # every evaluation of every run, oldest run first: the last one stands
            records = instance.get_records_for_run(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION).records
            for record in sorted(records, key=lambda r: r.storage_id):
                evaluation = record.event_log_entry.dagster_event.event_specific_data
                evaluations[(evaluation.asset_key.to_user_string(), evaluation.check_name)] = (
                    record.storage_id, evaluation.passed, run_id)
    # The runs so far (`delivery run` is an ingest run, then a build run that publishes): the publishing one
    # was still going when it published.
    published_runs = dict(query(serving, "SELECT run_id, status FROM meta.runs"))
    assert set(published_runs) == set(runs)
    assert published_runs[published_by] == "STARTED"
    assert all(status == "SUCCESS" for run_id, status in published_runs.items() if run_id != published_by)
    # Every check evaluated, with its latest outcome: the demo's all pass.
    checks = {(asset, name): (passed, run_id) for asset, name, passed, run_id in query(
        serving, "SELECT asset, check_name, passed, run_id FROM meta.checks")}
    assert checks == {key: (passed, run_id) for key, (_, passed, run_id) in evaluations.items()}
    assert checks[("marts/mart_dora__weekly", "row_count_against_published")] == (True, published_by)
    # Each tool the demo exports was loaded before the publish, within the hour.
    freshness = dict(query(serving, "SELECT source_tool, age_hours_at_publish FROM meta.freshness"))
    assert {"github", "jira", "pagerduty"} <= {tool for tool, age in freshness.items() if age is not None}
    assert all(0 <= age < 1 for age in freshness.values() if age is not None), (freshness, published_at)


# A process holding the warehouse's run lock as a run does, until killed.
HOLDER = """
import sys
from pathlib import Path
from orchestration.lib.run_lock import exclusive_run
with exclusive_run(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.read()
"""


def _file_mtimes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_a_second_demo_and_run_change_nothing_and_never_overlap_another_run(demo_run):
    """What a second `make run` does (`delivery demo`, then `delivery run`), while another process holds the
    warehouse's run lock: the run says so and stops; with --wait it waits, and starts once the holder is
    killed (the lock goes with its process). Then it finds nothing new."""
    root, env, _, _ = demo_run
    exports, warehouse = root / "exports", root / "warehouse" / "delivery.duckdb"
    tables = ["raw_github.pull_requests", "raw_jira.changelog_items", "raw_pagerduty.incidents"]
    before = {t: query(warehouse, f"SELECT * FROM {t} ORDER BY ALL") for t in tables}
    written = _file_mtimes(exports)

    demo = _delivery(env, "demo")
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "unchanged: nothing rewritten" in demo.stdout
    assert _file_mtimes(exports) == written

    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(warehouse)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[1])
    waiting = None
    try:
        assert holder.stdout.readline().strip() == "held"
        busy = _delivery_run(env)
        assert busy.returncode == 3, busy.stdout + busy.stderr
        said = " ".join(busy.stdout.split())
        assert f"Another `delivery run` is in progress on {warehouse} (pid {holder.pid}, since " in said
        assert re.search(r"since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", said), said
        log = root / "waiting-run.log"
        with log.open("w") as out:
            waiting = subprocess.Popen([sys.executable, "-m", "orchestration.cli", "run", "--wait"], env=env,
                                       stdout=out, stderr=subprocess.STDOUT, cwd=Path(__file__).parents[1])
        deadline = time.time() + HANG_SECONDS
        while "waiting for it" not in log.read_text():
            assert waiting.poll() is None and time.time() < deadline, log.read_text()
            time.sleep(0.2)
        os.kill(holder.pid, signal.SIGKILL)  # a killed run leaves no stale lock behind
        assert waiting.wait(timeout=HANG_SECONDS) == 0, log.read_text()
    finally:
        holder.kill()
        if waiting is not None and waiting.poll() is None:
            waiting.kill()
    second = log.read_text()
    assert f"(pid {holder.pid}, since " in " ".join(second.split())
    assert {t: query(warehouse, f"SELECT * FROM {t} ORDER BY ALL") for t in tables} == before
    assert "Nothing new since the published snapshot: no build, no publish." in second


def test_status_reports_the_last_run_publish_and_checks(demo_run):
    root, env, _, _ = demo_run
    status = subprocess.run([sys.executable, "-m", "orchestration.cli", "status"], env=env, capture_output=True,
                            text=True, timeout=HANG_SECONDS, cwd=Path(__file__).parents[1], check=False)
    assert status.returncode == 0, status.stdout + status.stderr
    published = snapshot_id(root / "warehouse" / "serving.duckdb")
    assert f"Last publish: run {published}" in status.stdout.replace("\n", "")
    # The last run was the second, with nothing new: it stopped after loading and checking.
    assert "Last run: ingest_job" in status.stdout and "SUCCESS" in status.stdout
    assert "Quarantined: 0 file(s)" in status.stdout
    passed = int(status.stdout.split("Checks: ")[1].split(" passed")[0])
    assert passed > 300 and ", 0 failed." in status.stdout
