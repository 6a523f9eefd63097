"""Re-running gives the same warehouse; only new or changed files are read; newer versions win in staging."""

from __future__ import annotations

import os
from pathlib import Path

from ingestion.pipelines import load_tool
from tests.conftest import query, write_json


def _incident(incident_id: str, status: str, changed: str, **extra) -> dict:
    return {
        "id": incident_id,
        "incident_number": int(incident_id[1:]),
        "title": "Checkout errors",
        "status": status,
        "service": {"id": "PSHOP01", "summary": "Shop"},
        "teams": [{"id": "T1", "summary": "Shop team"}],
        "created_at": "2026-03-02T10:00:00Z",
        "last_status_change_at": changed,
        **extra,
    }


def _table_contents(warehouse: Path, table: str) -> list[tuple]:
    return query(warehouse, f"SELECT * EXCLUDE (_dlt_load_id) FROM {table} ORDER BY ALL")


def test_running_twice_on_the_same_exports_changes_nothing(real_samples_exports: Path, tmp_path: Path):
    warehouse = tmp_path / "w.duckdb"
    load_tool("github", real_samples_exports, warehouse)
    tables = ["raw_github.pull_requests", "raw_github.pull_request_commits", "raw_github.workflow_runs"]
    before = {t: _table_contents(warehouse, t) for t in tables}

    load_tool("github", real_samples_exports, warehouse)

    assert {t: _table_contents(warehouse, t) for t in tables} == before
    # Nothing was re-read: every row still carries the first load's id.
    assert query(warehouse, "SELECT count(DISTINCT _dlt_load_id) FROM raw_github.pull_requests") == [(1,)]


def test_only_new_or_changed_files_are_read_and_versions_accumulate(tmp_path: Path):
    exports, warehouse = tmp_path / "exports", tmp_path / "w.duckdb"
    incidents = exports / "pagerduty/incidents"
    first = write_json(
        incidents / "page-0001.json",
        {"incidents": [_incident("Q1", "triggered", "2026-03-02T10:00:00Z")], "more": False},
    )
    os.utime(first, (1_700_000_000, 1_700_000_000))
    load_tool("pagerduty", exports, warehouse)

    # A later export delivers Q1 again, resolved, plus the same triggered version (an overlapping page).
    second = write_json(
        incidents / "page-0002.json",
        {
            "incidents": [
                _incident("Q1", "triggered", "2026-03-02T10:00:00Z"),
                _incident("Q1", "resolved", "2026-03-02T12:30:00.000000Z"),
            ],
            "more": False,
        },
    )
    os.utime(second, (1_700_000_100, 1_700_000_100))
    load_tool("pagerduty", exports, warehouse)

    assert query(
        warehouse,
        "SELECT status, version_at::VARCHAR, _source_file FROM raw_pagerduty.incidents ORDER BY version_at",
    ) == [
        ("triggered", "2026-03-02 10:00:00+00", "pagerduty/incidents/page-0002.json"),
        ("resolved", "2026-03-02 12:30:00+00", "pagerduty/incidents/page-0002.json"),
    ]
    loads = query(warehouse, "SELECT count(*) FROM raw_pagerduty._dlt_loads")[0][0]

    # A third run with no new file loads nothing: no rows, and no load either (the tables are declared
    # already, so there is nothing to write).
    load_tool("pagerduty", exports, warehouse)
    assert query(warehouse, "SELECT count(*) FROM raw_pagerduty.incidents") == [(2,)]
    assert query(
        warehouse, "SELECT count(DISTINCT _dlt_load_id) FROM raw_pagerduty.incidents"
    ) == [(1,)]
    assert query(warehouse, "SELECT count(*) FROM raw_pagerduty._dlt_loads")[0][0] == loads


def test_paged_changelogs_merge_with_inline_histories_by_history_id(tmp_path: Path):
    exports, warehouse = tmp_path / "exports", tmp_path / "w.duckdb"

    def history(history_id: str, to: str) -> dict:
        return {"id": history_id, "created": f"2026-03-0{history_id}T10:00:00.000+0000",
                "items": [{"field": "status", "toString": to}]}

    issue = {"id": "100", "key": "SHOP-1", "fields": {"created": "2026-03-01T09:00:00.000+0000"},
             "changelog": {"total": 3, "histories": [history("1", "In Progress"), history("2", "Review")]}}
    write_json(exports / "jira/issues/page-0001.json", {"issues": [issue], "isLast": True})
    write_json(
        exports / "jira/changelogs/SHOP-1/page-0001.json",
        {"values": [history("1", "In Progress"), history("2", "Review"), history("3", "Done")], "isLast": True},
    )

    load_tool("jira", exports, warehouse)

    assert query(
        warehouse, "SELECT history_id, to_string, issue_key FROM raw_jira.changelog_items ORDER BY history_id"
    ) == [("1", "In Progress", "SHOP-1"), ("2", "Review", "SHOP-1"), ("3", "Done", "SHOP-1")]


def test_a_late_file_copied_in_with_an_old_modification_time_is_read(tmp_path: Path):
    """Exports copied with their times kept (`rsync -a`, `cp -p`) arrive with a modification time older than
    files already read: the file is new to the landing folder all the same, and is read once."""
    exports, warehouse = tmp_path / "exports", tmp_path / "w.duckdb"
    incidents = exports / "pagerduty/incidents"
    newer = write_json(
        incidents / "page-0002.json",
        {"incidents": [_incident("Q2", "triggered", "2026-03-03T10:00:00Z")], "more": False},
    )
    os.utime(newer, (1_700_000_200, 1_700_000_200))
    load_tool("pagerduty", exports, warehouse)

    # The page exported first arrives a day late, with its export-time modification time kept.
    late = write_json(
        incidents / "page-0001.json",
        {"incidents": [_incident("Q1", "triggered", "2026-03-02T10:00:00Z")], "more": False},
    )
    os.utime(late, (1_700_000_100, 1_700_000_100))
    load_tool("pagerduty", exports, warehouse)
    load_tool("pagerduty", exports, warehouse)  # nothing new: neither file is read again

    loads_per_incident = "SELECT incident_id, count(DISTINCT _dlt_load_id) FROM raw_pagerduty.incidents GROUP BY 1"
    assert query(warehouse, loads_per_incident + " ORDER BY 1") == [("Q1", 1), ("Q2", 1)]
    assert query(warehouse, "SELECT count(DISTINCT _dlt_load_id) FROM raw_pagerduty.incidents") == [(2,)]


def test_each_export_folder_keeps_its_own_incremental_state(tmp_path: Path):
    """A new file is read when it is newer than its own folder's last file, whatever other folders hold."""
    exports, warehouse = tmp_path / "exports", tmp_path / "w.duckdb"
    repo = exports / "github/acme/shop"
    run = {"id": 1, "status": "completed", "conclusion": "success", "created_at": "2026-03-02T10:00:00Z"}
    pull = {"id": 1, "number": 1, "created_at": "2026-03-02T10:00:00Z", "updated_at": "2026-03-02T10:00:00Z"}
    os.utime(write_json(repo / "pulls/page-0001.json", [pull]), (1_700_000_100, 1_700_000_100))
    os.utime(
        write_json(repo / "workflow_runs/page-0001.json", {"total_count": 1, "workflow_runs": [run]}),
        (1_700_000_300, 1_700_000_300),
    )
    load_tool("github", exports, warehouse)

    # Newer than the pulls already read, older than the newest workflow-runs file.
    second_pull = dict(pull, id=2, number=2)
    os.utime(write_json(repo / "pulls/page-0002.json", [second_pull]), (1_700_000_200, 1_700_000_200))
    load_tool("github", exports, warehouse)

    assert query(warehouse, "SELECT number FROM raw_github.pull_requests ORDER BY number") == [(1,), (2,)]
    # And the newest file of each folder is not read again on a run with nothing new.
    load_tool("github", exports, warehouse)
    assert query(warehouse, "SELECT count(DISTINCT _dlt_load_id) FROM raw_github.pull_requests") == [(2,)]
    assert query(warehouse, "SELECT count(DISTINCT _dlt_load_id) FROM raw_github.workflow_runs") == [(1,)]


def test_a_column_a_newer_version_declares_is_added_on_a_run_with_nothing_new(tmp_path: Path, monkeypatch):
    """Tables are declared once: a later run with nothing new writes nothing. A newer version of the
    product that declares one more column still gets it, empty, before any file brings it, so staging
    models that read it never meet a missing column."""
    from dataclasses import replace

    from ingestion import pagerduty, sources
    from ingestion.records import Column

    exports, warehouse = tmp_path / "exports", tmp_path / "w.duckdb"
    write_json(exports / "pagerduty/incidents/page-0001.json",
               {"incidents": [_incident("Q1", "triggered", "2026-03-02T10:00:00Z")], "more": False})
    load_tool("pagerduty", exports, warehouse)
    loads = query(warehouse, "SELECT count(*) FROM raw_pagerduty._dlt_loads")[0][0]

    newer = replace(pagerduty.INCIDENTS, columns=(*pagerduty.INCIDENTS.columns, Column("alert_counts", path="alert_counts")))
    folder = replace(pagerduty.FOLDERS[0], tables=(newer,))
    monkeypatch.setitem(sources.TOOLS, "pagerduty", (pagerduty.DATASET, (folder,)))
    load_tool("pagerduty", exports, warehouse)

    assert query(warehouse, "SELECT incident_id, alert_counts FROM raw_pagerduty.incidents") == [("Q1", None)]
    assert query(warehouse, "SELECT count(*) FROM raw_pagerduty._dlt_loads")[0][0] == loads + 1
