"""End to end: `delivery run` on an empty exports folder writes a small demo organisation, loads it with
dlt, builds and tests every dbt model through Dagster, and a second run changes nothing.

Expected counts are computed from the export files with the standard library, independently of the
DuckDB extraction, the dlt merge and the dbt models under test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import AssetCheckKey, AssetKey, DagsterInstance, DagsterRunStatus

from tests.conftest import query, snapshot_id

DEMO_SIZE = "0.2"  # a fifth of the default demo: every case of the generator, in seconds


def _delivery_run(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run"],
        env=env, capture_output=True, text=True, timeout=600, cwd=Path(__file__).parents[1], check=False,
    )


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
    first = _delivery_run(env)
    assert first.returncode == 0, first.stdout + first.stderr
    return root, env, first


def _bodies(exports: Path, glob: str, envelope: str | None = None):
    for path in sorted(exports.glob(glob)):
        body = json.loads(path.read_text())
        yield path, (body[envelope] if envelope else body)


def test_the_run_generates_the_demo_and_prints_the_summary(demo_run):
    root, _, first = demo_run
    assert "No exports in" in first.stdout
    assert "raw_github.pull_requests" in first.stdout
    assert "Quarantined: 0 file(s) and 0 record(s)" in first.stdout
    assert str(root / "warehouse" / "delivery.duckdb") in first.stdout.replace("\n", "")
    assert any((root / "exports" / "jira" / "issues").glob("*.json"))


def test_the_build_writes_the_dbt_docs_with_lineage_up_to_the_dashboards(demo_run):
    root, _, _ = demo_run
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
    root, _, _ = demo_run
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
    root, _, _ = demo_run
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
    root, _, _ = demo_run
    assert query(root / "warehouse" / "delivery.duckdb", "SELECT count(*) FROM intermediate.int_mapping_gaps") == [
        (0,)
    ]


def test_dagster_recorded_the_run_its_materialisations_and_passing_checks(demo_run):
    root, _, _ = demo_run
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


def test_a_second_run_on_the_same_exports_changes_nothing(demo_run):
    root, env, _ = demo_run
    warehouse = root / "warehouse" / "delivery.duckdb"
    tables = ["raw_github.pull_requests", "raw_jira.changelog_items", "raw_pagerduty.incidents"]
    before = {t: query(warehouse, f"SELECT * FROM {t} ORDER BY ALL") for t in tables}

    second = _delivery_run(env)

    assert second.returncode == 0, second.stdout + second.stderr
    assert {t: query(warehouse, f"SELECT * FROM {t} ORDER BY ALL") for t in tables} == before
    assert "No exports in" not in second.stdout
    assert "Nothing new since the published snapshot: no build, no publish." in second.stdout


def test_status_reports_the_last_run_publish_and_checks(demo_run):
    root, env, _ = demo_run
    status = subprocess.run([sys.executable, "-m", "orchestration.cli", "status"], env=env, capture_output=True,
                            text=True, timeout=300, cwd=Path(__file__).parents[1], check=False)
    assert status.returncode == 0, status.stdout + status.stderr
    published = snapshot_id(root / "warehouse" / "serving.duckdb")
    assert f"Last publish: run {published}" in status.stdout.replace("\n", "")
    # The last run was the second, with nothing new: it stopped after loading and checking.
    assert "Last run: ingest_job" in status.stdout and "SUCCESS" in status.stdout
    assert "Quarantined: 0 file(s)" in status.stdout
    passed = int(status.stdout.split("Checks: ")[1].split(" passed")[0])
    assert passed > 300 and ", 0 failed." in status.stdout
