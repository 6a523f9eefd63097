"""GitLab, Jenkins and Opsgenie staging models, built with dbt on the fixtures loaded by the real pipelines.

Expected values are worked out by hand from tests/fixtures/{gitlab,jenkins,opsgenie} (see their READMEs).
Views are read from a session in another time zone: staged times must be UTC whatever the reader's zone.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from ingestion.pipelines import load_tool
from tests.models.dbt_runner import dbt_build
from tests.toolchain_exports import copy_fixture_exports

TOOLS = ("gitlab", "jenkins", "opsgenie")
SHA = {prefix: prefix * 20 for prefix in ("a1", "b2", "c3", "d4", "e5", "f6", "07")}
PROJECT = "acme/platform/checkout"
TEAM = "8418d193-2dab-4490-b331-8c02cdd196b7"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("toolchain_staging")
    exports, warehouse = root / "exports", root / "delivery.duckdb"
    for tool in TOOLS:
        copy_fixture_exports(tool, exports)
        load_tool(tool, exports, warehouse)
    dbt_build(root, warehouse, " ".join(f"path:models/staging/{tool}" for tool in TOOLS))
    return warehouse


@pytest.fixture()
def con(warehouse: Path):
    connection = duckdb.connect(str(warehouse), read_only=True)
    connection.execute("SET TimeZone = 'America/Los_Angeles'")
    yield connection
    connection.close()


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_gitlab_merge_requests_newest_version_with_id_iid_and_landed_commit(con):
    assert _rows(
        con,
        """
        select merge_request_id, merge_request_iid, project_path, state, head_sha, landed_commit_sha,
               created_at, merged_at, closed_at
        from staging.stg_gitlab__merge_requests order by merge_request_iid
        """,
    ) == [
        # Squash merge: the squash commit landed.
        (9101, 7, PROJECT, "merged", SHA["a1"], SHA["c3"], datetime(2026, 3, 2, 9, 0),
         datetime(2026, 3, 3, 15, 30, 0, 123000), None),
        # Opened 10:00 +01:00 as a draft; the later page's merged version wins. Merge commit landed.
        (9102, 8, PROJECT, "merged", SHA["e5"], SHA["d4"], datetime(2026, 3, 4, 9, 0),
         datetime(2026, 3, 5, 7, 59), None),
        (9103, 9, PROJECT, "closed", "70" * 20, None, datetime(2026, 3, 4, 15, 0), None,
         datetime(2026, 3, 5, 12, 0)),
    ]
    assert _rows(
        con, "select _source_file, _record_index from staging.stg_gitlab__merge_requests where merge_request_iid = 8"
    ) == [(f"gitlab/{PROJECT}/merge_requests/page-0002.json", 0)]


def test_gitlab_first_commit_and_first_review_of_a_merge_request(con):
    assert _rows(
        con,
        """
        select merge_request_iid, min(authored_at), count(*)
        from staging.stg_gitlab__merge_request_commits group by all order by 1
        """,
    ) == [(7, datetime(2026, 3, 1, 15, 45), 2), (8, datetime(2026, 3, 4, 8, 30), 1)]
    # Approvals, change requests and human comments; "added 1 commit" and "requested review" are not reviews.
    assert _rows(
        con,
        """
        select merge_request_iid, note_id, review_action, reviewer_username, reviewed_at
        from staging.stg_gitlab__merge_request_reviews order by merge_request_iid, reviewed_at
        """,
    ) == [
        (7, 498, "commented", "ana", datetime(2026, 3, 2, 10, 0)),
        (7, 500, "commented", "ben", datetime(2026, 3, 2, 13, 20)),
        (7, 501, "approved", "ben", datetime(2026, 3, 3, 14, 0)),
        (8, 510, "requested_changes", "ben", datetime(2026, 3, 4, 12, 0)),
        (8, 511, "approved", "carla", datetime(2026, 3, 5, 7, 0)),
    ]


def test_gitlab_commits_and_parents_give_the_ancestry(con):
    assert _rows(
        con, "select sha, parent_sha, parent_index from staging.stg_gitlab__commit_parents order by sha, parent_index"
    ) == [
        (SHA["c3"], SHA["f6"], 0),
        (SHA["d4"], SHA["c3"], 0),
        (SHA["d4"], SHA["e5"], 1),
        (SHA["f6"], SHA["07"], 0),
    ]
    assert _rows(
        con, "select sha, parent_count, authored_at from staging.stg_gitlab__commits order by authored_at"
    ) == [
        (SHA["07"], 0, datetime(2026, 2, 27, 12, 0)),
        (SHA["f6"], 1, datetime(2026, 3, 1, 8, 0)),  # 09:00 at +01:00
        (SHA["c3"], 1, datetime(2026, 3, 2, 11, 0)),
        (SHA["d4"], 2, datetime(2026, 3, 5, 7, 59)),
    ]


def test_gitlab_pipelines_newest_status(con):
    assert _rows(
        con,
        "select pipeline_id, pipeline_iid, status, source, sha, updated_at, started_at "
        "from staging.stg_gitlab__pipelines order by pipeline_id",
    ) == [
        (7001, 31, "success", "push", SHA["c3"], datetime(2026, 3, 3, 15, 41), None),
        (7002, 32, "success", "push", SHA["d4"], datetime(2026, 3, 5, 8, 21), None),
        (7003, 33, "failed", "merge_request_event", SHA["e5"], datetime(2026, 3, 4, 8, 40), None),
    ]


def test_gitlab_deployments_with_tier_commit_finish_and_outcome(con):
    assert _rows(
        con,
        """
        select deployment_id, environment_name, environment_tier, is_production_tier, sha, status,
               started_at, finished_at, finished_at_source, pipeline_id
        from staging.stg_gitlab__deployments order by deployment_id
        """,
    ) == [
        (8001, "production", "production", True, SHA["c3"], "success", datetime(2026, 3, 3, 15, 41, 12),
         datetime(2026, 3, 3, 15, 44, 59), "finished_at", 7001),
        (8002, "staging", "staging", False, SHA["c3"], "success", datetime(2026, 3, 3, 15, 35, 2),
         datetime(2026, 3, 3, 15, 37, 59), "finished_at", 7001),
        # Older GitLab body: the job's finish stands in.
        (8003, "prod-eu", "production", True, SHA["d4"], "failed", datetime(2026, 3, 5, 8, 14, 2),
         datetime(2026, 3, 5, 8, 20), "deployable.finished_at", 7002),
        (8004, "production", "production", True, SHA["d4"], "running", datetime(2026, 3, 5, 8, 22, 3), None, None,
         7002),
    ]


def test_jenkins_builds_in_utc_from_milliseconds_finished_version_first(con):
    rows = _rows(
        con,
        """
        select job_path, build_number, result, is_building, started_at, finished_at, duration_ms, git_sha,
               parameters_json
        from staging.stg_jenkins__builds order by job_path, build_number
        """,
    )
    staged = [(*row[:-1], json.loads(row[-1]).get("ENVIRONMENT")) for row in rows]
    assert staged == [
        ("checkout-build", 118, "UNSTABLE", False, datetime(2026, 3, 4, 8, 31), datetime(2026, 3, 4, 8, 36, 12),
         312000, SHA["e5"], None),
        ("payments/checkout-deploy", 39, "ABORTED", False, datetime(2026, 3, 2, 17, 0),
         datetime(2026, 3, 2, 17, 0, 4, 100000), 4100, None, None),
        ("payments/checkout-deploy", 40, "FAILURE", False, datetime(2026, 3, 3, 15, 36),
         datetime(2026, 3, 3, 15, 37, 35), 95000, SHA["c3"], "staging"),
        # 1772552790250 ms is 15:46:30.250; plus 184532 ms is 15:49:34.782.
        ("payments/checkout-deploy", 41, "SUCCESS", False, datetime(2026, 3, 3, 15, 46, 30, 250000),
         datetime(2026, 3, 3, 15, 49, 34, 782000), 184532, SHA["c3"], "production"),
        # Exported running, then finished: the finished version wins.
        ("payments/checkout-deploy", 42, "SUCCESS", False, datetime(2026, 3, 5, 8, 15),
         datetime(2026, 3, 5, 8, 17, 1), 121000, SHA["d4"], "production"),
        # Still running: no result, no finish, no duration (Jenkins sends 0).
        ("payments/checkout-deploy", 43, None, True, datetime(2026, 3, 6, 9, 0), None, None, SHA["d4"],
         "production"),
    ]
    assert _rows(
        con,
        "select controller, git_branch, git_remote_url, _source_file from staging.stg_jenkins__builds "
        "where build_number = 42",
    ) == [(
        "ci.acme.example", "refs/remotes/origin/main", "https://gitlab.acme.example/acme/platform/checkout.git",
        "jenkins/ci.acme.example/payments/checkout-deploy/builds-0002.json",
    )]


def test_opsgenie_alerts_acknowledge_and_close_from_report_milliseconds(con):
    assert _rows(
        con,
        """
        select tiny_id, status, priority, owner, created_at, acknowledged_at, closed_at, responder_ids_json
        from staging.stg_opsgenie__alerts order by tiny_id
        """,
    ) == [
        # 08:30:00.123456 plus 300000 ms and 4500000 ms.
        ("1791", "closed", "P1", "ben@acme.example", datetime(2026, 3, 5, 8, 30, 0, 123456),
         datetime(2026, 3, 5, 8, 35, 0, 123456), datetime(2026, 3, 5, 9, 45, 0, 123456), f'["{TEAM}"]'),
        ("1792", "open", "P3", None, datetime(2026, 3, 6, 14, 0, 0, 500000), None, None,
         f'["{TEAM}","e3c2c2d4-9a4b-4b1e-8d0f-1f1e2d3c4b5a"]'),
    ]


def test_opsgenie_incidents_resolve_at_their_last_update_when_resolved_or_closed(con):
    assert _rows(
        con,
        """
        select tiny_id, status, owner_team_id, impacted_services_json, created_at, resolved_at, resolved_at_source
        from staging.stg_opsgenie__incidents order by tiny_id
        """,
    ) == [
        ("19", "closed", TEAM, "[]", datetime(2026, 3, 1, 6, 0), datetime(2026, 3, 1, 9, 30), "updated_at"),
        ("21", "resolved", TEAM, '["svc-checkout-api"]', datetime(2026, 3, 5, 8, 32, 0, 987654),
         datetime(2026, 3, 5, 10, 5), "updated_at"),
        ("22", "open", TEAM, '["svc-checkout-api","svc-cdn"]', datetime(2026, 3, 6, 14, 5, 0, 100000), None, None),
    ]
