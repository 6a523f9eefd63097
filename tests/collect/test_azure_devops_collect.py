"""`delivery collect` for Azure DevOps against the replay server: the landing layout of docs/exports.md byte
for byte, WIQL then batches of ids, `$top`/`$skip` and continuation-token paging, pull requests closed in
the window plus the active ones, deployment records newest first down to the window, an incremental second
run, a server's collection URL with discovered projects, and the loader reading what was written."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingestion.collect.config import load_collect_config
from ingestion.collect.runner import collect
from ingestion.pipelines import load_tool
from tests.collect.fake_azure_devops import (
    FakeAzureDevOps,
    build,
    deployment_record,
    pr_commit,
    pull,
    update,
    work_item,
)
from tests.collect.replay import Fault, ReplayServer
from tests.conftest import query

PAT = "ado-pat-not-real-0001"
NOW = datetime(2026, 3, 10, tzinfo=UTC)
RUN = "20260310T000000Z"
# history_days 30: the first window starts 2026-02-08T00:00:00Z.
SINCE = "2026-02-08T00:00:00Z"
PROJECT = "azure_devops/fabrikam/Fabrikam-Fiber"
API = "/fabrikam/Fabrikam-Fiber/_apis"

# What the first collection of `fabrikam` writes (worked out in the first test).
FIRST_RUN_FILES = {
    f"{PROJECT}/work_items/{RUN}-0001.json", f"{PROJECT}/work_items/{RUN}-0002.json",
    f"{PROJECT}/work_item_updates/101.json", f"{PROJECT}/work_item_updates/101-2.json",
    f"{PROJECT}/work_item_updates/102.json",
    f"{PROJECT}/work_item_updates/103.json", f"{PROJECT}/work_item_updates/103-2.json",
    f"{PROJECT}/pull_requests/{RUN}-web-active-0001.json", f"{PROJECT}/pull_requests/{RUN}-web-closed-0001.json",
    f"{PROJECT}/pull_request_commits/21.json", f"{PROJECT}/pull_request_commits/21-2.json",
    f"{PROJECT}/pull_request_commits/22.json",
    f"{PROJECT}/builds/{RUN}-0001.json", f"{PROJECT}/builds/{RUN}-0002.json",
    f"{PROJECT}/environment_deployments/production/{RUN}-0001.json",
    f"{PROJECT}/environment_deployments/production/{RUN}-0002.json",
    f"{PROJECT}/environment_deployments/staging_eu/{RUN}-0001.json",
}


@pytest.fixture
def server(httpserver) -> ReplayServer:
    replay = ReplayServer(httpserver)
    replay.required_headers = {"Authorization": "Basic " + base64.b64encode(f":{PAT}".encode()).decode()}
    return replay


def configure(tmp_path: Path, monkeypatch, base_url: str, scope: str, history_days: int = 30,
              max_attempts: int = 6) -> Path:
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    (config / "collect.yaml").write_text(
        f"history_days: {history_days}\noverlap_hours: 24\npage_size: 2\nbackoff_seconds: 0.01\n"
        f"max_attempts: {max_attempts}\n"
        f"azure_devops:\n  base_url: {base_url}\n{scope}", encoding="utf-8")
    monkeypatch.setenv("AZURE_DEVOPS_PAT", PAT)
    return config


def run(config: Path, exports: Path, now: datetime = NOW):
    return collect(load_collect_config(config), exports, ["azure_devops"], now=now)


def fabrikam(server: ReplayServer) -> FakeAzureDevOps:
    """Three work items changed in the window and one before; pull requests: one closed in the window with
    three commits, one active since before the window, one closed before it; three builds queued in the
    window and one before; two environments, whose records go back before the window."""
    fake = FakeAzureDevOps(server)
    fake.work_items = {i: work_item(i, changed) for i, changed in (
        (90, "2025-12-01T10:00:00.1234567Z"), (101, "2026-03-05T10:00:00.1234567Z"),
        (102, "2026-03-06T10:00:00Z"), (103, "2026-03-07T10:00:00Z"))}
    fake.updates = {
        101: [update(101, n, f"2026-03-0{n}T10:00:00Z", state) for n, state in
              ((1, "New"), (2, "Active"), (3, "Closed"))],
        102: [update(102, 1, "2026-03-06T10:00:00Z", "New")],
        103: [update(103, 1, "2026-03-07T09:00:00Z", "New"), update(103, 2, "2026-03-07T10:00:00Z", "Active")],
    }
    web = fake.repositories[0]
    fake.pulls = [
        pull(21, web, "2026-03-01T08:00:00Z", "completed", "2026-03-04T12:00:00Z"),
        pull(22, web, "2026-01-02T08:00:00Z"),
        pull(23, web, "2025-11-01T08:00:00Z", "abandoned", "2025-12-01T08:00:00Z"),
    ]
    fake.commits = {21: [pr_commit(f"c{n}", f"2026-03-0{n}T08:00:00Z") for n in (1, 2, 3)],
                    22: [pr_commit("c9", "2026-01-02T08:00:00Z")]}
    fake.builds = [build(300 + n, queued) for n, queued in enumerate(
        ("2026-01-20T10:00:00Z", "2026-03-02T10:00:00.1234567Z", "2026-03-04T10:00:00Z", "2026-03-05T10:00:00Z"))]
    fake.environments = [{"id": 1, "name": "production"}, {"id": 2, "name": "staging/eu"}]
    fake.records = {
        1: [deployment_record(n, 1, queued) for n, queued in
            ((1, "2026-01-01T10:00:00Z"), (2, "2026-01-15T10:00:00Z"), (3, "2026-03-01T10:00:00Z"),
             (4, "2026-03-05T10:00:00Z"))],
        2: [deployment_record(5, 2, "2026-03-04T10:00:00Z")],
    }
    return fake


def landing_files(exports: Path) -> set[str]:
    return {str(path.relative_to(exports)) for path in exports.rglob("*.json")}


def served(server: ReplayServer, path: str, **args: str) -> bytes:
    """The body served for the request to `path` with exactly these arguments (order-free)."""
    from urllib.parse import parse_qsl, urlsplit
    for full_path, body in server.served.items():
        parts = urlsplit(full_path)
        if parts.path == path and dict(parse_qsl(parts.query)) == args:
            return body
    raise AssertionError(f"nothing served for {path} {args}")


def test_first_collection_writes_the_landing_layout_byte_for_byte_and_the_loader_reads_it(
        server, tmp_path, monkeypatch):
    fake = fabrikam(server)
    config = configure(tmp_path, monkeypatch, server.url, "  organization: fabrikam\n  projects: [Fabrikam-Fiber]\n")
    exports = tmp_path / "exports"

    [summary] = run(config, exports)

    assert summary.status == "collected", summary.stats.errors
    v = {"api-version": "7.1"}
    # Work items 101-103 changed since 2026-02-08 (90 did not): batches of page_size 2, [101, 102] and [103].
    # Updates 2 a page: 101 has 3 (a page of 2, then 1), 102 one, 103 two (a full page, then an empty one).
    # Pull requests: active [22] (one page of 1); closed since the window [21] (23 closed before it).
    # Commits of 21: 3, two a page by continuation token; of 22: one.
    # Builds queued since 2026-02-08: 301-303, two a page. Records newest first: production 4, 3 (both in
    # the window, so the next page is asked for), then 2, 1 (before it: stop); staging/eu: 5.
    expected = FIRST_RUN_FILES
    assert landing_files(exports) == expected

    def body(relative: str) -> bytes:
        return (exports / relative).read_bytes()

    # The WIQL answer is no landing file; the two batches are the two POSTs' bodies, in order.
    batches = [seen for seen in server.requests_to(r"/wit/workitemsbatch$")]
    assert [seen.body for seen in batches] == [b'{"ids": [101, 102], "errorPolicy": "omit"}',
                                              b'{"ids": [103], "errorPolicy": "omit"}']
    assert fake.wiql_queries == [
        ("SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project "
        f"AND [System.ChangedDate] >= '{SINCE}' ORDER BY [System.Id]")]
    assert body(f"{PROJECT}/work_item_updates/101-2.json") == served(
        server, f"{API}/wit/workItems/101/updates", **v, **{"$top": "2", "$skip": "2"})
    assert body(f"{PROJECT}/pull_requests/{RUN}-web-closed-0001.json") == served(
        server, f"{API}/git/repositories/r-web/pullrequests", **v, **{
            "searchCriteria.status": "all", "searchCriteria.queryTimeRangeType": "closed",
            "searchCriteria.minTime": SINCE, "$top": "2", "$skip": "0"})
    assert body(f"{PROJECT}/pull_request_commits/21-2.json") == served(
        server, f"{API}/git/repositories/r-web/pullRequests/21/commits", **v, **{"$top": "2",
                                                                               "continuationToken": "2"})
    assert body(f"{PROJECT}/environment_deployments/staging_eu/{RUN}-0001.json") == served(
        server, f"{API}/distributedtask/environments/2/environmentdeploymentrecords",
        **{"api-version": "7.1-preview.1", "top": "2"})

    warehouse = tmp_path / "w.duckdb"
    load_tool("azure_devops", exports, warehouse)
    # By hand: 3 work items; updates' tracked fields: 101 3 states, 102 one, 103 two = 6 rows; pull requests
    # 21 and 22; commits 3 + 1, with the pull request id from `<id>.json` and `<id>-2.json` alike;
    # builds 301-303; deployment records 4, 3 (page 1), 2, 1 (page 2), 5.
    assert query(warehouse, "SELECT count(*) FROM raw_azure_devops.work_items") == [(3,)]
    assert query(warehouse, "SELECT count(*) FROM raw_azure_devops.work_item_updates") == [(6,)]
    assert query(warehouse, "SELECT list(pull_request_id ORDER BY pull_request_id) "
                            "FROM raw_azure_devops.pull_requests") == [([21, 22],)]
    assert query(warehouse, "SELECT pull_request_id, count(*) FROM raw_azure_devops.pull_request_commits "
                            "GROUP BY 1 ORDER BY 1") == [(21, 3), (22, 1)]
    assert query(warehouse, "SELECT list(build_id ORDER BY build_id) FROM raw_azure_devops.builds") == [
        ([301, 302, 303],)]
    assert query(warehouse, "SELECT environment_name, list(deployment_record_id ORDER BY deployment_record_id) "
                            "FROM raw_azure_devops.deployments GROUP BY 1 ORDER BY 1") == [
        ("production", [1, 2, 3, 4]), ("staging_eu", [5])]
    assert query(warehouse, "SELECT count(*) FROM raw_azure_devops.quarantine") == [(0,)]
    # The token is in no file: landing, collection state, warehouse.
    assert not [path for path in tmp_path.rglob("*") if path.is_file() and PAT.encode() in path.read_bytes()]


def test_builds_page_with_the_continuation_token_of_the_response_header(server, tmp_path, monkeypatch):
    fabrikam(server)
    config = configure(tmp_path, monkeypatch, server.url, "  organization: fabrikam\n  projects: [Fabrikam-Fiber]\n")
    exports = tmp_path / "exports"

    run(config, exports)

    # Three builds in the window, two a page: the first answer carries `x-ms-continuationtoken: 2`, which
    # the second request sends back; the second answer carries none, so paging stops there.
    builds = server.requests_to(r"/build/builds$")
    assert [seen.args for seen in builds] == [
        {"api-version": "7.1", "minTime": SINCE, "queryOrder": "queueTimeAscending", "$top": "2"},
        {"api-version": "7.1", "minTime": SINCE, "queryOrder": "queueTimeAscending", "$top": "2",
         "continuationToken": "2"},
    ]
    for number, args in ((1, builds[0].args), (2, builds[1].args)):
        assert (exports / f"{PROJECT}/builds/{RUN}-{number:04d}.json").read_bytes() == served(
            server, f"{API}/build/builds", **args)


def test_a_second_collection_asks_only_for_the_window_since_the_last_less_the_overlap(
        server, tmp_path, monkeypatch):
    fake = fabrikam(server)
    config = configure(tmp_path, monkeypatch, server.url, "  organization: fabrikam\n  projects: [Fabrikam-Fiber]\n")
    exports = tmp_path / "exports"
    run(config, exports)
    before = landing_files(exports)
    # Two days later: item 103 changed, pull request 22 completed, build 304 queued, record 6 made.
    fake.work_items[103] = work_item(103, "2026-03-11T10:00:00Z", "Closed")
    fake.updates[103].append(update(103, 3, "2026-03-11T10:00:00Z", "Closed"))
    fake.pulls[1] = pull(22, fake.repositories[0], "2026-01-02T08:00:00Z", "completed", "2026-03-11T09:00:00Z")
    fake.builds.append(build(304, "2026-03-11T10:00:00Z"))
    fake.records[1].append(deployment_record(6, 1, "2026-03-11T11:00:00Z"))
    server.seen.clear()

    run(config, exports, now=datetime(2026, 3, 12, tzinfo=UTC))

    # The window starts at the first run's end less 24 hours of overlap.
    since, second = "2026-03-09T00:00:00Z", "20260312T000000Z"
    assert f"[System.ChangedDate] >= '{since}'" in fake.wiql_queries[-1]
    assert [s.args.get("minTime") for s in server.requests_to(r"/build/builds$")] == [since]
    assert [s.args.get("searchCriteria.minTime") for s in server.requests_to(r"/pullrequests$")] == [None, since]
    new = landing_files(exports) - before
    # Only 103 changed: one batch, its 3 updates (2 + 1); no active pull request is left, 22 closed in the
    # window (and its commit); build 304; production's newest record 6 and 4 (page 1), then 3 is older than
    # the window's start (2026-03-01 < 03-09): stop. staging/eu's only record is older: one page.
    assert new == {
        f"{PROJECT}/work_items/{second}-0001.json",
        f"{PROJECT}/pull_requests/{second}-web-active-0001.json",
        f"{PROJECT}/pull_requests/{second}-web-closed-0001.json",
        f"{PROJECT}/builds/{second}-0001.json",
        f"{PROJECT}/environment_deployments/production/{second}-0001.json",
        f"{PROJECT}/environment_deployments/staging_eu/{second}-0001.json",
    }
    # Files named by id are written anew, not added: 103's updates and 22's commits.
    assert (exports / f"{PROJECT}/work_item_updates/103-2.json").read_bytes() == served(
        server, f"{API}/wit/workItems/103/updates", **{"api-version": "7.1", "$top": "2", "$skip": "2"})
    assert [s.path for s in server.requests_to(r"/updates$")] == [f"{API}/wit/workItems/103/updates"] * 2

    warehouse = tmp_path / "w.duckdb"
    load_tool("azure_devops", exports, warehouse)
    assert query(warehouse, "SELECT list(build_id ORDER BY build_id) FROM raw_azure_devops.builds") == [
        ([301, 302, 303, 304],)]
    assert query(warehouse, "SELECT pull_request_id, status FROM raw_azure_devops.pull_requests "
                            "ORDER BY 1, version_at") == [(21, "completed"), (22, "active"), (22, "completed")]


def test_a_server_collection_url_and_discovered_projects(server, tmp_path, monkeypatch):
    fake = FakeAzureDevOps(server, prefix="/tfs/DefaultCollection")
    fake.projects = ["Fabrikam-Fiber", "Payments Team", "Web"]
    fake.repositories = []
    config = configure(tmp_path, monkeypatch, f"{server.url}/tfs/DefaultCollection",
                       "  organization: DefaultCollection\n")
    exports = tmp_path / "exports"

    [summary] = run(config, exports)

    # The collection URL already names the organization: nothing is added to it. Projects come two a page;
    # a project's name is quoted in the URL (the server sees it decoded) and kept as is in the folder.
    assert summary.status == "collected" and summary.scopes == 3, summary.stats.errors
    assert [s.args.get("continuationToken") for s in server.requests_to(r"/_apis/projects$")] == [None, "2"]
    assert {s.path for s in server.requests_to(r"/wit/wiql$")} == {
        f"/tfs/DefaultCollection/{project}/_apis/wit/wiql" for project in fake.projects}
    assert landing_files(exports) == {
        f"azure_devops/DefaultCollection/{project}/builds/{RUN}-0001.json" for project in fake.projects}


def test_a_refused_token_names_the_tool_and_what_to_check(server, tmp_path, monkeypatch):
    fabrikam(server)
    config = configure(tmp_path, monkeypatch, server.url, "  organization: fabrikam\n  projects: [Fabrikam-Fiber]\n")
    monkeypatch.setenv("AZURE_DEVOPS_PAT", "wrong-pat-0002")

    [summary] = run(config, tmp_path / "exports")

    assert summary.status == "failed"
    assert summary.stats.errors == [
        (f"azure_devops fabrikam/Fabrikam-Fiber: HTTP 401 from {server.url}{API}/wit/wiql: the credential was "
        "refused: check that the token is valid and not expired")]
    assert "wrong-pat-0002" not in summary.stats.errors[0]


def test_a_long_backfill_asks_wiql_thirty_days_a_query(server, tmp_path, monkeypatch):
    fake = fabrikam(server)
    config = configure(tmp_path, monkeypatch, server.url, "  organization: fabrikam\n  projects: [Fabrikam-Fiber]\n",
                       history_days=65)
    exports = tmp_path / "exports"

    run(config, exports)

    # 65 days back from 2026-03-10 is 2026-01-04: windows of 30 days from there, the last one open-ended.
    changed = "[System.ChangedDate]"
    assert [query.split("@project AND ")[1].removesuffix(" ORDER BY [System.Id]") for query in fake.wiql_queries] == [
        f"{changed} >= '2026-01-04T00:00:00Z' AND {changed} < '2026-02-03T00:00:00Z'",
        f"{changed} >= '2026-02-03T00:00:00Z' AND {changed} < '2026-03-05T00:00:00Z'",
        f"{changed} >= '2026-03-05T00:00:00Z'",
    ]
    # 101 (2026-03-05) is in the last window, 102 and 103 too; 90 (2025-12-01) is before them all.
    batches = [seen.body for seen in server.requests_to(r"/wit/workitemsbatch$")]
    assert batches == [b'{"ids": [101, 102], "errorPolicy": "omit"}', b'{"ids": [103], "errorPolicy": "omit"}']


def test_a_run_stopped_between_batches_resumes_with_the_same_ids_and_writes_each_page_once(
        server, tmp_path, monkeypatch):
    fake = fabrikam(server)
    config = configure(tmp_path, monkeypatch, server.url, "  organization: fabrikam\n  projects: [Fabrikam-Fiber]\n",
                       max_attempts=2)
    exports = tmp_path / "exports"
    # The second batch fails on both attempts: the run stops after the first batch's page.
    server.fault(Fault(lambda request: request.path.endswith("/wit/workitemsbatch") and b"103" in request.get_data(),
                       status=503, times=2))
    [stopped] = run(config, exports)
    assert stopped.status == "failed"
    assert landing_files(exports) == {f"{PROJECT}/work_items/{RUN}-0001.json"}
    # An item changed after the stopped run's end belongs to the next window, not to the resumed run.
    fake.work_items[104] = work_item(104, "2026-03-10T12:00:00Z")

    [resumed] = run(config, exports, now=datetime(2026, 3, 11, tzinfo=UTC))

    assert resumed.status == "collected", resumed.stats.errors
    # One WIQL query in all; the first batch is not asked again; the second is asked once more.
    assert len(fake.wiql_queries) == 1
    assert [seen.body for seen in server.requests_to(r"/wit/workitemsbatch$")] == [
        b'{"ids": [101, 102], "errorPolicy": "omit"}'] + [b'{"ids": [103], "errorPolicy": "omit"}'] * 3
    # The same files as one uninterrupted run, under the stopped run's id and window.
    assert landing_files(exports) == FIRST_RUN_FILES
    assert not list(exports.rglob(".*partial"))
