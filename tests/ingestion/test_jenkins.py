"""Jenkins build lists load into raw_jenkins: epoch milliseconds as sent, running and finished versions,
parameters and the git revision pulled out of the heterogeneous actions.

Expected values are worked out by hand from tests/fixtures/jenkins (see its README).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingestion.pipelines import load_tool
from tests.conftest import query, write_json
from tests.toolchain_exports import copy_fixture_exports, dataset_snapshot, touch_all

CONTROLLER = "ci.acme.example"
DEPLOY_JOB = "payments/checkout-deploy"
REMOTE = "https://gitlab.acme.example/acme/platform/checkout.git"
D4, C3, E5 = "d4" * 20, "c3" * 20, "e5" * 20
BODY = (
    '{"_class", "allBuilds": [...]} or {"_class", "builds": [...]} '
    "(GET /job/<name>/api/json?tree=allBuilds[...]{0,500} or tree=builds[...])"
)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("jenkins")
    exports = copy_fixture_exports("jenkins", root / "exports")
    warehouse = root / "w.duckdb"
    load_tool("jenkins", exports, warehouse)
    return warehouse


def test_builds_keep_milliseconds_and_both_versions_of_a_build(loaded: Path):
    assert query(
        loaded,
        "SELECT controller, job_path, build_number, is_building, result, started_at_ms, duration_ms "
        "FROM raw_jenkins.builds ORDER BY job_path, build_number, is_building",
    ) == [
        (CONTROLLER, "checkout-build", 118, False, "UNSTABLE", 1772613060000, 312000),
        (CONTROLLER, DEPLOY_JOB, 39, False, "ABORTED", 1772470800000, 4100),
        (CONTROLLER, DEPLOY_JOB, 40, False, "FAILURE", 1772552160000, 95000),
        (CONTROLLER, DEPLOY_JOB, 41, False, "SUCCESS", 1772552790250, 184532),
        # Exported running (result null, duration 0), then finished.
        (CONTROLLER, DEPLOY_JOB, 42, False, "SUCCESS", 1772698500000, 121000),
        (CONTROLLER, DEPLOY_JOB, 42, True, None, 1772698500000, 0),
        (CONTROLLER, DEPLOY_JOB, 43, True, None, 1772787600000, 0),
    ]
    assert query(loaded, "SELECT count(*) FROM raw_jenkins.quarantine") == [(0,)]


def test_parameters_and_git_revision_come_out_of_the_actions(loaded: Path):
    rows = query(
        loaded,
        "SELECT job_path, build_number, parameters, git_sha, git_branch, git_remote_url FROM raw_jenkins.builds "
        "WHERE NOT is_building ORDER BY job_path, build_number",
    )
    parsed = [(job, number, json.loads(params), sha, branch, url) for job, number, params, sha, branch, url in rows]
    assert parsed == [
        # Two BuildData actions (the app, then a shared library): the first one is kept.
        ("checkout-build", 118, {}, E5, "origin/feature/CHK-13-card-expiry", REMOTE),
        # Aborted before checkout: no parameters, no git data.
        (DEPLOY_JOB, 39, {}, None, None, None),
        (DEPLOY_JOB, 40, {"ENVIRONMENT": "staging", "DRY_RUN": False}, C3, "refs/remotes/origin/main", REMOTE),
        (DEPLOY_JOB, 41, {"ENVIRONMENT": "production", "DRY_RUN": False}, C3, "refs/remotes/origin/main", REMOTE),
        (DEPLOY_JOB, 42, {"ENVIRONMENT": "production", "DRY_RUN": False}, D4, "refs/remotes/origin/main", REMOTE),
    ]


def _build(number: int, **overrides) -> dict:
    return {"number": number, "id": str(number), "result": "SUCCESS", "building": False,
            "timestamp": 1772900000000, "duration": 1000, "actions": [{}], **overrides}


def test_bad_files_and_records_are_quarantined_and_the_rest_loads(tmp_path: Path):
    exports, warehouse = copy_fixture_exports("jenkins", tmp_path / "exports"), tmp_path / "w.duckdb"
    job = exports / "jenkins" / CONTROLLER / "nightly"
    (job / "builds.json").parent.mkdir(parents=True)
    (job / "builds.json").write_text('{"_class": "org.jenkinsci.plugins.workflow.job.WorkflowJob", "builds": [{"num')
    body = {"_class": "hudson.model.FreeStyleProject",
            "builds": [_build(7), _build(None), _build(9, timestamp="2026-03-07 10:00")]}
    write_json(job / "builds-0002.json", body)
    # A folder's body lists jobs, not builds.
    write_json(exports / "jenkins" / CONTROLLER / "payments" / "builds-folder.json",
               {"_class": "com.cloudbees.hudson.plugins.folder.Folder", "jobs": [{"name": "checkout-deploy"}]})

    load_tool("jenkins", exports, warehouse)

    rows = query(
        warehouse, "SELECT source_file, entity, record_index, record_key, reason FROM raw_jenkins.quarantine ORDER BY ALL"
    )
    assert [(r[0].removeprefix(f"jenkins/{CONTROLLER}/"), *r[1:]) for r in rows] == [
        ("nightly/builds-0002.json", "builds", 1, None, "missing required field number"),
        ("nightly/builds-0002.json", "builds", 2, "9", "timestamp: expected an integer, got 2026-03-07 10:00"),
        ("nightly/builds.json", "builds", -1, None, rows[2][4]),
        ("payments/builds-folder.json", "builds", -1, None, f"the body has no 'allBuilds' or 'builds' array: expected {BODY}"),
    ]
    assert rows[2][4].startswith("not valid JSON")
    assert query(warehouse, "SELECT build_number FROM raw_jenkins.builds WHERE job_path = 'nightly'") == [(7,)]
    assert query(warehouse, "SELECT count(*) FROM raw_jenkins.builds") == [(8,)]


def test_loading_again_gives_the_same_warehouse(tmp_path: Path):
    exports, warehouse = copy_fixture_exports("jenkins", tmp_path / "exports"), tmp_path / "w.duckdb"
    load_tool("jenkins", exports, warehouse)
    first = dataset_snapshot(warehouse, "raw_jenkins")

    touch_all(exports)
    load_tool("jenkins", exports, warehouse)

    assert dataset_snapshot(warehouse, "raw_jenkins") == first
    assert len(first["builds"]) == 7


def test_all_builds_bodies_load_like_builds_bodies(tmp_path: Path):
    """`tree=allBuilds[...]{0,500}` (docs/exports.md) answers `{"_class", "allBuilds": [...]}`."""
    exports, warehouse = tmp_path / "exports", tmp_path / "w.duckdb"
    job = exports / "jenkins" / CONTROLLER / "nightly"
    write_json(job / "builds-all.json", {"_class": "hudson.model.FreeStyleProject", "allBuilds": [_build(1), _build(2)]})
    # Both lists (a tree asking for both): allBuilds holds every build of builds, and is the one read.
    write_json(
        job / "builds-both.json",
        {"_class": "hudson.model.FreeStyleProject", "builds": [_build(4)], "allBuilds": [_build(3), _build(4)]},
    )
    write_json(job / "builds-newest.json", {"_class": "hudson.model.FreeStyleProject", "builds": [_build(5)]})

    load_tool("jenkins", exports, warehouse)

    assert query(warehouse, "SELECT _source_file, _record_index, build_number FROM raw_jenkins.builds ORDER BY 3") == [
        (f"jenkins/{CONTROLLER}/nightly/builds-all.json", 0, 1),
        (f"jenkins/{CONTROLLER}/nightly/builds-all.json", 1, 2),
        (f"jenkins/{CONTROLLER}/nightly/builds-both.json", 0, 3),
        (f"jenkins/{CONTROLLER}/nightly/builds-both.json", 1, 4),
        (f"jenkins/{CONTROLLER}/nightly/builds-newest.json", 0, 5),
    ]
    assert query(warehouse, "SELECT count(*) FROM raw_jenkins.quarantine") == [(0,)]
