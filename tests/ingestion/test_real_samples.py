"""The real Jira Cloud and GitHub bodies load without error, quirks included.

Expected values are computed here from the JSON files with the standard library, independently of the
DuckDB extraction under test.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from ingestion.pipelines import load_tool
from tests.conftest import query


def _json(path: Path):
    return json.loads(path.read_text())


def test_jira_sample_loads_issues_and_every_inline_changelog_item(real_samples_exports: Path, tmp_path: Path):
    warehouse = tmp_path / "w.duckdb"
    load_tool("jira", real_samples_exports, warehouse)

    issues = _json(real_samples_exports / "jira/issues/page-1.json")["issues"]
    expected_items = sum(len(h["items"]) for i in issues for h in i["changelog"]["histories"])
    assert query(warehouse, "SELECT count(*) FROM raw_jira.issues") == [(len(issues),)]
    assert query(warehouse, "SELECT count(*) FROM raw_jira.changelog_items") == [(expected_items,)]
    assert query(warehouse, "SELECT count(*) FROM raw_jira.quarantine") == [(0,)]

    # EE-1 was created at 2020-06-12T08:13:13.360+0800, i.e. 00:13:13.360 UTC; its status name is Chinese
    # and sits in category `new` although it means done (a real inconsistency, kept as sent).
    row = query(
        warehouse,
        "SELECT created_at, status_name, status_category_key, project_key, _source_file "
        "FROM raw_jira.issues WHERE issue_key = 'EE-1'",
    )
    assert row == [
        (
            datetime(2020, 6, 12, 0, 13, 13, 360000, tzinfo=UTC),
            "已完成",
            "new",
            "EE",
            "jira/issues/page-1.json",
        )
    ]


def test_github_sample_loads_and_merges_the_duplicated_pull_request(real_samples_exports: Path, tmp_path: Path):
    warehouse = tmp_path / "w.duckdb"
    load_tool("github", real_samples_exports, warehouse)
    repo = real_samples_exports / "github/panjf2000/ants"

    pulls = _json(repo / "pulls/page-1.json")
    distinct_versions = {(p["id"], p["updated_at"]) for p in pulls}
    assert len(pulls) == 50 and len(distinct_versions) == 49  # the real page repeats one PR
    assert query(warehouse, "SELECT count(*) FROM raw_github.pull_requests") == [(49,)]

    commit_rows = {(int(f.stem), c["sha"]) for f in (repo / "pull_commits").glob("*.json") for c in _json(f)}
    assert query(warehouse, "SELECT count(*) FROM raw_github.pull_request_commits") == [(len(commit_rows),)]

    reviews = {r["id"] for f in (repo / "pull_reviews").glob("*.json") for r in _json(f)}
    assert query(warehouse, "SELECT count(*) FROM raw_github.pull_request_reviews") == [(len(reviews),)]

    runs = _json(repo / "workflow_runs/page-1.json")["workflow_runs"]
    assert query(warehouse, "SELECT count(*) FROM raw_github.workflow_runs") == [(len(runs),)]
    # Conclusions are kept as sent (upper case, empty strings); staging normalises them.
    assert query(
        warehouse, "SELECT count(*) FROM raw_github.workflow_runs WHERE conclusion = ''"
    ) == [(sum(1 for r in runs if r["conclusion"] == ""),)]

    assert query(
        warehouse,
        "SELECT repository, number, merged_at FROM raw_github.pull_requests WHERE pull_request_id = 203756736",
    ) == [("panjf2000/ants", 4, datetime(2018, 7, 26, 2, 32, 41, tzinfo=UTC))]
    # Tables with no export yet exist, empty, so that staging never meets a missing table.
    assert query(warehouse, "SELECT count(*) FROM raw_github.deployments") == [(0,)]
