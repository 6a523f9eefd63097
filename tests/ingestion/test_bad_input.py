"""Bad input is quarantined with the file, the record and the reason; the good files and records load."""

from __future__ import annotations

from pathlib import Path

from ingestion.pipelines import load_tool
from tests.conftest import query, write_json

REPO = "github/acme/shop"


def _pull(pull_id: int, number: int, **overrides) -> dict:
    pull = {
        "id": pull_id,
        "number": number,
        "state": "closed",
        "title": f"SHOP-{number} change",
        "user": {"login": "ana", "type": "User"},
        "created_at": "2026-03-02T10:00:00Z",
        "updated_at": "2026-03-03T10:00:00Z",
        "merged_at": "2026-03-03T09:00:00Z",
        "merge_commit_sha": f"{number:040x}",
        "head": {"ref": f"feature/SHOP-{number}", "sha": f"{number + 100:040x}"},
        "base": {"ref": "main", "repo": {"full_name": "acme/shop"}},
        "labels": [{"name": "backend"}],
    }
    pull.update(overrides)
    return pull


def _write_bad_corpus(exports: Path) -> None:
    pulls = exports / REPO / "pulls"
    write_json(pulls / "page-0001.json", [_pull(1, 1), _pull(2, 2)])
    # Record 1 has no id, record 2 an unparseable timestamp; records 0 and 3 are good.
    write_json(
        pulls / "page-0002.json",
        [_pull(3, 3), _pull(None, 4), _pull(5, 5, created_at="yesterday"), _pull(6, 6)],
    )
    (pulls / "page-0003.json").write_text('[{"id": 7, "number": 7, "created_at": "2026-03-0')  # truncated
    (pulls / "page-0004.json").write_text("<html>rate limited</html>")  # not JSON
    write_json(pulls / "page-0005.json", {"message": "Not Found"})  # wrong shape
    (pulls / "page-0006.json").write_text("")  # empty
    write_json(exports / REPO / "workflow_runs/page-0001.json", [{"id": 1}])  # an array, not the envelope
    write_json(exports / REPO / "deployment_statuses/not-a-number.json", [])  # the file name must be the id


def test_bad_files_and_records_are_quarantined_and_the_rest_loads(tmp_path: Path):
    exports, warehouse = tmp_path / "exports", tmp_path / "w.duckdb"
    _write_bad_corpus(exports)

    load_tool("github", exports, warehouse)

    assert query(warehouse, "SELECT number FROM raw_github.pull_requests ORDER BY number") == [
        (1,), (2,), (3,), (6,)
    ]
    rows = query(
        warehouse,
        "SELECT source_file, record_index, record_key, entity, reason FROM raw_github.quarantine "
        "ORDER BY source_file, record_index",
    )
    by_file = {(r[0].removeprefix(f"{REPO}/"), r[1]): r for r in rows}
    assert set(by_file) == {
        ("pulls/page-0002.json", 1),
        ("pulls/page-0002.json", 2),
        ("pulls/page-0003.json", -1),
        ("pulls/page-0004.json", -1),
        ("pulls/page-0005.json", -1),
        ("pulls/page-0006.json", -1),
        ("workflow_runs/page-0001.json", -1),
    }
    assert by_file[("pulls/page-0002.json", 1)][4] == "missing required field id"
    assert by_file[("pulls/page-0002.json", 2)][2] == "5"
    assert by_file[("pulls/page-0002.json", 2)][4] == (
        "created_at: expected an ISO 8601 timestamp, got yesterday"
    )
    assert by_file[("pulls/page-0003.json", -1)][4].startswith("not valid JSON")
    assert by_file[("pulls/page-0004.json", -1)][4].startswith("not valid JSON")
    assert by_file[("pulls/page-0005.json", -1)][4].startswith("the body is a JSON object: expected a JSON array")
    assert by_file[("pulls/page-0006.json", -1)][4].startswith("empty file")
    assert by_file[("workflow_runs/page-0001.json", -1)][4].startswith("the body is a JSON array")
    assert {r[3] for r in rows} == {"pull_requests", "workflow_runs"}
    # The excerpt keeps the rejected record itself, so nothing is lost.
    excerpt = query(
        warehouse,
        "SELECT record_excerpt FROM raw_github.quarantine WHERE record_index = 2",
    )[0][0]
    assert '"created_at":"yesterday"' in excerpt.replace(" ", "")


def test_a_status_file_named_without_a_deployment_id_is_quarantined_by_record(tmp_path: Path):
    exports, warehouse = tmp_path / "exports", tmp_path / "w.duckdb"
    statuses = [{"id": 11, "state": "success", "created_at": "2026-03-02T10:00:00Z"}]
    write_json(exports / REPO / "deployment_statuses/abc.json", statuses)
    write_json(exports / REPO / "deployment_statuses/42.json", statuses[:0] + [dict(statuses[0], id=12)])

    load_tool("github", exports, warehouse)

    assert query(warehouse, "SELECT deployment_id, deployment_status_id FROM raw_github.deployment_statuses") == [
        (42, 12)
    ]
    assert query(warehouse, "SELECT record_key, reason FROM raw_github.quarantine") == [
        ("11", "missing required field deployment_id")
    ]


def test_a_bad_history_is_quarantined_alone_and_its_issue_still_loads(tmp_path: Path):
    exports, warehouse = tmp_path / "exports", tmp_path / "w.duckdb"
    issue = {
        "id": "100",
        "key": "SHOP-1",
        "fields": {"created": "2026-03-02T10:00:00.000+0100", "updated": "2026-03-04T10:00:00.000+0100"},
        "changelog": {
            "total": 2,
            "histories": [
                {"id": "1", "created": "2026-03-03T10:00:00.000+0100",
                 "items": [{"field": "status", "fromString": "To Do", "toString": "In Progress"}]},
                {"id": "2", "created": "not a date",
                 "items": [{"field": "status", "fromString": "In Progress", "toString": "Done"}]},
            ],
        },
    }
    write_json(exports / "jira/issues/page-0001.json", {"issues": [issue], "isLast": True})

    load_tool("jira", exports, warehouse)

    assert query(warehouse, "SELECT issue_key, created_at::VARCHAR FROM raw_jira.issues") == [
        ("SHOP-1", "2026-03-02 09:00:00+00")
    ]
    assert query(warehouse, "SELECT history_id, to_string FROM raw_jira.changelog_items") == [("1", "In Progress")]
    assert query(warehouse, "SELECT entity, record_index, reason FROM raw_jira.quarantine") == [
        ("changelog_items", 0, "history 2 item 0: created_at: expected an ISO 8601 timestamp, got not a date")
    ]
