"""Azure DevOps exports load into `raw_azure_devops` with the real pipeline; bad input is quarantined.

Expected values were worked out by hand from the fixtures in tests/fixtures/azure_devops/.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingestion.pipelines import load_tool
from tests.conftest import FIXTURES, query, write_json

PROJECT = "azure_devops/fabrikam/Fabrikam-Fiber"
RAW_TABLES = (
    "work_items", "work_item_updates", "pull_requests", "pull_request_reviewers", "pull_request_commits",
    "builds", "deployments",
)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def copy_fixtures(tmp_path: Path) -> Path:
    exports = tmp_path / "exports"
    shutil.copytree(FIXTURES / "azure_devops", exports, ignore=shutil.ignore_patterns("*.md"))
    return exports


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp_path = tmp_path_factory.mktemp("azure_devops")
    warehouse = tmp_path / "w.duckdb"
    load_tool("azure_devops", copy_fixtures(tmp_path), warehouse)
    return warehouse


def test_every_fixture_record_lands_and_nothing_is_quarantined(loaded: Path):
    counts = {table: query(loaded, f"SELECT count(*) FROM raw_azure_devops.{table}")[0][0] for table in RAW_TABLES}
    assert counts == {
        "work_items": 4,  # 100, 101, and 102 at revisions 3 and 4
        "work_item_updates": 26,  # 14 tracked field changes of 101, 12 of 102
        "pull_requests": 4,  # 21, 23, and 22 active then completed
        "pull_request_reviewers": 6,
        "pull_request_commits": 2,
        "builds": 4,  # 501, 502, and 503 running then completed
        "deployments": 4,
    }
    assert query(loaded, "SELECT count(*) FROM raw_azure_devops.quarantine") == [(0,)]


def test_work_items_flatten_fields_and_identities(loaded: Path):
    assert query(
        loaded,
        """
        SELECT organization, project, work_item_id, rev, work_item_type, state, area_path, assigned_to_unique_name,
               assigned_to_id, parent_id, closed_at
        FROM raw_azure_devops.work_items ORDER BY work_item_id, rev
        """,
    ) == [
        ("fabrikam", "Fabrikam-Fiber", 100, 2, "Feature", "New", "Fabrikam-Fiber", None, None, None, None),
        ("fabrikam", "Fabrikam-Fiber", 101, 7, "User Story", "Closed", "Fabrikam-Fiber\\Checkout",
         "ben.okafor@fabrikam.com", "9a41c6d2-7e05-4b3f-8c18-2f6e0d9b5a70", 100,
         # Seven fractional digits: DuckDB keeps microseconds.
         utc("2026-03-06 16:40:05.123456")),
        ("fabrikam", "Fabrikam-Fiber", 102, 3, "Bug", "Active", "Fabrikam-Fiber\\Payments",
         "ben.okafor@fabrikam.com", "9a41c6d2-7e05-4b3f-8c18-2f6e0d9b5a70", 100, None),
        ("fabrikam", "Fabrikam-Fiber", 102, 4, "Bug", "Resolved", "Fabrikam-Fiber\\Payments",
         "ben.okafor@fabrikam.com", "9a41c6d2-7e05-4b3f-8c18-2f6e0d9b5a70", 100, None),
    ]


def test_updates_keep_state_type_and_assignee_changes_as_rows(loaded: Path):
    assert query(
        loaded,
        """
        SELECT update_id, old_value, new_value, changed_at, revised_at, is_current_revision
        FROM raw_azure_devops.work_item_updates
        WHERE work_item_id = 101 AND field = 'System.State' ORDER BY update_id
        """,
    ) == [
        (1, None, "New", utc("2026-03-02 09:15:22.347"), utc("2026-03-03 08:00:00.2"), False),
        (2, "New", "Active", utc("2026-03-03 08:00:00.2"), utc("2026-03-04 10:30:00"), False),
        (5, "Active", "Resolved", utc("2026-03-06 09:00:00"), utc("2026-03-06 11:15:00"), False),
        # The current revision: revisedDate 9999-01-01 is read as null.
        (7, "Resolved", "Closed", utc("2026-03-06 16:40:05.123456"), None, True),
    ]
    assert query(
        loaded,
        """
        SELECT work_item_id, update_id, field, old_value, new_value, old_display_name, new_display_name,
               new_identity_id, revised_by_unique_name
        FROM raw_azure_devops.work_item_updates
        WHERE field IN ('System.AssignedTo', 'System.WorkItemType', 'System.AreaPath') AND update_id > 1
        ORDER BY work_item_id, update_id, field
        """,
    ) == [
        (101, 2, "System.AssignedTo", None, "ana.silva@fabrikam.com", None, "Ana Silva",
         "5c2e7f0a-3b1d-4e8a-9f21-6d0b7a4c1e93", "ana.silva@fabrikam.com"),
        (101, 4, "System.AssignedTo", "ana.silva@fabrikam.com", "ben.okafor@fabrikam.com", "Ana Silva",
         "Ben Okafor", "9a41c6d2-7e05-4b3f-8c18-2f6e0d9b5a70", "ben.okafor@fabrikam.com"),
        (102, 2, "System.AreaPath", "Fabrikam-Fiber\\Checkout", "Fabrikam-Fiber\\Payments", None, None, None,
         "chen.wei@fabrikam.com"),
        (102, 2, "System.AssignedTo", None, "ben.okafor@fabrikam.com", None, "Ben Okafor",
         "9a41c6d2-7e05-4b3f-8c18-2f6e0d9b5a70", "chen.wei@fabrikam.com"),
        (102, 2, "System.WorkItemType", "Task", "Bug", None, None, None, "chen.wei@fabrikam.com"),
    ]
    # Updates 3 and 6 of 101 (a parent link, a comment) change no tracked field and give no rows.
    assert query(
        loaded,
        "SELECT DISTINCT update_id FROM raw_azure_devops.work_item_updates WHERE work_item_id = 101 ORDER BY 1",
    ) == [(1,), (2,), (4,), (5,), (7,)]


def test_pull_requests_keep_a_version_per_closing_with_votes_and_commits(loaded: Path):
    assert query(
        loaded,
        """
        SELECT pull_request_id, status, repository_name, last_merge_commit_id, created_by_unique_name,
               work_item_ids, created_at, closed_at, version_at
        FROM raw_azure_devops.pull_requests ORDER BY pull_request_id, version_at
        """,
    ) == [
        (21, "completed", "fabrikam-web", "7d3e9b2a41c05f86e7d21b0a93c4f58e6a1d2b3c", "ana.silva@fabrikam.com",
         '["101"]', utc("2026-03-03 10:12:44.551234"), utc("2026-03-05 15:30:00.25"),
         utc("2026-03-05 15:30:00.25")),
        (22, "active", "fabrikam-web", None, "ben.okafor@fabrikam.com", None, utc("2026-03-06 08:00:00"), None,
         utc("2026-03-06 08:00:00")),
        (22, "completed", "fabrikam-web", "c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7", "ben.okafor@fabrikam.com",
         '["102"]', utc("2026-03-06 08:00:00"), utc("2026-03-08 17:05:00"), utc("2026-03-08 17:05:00")),
        (23, "abandoned", "fabrikam-web", None, "chen.wei@fabrikam.com", None, utc("2026-03-01 12:00:00"),
         utc("2026-03-02 09:00:00"), utc("2026-03-02 09:00:00")),
    ]
    assert query(
        loaded,
        """
        SELECT pull_request_id, reviewer_unique_name, vote, is_required, is_container, voted_for_ids
        FROM raw_azure_devops.pull_request_reviewers ORDER BY pull_request_id, reviewer_index
        """,
    ) == [
        (21, "ben.okafor@fabrikam.com", 10, True, None, None),
        (21, "chen.wei@fabrikam.com", 5, None, None, None),
        (21, "vstfs:///Classification/TeamProject/6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c\\Checkout Team", 10, True,
         True, '["9a41c6d2-7e05-4b3f-8c18-2f6e0d9b5a70"]'),
        # The later page of PR 22 wins: Ana's vote moved from -5 (waiting for author) to 10.
        (22, "ana.silva@fabrikam.com", 10, None, None, None),
        (22, "chen.wei@fabrikam.com", 0, None, None, None),
        (23, "ben.okafor@fabrikam.com", -10, None, None, None),
    ]
    assert query(
        loaded,
        "SELECT pull_request_id, commit_id, authored_at, committed_at FROM raw_azure_devops.pull_request_commits "
        "ORDER BY authored_at",
    ) == [
        (21, "e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0", utc("2026-03-03 09:50:00"), utc("2026-03-03 10:05:00")),
        (21, "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", utc("2026-03-04 14:00:00"), utc("2026-03-04 14:00:00")),
    ]


def test_builds_and_deployments(loaded: Path):
    assert query(
        loaded,
        """
        SELECT build_id, status, result, source_branch, source_version, trigger_pull_request_id, finished_at,
               last_changed_at
        FROM raw_azure_devops.builds ORDER BY build_id, last_changed_at
        """,
    ) == [
        (501, "completed", "succeeded", "refs/heads/main", "7d3e9b2a41c05f86e7d21b0a93c4f58e6a1d2b3c", None,
         utc("2026-03-05 15:49:41.75"), utc("2026-03-05 15:49:42.013333")),
        (502, "completed", "failed", "refs/pull/22/merge", "5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7a8b", 22,
         utc("2026-03-06 08:06:12"), utc("2026-03-06 08:06:12.3")),
        # Running: no result, and the finish time 0001-01-01 is read as null.
        (503, "inProgress", None, "refs/heads/main", "c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7", None, None,
         utc("2026-03-08 17:06:09.5")),
        (503, "completed", "partiallySucceeded", "refs/heads/main", "c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7",
         None, utc("2026-03-08 17:31:40"), utc("2026-03-08 17:31:40.2")),
    ]
    assert query(
        loaded,
        """
        SELECT deployment_record_id, environment_name, environment_id, build_id, stage_name, stage_attempt,
               result, finished_at
        FROM raw_azure_devops.deployments ORDER BY deployment_record_id
        """,
    ) == [
        (40, "staging", 2, 501, "DeployStaging", 1, "succeeded", utc("2026-03-05 15:42:00")),
        (41, "production", 3, 501, "DeployProd", 1, "succeeded", utc("2026-03-05 15:49:30")),
        (42, "production", 3, 503, "DeployProd", 1, "failed", utc("2026-03-08 17:24:10")),
        (43, "production", 3, 503, "DeployProd", 2, "succeeded", utc("2026-03-08 17:31:30")),
    ]


def _work_item(work_item_id: int | None) -> dict:
    record = {
        "rev": 1,
        "fields": {
            "System.WorkItemType": "Task",
            "System.State": "New",
            "System.CreatedDate": "2026-03-09T08:00:00Z",
            "System.ChangedDate": "2026-03-09T08:00:00Z",
        },
    }
    return record if work_item_id is None else {"id": work_item_id, **record}


def _write_bad_input(exports: Path) -> None:
    project = exports / PROJECT
    (project / "work_items/page-0003.json").write_text('{"count": 1, "value": [{"id": 103, "rev": 1, "fields": {')
    write_json(project / "work_items/page-0004.json", {"count": 2, "value": [_work_item(104), _work_item(None)]})
    # What Azure DevOps answers instead of a page when the token lacks a scope.
    write_json(
        project / "builds/page-0003.json",
        {
            "$id": "1",
            "innerException": None,
            "message": "TF400813: The user 'Anonymous' is not authorized to access this resource.",
            "typeName": "Microsoft.TeamFoundation.Framework.Server.UnauthorizedRequestException, "
            "Microsoft.TeamFoundation.Framework.Server",
            "typeKey": "UnauthorizedRequestException",
            "errorCode": 0,
            "eventId": 3000,
        },
    )


def test_bad_files_and_records_are_quarantined_and_the_good_ones_load(tmp_path: Path):
    exports, warehouse = copy_fixtures(tmp_path), tmp_path / "w.duckdb"
    _write_bad_input(exports)

    load_tool("azure_devops", exports, warehouse)

    rows = query(
        warehouse,
        "SELECT source_file, record_index, record_key, entity, reason FROM raw_azure_devops.quarantine "
        "ORDER BY source_file, record_index",
    )
    assert [(r[0].removeprefix(f"{PROJECT}/"), r[1], r[2], r[3]) for r in rows] == [
        ("builds/page-0003.json", -1, None, "builds"),
        ("work_items/page-0003.json", -1, None, "work_items"),
        ("work_items/page-0004.json", 1, None, "work_items"),
    ]
    reasons = [r[4] for r in rows]
    assert reasons[0] == (
        "the body has no 'value' array: expected "
        '{"count", "value": [...]} of builds (GET _apis/build/builds)'
    )
    assert reasons[1].startswith("not valid JSON")
    assert reasons[2] == "missing required field id"
    # The good record of the partly bad page and every good file still load.
    assert query(warehouse, "SELECT work_item_id FROM raw_azure_devops.work_items ORDER BY 1") == [
        (100,), (101,), (102,), (102,), (104,)
    ]
    assert query(warehouse, "SELECT count(*) FROM raw_azure_devops.builds") == [(4,)]


def _warehouse_contents(warehouse: Path) -> dict[str, list[tuple]]:
    return {
        table: query(warehouse, f"SELECT * EXCLUDE (_dlt_load_id) FROM raw_azure_devops.{table} ORDER BY ALL")
        for table in (*RAW_TABLES, "quarantine")
    }


def _load_ids(warehouse: Path) -> list[tuple]:
    return query(warehouse, "SELECT DISTINCT _dlt_load_id FROM raw_azure_devops.work_items")


def test_re_running_gives_the_same_warehouse(tmp_path: Path):
    exports, warehouse = copy_fixtures(tmp_path), tmp_path / "w.duckdb"
    _write_bad_input(exports)
    load_tool("azure_devops", exports, warehouse)
    first = _warehouse_contents(warehouse)
    first_load = _load_ids(warehouse)

    load_tool("azure_devops", exports, warehouse)
    assert _warehouse_contents(warehouse) == first
    assert _load_ids(warehouse) == first_load  # nothing was re-read

    # Every file re-delivered (newer modification time, same bodies): read again, merged, unchanged.
    later = datetime.now().timestamp() + 60
    for path in exports.rglob("*.json"):
        os.utime(path, (later, later))
    load_tool("azure_devops", exports, warehouse)
    contents = _warehouse_contents(warehouse)
    assert _load_ids(warehouse) != first_load  # the files were read again
    # Only the quarantine's file_modified_at moves with the files.
    assert {t: rows for t, rows in contents.items() if t != "quarantine"} == {
        t: rows for t, rows in first.items() if t != "quarantine"
    }
    assert [row[:5] for row in contents["quarantine"]] == [row[:5] for row in first["quarantine"]]
