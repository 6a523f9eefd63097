"""Build the dbt project for real on a small hand-made warehouse and check what the models hold.

The raw tables are created exactly as docs/raw_tables.md describes them (plus dlt's `_dlt_load_id` and
`_dlt_id`), filled with a few rows whose expected staged values were worked out by hand, then `dbt build`
and `dbt source freshness` run against the file.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from ingestion.sources import TOOLS, tables_of
from tests.models.dbt_runner import DBT, run_dbt
from tests.toolchain_exports import raw_ddl

# Tools whose raw tables this module fills by hand; every other tool's tables are created empty, as its
# loader creates them when it has no exports.
FILLED_BY_HAND = ("jira", "github", "pagerduty")

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

# Two loads an hour apart, recent enough for source freshness to pass. Load ids are epoch seconds as text.
NOW = int(time.time())
FIRST_LOAD = f"{NOW - 3600}.100000"
SECOND_LOAD = f"{NOW - 60}.200000"

RAW_DDL = """
create schema raw_jira;
create schema raw_github;
create schema raw_pagerduty;

create table raw_jira.issues (
    issue_id varchar, issue_key varchar, project_key varchar, project_name varchar, issue_type varchar,
    issue_type_hierarchy_level bigint, is_subtask boolean, status_id varchar, status_name varchar,
    status_category_key varchar, summary varchar, priority_name varchar, resolution_name varchar,
    assignee_account_id varchar, assignee_display_name varchar, reporter_account_id varchar,
    parent_key varchar, epic_key varchar, labels varchar, components varchar, fix_versions varchar,
    created_at timestamptz, updated_at timestamptz, resolved_at timestamptz, due_date date,
    changelog_total bigint, changelog_inline bigint,
    _source_file varchar, _record_index bigint, _dlt_load_id varchar, _dlt_id varchar
);
create table raw_jira.changelog_items (
    issue_id varchar, issue_key varchar, history_id varchar, item_index bigint, author_account_id varchar,
    author_display_name varchar, created_at timestamptz, field varchar, field_type varchar, field_id varchar,
    from_value varchar, from_string varchar, to_value varchar, to_string varchar,
    _source_file varchar, _record_index bigint, _dlt_load_id varchar, _dlt_id varchar
);
create table raw_jira.quarantine (
    source_file varchar, entity varchar, record_index bigint, record_key varchar, reason varchar,
    record_excerpt varchar, file_modified_at timestamptz, _dlt_load_id varchar, _dlt_id varchar
);

create table raw_github.pull_requests (
    repository varchar, pull_request_id bigint, node_id varchar, number bigint, state varchar,
    is_draft boolean, title varchar, author_login varchar, author_type varchar, head_ref varchar,
    head_sha varchar, base_ref varchar, base_repository varchar, merge_commit_sha varchar, labels varchar,
    created_at timestamptz, updated_at timestamptz, closed_at timestamptz, merged_at timestamptz,
    _source_file varchar, _record_index bigint, _dlt_load_id varchar, _dlt_id varchar
);
create table raw_github.pull_request_commits (
    repository varchar, pull_number bigint, sha varchar, author_login varchar, author_name varchar,
    authored_at timestamptz, committer_login varchar, committed_at timestamptz, message varchar,
    parent_count bigint,
    _source_file varchar, _record_index bigint, _dlt_load_id varchar, _dlt_id varchar
);
create table raw_github.pull_request_reviews (
    repository varchar, pull_number bigint, review_id bigint, node_id varchar, reviewer_login varchar,
    reviewer_type varchar, state varchar, submitted_at timestamptz, commit_id varchar,
    _source_file varchar, _record_index bigint, _dlt_load_id varchar, _dlt_id varchar
);
create table raw_github.commits (
    repository varchar, sha varchar, author_login varchar, author_name varchar, authored_at timestamptz,
    committer_login varchar, committed_at timestamptz, message varchar, parent_count bigint,
    _source_file varchar, _record_index bigint, _dlt_load_id varchar, _dlt_id varchar
);
create table raw_github.commit_parents (
    repository varchar, sha varchar, parent_sha varchar, parent_index bigint,
    _source_file varchar, _record_index bigint, _dlt_load_id varchar, _dlt_id varchar
);
create table raw_github.deployments (
    repository varchar, deployment_id bigint, node_id varchar, sha varchar, ref varchar, task varchar,
    environment varchar, original_environment varchar, is_production_environment boolean,
    is_transient_environment boolean, creator_login varchar, description varchar,
    created_at timestamptz, updated_at timestamptz,
    _source_file varchar, _record_index bigint, _dlt_load_id varchar, _dlt_id varchar
);
create table raw_github.deployment_statuses (
    repository varchar, deployment_id bigint, deployment_status_id bigint, state varchar,
    environment varchar, description varchar, creator_login varchar,
    created_at timestamptz, updated_at timestamptz,
    _source_file varchar, _record_index bigint, _dlt_load_id varchar, _dlt_id varchar
);
create table raw_github.workflow_runs (
    repository varchar, workflow_run_id bigint, run_number bigint, run_attempt bigint, workflow_id bigint,
    name varchar, path varchar, event varchar, status varchar, conclusion varchar, head_branch varchar,
    head_sha varchar, actor_login varchar, created_at timestamptz, run_started_at timestamptz,
    updated_at timestamptz,
    _source_file varchar, _record_index bigint, _dlt_load_id varchar, _dlt_id varchar
);
create table raw_github.quarantine (
    source_file varchar, entity varchar, record_index bigint, record_key varchar, reason varchar,
    record_excerpt varchar, file_modified_at timestamptz, _dlt_load_id varchar, _dlt_id varchar
);

create table raw_pagerduty.incidents (
    incident_id varchar, incident_number bigint, title varchar, description varchar, status varchar,
    urgency varchar, priority_name varchar, service_id varchar, service_summary varchar,
    escalation_policy_id varchar, team_ids varchar, team_summaries varchar, incident_key varchar,
    html_url varchar, created_at timestamptz, last_status_change_at timestamptz, resolved_at timestamptz,
    updated_at timestamptz, version_at timestamptz,
    _source_file varchar, _record_index bigint, _dlt_load_id varchar, _dlt_id varchar
);
create table raw_pagerduty.quarantine (
    source_file varchar, entity varchar, record_index bigint, record_key varchar, reason varchar,
    record_excerpt varchar, file_modified_at timestamptz, _dlt_load_id varchar
);
"""


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    for index, row in enumerate(rows):
        row = {**row, "_dlt_id": f"{table}-{index}"}
        columns = ", ".join(row)
        placeholders = ", ".join("?" for _ in row)
        con.execute(f"insert into {table} ({columns}) values ({placeholders})", list(row.values()))


def _lineage(source_file: str, record_index: int, load_id: str) -> dict:
    return {"_source_file": source_file, "_record_index": record_index, "_dlt_load_id": load_id}


def _build_raw_warehouse(path: Path) -> None:
    con = duckdb.connect(str(path))
    # Timestamps below are written with explicit offsets; the session zone must not matter.
    con.execute("set TimeZone = 'America/New_York'")
    con.execute(RAW_DDL)
    con.execute(raw_ddl(tuple(tool for tool in TOOLS if tool not in FILLED_BY_HAND)))

    issue = {
        "issue_key": "CHK-1",
        "project_key": "CHK",
        "project_name": "Checkout",
        "issue_type": "Story",
        "issue_type_hierarchy_level": 0,
        "is_subtask": False,
        "summary": "Pay with a saved card",
        "labels": '["web"]',
        "components": "[]",
        "fix_versions": "[]",
        "created_at": "2024-02-28 08:00:00+08:00",
        "changelog_total": 2,
        "changelog_inline": 2,
    }
    _insert(
        con,
        "raw_jira.issues",
        [
            # Two versions of CHK-1 from two exports; the newer (later updated_at) wins.
            {
                **issue,
                "issue_id": "10001",
                "status_id": "3",
                "status_name": "In Progress",
                "status_category_key": "indeterminate",
                "updated_at": "2024-03-01 10:00:00+08:00",
                **_lineage("jira/issues/page-1.json", 0, FIRST_LOAD),
            },
            {
                **issue,
                "issue_id": "10001",
                "status_id": "10009",
                "status_name": "Done",
                "status_category_key": "done",
                "updated_at": "2024-03-02 09:30:00+08:00",
                "resolved_at": "2024-03-02 09:30:00+08:00",
                "resolution_name": "Done",
                **_lineage("jira/issues/page-2.json", 3, SECOND_LOAD),
            },
            # The real sample's shapes: a Chinese "done" status filed under category new, a Chinese type.
            {
                **issue,
                "issue_id": "20001",
                "issue_key": "EE-1",
                "project_key": "EE",
                "project_name": "Enterprise Edition",
                "issue_type": "故事",
                "status_id": "10068",
                "status_name": "已完成",
                "status_category_key": "new",
                "updated_at": "2021-03-28 16:06:08.713+08:00",
                **_lineage("jira/issues/page-2.json", 4, SECOND_LOAD),
            },
            # An unmapped status, an unmapped issue type, an unmapped project.
            {
                **issue,
                "issue_id": "20002",
                "issue_key": "EE-2",
                "project_key": "EE",
                "project_name": "Enterprise Edition",
                "issue_type": "Spike",
                "status_id": "10099",
                "status_name": "Parked",
                "status_category_key": "new",
                "updated_at": "2021-03-28 16:06:09+08:00",
                **_lineage("jira/issues/page-2.json", 5, SECOND_LOAD),
            },
        ],
    )
    history = {
        "author_account_id": "u1",
        "author_display_name": "Ada",
        "field": "status",
        "field_type": "jira",
        "field_id": "status",
    }
    _insert(
        con,
        "raw_jira.changelog_items",
        [
            # The same item delivered by two loads: one row stays, from the later load.
            {
                **history,
                "issue_id": "10001",
                "issue_key": "CHK-1",
                "history_id": "h1",
                "item_index": 0,
                "created_at": "2024-02-29 09:00:00+08:00",
                "from_value": "10003",
                "from_string": "Selected for Development",
                "to_value": "3",
                "to_string": "In Progress",
                **_lineage("jira/issues/page-1.json", 0, FIRST_LOAD),
            },
            {
                **history,
                "issue_id": "10001",
                "issue_key": "CHK-1",
                "history_id": "h1",
                "item_index": 0,
                "created_at": "2024-02-29 09:00:00+08:00",
                "from_value": "10003",
                "from_string": "Selected for Development",
                "to_value": "3",
                "to_string": "In Progress",
                **_lineage("jira/issues/page-2.json", 3, SECOND_LOAD),
            },
            {
                **history,
                "issue_id": "10001",
                "issue_key": "CHK-1",
                "history_id": "h2",
                "item_index": 0,
                "created_at": "2024-03-02 09:30:00+08:00",
                "from_value": "3",
                "from_string": "In Progress",
                "to_value": "10009",
                "to_string": "Done",
                **_lineage("jira/issues/page-2.json", 3, SECOND_LOAD),
            },
            # From a changelog folder named by key: the issue id is unknown here and stays null.
            {
                **history,
                "issue_id": None,
                "issue_key": "EE-2",
                "history_id": "h3",
                "item_index": 0,
                "created_at": "2021-03-28 16:06:09+08:00",
                "from_value": "10020",
                "from_string": "Inbox",
                "to_value": "10099",
                "to_string": "Parked",
                **_lineage("jira/changelogs/EE-2/page-1.json", 0, SECOND_LOAD),
            },
        ],
    )
    _insert(
        con,
        "raw_jira.quarantine",
        [
            {
                "source_file": "jira/issues/page-3.json",
                "entity": "issues",
                "record_index": 7,
                "record_key": "10500",
                "reason": "fields.created: '2024-13-01' is not a timestamp",
                "record_excerpt": "{}",
                "file_modified_at": "2024-03-02 12:00:00+00:00",
                "_dlt_load_id": SECOND_LOAD,
            },
        ],
    )

    pull_request = {
        "repository": "acme/checkout-web",
        "pull_request_id": 501,
        "node_id": "PR_501",
        "number": 12,
        "is_draft": False,
        "title": "CHK-1 saved cards",
        "author_login": "ada",
        "author_type": "User",
        "head_ref": "CHK-1-saved-cards",
        "head_sha": "h501",
        "base_ref": "main",
        "base_repository": "acme/checkout-web",
        "labels": "[]",
        "created_at": "2024-03-01 09:00:00+08:00",
    }
    _insert(
        con,
        "raw_github.pull_requests",
        [
            {
                **pull_request,
                "state": "open",
                "updated_at": "2024-03-01 09:00:00+08:00",
                **_lineage("github/acme/checkout-web/pulls/page-1.json", 0, FIRST_LOAD),
            },
            {
                **pull_request,
                "state": "closed",
                "merge_commit_sha": "a1",
                "updated_at": "2024-03-02 10:00:00+08:00",
                "closed_at": "2024-03-02 10:00:00+08:00",
                "merged_at": "2024-03-02 10:00:00+08:00",
                **_lineage("github/acme/checkout-web/pulls/page-2.json", 0, SECOND_LOAD),
            },
            {
                **pull_request,
                "repository": "panjf2000/ants",
                "pull_request_id": 502,
                "node_id": "PR_502",
                "number": 4,
                "state": "open",
                "base_repository": "panjf2000/ants",
                "updated_at": "2024-03-01 09:00:00+00:00",
                **_lineage("github/panjf2000/ants/pulls/page-1.json", 0, SECOND_LOAD),
            },
        ],
    )
    _insert(
        con,
        "raw_github.pull_request_commits",
        [
            {
                "repository": "acme/checkout-web",
                "pull_number": 12,
                "sha": "c1",
                "author_login": "ada",
                "author_name": "Ada",
                "authored_at": "2024-03-01 08:00:00+08:00",
                "committer_login": "ada",
                "committed_at": "2024-03-01 08:00:00+08:00",
                "message": "CHK-1 add card",
                "parent_count": 1,
                **_lineage("github/acme/checkout-web/pull_commits/12.json", 0, SECOND_LOAD),
            },
        ],
    )
    _insert(
        con,
        "raw_github.pull_request_reviews",
        [
            {
                "repository": "acme/checkout-web",
                "pull_number": 12,
                "review_id": 9001,
                "node_id": "R_9001",
                "reviewer_login": "bob",
                "reviewer_type": "User",
                "state": "approved",
                "submitted_at": "2024-03-01 12:00:00+08:00",
                "commit_id": "c1",
                **_lineage("github/acme/checkout-web/pull_reviews/12.json", 0, SECOND_LOAD),
            },
        ],
    )
    _insert(
        con,
        "raw_github.commits",
        [
            {
                "repository": "acme/checkout-web",
                "sha": "a1",
                "author_login": "ada",
                "author_name": "Ada",
                "authored_at": "2024-03-01 08:00:00+08:00",
                "committer_login": "web-flow",
                "committed_at": "2024-03-02 10:00:00+08:00",
                "message": "CHK-1 saved cards (#12)",
                "parent_count": 1,
                **_lineage("github/acme/checkout-web/commits/page-1.json", 0, SECOND_LOAD),
            },
            {
                "repository": "panjf2000/ants",
                "sha": "b1",
                "author_login": None,
                "author_name": "Andy",
                "authored_at": "2024-03-01 08:00:00+00:00",
                "committer_login": None,
                "committed_at": "2024-03-01 08:00:00+00:00",
                "message": "fix",
                "parent_count": 1,
                **_lineage("github/panjf2000/ants/commits/page-1.json", 0, SECOND_LOAD),
            },
        ],
    )
    _insert(
        con,
        "raw_github.commit_parents",
        [
            {
                "repository": "acme/checkout-web",
                "sha": "a1",
                "parent_sha": "a0",
                "parent_index": 0,
                **_lineage("github/acme/checkout-web/commits/page-1.json", 0, SECOND_LOAD),
            },
            {
                "repository": "panjf2000/ants",
                "sha": "b1",
                "parent_sha": "b0",
                "parent_index": 0,
                **_lineage("github/panjf2000/ants/commits/page-1.json", 0, SECOND_LOAD),
            },
        ],
    )
    deployment = {
        "repository": "acme/checkout-web",
        "deployment_id": 801,
        "node_id": "D_801",
        "sha": "a1",
        "ref": "main",
        "task": "deploy",
        "environment": "production",
        "original_environment": "production",
        "is_production_environment": None,
        "is_transient_environment": False,
        "creator_login": "ada",
        "description": None,
        "created_at": "2024-03-02 11:00:00+08:00",
    }
    _insert(
        con,
        "raw_github.deployments",
        [
            {
                **deployment,
                "updated_at": "2024-03-02 11:00:00+08:00",
                **_lineage("github/acme/checkout-web/deployments/page-1.json", 0, FIRST_LOAD),
            },
            {
                **deployment,
                "updated_at": "2024-03-02 11:05:00+08:00",
                **_lineage("github/acme/checkout-web/deployments/page-2.json", 0, SECOND_LOAD),
            },
        ],
    )
    _insert(
        con,
        "raw_github.deployment_statuses",
        [
            {
                "repository": "acme/checkout-web",
                "deployment_id": 801,
                "deployment_status_id": 8011,
                "state": "in_progress",
                "environment": "production",
                "creator_login": "ada",
                "created_at": "2024-03-02 11:01:00+08:00",
                "updated_at": "2024-03-02 11:01:00+08:00",
                **_lineage("github/acme/checkout-web/deployment_statuses/801.json", 1, SECOND_LOAD),
            },
            {
                "repository": "acme/checkout-web",
                "deployment_id": 801,
                "deployment_status_id": 8012,
                "state": "SUCCESS",
                "environment": "production",
                "creator_login": "ada",
                "created_at": "2024-03-02 11:04:00+08:00",
                "updated_at": "2024-03-02 11:04:00+08:00",
                **_lineage("github/acme/checkout-web/deployment_statuses/801.json", 0, SECOND_LOAD),
            },
        ],
    )
    run = {
        "repository": "acme/infra-tooling",
        "workflow_id": 55,
        "name": "Deploy",
        "path": ".github/workflows/deploy.yml",
        "event": "push",
        "head_branch": "main",
        "head_sha": "i1",
        "actor_login": "ops",
        "created_at": "2024-03-03 09:00:00+08:00",
        "run_started_at": "2024-03-03 09:00:05+08:00",
    }
    _insert(
        con,
        "raw_github.workflow_runs",
        [
            # Run 7001 attempt 1: first seen in progress with an empty conclusion, then completed in capitals.
            {
                **run,
                "workflow_run_id": 7001,
                "run_number": 40,
                "run_attempt": 1,
                "status": "in_progress",
                "conclusion": "",
                "updated_at": "2024-03-03 09:01:00+08:00",
                **_lineage("github/acme/infra-tooling/workflow_runs/page-1.json", 0, FIRST_LOAD),
            },
            {
                **run,
                "workflow_run_id": 7001,
                "run_number": 40,
                "run_attempt": 1,
                "status": "completed",
                "conclusion": "SUCCESS",
                "updated_at": "2024-03-03 09:06:00+08:00",
                **_lineage("github/acme/infra-tooling/workflow_runs/page-2.json", 0, SECOND_LOAD),
            },
            # Run 7002 has no attempt number and is still queued.
            {
                **run,
                "workflow_run_id": 7002,
                "run_number": 41,
                "run_attempt": None,
                "status": "Queued",
                "conclusion": "",
                "updated_at": "2024-03-03 10:00:00+08:00",
                **_lineage("github/acme/infra-tooling/workflow_runs/page-2.json", 1, SECOND_LOAD),
            },
        ],
    )
    rejected = {
        "source_file": "github/acme/checkout-web/pulls/page-3.json",
        "entity": "pull_requests",
        "record_index": -1,
        "record_key": None,
        "reason": "not JSON: Expecting value at line 1",
        "record_excerpt": "<html>",
        "file_modified_at": "2024-03-02 12:00:00+00:00",
    }
    _insert(
        con,
        "raw_github.quarantine",
        [
            {**rejected, "_dlt_load_id": FIRST_LOAD},
            {**rejected, "_dlt_load_id": SECOND_LOAD},
        ],
    )

    incident = {
        "incident_number": 1,
        "title": "Checkout errors",
        "urgency": "high",
        "service_id": "PCHK7Q1",
        "service_summary": "Checkout API",
        "team_ids": "[]",
        "team_summaries": "[]",
        "created_at": "2024-03-04 10:00:00+00:00",
    }
    _insert(
        con,
        "raw_pagerduty.incidents",
        [
            {
                **incident,
                "incident_id": "Q1",
                "status": "triggered",
                "last_status_change_at": "2024-03-04 10:00:00+00:00",
                "version_at": "2024-03-04 10:00:00+00:00",
                **_lineage("pagerduty/incidents/page-1.json", 0, FIRST_LOAD),
            },
            # Resolved without resolved_at (as the real API often sends it): the last status change is used.
            {
                **incident,
                "incident_id": "Q1",
                "status": "resolved",
                "last_status_change_at": "2024-03-04 18:45:00+08:00",
                "version_at": "2024-03-04 18:45:00+08:00",
                **_lineage("pagerduty/incidents/page-2.json", 0, SECOND_LOAD),
            },
            {
                **incident,
                "incident_id": "Q2",
                "incident_number": 2,
                "status": "resolved",
                "last_status_change_at": "2024-03-05 11:00:00+00:00",
                "resolved_at": "2024-03-05 10:30:00+00:00",
                "updated_at": "2024-03-05 11:00:00+00:00",
                "version_at": "2024-03-05 11:00:00+00:00",
                **_lineage("pagerduty/incidents/page-2.json", 1, SECOND_LOAD),
            },
            {
                **incident,
                "incident_id": "Q3",
                "incident_number": 3,
                "status": "triggered",
                "service_id": "PZZZ000",
                "service_summary": "Legacy Billing",
                "last_status_change_at": "2024-03-06 10:00:00+00:00",
                "version_at": "2024-03-06 10:00:00+00:00",
                **_lineage("pagerduty/incidents/page-2.json", 2, SECOND_LOAD),
            },
        ],
    )
    con.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    assert DBT.exists(), f"dbt is not installed (looked for {DBT})"
    tmp_path = tmp_path_factory.mktemp("dbt_build")
    warehouse = tmp_path / "delivery.duckdb"
    _build_raw_warehouse(warehouse)
    build = run_dbt(["build"], tmp_path, warehouse)
    freshness = run_dbt(["source", "freshness"], tmp_path, warehouse)
    return {"tmp_path": tmp_path, "warehouse": warehouse, "build": build, "freshness": freshness}


@pytest.fixture()
def con(built: dict):
    connection = duckdb.connect(str(built["warehouse"]), read_only=True)
    # Staging views must give UTC whatever the reading session's time zone.
    connection.execute("set TimeZone = 'Asia/Shanghai'")
    yield connection
    connection.close()


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_build_succeeds_and_warns_about_mapping_gaps(built: dict) -> None:
    build = built["build"]
    assert build.returncode == 0, build.stdout[-5000:] + build.stderr[-2000:]
    results = json.loads((built["tmp_path"] / "target" / "run_results.json").read_text())["results"]
    statuses = {result["unique_id"]: result["status"] for result in results}
    assert statuses["test.delivery_warehouse.assert_no_mapping_gaps"] == "warn"
    # Exposures (the dashboards, the report) have nothing to build: dbt reports them as no-ops.
    failing = {
        uid: status
        for uid, status in statuses.items()
        if status not in ("success", "pass") and not (uid.startswith("exposure.") and status == "no-op")
    }
    assert failing == {"test.delivery_warehouse.assert_no_mapping_gaps": "warn"}
    # Unit tests ran too.
    assert any(uid.startswith("unit_test.") for uid in statuses)


@pytest.mark.parametrize(("budget", "duckdb_shows"), [(None, "2.7 GiB"), ("1GB", "953.6 MiB")])
def test_dbt_sessions_keep_the_memory_budget(
    built: dict, budget: str | None, duckdb_shows: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """3 GB unless DELIVERY_DUCKDB_MEMORY_LIMIT says otherwise (DuckDB shows GB in GiB)."""
    monkeypatch.delenv("DELIVERY_DUCKDB_MEMORY_LIMIT", raising=False)
    extra_env = {"DELIVERY_DUCKDB_MEMORY_LIMIT": budget} if budget else {}
    shown = run_dbt(
        ["show", "--inline", "select current_setting('memory_limit') as budget", "--output", "json"],
        built["tmp_path"] / "show",
        built["warehouse"],
        extra_env,
    )
    assert shown.returncode == 0, shown.stdout[-3000:]
    assert f'"budget": "{duckdb_shows}"' in shown.stdout


def test_source_freshness_reads_dlt_load_ids(built: dict) -> None:
    freshness = built["freshness"]
    assert freshness.returncode == 0, freshness.stdout[-5000:]
    results = json.loads((built["tmp_path"] / "target" / "sources.json").read_text())["results"]
    checked = {result["unique_id"].split(".", 2)[2]: result for result in results}
    assert "raw_jira.quarantine" not in checked
    assert {name for name, result in checked.items() if result["status"] == "pass"} == {
        "raw_jira.issues",
        "raw_jira.changelog_items",
        "raw_github.pull_requests",
        "raw_github.pull_request_commits",
        "raw_github.pull_request_reviews",
        "raw_github.commits",
        "raw_github.commit_parents",
        "raw_github.deployments",
        "raw_github.deployment_statuses",
        "raw_github.workflow_runs",
        "raw_pagerduty.incidents",
        # Empty tables of tools without exports: nothing loaded, nothing to be stale.
        *(
            f"{TOOLS[tool][0]}.{table}"
            for tool in TOOLS
            if tool not in FILLED_BY_HAND
            for table in tables_of(TOOLS[tool][1])
            if table != "quarantine"
        ),
    }
    max_loaded_at = datetime.fromisoformat(checked["raw_jira.issues"]["max_loaded_at"])
    assert int(max_loaded_at.timestamp()) == int(float(SECOND_LOAD))


def test_source_freshness_windows_are_the_settings_passed_as_vars(built: dict) -> None:
    """The windows come from the settings freshness_warn_hours and freshness_fail_hours, as `delivery` passes
    them. The newest raw_jira.issues load is 60 s older than the module's start (SECOND_LOAD), so at least a
    minute old: 0.02 h rounds to a 1-minute warning window, which it exceeds; 2 h is far from failing."""
    vars_json = json.dumps({"freshness_warn_hours": 0.02, "freshness_fail_hours": 2.0})
    work = built["tmp_path"] / "short_windows"
    result = run_dbt(["source", "freshness", "--select", "source:raw_jira.issues", "--vars", vars_json],
                     work, built["warehouse"])
    results = json.loads((work / "target" / "sources.json").read_text())["results"]
    assert [(r["unique_id"], r["status"]) for r in results] == [
        ("source.delivery_warehouse.raw_jira.issues", "warn")
    ], result.stdout[-3000:]
    assert results[0]["criteria"]["warn_after"] == {"count": 1, "period": "minute"}
    assert results[0]["criteria"]["error_after"] == {"count": 120, "period": "minute"}


def test_schemas_are_used_as_named(con: duckdb.DuckDBPyConnection) -> None:
    schemas = {row[0] for row in _rows(con, "select schema_name from information_schema.schemata")}
    assert {"staging", "intermediate", "mappings"} <= schemas
    assert _rows(con, "select count(*) from mappings.teams") == [(11,)]


def test_newest_version_kept_with_utc_times_and_lineage(con: duckdb.DuckDBPyConnection) -> None:
    assert _rows(
        con,
        """
        select status_name, created_at, updated_at, resolved_at, _source_file, _record_index, _dlt_load_id
        from staging.stg_jira__issues where issue_id = '10001'
    """,
    ) == [
        (
            "Done",
            datetime(2024, 2, 28, 0, 0, 0),  # 08:00 at +08:00
            datetime(2024, 3, 2, 1, 30, 0),
            datetime(2024, 3, 2, 1, 30, 0),
            "jira/issues/page-2.json",
            3,
            SECOND_LOAD,
        )
    ]
    assert _rows(con, "select count(*), count(distinct issue_id) from staging.stg_jira__issues") == [(3, 3)]
    assert _rows(
        con, "select typeof(created_at), _loaded_at from staging.stg_jira__issues where issue_id = '20001'"
    ) == [("TIMESTAMP", datetime.fromtimestamp(int(float(SECOND_LOAD)), tz=UTC).replace(tzinfo=None))]
    assert _rows(
        con,
        """
        select state, merged_at, _dlt_load_id from staging.stg_github__pull_requests where pull_request_id = 501
    """,
    ) == [("closed", datetime(2024, 3, 2, 2, 0, 0), SECOND_LOAD)]
    assert _rows(con, "select updated_at from staging.stg_github__deployments") == [
        (datetime(2024, 3, 2, 3, 5),)
    ]


def test_changelog_keeps_one_row_per_item_and_leaves_issue_ids_alone(con: duckdb.DuckDBPyConnection) -> None:
    assert _rows(
        con,
        """
        select history_id, issue_id, issue_key, created_at, _dlt_load_id
        from staging.stg_jira__changelog_items order by history_id
    """,
    ) == [
        ("h1", "10001", "CHK-1", datetime(2024, 2, 29, 1, 0), SECOND_LOAD),
        ("h2", "10001", "CHK-1", datetime(2024, 3, 2, 1, 30), SECOND_LOAD),
        ("h3", None, "EE-2", datetime(2021, 3, 28, 8, 6, 9), SECOND_LOAD),
    ]


def test_workflow_runs_are_normalised(con: duckdb.DuckDBPyConnection) -> None:
    assert _rows(
        con,
        """
        select workflow_run_id, run_attempt, status, conclusion, updated_at
        from staging.stg_github__workflow_runs order by workflow_run_id
    """,
    ) == [
        (7001, 1, "completed", "success", datetime(2024, 3, 3, 1, 6)),
        (7002, 1, "queued", None, datetime(2024, 3, 3, 2, 0)),
    ]
    assert _rows(
        con, "select state from staging.stg_github__deployment_statuses order by deployment_status_id"
    ) == [("in_progress",), ("success",)]
    assert _rows(con, "select state, commit_sha from staging.stg_github__pull_request_reviews") == [
        ("APPROVED", "c1")
    ]


def test_incident_resolution_falls_back_on_last_status_change(con: duckdb.DuckDBPyConnection) -> None:
    assert _rows(
        con,
        """
        select incident_id, status, resolved_at, resolved_at_source
        from staging.stg_pagerduty__incidents order by incident_id
    """,
    ) == [
        ("Q1", "resolved", datetime(2024, 3, 4, 10, 45), "last_status_change_at"),
        ("Q2", "resolved", datetime(2024, 3, 5, 10, 30), "resolved_at"),
        ("Q3", "triggered", None, None),
    ]


def test_quarantine_union(con: duckdb.DuckDBPyConnection) -> None:
    assert _rows(
        con,
        """
        select source_tool, entity, record_index, is_whole_file, _source_file, _record_index, _dlt_load_id
        from staging.stg_ingestion__quarantine order by source_tool
    """,
    ) == [
        ("github", "pull_requests", -1, True, "github/acme/checkout-web/pulls/page-3.json", -1, SECOND_LOAD),
        ("jira", "issues", 7, False, "jira/issues/page-3.json", 7, SECOND_LOAD),
    ]


def test_statuses_are_mapped_by_name_first(con: duckdb.DuckDBPyConnection) -> None:
    assert _rows(
        con,
        """
        select status_name, delivery_phase, flow_state, mapping_source
        from intermediate.int_mappings__jira_statuses
        where status_name in ('已完成', 'Parked', 'Inbox', 'In Progress')
        order by status_name
    """,
    ) == [
        ("In Progress", "development", "active", "status_phases"),
        ("Inbox", "discovery", "new", "status_phases"),
        ("Parked", "discovery", "new", "status_category_fallbacks"),
        ("已完成", "done", "done", "status_phases"),
    ]


def test_mapping_gaps_list_every_unmapped_value(con: duckdb.DuckDBPyConnection) -> None:
    assert _rows(
        con,
        """
        select mapping_kind, unmapped_value, unmapped_value_detail, fallback_used, records_affected,
               example_record_model, example_record_id
        from intermediate.int_mappings__gaps order by mapping_kind, unmapped_value
    """,
    ) == [
        (
            "issue_type_flow_item",
            "Spike",
            "hierarchyLevel 0",
            "none: flow item unknown",
            1,
            "stg_jira__issues",
            "20002",
        ),
        ("jira_project_team", "EE", "Enterprise Edition", None, 2, "stg_jira__issues", "20001"),
        ("pagerduty_service_team", "PZZZ000", "Legacy Billing", None, 1, "stg_pagerduty__incidents", "Q3"),
        # A pull request, a commit and its parent edge.
        ("repository_team", "panjf2000/ants", None, None, 3, "stg_github__pull_requests", "502"),
        # The issue in it and the changelog item moving to it.
        (
            "status_phase",
            "Parked",
            "status id 10099",
            "statusCategory.key new -> delivery_phase discovery, flow_state new",
            2,
            "stg_jira__issues",
            "20002",
        ),
    ]
    # Unmapped records are still staged.
    assert _rows(
        con, "select count(*) from staging.stg_pagerduty__incidents where service_id = 'PZZZ000'"
    ) == [(1,)]
