"""Opsgenie alert and incident lists load into raw_opsgenie: nanosecond timestamps kept to the microsecond,
report times in milliseconds as sent, statuses as sent.

Expected values are worked out by hand from tests/fixtures/opsgenie (see its README).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingestion.pipelines import load_tool
from tests.conftest import query, write_json
from tests.toolchain_exports import copy_fixture_exports, dataset_snapshot, touch_all

TEAM = "8418d193-2dab-4490-b331-8c02cdd196b7"
USER = "e3c2c2d4-9a4b-4b1e-8d0f-1f1e2d3c4b5a"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("opsgenie")
    exports = copy_fixture_exports("opsgenie", root / "exports")
    warehouse = root / "w.duckdb"
    load_tool("opsgenie", exports, warehouse)
    return warehouse


def test_alerts_keep_report_milliseconds_and_microsecond_times(loaded: Path):
    assert query(
        loaded,
        "SELECT tiny_id, status, priority, is_acknowledged, created_at, updated_at, ack_time_ms, close_time_ms, "
        "owner, responder_types, responder_ids FROM raw_opsgenie.alerts ORDER BY tiny_id",
    ) == [
        # createdAt ...00.123456789Z: nanoseconds cut to microseconds.
        ("1791", "closed", "P1", True, datetime(2026, 3, 5, 8, 30, 0, 123456, tzinfo=UTC),
         datetime(2026, 3, 5, 9, 45, 10, 500000, tzinfo=UTC), 300000, 4500000, "ben@acme.example",
         '["team"]', f'["{TEAM}"]'),
        # Open, never acknowledged: an empty report and an empty owner.
        ("1792", "open", "P3", False, datetime(2026, 3, 6, 14, 0, 0, 500000, tzinfo=UTC),
         datetime(2026, 3, 6, 14, 0, 0, 500000, tzinfo=UTC), None, None, "",
         '["team","user"]', f'["{TEAM}","{USER}"]'),
    ]
    assert query(loaded, "SELECT count(*) FROM raw_opsgenie.quarantine") == [(0,)]


def test_incidents_keep_status_services_and_owner_team(loaded: Path):
    assert query(
        loaded,
        "SELECT tiny_id, status, priority, owner_team_id, impacted_services, extra_properties, created_at, updated_at "
        "FROM raw_opsgenie.incidents ORDER BY tiny_id",
    ) == [
        ("19", "closed", "P2", TEAM, "[]", "{}", datetime(2026, 3, 1, 6, 0, tzinfo=UTC),
         datetime(2026, 3, 1, 9, 30, tzinfo=UTC)),
        ("21", "resolved", "P1", TEAM, '["svc-checkout-api"]', '{"deployment":"8003"}',
         datetime(2026, 3, 5, 8, 32, 0, 987654, tzinfo=UTC), datetime(2026, 3, 5, 10, 5, tzinfo=UTC)),
        ("22", "open", "P3", TEAM, '["svc-checkout-api","svc-cdn"]', "{}",
         datetime(2026, 3, 6, 14, 5, 0, 100000, tzinfo=UTC), datetime(2026, 3, 6, 14, 20, 0, 250000, tzinfo=UTC)),
    ]


def test_bad_files_and_records_are_quarantined_and_the_rest_loads(tmp_path: Path):
    exports, warehouse = copy_fixture_exports("opsgenie", tmp_path / "exports"), tmp_path / "w.duckdb"
    alerts = exports / "opsgenie" / "alerts"
    (alerts / "page-0002.json").write_text('{"data": [{"id": "a-3", "tinyId": "1793", "createdAt": "2026-03-0')
    write_json(alerts / "page-0003.json", {
        "data": [
            {"id": "a-4", "tinyId": "1794", "status": "open", "createdAt": "2026-03-07T10:00:00.000Z"},
            {"tinyId": "1795", "status": "open", "createdAt": "2026-03-07T11:00:00.000Z"},
        ],
        "took": 0.01, "requestId": "r-3",
    })
    # What the API answers to a bad key: an error body, not a list.
    write_json(exports / "opsgenie" / "incidents" / "page-0002.json",
               {"message": "Could not authenticate", "took": 0.0, "requestId": "r-4"})

    load_tool("opsgenie", exports, warehouse)

    rows = query(
        warehouse, "SELECT source_file, entity, record_index, record_key, reason FROM raw_opsgenie.quarantine ORDER BY ALL"
    )
    assert [r[:4] for r in rows] == [
        ("opsgenie/alerts/page-0002.json", "alerts", -1, None),
        ("opsgenie/alerts/page-0003.json", "alerts", 1, None),
        ("opsgenie/incidents/page-0002.json", "incidents", -1, None),
    ]
    assert rows[0][4].startswith("not valid JSON")
    assert rows[1][4] == "missing required field id"
    assert rows[2][4] == (
        "the body has no 'data' array: expected "
        '{"data": [...], "paging", "took", "requestId"} (GET /v1/incidents)'
    )
    assert query(warehouse, "SELECT tiny_id FROM raw_opsgenie.alerts ORDER BY tiny_id") == [
        ("1791",), ("1792",), ("1794",)
    ]
    assert query(warehouse, "SELECT count(*) FROM raw_opsgenie.incidents") == [(3,)]


def test_loading_again_gives_the_same_warehouse(tmp_path: Path):
    exports, warehouse = copy_fixture_exports("opsgenie", tmp_path / "exports"), tmp_path / "w.duckdb"
    load_tool("opsgenie", exports, warehouse)
    first = dataset_snapshot(warehouse, "raw_opsgenie")

    touch_all(exports)
    load_tool("opsgenie", exports, warehouse)

    assert dataset_snapshot(warehouse, "raw_opsgenie") == first
    assert (len(first["alerts"]), len(first["incidents"])) == (2, 3)
