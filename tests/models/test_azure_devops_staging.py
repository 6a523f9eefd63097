"""The Azure DevOps staging models, built by dbt on the fixtures loaded by the real pipeline.

Expected values were worked out by hand from tests/fixtures/azure_devops/. The reading session is not in
UTC, to show that staged timestamps are UTC whatever the reader's time zone.
"""

from __future__ import annotations

import shutil
from datetime import datetime

import duckdb
import pytest

from ingestion.pipelines import load_tool
from tests.conftest import FIXTURES
from tests.models.dbt_runner import dbt_build


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):
    tmp_path = tmp_path_factory.mktemp("azure_devops_staging")
    exports, warehouse = tmp_path / "exports", tmp_path / "delivery.duckdb"
    shutil.copytree(FIXTURES / "azure_devops", exports, ignore=shutil.ignore_patterns("*.md"))
    load_tool("azure_devops", exports, warehouse)
    dbt_build(tmp_path, warehouse, "staging.azure_devops")
    connection = duckdb.connect(str(warehouse), read_only=True)
    connection.execute("SET TimeZone = 'America/Los_Angeles'")
    yield connection
    connection.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_work_items_keep_the_newest_revision(con):
    assert rows(
        con,
        """
        SELECT work_item_id, rev, work_item_type, state, area_path, assigned_to_unique_name,
               assigned_to_display_name, parent_work_item_id, created_at, changed_at, resolved_at, closed_at
        FROM staging.stg_azure_devops__work_items ORDER BY work_item_id
        """,
    ) == [
        (100, 2, "Feature", "New", "Fabrikam-Fiber", None, None, None, at("2026-02-27 14:03:10.89"),
         at("2026-02-27 14:05:41.003"), None, None),
        (101, 7, "User Story", "Closed", "Fabrikam-Fiber\\Checkout", "ben.okafor@fabrikam.com", "Ben Okafor", 100,
         at("2026-03-02 09:15:22.347"), at("2026-03-06 16:40:05.123456"), at("2026-03-06 09:00:00"),
         at("2026-03-06 16:40:05.123456")),
        # Revision 4 (page 2) wins over revision 3 (page 1).
        (102, 4, "Bug", "Resolved", "Fabrikam-Fiber\\Payments", "ben.okafor@fabrikam.com", "Ben Okafor", 100,
         at("2026-03-04 07:45:00"), at("2026-03-07 10:00:00"), at("2026-03-07 10:00:00"), None),
    ]


def test_state_history_replays_in_update_order(con):
    assert rows(
        con,
        """
        SELECT work_item_id, update_id, old_value, new_value, changed_at, revised_at, is_current_revision,
               revised_by_unique_name
        FROM staging.stg_azure_devops__work_item_updates
        WHERE field_key = 'state' ORDER BY work_item_id, update_id
        """,
    ) == [
        (101, 1, None, "New", at("2026-03-02 09:15:22.347"), at("2026-03-03 08:00:00.2"), False,
         "ana.silva@fabrikam.com"),
        (101, 2, "New", "Active", at("2026-03-03 08:00:00.2"), at("2026-03-04 10:30:00"), False,
         "ana.silva@fabrikam.com"),
        (101, 5, "Active", "Resolved", at("2026-03-06 09:00:00"), at("2026-03-06 11:15:00"), False,
         "ben.okafor@fabrikam.com"),
        # The 9999-01-01 revisedDate of the current revision is no date at all.
        (101, 7, "Resolved", "Closed", at("2026-03-06 16:40:05.123456"), None, True, "ben.okafor@fabrikam.com"),
        (102, 1, None, "New", at("2026-03-04 07:45:00"), at("2026-03-04 09:00:00"), False, "chen.wei@fabrikam.com"),
        (102, 2, "New", "Active", at("2026-03-04 09:00:00"), at("2026-03-05 11:02:00.5"), False,
         "chen.wei@fabrikam.com"),
        (102, 4, "Active", "Resolved", at("2026-03-07 10:00:00"), None, True, "ben.okafor@fabrikam.com"),
    ]


def test_type_assignee_and_area_changes_are_rows_too(con):
    assert rows(
        con,
        """
        SELECT work_item_id, update_id, field_key, old_value, new_value, new_display_name, new_identity_id
        FROM staging.stg_azure_devops__work_item_updates
        WHERE field_key IN ('work_item_type', 'assigned_to', 'area_path')
        ORDER BY work_item_id, update_id, field_key
        """,
    ) == [
        (101, 1, "area_path", None, "Fabrikam-Fiber\\Checkout", None, None),
        (101, 1, "work_item_type", None, "User Story", None, None),
        (101, 2, "assigned_to", None, "ana.silva@fabrikam.com", "Ana Silva", "5c2e7f0a-3b1d-4e8a-9f21-6d0b7a4c1e93"),
        (101, 4, "assigned_to", "ana.silva@fabrikam.com", "ben.okafor@fabrikam.com", "Ben Okafor",
         "9a41c6d2-7e05-4b3f-8c18-2f6e0d9b5a70"),
        (102, 1, "area_path", None, "Fabrikam-Fiber\\Checkout", None, None),
        (102, 1, "work_item_type", None, "Task", None, None),
        (102, 2, "area_path", "Fabrikam-Fiber\\Checkout", "Fabrikam-Fiber\\Payments", None, None),
        (102, 2, "assigned_to", None, "ben.okafor@fabrikam.com", "Ben Okafor", "9a41c6d2-7e05-4b3f-8c18-2f6e0d9b5a70"),
        (102, 2, "work_item_type", "Task", "Bug", None, None),
    ]
    # Every change row joins its work item.
    assert rows(
        con,
        """
        SELECT count(*) FROM staging.stg_azure_devops__work_item_updates AS u
        JOIN staging.stg_azure_devops__work_items AS w USING (work_item_key)
        """,
    ) == [(26,)]


def test_pull_requests_keep_the_closing_version_and_its_merge_commit(con):
    assert rows(
        con,
        """
        SELECT pull_request_id, status, source_branch, target_branch, merge_commit_id, created_by_unique_name,
               closed_by_unique_name, work_item_ids_json, created_at, closed_at, merged_at
        FROM staging.stg_azure_devops__pull_requests ORDER BY pull_request_id
        """,
    ) == [
        (21, "completed", "feature/101-saved-cards", "main", "7d3e9b2a41c05f86e7d21b0a93c4f58e6a1d2b3c",
         "ana.silva@fabrikam.com", "ana.silva@fabrikam.com", '["101"]', at("2026-03-03 10:12:44.551234"),
         at("2026-03-05 15:30:00.25"), at("2026-03-05 15:30:00.25")),
        (22, "completed", "bugfix/102-card-focus", "main", "c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7",
         "ben.okafor@fabrikam.com", "ben.okafor@fabrikam.com", '["102"]', at("2026-03-06 08:00:00"),
         at("2026-03-08 17:05:00"), at("2026-03-08 17:05:00")),
        # Abandoned: closed, never merged, so no merge commit.
        (23, "abandoned", "spike/client-tokens", "main", None, "chen.wei@fabrikam.com", "chen.wei@fabrikam.com",
         None, at("2026-03-01 12:00:00"), at("2026-03-02 09:00:00"), None),
    ]


def test_reviews_are_votes_with_their_names(con):
    assert rows(
        con,
        """
        SELECT pull_request_id, reviewer_unique_name, vote, vote_name, is_approval, is_required, is_container
        FROM staging.stg_azure_devops__pull_request_reviews ORDER BY pull_request_id, reviewer_index
        """,
    ) == [
        (21, "ben.okafor@fabrikam.com", 10, "approved", True, True, False),
        (21, "chen.wei@fabrikam.com", 5, "approved_with_suggestions", True, False, False),
        (21, "vstfs:///Classification/TeamProject/6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c\\Checkout Team", 10,
         "approved", True, True, True),
        (22, "ana.silva@fabrikam.com", 10, "approved", True, False, False),
        (22, "chen.wei@fabrikam.com", 0, "no_vote", False, False, False),
        (23, "ben.okafor@fabrikam.com", -10, "rejected", False, False, False),
    ]


def test_pull_request_commits_join_their_pull_request(con):
    assert rows(
        con,
        """
        SELECT p.pull_request_id, c.commit_id, c.authored_at, c.committed_at, c.message
        FROM staging.stg_azure_devops__pull_request_commits AS c
        JOIN staging.stg_azure_devops__pull_requests AS p USING (pull_request_key)
        ORDER BY c.authored_at
        """,
    ) == [
        (21, "e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0", at("2026-03-03 09:50:00"), at("2026-03-03 10:05:00"),
         "Store the card token #101"),
        (21, "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", at("2026-03-04 14:00:00"), at("2026-03-04 14:00:00"),
         "Encrypt the stored token"),
    ]


def test_builds_keep_the_newest_version(con):
    assert rows(
        con,
        """
        SELECT build_id, status, result, source_branch, source_version, trigger_pull_request_id, queued_at,
               finished_at
        FROM staging.stg_azure_devops__builds ORDER BY build_id
        """,
    ) == [
        (501, "completed", "succeeded", "main", "7d3e9b2a41c05f86e7d21b0a93c4f58e6a1d2b3c", None,
         at("2026-03-05 15:31:02.123456"), at("2026-03-05 15:49:41.75")),
        (502, "completed", "failed", "refs/pull/22/merge", "5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7a8b", 22,
         at("2026-03-06 08:00:30"), at("2026-03-06 08:06:12")),
        # Page 2's completed version wins over page 1's running one.
        (503, "completed", "partiallySucceeded", "main", "c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7", None,
         at("2026-03-08 17:06:00"), at("2026-03-08 17:31:40")),
    ]


def test_deployments_give_environment_commit_and_time_through_their_build(con):
    assert rows(
        con,
        """
        SELECT d.deployment_record_id, d.environment_name, d.stage_attempt, d.result, d.finished_at,
               b.source_version, b.source_branch
        FROM staging.stg_azure_devops__deployments AS d
        JOIN staging.stg_azure_devops__builds AS b USING (build_key)
        ORDER BY d.deployment_record_id
        """,
    ) == [
        (40, "staging", 1, "succeeded", at("2026-03-05 15:42:00"), "7d3e9b2a41c05f86e7d21b0a93c4f58e6a1d2b3c", "main"),
        (41, "production", 1, "succeeded", at("2026-03-05 15:49:30"), "7d3e9b2a41c05f86e7d21b0a93c4f58e6a1d2b3c",
         "main"),
        (42, "production", 1, "failed", at("2026-03-08 17:24:10"), "c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7", "main"),
        (43, "production", 2, "succeeded", at("2026-03-08 17:31:30"), "c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7",
         "main"),
    ]


def test_every_model_ends_with_the_lineage_columns(con):
    for model in (
        "work_items", "work_item_updates", "pull_requests", "pull_request_commits", "pull_request_reviews",
        "builds", "deployments",
    ):
        columns = [row[0] for row in rows(con, f"DESCRIBE staging.stg_azure_devops__{model}")]
        assert columns[-4:] == ["_source_file", "_record_index", "_dlt_load_id", "_loaded_at"], model
        assert rows(
            con, f"SELECT count(*) FROM staging.stg_azure_devops__{model} WHERE _source_file NOT LIKE 'azure_devops/%'"
        ) == [(0,)], model
