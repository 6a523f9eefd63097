"""`delivery collect` for Opsgenie against the replay server: alerts and incidents updated in the window,
paged by `paging.next`, byte for byte as served; an incremental second run; the search split by time at
Opsgenie's offset limit; a 429 with `Retry-After` waited out; and the loader reading what was written."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingestion.collect.config import load_collect_config
from ingestion.collect.runner import collect
from ingestion.collect.tools import opsgenie
from ingestion.pipelines import load_tool
from tests.collect.fake_opsgenie import FakeOpsgenie, alert, incident
from tests.collect.replay import Fault, ReplayServer
from tests.conftest import query

KEY = "genie-key-not-real-0001"
NOW = datetime(2026, 3, 10, tzinfo=UTC)
RUN = "20260310T000000Z"
# history_days 30: the window starts 2026-02-08T00:00:00Z, day 20492 since 1970-01-01 (56 years and 14 leap
# days to 2026-01-01 = 20454, then 31 + 7 days): 20492 * 86,400,000 ms.
SINCE_MS = 1770508800000


@pytest.fixture
def server(httpserver) -> ReplayServer:
    replay = ReplayServer(httpserver)
    replay.required_headers = {"Authorization": f"GenieKey {KEY}"}
    return replay


def configure(tmp_path: Path, monkeypatch, base_url: str, extra: str = "", max_attempts: int = 6) -> Path:
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    (config / "collect.yaml").write_text(
        f"history_days: 30\noverlap_hours: 24\npage_size: 2\nbackoff_seconds: 0.01\nmax_attempts: {max_attempts}\n"
        f"opsgenie:\n  base_url: {base_url}\n{extra}", encoding="utf-8")
    monkeypatch.setenv("OPSGENIE_API_KEY", KEY)
    return config


def run(config: Path, exports: Path, now: datetime = NOW):
    return collect(load_collect_config(config), exports, ["opsgenie"], now=now)


def account(server: ReplayServer) -> FakeOpsgenie:
    """Four alerts updated in the window and one before it; two incidents updated in it and one before."""
    fake = FakeOpsgenie(server)
    fake.alerts = [alert(1, "2026-01-20T10:00:00Z")] + [
        alert(n, f"2026-03-0{n}T10:00:00.123456789Z") for n in (2, 3, 4, 5)]
    fake.incidents = [incident(19, "2026-01-02T06:00:00Z", "2026-01-03T06:00:00Z"),
                      incident(21, "2026-03-05T08:32:00.987654Z", "2026-03-05T10:05:00Z"),
                      incident(22, "2026-03-06T14:05:00.1Z", "2026-03-06T14:20:00.25Z")]
    return fake


def landing_files(exports: Path) -> set[str]:
    return {str(path.relative_to(exports)) for path in exports.rglob("*.json")}


def served_for(server: ReplayServer, seen) -> bytes:
    from urllib.parse import urlencode
    return server.served[f"{seen.path}?{urlencode(seen.args)}"]


def test_first_collection_pages_by_paging_next_byte_for_byte_and_the_loader_reads_it(
        server, tmp_path, monkeypatch):
    account(server)
    config = configure(tmp_path, monkeypatch, server.url)
    exports = tmp_path / "exports"

    [summary] = run(config, exports)

    assert summary.status == "collected", summary.stats.errors
    # Alerts 2-5 in the window, two a page: offsets 0 and 2 (the second page has no paging.next). Incidents
    # 21 and 22: one page.
    assert landing_files(exports) == {f"opsgenie/alerts/{RUN}-0001.json", f"opsgenie/alerts/{RUN}-0002.json",
                                      f"opsgenie/incidents/{RUN}-0001.json"}
    alerts, incidents = server.requests_to("^/v2/alerts$"), server.requests_to("^/v1/incidents$")
    assert [(s.args["query"], s.args["sort"], s.args["order"], s.args["offset"]) for s in alerts] == [
        (f"updatedAt >= {SINCE_MS}", "updatedAt", "asc", "0"), (f"updatedAt >= {SINCE_MS}", "updatedAt", "asc", "2")]
    assert [(s.args["query"], s.args["offset"]) for s in incidents] == [(f"updatedAt >= {SINCE_MS}", "0")]
    for number, seen in enumerate(alerts, start=1):
        assert (exports / f"opsgenie/alerts/{RUN}-{number:04d}.json").read_bytes() == served_for(server, seen)
    assert (exports / f"opsgenie/incidents/{RUN}-0001.json").read_bytes() == served_for(server, incidents[0])

    warehouse = tmp_path / "w.duckdb"
    load_tool("opsgenie", exports, warehouse)
    assert query(warehouse, "SELECT list(tiny_id ORDER BY tiny_id) FROM raw_opsgenie.alerts") == [
        (["2", "3", "4", "5"],)]
    assert query(warehouse, "SELECT list(tiny_id ORDER BY tiny_id) FROM raw_opsgenie.incidents") == [(["21", "22"],)]
    assert query(warehouse, "SELECT count(*) FROM raw_opsgenie.quarantine") == [(0,)]
    # The key is in no file: landing, collection state, warehouse.
    assert not [path for path in tmp_path.rglob("*") if path.is_file() and KEY.encode() in path.read_bytes()]


def test_a_second_collection_asks_only_for_what_changed_since_the_last_less_the_overlap(
        server, tmp_path, monkeypatch):
    fake = account(server)
    config = configure(tmp_path, monkeypatch, server.url, "  query: 'teams: checkout'\n")
    exports = tmp_path / "exports"
    run(config, exports)
    before = landing_files(exports)
    fake.alerts[2] = alert(3, "2026-03-11T09:00:00Z")
    server.seen.clear()

    run(config, exports, now=datetime(2026, 3, 12, tzinfo=UTC))

    # The window starts at the first run's end less 24 hours: 2026-03-09T00:00:00Z, 29 days after
    # 2026-02-08, so SINCE_MS + 29 * 86,400,000 = 1773014400000. The configured query narrows the search.
    window = "(teams: checkout) AND updatedAt >= 1773014400000"
    assert [s.args["query"] for s in server.seen] == [window, window]
    # Alert 3 alone changed; no incident did: its page is written all the same, with an empty `data`.
    assert landing_files(exports) - before == {"opsgenie/alerts/20260312T000000Z-0001.json",
                                               "opsgenie/incidents/20260312T000000Z-0001.json"}
    warehouse = tmp_path / "w.duckdb"
    load_tool("opsgenie", exports, warehouse)
    # Alert 3 has two versions: updated 2026-03-03 and 2026-03-11.
    assert query(warehouse, "SELECT tiny_id, count(*) FROM raw_opsgenie.alerts GROUP BY 1 ORDER BY 1") == [
        ("2", 1), ("3", 2), ("4", 1), ("5", 1)]


def test_past_the_offset_limit_the_search_starts_again_from_the_last_alert_s_update(
        server, tmp_path, monkeypatch):
    # An offset limit of 4 stands for Opsgenie's 20,000: pages of 2 reach it after two pages.
    monkeypatch.setattr(opsgenie, "OFFSET_LIMIT", 4)
    fake = FakeOpsgenie(server, offset_limit=4)
    fake.alerts = [alert(n, f"2026-03-0{n}T10:00:00Z") for n in range(1, 8)]
    config = configure(tmp_path, monkeypatch, server.url)
    exports = tmp_path / "exports"

    [summary] = run(config, exports)

    assert summary.status == "collected", summary.stats.errors
    # Alert 4 was updated 2026-03-04T10:00:00Z: 20492 + 24 days = day 20516, + 10 hours:
    # (20516 * 86400 + 36000) * 1000 = 1772618400000.
    restart = "updatedAt >= 1772618400000"
    assert [(s.args["query"], s.args["offset"]) for s in server.requests_to("^/v2/alerts$")] == [
        (f"updatedAt >= {SINCE_MS}", "0"), (f"updatedAt >= {SINCE_MS}", "2"), (restart, "0"), (restart, "2")]
    assert len(list((exports / "opsgenie/alerts").glob("*.json"))) == 4
    warehouse = tmp_path / "w.duckdb"
    load_tool("opsgenie", exports, warehouse)
    # Alert 4 came twice (the last of page 2, the first of page 3): one version, one row.
    assert query(warehouse, "SELECT list(tiny_id ORDER BY tiny_id) FROM raw_opsgenie.alerts") == [
        (["1", "2", "3", "4", "5", "6", "7"],)]


def test_a_429_with_retry_after_is_waited_out_and_the_page_written_once(server, tmp_path, monkeypatch):
    account(server)
    server.fault(Fault(lambda request: request.path == "/v2/alerts" and request.args.get("offset") == "2",
                       status=429, headers={"Retry-After": "1"}, body=b'{"message": "Too many requests"}'))
    config = configure(tmp_path, monkeypatch, server.url)
    exports = tmp_path / "exports"

    [summary] = run(config, exports)

    assert summary.status == "collected", summary.stats.errors
    second = [s for s in server.requests_to("^/v2/alerts$") if s.args["offset"] == "2"]
    # Refused once, then served: the page's file holds the served body, once, and no other file appeared.
    assert len(second) == 2 and summary.stats.rate_limit_waits == 1
    assert landing_files(exports) == {f"opsgenie/alerts/{RUN}-0001.json", f"opsgenie/alerts/{RUN}-0002.json",
                                      f"opsgenie/incidents/{RUN}-0001.json"}
    assert (exports / f"opsgenie/alerts/{RUN}-0002.json").read_bytes() == served_for(server, second[1])
    assert not list(exports.rglob(".*partial"))


def test_a_run_stopped_between_pages_resumes_from_the_saved_next_link(server, tmp_path, monkeypatch):
    account(server)
    config = configure(tmp_path, monkeypatch, server.url, max_attempts=2)
    exports = tmp_path / "exports"
    # The second page of alerts fails on both attempts: the run stops after the first page.
    server.fault(Fault(lambda request: request.path == "/v2/alerts" and request.args.get("offset") == "2",
                       status=503, times=2))
    [stopped] = run(config, exports)
    assert stopped.status == "failed"
    assert landing_files(exports) == {f"opsgenie/alerts/{RUN}-0001.json"}
    server.seen.clear()

    [resumed] = run(config, exports, now=datetime(2026, 3, 11, tzinfo=UTC))

    assert resumed.status == "collected", resumed.stats.errors
    # The resumed run asks for the saved next link (offset 2, the stopped run's window), not for page 1.
    assert [(s.args["query"], s.args["offset"]) for s in server.requests_to("^/v2/alerts$")] == [
        (f"updatedAt >= {SINCE_MS}", "2")]
    assert landing_files(exports) == {f"opsgenie/alerts/{RUN}-0001.json", f"opsgenie/alerts/{RUN}-0002.json",
                                      f"opsgenie/incidents/{RUN}-0001.json"}
    assert not list(exports.rglob(".*partial"))
