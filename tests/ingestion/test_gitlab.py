"""GitLab exports load into raw_gitlab: ids and iids, the commit graph, notes, pipelines and deployments.

Expected values are worked out by hand from tests/fixtures/gitlab (see its README).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingestion.pipelines import load_tool
from tests.conftest import query, write_json
from tests.toolchain_exports import copy_fixture_exports, dataset_snapshot, touch_all

PROJECT = "acme/platform/checkout"
FOLDER = f"gitlab/{PROJECT}"
SHA = {prefix: prefix * 20 for prefix in ("a1", "b2", "c3", "d4", "e5", "f6", "07")}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gitlab")
    exports = copy_fixture_exports("gitlab", root / "exports")
    warehouse = root / "w.duckdb"
    load_tool("gitlab", exports, warehouse)
    return warehouse


def test_merge_requests_keep_global_id_and_project_iid_and_every_version(loaded: Path):
    assert query(
        loaded,
        "SELECT project_path, merge_request_id, iid, state, updated_at FROM raw_gitlab.merge_requests ORDER BY ALL",
    ) == [
        (PROJECT, 9101, 7, "merged", datetime(2026, 3, 3, 15, 30, 12, 345000, tzinfo=UTC)),
        # !8 opened at 10:00 +01:00, then a later page carries its merged version.
        (PROJECT, 9102, 8, "merged", datetime(2026, 3, 5, 8, 0, tzinfo=UTC)),
        (PROJECT, 9102, 8, "opened", datetime(2026, 3, 4, 9, 0, tzinfo=UTC)),
        (PROJECT, 9103, 9, "closed", datetime(2026, 3, 5, 12, 0, tzinfo=UTC)),
    ]
    assert query(
        loaded,
        "SELECT merge_commit_sha, squash_commit_sha, is_squash, merged_at, reference, labels "
        "FROM raw_gitlab.merge_requests WHERE iid = 7",
    ) == [
        (None, SHA["c3"], True, datetime(2026, 3, 3, 15, 30, 0, 123000, tzinfo=UTC), f"{PROJECT}!7",
         '["backend","payments"]')
    ]
    assert query(loaded, "SELECT count(*) FROM raw_gitlab.quarantine") == [(0,)]


def test_merge_request_commits_and_notes_take_the_iid_from_the_file_name(loaded: Path):
    assert query(
        loaded,
        "SELECT merge_request_iid, sha, parent_count, authored_at FROM raw_gitlab.merge_request_commits ORDER BY ALL",
    ) == [
        (7, SHA["a1"], None, datetime(2026, 3, 2, 11, 0, tzinfo=UTC)),
        # 16:45 at +01:00; this endpoint leaves parent_ids out, so the count is unknown, not zero.
        (7, SHA["b2"], None, datetime(2026, 3, 1, 15, 45, tzinfo=UTC)),
        (8, SHA["e5"], 1, datetime(2026, 3, 4, 8, 30, tzinfo=UTC)),
    ]
    assert query(
        loaded,
        "SELECT merge_request_iid, note_id, is_system, author_username, created_at FROM raw_gitlab.merge_request_notes "
        "WHERE body = 'approved this merge request' ORDER BY note_id",
    ) == [
        (7, 501, True, "ben", datetime(2026, 3, 3, 14, 0, tzinfo=UTC)),
        (8, 511, True, "carla", datetime(2026, 3, 5, 7, 0, tzinfo=UTC)),
    ]
    assert query(loaded, "SELECT count(*) FROM raw_gitlab.merge_request_notes") == [(7,)]


def test_commits_yield_the_commit_graph(loaded: Path):
    assert query(loaded, "SELECT sha, parent_count FROM raw_gitlab.commits ORDER BY sha") == [
        (SHA["07"], 0), (SHA["c3"], 1), (SHA["d4"], 2), (SHA["f6"], 1)
    ]
    assert query(
        loaded, "SELECT sha, parent_sha, parent_index FROM raw_gitlab.commit_parents ORDER BY sha, parent_index"
    ) == [
        (SHA["c3"], SHA["f6"], 0),
        (SHA["d4"], SHA["c3"], 0),
        (SHA["d4"], SHA["e5"], 1),
        (SHA["f6"], SHA["07"], 0),
    ]


def test_pipelines_from_the_list_have_no_start_or_finish(loaded: Path):
    assert query(
        loaded,
        "SELECT pipeline_id, iid, status, updated_at, started_at, finished_at FROM raw_gitlab.pipelines "
        "WHERE pipeline_id = 7002 ORDER BY updated_at",
    ) == [
        (7002, 32, "running", datetime(2026, 3, 5, 8, 2, tzinfo=UTC), None, None),
        (7002, 32, "success", datetime(2026, 3, 5, 8, 21, tzinfo=UTC), None, None),
    ]
    assert query(loaded, "SELECT count(*) FROM raw_gitlab.pipelines") == [(4,)]


def test_deployments_carry_environment_tier_job_and_pipeline(loaded: Path):
    assert query(
        loaded,
        "SELECT deployment_id, sha, status, environment_name, environment_tier, finished_at, deployable_finished_at, "
        "pipeline_id FROM raw_gitlab.deployments ORDER BY deployment_id",
    ) == [
        (8001, SHA["c3"], "success", "production", "production", datetime(2026, 3, 3, 15, 44, 59, tzinfo=UTC),
         datetime(2026, 3, 3, 15, 44, 58, tzinfo=UTC), 7001),
        (8002, SHA["c3"], "success", "staging", "staging", datetime(2026, 3, 3, 15, 37, 59, tzinfo=UTC),
         datetime(2026, 3, 3, 15, 37, 59, tzinfo=UTC), 7001),
        # Older GitLab: no top-level finished_at, only the job's.
        (8003, SHA["d4"], "failed", "prod-eu", "production", None, datetime(2026, 3, 5, 8, 20, tzinfo=UTC), 7002),
        (8004, SHA["d4"], "running", "production", "production", None, None, 7002),
    ]


def _write_bad_exports(exports: Path) -> None:
    copy_fixture_exports("gitlab", exports)
    merge_requests = exports / FOLDER / "merge_requests"
    (merge_requests / "page-0003.json").write_text('[{"id": 9104, "iid": 10, "created_at": "2026-03-0')
    good = {"id": 9105, "iid": 11, "state": "opened", "created_at": "2026-03-06T10:00:00Z"}
    write_json(merge_requests / "page-0004.json", [good, {"iid": 12, "created_at": "2026-03-06T11:00:00Z"}])
    write_json(exports / FOLDER / "pipelines/page-0003.json", {"message": "404 Project Not Found"})
    write_json(
        exports / FOLDER / "merge_request_notes/latest.json",
        [{"id": 600, "body": "LGTM", "system": False, "created_at": "2026-03-06T12:00:00Z"}],
    )


def test_bad_files_and_records_are_quarantined_and_the_rest_loads(tmp_path: Path):
    exports, warehouse = tmp_path / "exports", tmp_path / "w.duckdb"
    _write_bad_exports(exports)

    load_tool("gitlab", exports, warehouse)

    rows = query(
        warehouse,
        "SELECT source_file, entity, record_index, record_key, reason FROM raw_gitlab.quarantine ORDER BY ALL",
    )
    by_file = {(r[0].removeprefix(f"{FOLDER}/"), r[2]): r for r in rows}
    assert set(by_file) == {
        ("merge_request_notes/latest.json", 0),
        ("merge_requests/page-0003.json", -1),
        ("merge_requests/page-0004.json", 1),
        ("pipelines/page-0003.json", -1),
    }
    assert by_file[("merge_requests/page-0003.json", -1)][4].startswith("not valid JSON")
    assert by_file[("merge_requests/page-0004.json", 1)][1:] == ("merge_requests", 1, None, "missing required field id")
    assert by_file[("pipelines/page-0003.json", -1)][1] == "pipelines"
    assert by_file[("pipelines/page-0003.json", -1)][4] == (
        "the body is a JSON object: expected a JSON array of pipelines (GET /projects/:id/pipelines)"
    )
    assert by_file[("merge_request_notes/latest.json", 0)][3:] == ("600", "missing required field merge_request_iid")
    # The good record of the file with a bad one loads, beside all the good files.
    assert query(warehouse, "SELECT iid FROM raw_gitlab.merge_requests ORDER BY iid") == [(7,), (8,), (8,), (9,), (11,)]
    assert query(warehouse, "SELECT count(*) FROM raw_gitlab.pipelines") == [(4,)]


def test_loading_again_gives_the_same_warehouse(tmp_path: Path):
    exports, warehouse = copy_fixture_exports("gitlab", tmp_path / "exports"), tmp_path / "w.duckdb"
    load_tool("gitlab", exports, warehouse)
    first = dataset_snapshot(warehouse, "raw_gitlab")

    touch_all(exports)  # every file is read again
    load_tool("gitlab", exports, warehouse)

    assert dataset_snapshot(warehouse, "raw_gitlab") == first
    assert set(first) >= {"merge_requests", "commit_parents", "deployments", "quarantine"}
