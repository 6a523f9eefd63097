"""`delivery collect jira` against a fake Jira Cloud on the replay server: the search pages by
`nextPageToken` until `isLast`, the changelog beyond the 40 inline histories by `startAt`, the window's start
in the account's time zone, incremental runs, a refused credential, and Jira Data Center's `startAt` paging.

Every expected value is worked out by hand from the issues each test puts on the server."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from ingestion.collect.config import load_collect_config
from ingestion.collect.runner import collect
from ingestion.pipelines import load_tool
from tests.collect.fake_jira import FakeJira, _token, issue
from tests.collect.replay import Fault, ReplayServer
from tests.conftest import query

USER, TOKEN = "ada@acme.example", "jira-secret-token-5f2e"
FIRST = datetime(2026, 11, 20, tzinfo=UTC)
SECOND = datetime(2026, 11, 22, tzinfo=UTC)
SCOPE = 'project in ("CHK", "PAY")'


@pytest.fixture
def server(httpserver, monkeypatch) -> ReplayServer:
    monkeypatch.setenv("JIRA_USER", USER)
    monkeypatch.setenv("JIRA_API_TOKEN", TOKEN)
    replay = ReplayServer(httpserver)
    basic = base64.b64encode(f"{USER}:{TOKEN}".encode()).decode()
    replay.required_headers = {"Authorization": f"Basic {basic}"}
    return replay


@pytest.fixture
def jira(server: ReplayServer) -> FakeJira:
    fake = FakeJira(server)  # the account's time zone: Asia/Shanghai, UTC+8
    # The window of the first run starts 30 days before 2026-11-20T00:00Z: 2026-10-21T00:00Z, which is
    # 2026-10-21 08:00 in Shanghai. CHK-0 (07:59 there) is before it, CHK-3 (08:00) on it.
    fake.put(issue("CHK-0", 100, "2026-10-21T07:59:00.000+0800"))
    fake.put(issue("CHK-3", 103, "2026-10-21T08:00:00.000+0800"))
    fake.put(issue("CHK-1", 101, "2026-11-01T10:00:00.000+0800"))
    fake.put(issue("CHK-2", 102, "2026-11-05T09:30:00.000+0800", histories=45))
    fake.put(issue("PAY-7", 107, "2026-11-10T12:00:00.000+0800", histories=2))
    fake.put(issue("OPS-1", 201, "2026-11-11T12:00:00.000+0800"))  # another project
    return fake


def _config(tmp_path: Path, server: ReplayServer, **jira) -> Path:
    folder = tmp_path / "config"
    folder.mkdir(exist_ok=True)
    body = {"history_days": 30, "overlap_hours": 24, "page_size": 2, "backoff_seconds": 0.01, "max_attempts": 2,
            "jira": {"base_url": server.url, "projects": ["CHK", "PAY"], "changelog_page_size": 20, **jira}}
    (folder / "collect.yaml").write_text(yaml.safe_dump(body))
    return folder


def _collect(tmp_path: Path, server: ReplayServer, now: datetime, **jira):
    exports = tmp_path / "exports"
    summaries = collect(load_collect_config(_config(tmp_path, server, **jira)), exports, ["jira"], now=now)
    return exports, summaries[0]


def _files(exports: Path) -> set[str]:
    return {str(path.relative_to(exports)) for path in (exports / "jira").rglob("*.json")}


def _jql(since_in_shanghai: str) -> str:
    return f'{SCOPE} AND updated >= "{since_in_shanghai}" ORDER BY updated ASC'


def _search(server: ReplayServer) -> list[dict]:
    return [seen.args for seen in server.requests_to(r"/search")]


def test_search_pages_by_token_and_long_changelogs_page_beyond_the_inline_40(tmp_path, server, jira):
    exports, summary = _collect(tmp_path, server, FIRST)
    assert summary.status == "collected", summary.stats.errors

    # In the window, oldest updated first: CHK-3, CHK-1 | CHK-2, PAY-7 (two issues a page). The first page
    # gives a token, the last one none and isLast. CHK-2 has 45 histories, 40 inline: its changelog is
    # paged 20 at a time from 0: 0-19, 20-39, 40-44.
    assert [(seen.path, seen.args.get("startAt")) for seen in server.seen] == [
        ("/rest/api/3/myself", None),
        ("/rest/api/3/search/jql", None),
        ("/rest/api/3/search/jql", None),
        ("/rest/api/3/issue/CHK-2/changelog", "0"),
        ("/rest/api/3/issue/CHK-2/changelog", "20"),
        ("/rest/api/3/issue/CHK-2/changelog", "40"),
    ]
    first, second = _search(server)
    assert first == {"jql": _jql("2026-10-21 08:00"), "fields": "*navigable", "expand": "changelog",
                     "maxResults": "2"}
    assert second == {**first, "nextPageToken": _token(2)}
    assert {seen.args["maxResults"] for seen in server.requests_to("/changelog")} == {"20"}

    run = "20261120T000000Z"
    assert _files(exports) == {
        f"jira/issues/{run}-0001.json", f"jira/issues/{run}-0002.json",
        f"jira/changelogs/CHK-2/{run}-0001.json", f"jira/changelogs/CHK-2/{run}-0002.json",
        f"jira/changelogs/CHK-2/{run}-0003.json",
    }
    token = _token(2)
    served = {
        f"jira/issues/{run}-0001.json": _served_search(server, None),
        f"jira/issues/{run}-0002.json": _served_search(server, token),
        **{f"jira/changelogs/CHK-2/{run}-000{n}.json":
           server.served[f"/rest/api/3/issue/CHK-2/changelog?startAt={start}&maxResults=20"]
           for n, start in ((1, 0), (2, 20), (3, 40))},
    }
    for relative, body in served.items():
        assert (exports / relative).read_bytes() == body, relative
    assert summary.stats.requests == 6 and summary.stats.files == 5

    warehouse = tmp_path / "w.duckdb"
    load_tool("jira", exports, warehouse)
    assert query(warehouse, "SELECT issue_key FROM raw_jira.issues ORDER BY issue_key") == [
        ("CHK-1",), ("CHK-2",), ("CHK-3",), ("PAY-7",)]
    # One item per history: 1 + 1 + 45 (40 inline, all 45 paged) + 2 distinct histories.
    assert query(warehouse, "SELECT count(DISTINCT history_id) FROM raw_jira.changelog_items") == [(49,)]
    assert query(warehouse, "SELECT count(*) FROM raw_jira.quarantine") == [(0,)]
    _assert_no_credential_written(tmp_path)


def _assert_no_credential_written(root: Path) -> None:
    """Neither the token nor the basic-auth value in any file: landing folder, state, warehouse."""
    basic = base64.b64encode(f"{USER}:{TOKEN}".encode())
    for path in root.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert TOKEN.encode() not in content and basic not in content, path


def _served_search(server: ReplayServer, token: str | None) -> bytes:
    matches = [body for path, body in server.served.items()
               if path.startswith("/rest/api/3/search/jql") and (token is None) != ("nextPageToken=" in path)]
    assert len(matches) == 1
    return matches[0]


def test_a_second_collection_asks_only_for_the_changed_window(tmp_path, server, jira):
    _collect(tmp_path, server, FIRST)
    before = _files(tmp_path / "exports")
    server.seen.clear()
    server.served.clear()
    jira.put(issue("PAY-7", 107, "2026-11-21T09:00:00.000+0800", histories=3))
    jira.put(issue("CHK-4", 104, "2026-11-21T10:00:00.000+0800"))

    exports, summary = _collect(tmp_path, server, SECOND)
    assert summary.status == "collected", summary.stats.errors
    # From the last collection's end less the 24 h overlap: 2026-11-19T00:00Z, 08:00 in Shanghai.
    assert [seen.path for seen in server.seen] == ["/rest/api/3/myself", "/rest/api/3/search/jql"]
    assert _search(server)[0]["jql"] == _jql("2026-11-19 08:00")
    new = "jira/issues/20261122T000000Z-0001.json"
    assert _files(exports) - before == {new}
    assert (exports / new).read_bytes() == _served_search(server, None)

    warehouse = tmp_path / "w.duckdb"
    load_tool("jira", exports, warehouse)
    assert query(warehouse, "SELECT issue_key FROM raw_jira.issues WHERE _source_file = ? ORDER BY issue_key",
                 [new]) == [("CHK-4",), ("PAY-7",)]


def test_a_refused_credential_names_the_tool_and_scope_and_writes_nothing(tmp_path, server, jira, monkeypatch):
    monkeypatch.setenv("JIRA_API_TOKEN", "expired-token")
    exports, summary = _collect(tmp_path, server, FIRST)
    assert summary.status == "failed"
    assert len(summary.stats.errors) == 1
    assert summary.stats.errors[0].startswith(f"jira {SCOPE}: HTTP 401 from {server.url}/rest/api/3/search/jql")
    assert "expired-token" not in summary.stats.errors[0]
    assert not (exports / "jira").exists()


def test_an_unknown_time_zone_moves_the_start_a_day_earlier(tmp_path, server, jira):
    jira.reported_zone = "Mars/Olympus_Mons"
    _collect(tmp_path, server, FIRST)
    # 2026-10-21T00:00Z less a day, written as is: earlier than the start in any zone (at most 14 h ahead).
    assert _search(server)[0]["jql"] == _jql("2026-10-20 00:00")


def test_datacenter_pages_by_start_at_with_every_history_inline(tmp_path, server, jira):
    exports, summary = _collect(tmp_path, server, FIRST, api="datacenter")
    assert summary.status == "collected", summary.stats.errors
    # 4 issues, two a page, `total` 4: startAt 0 then 2; no changelog requests (all 45 of CHK-2 inline).
    assert [(seen.path, seen.args.get("startAt")) for seen in server.seen] == [
        ("/rest/api/2/myself", None), ("/rest/api/2/search", "0"), ("/rest/api/2/search", "2")]
    run = "20261120T000000Z"
    assert _files(exports) == {f"jira/issues/{run}-0001.json", f"jira/issues/{run}-0002.json"}
    for number, start in ((1, 0), (2, 2)):
        jql = server.requests_to("/rest/api/2/search")[0].args["jql"]
        assert jql == _jql("2026-10-21 08:00")
        served = [body for path, body in server.served.items()
                  if path.startswith("/rest/api/2/search") and f"startAt={start}" in path]
        assert (exports / f"jira/issues/{run}-000{number}.json").read_bytes() == served[0]

    warehouse = tmp_path / "w.duckdb"
    load_tool("jira", exports, warehouse)
    assert query(warehouse, "SELECT count(DISTINCT history_id) FROM raw_jira.changelog_items") == [(49,)]


def test_a_run_stopped_after_the_first_page_resumes_from_its_token(tmp_path, server, jira):
    token = _token(2)
    server.fault(Fault(lambda request: request.args.get("nextPageToken") == token, status=503, times=2))
    exports, summary = _collect(tmp_path, server, FIRST)
    assert summary.status == "failed"
    run = "20261120T000000Z"
    assert _files(exports) == {f"jira/issues/{run}-0001.json"}

    server.seen.clear()
    exports, summary = _collect(tmp_path, server, SECOND)
    assert summary.status == "collected", summary.stats.errors
    # The same window: the second page from the saved token, then CHK-2's changelog.
    searches = server.requests_to("/search/jql")
    assert [seen.args.get("nextPageToken") for seen in searches] == [token]
    assert searches[0].args["jql"] == _jql("2026-10-21 08:00")
    assert len(server.requests_to("/changelog")) == 3
    assert _files(exports) == {
        f"jira/issues/{run}-0001.json", f"jira/issues/{run}-0002.json",
        *{f"jira/changelogs/CHK-2/{run}-000{n}.json" for n in (1, 2, 3)}}
    assert (exports / f"jira/issues/{run}-0002.json").read_bytes() == _served_search(server, token)


def test_a_changelog_gone_since_the_search_is_reported_and_the_rest_collected(tmp_path, server, jira):
    jira.put(issue("PAY-9", 109, "2026-11-12T12:00:00.000+0800", histories=41))
    server.fault(Fault(lambda request: request.path == "/rest/api/3/issue/CHK-2/changelog", status=404,
                       body=b'{"errorMessages":["Issue does not exist or you do not have permission to see it."]}'))
    exports, summary = _collect(tmp_path, server, FIRST)
    assert summary.status == "collected"
    gone = "changelog not found (the issue was deleted or hidden since the search); its inline histories are kept"
    assert summary.stats.errors == [f"jira CHK-2: {gone}"]
    # PAY-9's 41 histories: pages of 20 from 0, 20, 40.
    run = "20261120T000000Z"
    assert {path for path in _files(exports) if "changelogs" in path} == {
        f"jira/changelogs/PAY-9/{run}-000{n}.json" for n in (1, 2, 3)}


def test_an_unknown_api_is_named_and_nothing_asked(tmp_path, server, jira):
    _, summary = _collect(tmp_path, server, FIRST, api="server")
    assert summary.status == "failed"
    assert summary.stats.errors == ["jira: api: 'server' is neither cloud nor datacenter (check collect.yaml)"]
    assert server.seen == []


def test_is_last_ends_the_search_even_with_a_token(tmp_path, server, jira):
    jira.token_on_last_page = True
    exports, summary = _collect(tmp_path, server, FIRST)
    assert summary.status == "collected", summary.stats.errors
    # Two pages as before: the second says isLast, its token (offset 4) is never asked for.
    assert [seen.args.get("nextPageToken") for seen in server.requests_to("/search/jql")] == [None, _token(2)]
    assert {path for path in _files(exports) if "issues" in path} == {
        "jira/issues/20261120T000000Z-0001.json", "jira/issues/20261120T000000Z-0002.json"}
