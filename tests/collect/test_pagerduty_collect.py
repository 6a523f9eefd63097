"""`delivery collect pagerduty` against a fake PagerDuty on the replay server: `offset`/`more` paging, the
window split by time under the offset cap, incidents open at the last collection, incremental runs, the
service and team filters, and a refused key.

Every expected value is worked out by hand from the incidents each test puts on the server."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from ingestion.collect.config import load_collect_config
from ingestion.collect.runner import collect
from ingestion.collect.tools import pagerduty
from ingestion.pipelines import load_tool
from tests.collect.fake_pagerduty import FakePagerDuty, incident
from tests.collect.replay import Fault, ReplayServer
from tests.conftest import query

TOKEN = "pd-secret-key-9c1a"
FIRST = datetime(2026, 11, 20, tzinfo=UTC)
SECOND = datetime(2026, 11, 22, tzinfo=UTC)
THIRD = datetime(2026, 11, 24, tzinfo=UTC)
FIRST_SINCE = "2026-10-21T00:00:00Z"  # 30 days of history before FIRST


@pytest.fixture
def server(httpserver, monkeypatch) -> ReplayServer:
    monkeypatch.setenv("PAGERDUTY_TOKEN", TOKEN)
    replay = ReplayServer(httpserver)
    replay.required_headers = {"Authorization": f"Token token={TOKEN}"}
    return replay


@pytest.fixture
def fake(server: ReplayServer) -> FakePagerDuty:
    return FakePagerDuty(server)


def _collect(tmp_path: Path, server: ReplayServer, now: datetime, **section):
    folder = tmp_path / "config"
    folder.mkdir(exist_ok=True)
    body = {"history_days": 30, "overlap_hours": 24, "page_size": 2, "backoff_seconds": 0.01, "max_attempts": 2,
            "pagerduty": {"base_url": server.url, **section}}
    (folder / "collect.yaml").write_text(yaml.safe_dump(body))
    exports = tmp_path / "exports"
    summary = collect(load_collect_config(folder), exports, ["pagerduty"], now=now)[0]
    return exports, summary


def _files(exports: Path) -> set[str]:
    return {str(path.relative_to(exports)) for path in (exports / "pagerduty").rglob("*.json")}


def _asked(server: ReplayServer) -> list[tuple[str, str, str]]:
    return [(seen.args["since"], seen.args["until"], seen.args["offset"]) for seen in server.requests_to("/incidents")]


def _served(server: ReplayServer, since: str, offset: int) -> bytes:
    matches = [body for path, body in server.served.items()
               if f"since={since.replace(':', '%3A')}&" in path and f"&offset={offset}" in path]
    assert len(matches) == 1, (since, offset, list(server.served))
    return matches[0]


def _ids(warehouse: Path, where: str = "TRUE") -> list[str]:
    return [row[0] for row in query(
        warehouse, f"SELECT DISTINCT incident_id FROM raw_pagerduty.incidents WHERE {where} ORDER BY 1")]


def test_pages_by_offset_while_more_then_collects_only_the_new_window(tmp_path, server, fake):
    fake.put(incident("PBEFORE", 1, "2026-10-20T23:59:59Z"))  # created before the window
    fake.put(incident("PA", 2, "2026-10-25T10:00:00Z"))
    fake.put(incident("PB", 3, "2026-11-01T08:00:00.123456Z"))
    fake.put(incident("PC", 4, "2026-11-10T12:00:00Z"))

    exports, summary = _collect(tmp_path, server, FIRST)
    assert summary.status == "collected", summary.stats.errors
    # PA, PB | PC: two a page, `more` true then false.
    until = "2026-11-20T00:00:00Z"
    assert _asked(server) == [(FIRST_SINCE, until, "0"), (FIRST_SINCE, until, "2")]
    first = server.requests_to("/incidents")[0].args
    assert (first["time_zone"], first["limit"], first["sort_by"]) == ("UTC", "2", "created_at:asc")
    run = "20261120T000000Z"
    assert _files(exports) == {f"pagerduty/incidents/{run}-0001.json", f"pagerduty/incidents/{run}-0002.json"}
    assert (exports / f"pagerduty/incidents/{run}-0001.json").read_bytes() == _served(server, FIRST_SINCE, 0)
    assert (exports / f"pagerduty/incidents/{run}-0002.json").read_bytes() == _served(server, FIRST_SINCE, 2)

    server.seen.clear()
    server.served.clear()
    fake.put(incident("PD", 5, "2026-11-21T06:00:00Z"))
    exports, summary = _collect(tmp_path, server, SECOND)
    # From the last collection's end less the 24 h overlap.
    assert _asked(server) == [("2026-11-19T00:00:00Z", "2026-11-22T00:00:00Z", "0")]
    new = "pagerduty/incidents/20261122T000000Z-0001.json"
    assert _files(exports) == {f"pagerduty/incidents/{run}-0001.json", f"pagerduty/incidents/{run}-0002.json", new}
    assert (exports / new).read_bytes() == _served(server, "2026-11-19T00:00:00Z", 0)

    warehouse = tmp_path / "w.duckdb"
    load_tool("pagerduty", exports, warehouse)
    assert _ids(warehouse) == ["PA", "PB", "PC", "PD"]
    assert query(warehouse, "SELECT count(*) FROM raw_pagerduty.quarantine") == [(0,)]
    # The key in no file: landing folder, state, warehouse.
    assert not [path for path in tmp_path.rglob("*") if path.is_file() and TOKEN.encode() in path.read_bytes()]


def test_a_window_over_the_offset_cap_is_split_by_creation_time(tmp_path, server, monkeypatch):
    # The cap lowered to 4 on both sides: with two a page, a slice reads offsets 0 and 2 at most.
    monkeypatch.setattr(pagerduty, "MAX_OFFSET_RECORDS", 4)
    fake = FakePagerDuty(server, max_offset_records=4)
    created = [f"2026-11-0{day}T10:00:00Z" for day in range(1, 8)]
    for number, at in enumerate(created, start=1):
        fake.put(incident(f"P{number}", number, at))

    exports, summary = _collect(tmp_path, server, FIRST)
    assert summary.status == "collected", summary.stats.errors
    # Slice 1 from the window's start: P1 P2 | P3 P4, the cap reached. Slice 2 from P4's creation:
    # P4 P5 | P6 P7, the cap reached again. Slice 3 from P7's: P7 alone, fewer than the cap: done.
    until = "2026-11-20T00:00:00Z"
    assert _asked(server) == [(FIRST_SINCE, until, "0"), (FIRST_SINCE, until, "2"),
                              (created[3], until, "0"), (created[3], until, "2"), (created[6], until, "0")]
    run = "20261120T000000Z"
    pages = [(FIRST_SINCE, 0), (FIRST_SINCE, 2), (created[3], 0), (created[3], 2), (created[6], 0)]
    assert _files(exports) == {f"pagerduty/incidents/{run}-000{n}.json" for n in range(1, 6)}
    for number, (since, offset) in enumerate(pages, start=1):
        assert (exports / f"pagerduty/incidents/{run}-000{number}.json").read_bytes() == _served(server, since, offset)

    warehouse = tmp_path / "w.duckdb"
    load_tool("pagerduty", exports, warehouse)
    assert _ids(warehouse) == [f"P{n}" for n in range(1, 8)]


def test_an_incident_open_at_the_last_collection_is_asked_for_again_until_resolved(tmp_path, server, fake):
    fake.put(incident("POPEN", 1, "2026-11-05T00:00:00Z", status="acknowledged",
                      last_status_change_at="2026-11-05T00:06:00Z"))
    fake.put(incident("PDONE", 2, "2026-11-06T00:00:00Z"))
    _collect(tmp_path, server, FIRST)

    # Resolved after the first collection, created long before the second one's window.
    fake.put(incident("POPEN", 1, "2026-11-05T00:00:00Z", last_status_change_at="2026-11-21T09:00:00Z"))
    server.seen.clear()
    server.served.clear()
    exports, _ = _collect(tmp_path, server, SECOND)
    # Not 2026-11-19T00:00Z (the end less the overlap) but POPEN's creation: POPEN and PDONE come again.
    assert _asked(server) == [("2026-11-05T00:00:00Z", "2026-11-22T00:00:00Z", "0")]
    new = "pagerduty/incidents/20261122T000000Z-0001.json"
    assert (exports / new).read_bytes() == _served(server, "2026-11-05T00:00:00Z", 0)
    warehouse = tmp_path / "w.duckdb"
    load_tool("pagerduty", exports, warehouse)
    assert query(warehouse, "SELECT status, last_status_change_at FROM raw_pagerduty.incidents "
                            "WHERE incident_id = 'POPEN' ORDER BY last_status_change_at") == [
        ("acknowledged", datetime(2026, 11, 5, 0, 6, tzinfo=UTC)),
        ("resolved", datetime(2026, 11, 21, 9, tzinfo=UTC))]

    # Nothing open any more: the third window is the plain one again.
    server.seen.clear()
    _collect(tmp_path, server, THIRD)
    assert _asked(server) == [("2026-11-21T00:00:00Z", "2026-11-24T00:00:00Z", "0")]


def test_services_and_teams_filter_the_incidents(tmp_path, server, fake):
    fake.put(incident("PA", 1, "2026-11-01T00:00:00Z", service="PSVC001", team="PTEAM01"))
    fake.put(incident("PB", 2, "2026-11-02T00:00:00Z", service="PSVC002", team="PTEAM01"))
    fake.put(incident("PC", 3, "2026-11-03T00:00:00Z", service="PSVC003", team="PTEAM01"))
    exports, summary = _collect(tmp_path, server, FIRST, services=["PSVC001", "PSVC002"], teams=["PTEAM01"])
    assert summary.status == "collected", summary.stats.errors
    assert fake.filters_seen == [{"service_ids[]": ["PSVC001", "PSVC002"], "team_ids[]": ["PTEAM01"]}]
    warehouse = tmp_path / "w.duckdb"
    load_tool("pagerduty", exports, warehouse)
    assert _ids(warehouse) == ["PA", "PB"]


def test_a_refused_key_names_the_tool_and_scope_and_writes_nothing(tmp_path, server, fake, monkeypatch):
    monkeypatch.setenv("PAGERDUTY_TOKEN", "revoked-key")
    fake.put(incident("PA", 1, "2026-11-01T00:00:00Z"))
    exports, summary = _collect(tmp_path, server, FIRST)
    assert summary.status == "failed"
    refused = "the credential was refused: check that the token is valid and not expired"
    assert summary.stats.errors == [f"pagerduty all services: HTTP 401 from {server.url}/incidents: {refused}"]
    assert not (exports / "pagerduty").exists()


def test_a_run_stopped_in_a_later_slice_resumes_there_without_losing_or_repeating_a_page(
        tmp_path, server, monkeypatch):
    monkeypatch.setattr(pagerduty, "MAX_OFFSET_RECORDS", 4)
    fake = FakePagerDuty(server, max_offset_records=4)
    created = [f"2026-11-0{day}T10:00:00Z" for day in range(1, 8)]
    for number, at in enumerate(created, start=1):
        fake.put(incident(f"P{number}", number, at))
    # The second page of the second slice fails at both attempts: the run stops there.
    server.fault(Fault(lambda request: request.args.get("since") == created[3]
                       and request.args.get("offset") == "2", status=502, times=2))
    exports, summary = _collect(tmp_path, server, FIRST)
    assert summary.status == "failed"
    run = "20261120T000000Z"
    assert _files(exports) == {f"pagerduty/incidents/{run}-000{n}.json" for n in range(1, 4)}

    server.seen.clear()
    exports, summary = _collect(tmp_path, server, SECOND)
    assert summary.status == "collected", summary.stats.errors
    # The same window and run: only the failed page and the third slice are asked for.
    until = "2026-11-20T00:00:00Z"
    assert _asked(server) == [(created[3], until, "2"), (created[6], until, "0")]
    pages = [(FIRST_SINCE, 0), (FIRST_SINCE, 2), (created[3], 0), (created[3], 2), (created[6], 0)]
    assert _files(exports) == {f"pagerduty/incidents/{run}-000{n}.json" for n in range(1, 6)}
    for number, (since, offset) in enumerate(pages, start=1):
        assert (exports / f"pagerduty/incidents/{run}-000{number}.json").read_bytes() == _served(server, since, offset)
