"""A record whose fields do not have the JSON kinds its raw table declares is quarantined, naming the field
and both kinds; the version already loaded stays."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingestion.pipelines import load_tool
from tests.conftest import query, write_json
from tests.ingestion.test_bad_input import REPO, _pull


def _deliver(path: Path, body: object, mtime: int) -> None:
    """Write an export file with a given modification time, so later deliveries are seen as new."""
    write_json(path, body)
    os.utime(path, (mtime, mtime))


@pytest.mark.parametrize("updated_at", ["2026-03-03T10:00:00Z", "2026-03-05T10:00:00Z"])
def test_a_redelivered_pull_request_with_wrong_kinds_is_quarantined_and_the_good_version_stays(
    tmp_path: Path, updated_at: str
):
    exports, warehouse = tmp_path / "exports", tmp_path / "w.duckdb"
    pulls = exports / REPO / "pulls"
    _deliver(pulls / "page-0001.json", [_pull(1, 1)], mtime=1_770_000_000)
    load_tool("github", exports, warehouse)

    # The same pull request delivered again (same version, or a later one), with `user` a string and
    # `labels` an object: json_transform would have read them as NULL. Pull request 2 beside it is fine.
    bad = _pull(1, 1, user="ana", labels={"name": "backend"}, updated_at=updated_at)
    _deliver(pulls / "page-0002.json", [bad, _pull(2, 2)], mtime=1_770_000_100)
    load_tool("github", exports, warehouse)

    # Only the first delivery of PR 1 is there, with its author and labels; PR 2 loaded.
    assert query(
        warehouse,
        "SELECT pull_request_id, author_login, labels, updated_at::VARCHAR, _source_file "
        "FROM raw_github.pull_requests ORDER BY pull_request_id",
    ) == [
        (1, "ana", '["backend"]', "2026-03-03 10:00:00+00", f"{REPO}/pulls/page-0001.json"),
        (2, "ana", '["backend"]', "2026-03-03 10:00:00+00", f"{REPO}/pulls/page-0002.json"),
    ]
    assert query(
        warehouse, "SELECT source_file, record_index, record_key, entity, reason FROM raw_github.quarantine"
    ) == [
        (
            f"{REPO}/pulls/page-0002.json",
            0,
            "1",
            "pull_requests",
            "user: expected an object, got a string; labels: expected an array, got an object",
        )
    ]


def test_each_declared_kind_is_checked_and_scalars_of_another_kind_are_fine(tmp_path: Path):
    exports, warehouse = tmp_path / "exports", tmp_path / "w.duckdb"
    pulls = [
        _pull(1, 1, title={"text": "SHOP-1"}),  # a VARCHAR column given an object
        _pull(2, 2, labels=["backend"]),  # list elements that are not objects
        _pull(3, 3, head=["feature"]),  # a parent of two paths given an array: reported once
        {
            **_pull(4, 4),
            "number": [4],
        },  # a BIGINT column given an array: one reason, not also "does not parse"
        # Fine: an id sent as a number for a VARCHAR column, nulls for containers and elements, no labels.
        _pull(5, 5, node_id=12345, user=None, labels=[None, {"name": "api"}], head=None),
        _pull(6, 6, labels=None),
    ]
    write_json(exports / REPO / "pulls/page-0001.json", pulls)

    load_tool("github", exports, warehouse)

    assert query(
        warehouse, "SELECT record_index, reason FROM raw_github.quarantine ORDER BY record_index"
    ) == [
        (0, "title: expected a string, got an object"),
        (1, "labels[*]: expected an object, got a string"),
        (2, "head: expected an object, got an array"),
        (3, "number: expected an integer, got an array"),
    ]
    assert query(
        warehouse,
        "SELECT pull_request_id, node_id, author_login, labels, head_ref FROM raw_github.pull_requests"
        " ORDER BY 1",
    ) == [(5, "12345", None, '[null,"api"]', None), (6, None, "ana", None, "feature/SHOP-6")]


def test_a_json_column_accepts_any_kind(tmp_path: Path):
    exports, warehouse = tmp_path / "exports", tmp_path / "w.duckdb"
    issue = {
        "id": "100",
        "key": "SHOP-1",
        # `fields.labels` is a JSON column: an object is kept as it is.
        "fields": {"created": "2026-03-02T10:00:00.000+0000", "labels": {"odd": True}},
    }
    write_json(exports / "jira/issues/page-0001.json", {"issues": [issue]})

    load_tool("jira", exports, warehouse)

    assert query(warehouse, "SELECT issue_key, labels FROM raw_jira.issues") == [("SHOP-1", '{"odd":true}')]
    assert query(warehouse, "SELECT count(*) FROM raw_jira.quarantine") == [(0,)]


def test_a_record_that_is_not_an_object_is_quarantined_with_its_kind(tmp_path: Path):
    exports, warehouse = tmp_path / "exports", tmp_path / "w.duckdb"
    write_json(exports / REPO / "pulls/page-0001.json", [_pull(1, 1), "SHOP-2", [3]])

    load_tool("github", exports, warehouse)

    assert query(warehouse, "SELECT number FROM raw_github.pull_requests") == [(1,)]
    # Its fields are missing too, and say so after the kind.
    rows = query(warehouse, "SELECT record_index, reason FROM raw_github.quarantine ORDER BY 1")
    assert [(index, reason.partition("; ")[0]) for index, reason in rows] == [
        (1, "record: expected an object, got a string"),
        (2, "record: expected an object, got an array"),
    ]
