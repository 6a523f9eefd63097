"""`delivery collect gitlab` against a GitLab API on the replay server: the landing files are the bodies
served, byte for byte; a second collection asks only for the changed window; the loader reads the files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from ingestion.collect.config import load_collect_config
from ingestion.collect.runner import collect
from ingestion.pipelines import load_tool
from tests.collect import fake_gitlab as gl
from tests.collect.fake_gitlab import FakeGitLab
from tests.collect.replay import Fault, ReplayServer
from tests.conftest import query

TOKEN = "glpat-not-a-real-token"
PROJECT = "acme/platform/checkout"
API = f"/api/v4/projects/{PROJECT}"  # as the server decodes it; sent as acme%2Fplatform%2Fcheckout
FIRST = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
SECOND = datetime(2026, 3, 12, 12, 0, tzinfo=UTC)
RUN1, RUN2 = "20260310T120000Z", "20260312T120000Z"
# history_days 30 before FIRST; then FIRST less overlap_hours 24.
SINCE1, SINCE2 = "2026-02-08T12:00:00Z", "2026-03-09T12:00:00Z"


@pytest.fixture
def server(httpserver) -> ReplayServer:
    replay = ReplayServer(httpserver)
    replay.required_headers = {"PRIVATE-TOKEN": TOKEN}
    return replay


@pytest.fixture
def gitlab(server: ReplayServer) -> FakeGitLab:
    fake = FakeGitLab(server)
    fake.add_project(PROJECT)
    fake.merge_requests[PROJECT] = [
        gl.merge_request(3, "2026-01-15T10:00:00.000Z"),  # before the window: never asked for
        gl.merge_request(7, "2026-03-03T15:30:12.345Z"),
        gl.merge_request(8, "2026-03-05T08:00:00.000+01:00", state="opened"),
        gl.merge_request(9, "2026-03-06T09:00:00.000Z", state="closed"),
    ]
    fake.mr_commits[(PROJECT, 7)] = [gl.commit(c * 40, "2026-03-02T11:00:00.000Z") for c in "abc"]
    fake.mr_commits[(PROJECT, 8)] = [gl.commit("d" * 40, "2026-03-04T08:30:00.000Z", parents=("c" * 40,))]
    fake.mr_notes[(PROJECT, 7)] = [gl.note(501, 7, "2026-03-03T14:00:00.000Z")]
    fake.mr_notes[(PROJECT, 8)] = [gl.note(511, 8, "2026-03-05T07:00:00.000Z")]
    fake.commits[PROJECT] = [
        gl.commit("0" * 40, "2026-01-01T00:00:00.000Z", parents=()),  # before the window
        gl.commit("1" * 40, "2026-03-02T11:00:00.000Z", parents=("0" * 40,)),
        gl.commit("2" * 40, "2026-03-03T15:30:00.000Z", parents=("1" * 40,)),
        gl.commit("3" * 40, "2026-03-05T08:00:00.000Z", parents=("2" * 40, "d" * 40)),
    ]
    fake.pipelines[PROJECT] = [gl.pipeline(5001, "2026-01-20T10:00:00.000Z"),
                               gl.pipeline(5002, "2026-03-03T16:00:00.000Z"),
                               gl.pipeline(5003, "2026-03-05T09:00:00.000Z", status="failed")]
    fake.deployments[PROJECT] = [gl.deployment(8001, "2026-03-03T16:10:00.000Z")]
    return fake


def write_config(tmp_path: Path, body: str, monkeypatch, **environ: str):
    config = tmp_path / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "collect.yaml").write_text(
        "history_days: 30\noverlap_hours: 24\npage_size: 2\nbackoff_seconds: 0.01\nmax_attempts: 2\n" + body,
        encoding="utf-8")
    for name, value in {"GITLAB_TOKEN": TOKEN, **environ}.items():
        monkeypatch.setenv(name, value)
    return load_collect_config(config)


def gitlab_config(tmp_path, fake: FakeGitLab, monkeypatch, scope: str = f"projects: [{PROJECT}]"):
    return write_config(tmp_path, f"gitlab:\n  base_url: {fake.base_url}\n  {scope}\n", monkeypatch)


def landed(exports: Path) -> set[str]:
    return {str(path.relative_to(exports)) for path in exports.rglob("*") if path.is_file()}


def raw_rows(warehouse: Path) -> dict[str, list[tuple]]:
    """Every raw_gitlab table's rows, without the columns naming the file and load they came from."""
    tables = [row[0] for row in query(warehouse, "SELECT table_name FROM information_schema.tables "
                                                 "WHERE table_schema = 'raw_gitlab' AND table_name NOT LIKE '_dlt%'")]
    rows = {}
    for table in tables:
        columns = [f'"{row[0]}"' for row in query(
            warehouse, "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw_gitlab' "
                       "AND table_name = ? AND column_name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY ordinal_position",
            [table])]
        rows[table] = query(warehouse, f"SELECT {', '.join(columns)} FROM raw_gitlab.{table} ORDER BY ALL")
    return rows


def asked(server: ReplayServer, start: int = 0) -> list[tuple[str, dict]]:
    """Each request from `start` on: its path below the project and its query (filters and page)."""
    return [(seen.path.removeprefix(API), seen.args) for seen in server.seen[start:]]


def test_first_collection_writes_the_served_bodies_and_the_second_asks_only_for_the_changed_window(
        tmp_path, server, gitlab, monkeypatch):
    exports, config = tmp_path / "exports", gitlab_config(tmp_path, gitlab, monkeypatch)

    [summary] = collect(config, exports, ["gitlab"], now=FIRST)

    assert summary.status == "collected", summary.stats.errors
    folder = f"gitlab/{PROJECT}"
    # Merge requests 9, 8, 7 in the window, newest-updated first, two a page; !7's three commits take two
    # pages (7.json, 7-2.json); !9 has no commits nor notes: its empty lists land too. Commits 3, 2, 1 since
    # the window's start: two pages. Pipelines 5003, 5002 and deployment 8001: a page each.
    expected = {
        f"merge_requests/{RUN1}-0001.json": (f"{API}/merge_requests", 1),
        f"merge_requests/{RUN1}-0002.json": (f"{API}/merge_requests", 2),
        "merge_request_commits/9.json": (f"{API}/merge_requests/9/commits", 1),
        "merge_request_commits/8.json": (f"{API}/merge_requests/8/commits", 1),
        "merge_request_commits/7.json": (f"{API}/merge_requests/7/commits", 1),
        "merge_request_commits/7-2.json": (f"{API}/merge_requests/7/commits", 2),
        "merge_request_notes/9.json": (f"{API}/merge_requests/9/notes", 1),
        "merge_request_notes/8.json": (f"{API}/merge_requests/8/notes", 1),
        "merge_request_notes/7.json": (f"{API}/merge_requests/7/notes", 1),
        f"commits/{RUN1}-0001.json": (f"{API}/repository/commits", 1),
        f"commits/{RUN1}-0002.json": (f"{API}/repository/commits", 2),
        f"pipelines/{RUN1}-0001.json": (f"{API}/pipelines", 1),
        f"deployments/{RUN1}-0001.json": (f"{API}/deployments", 1),
    }
    assert landed(exports) == {f"{folder}/{name}" for name in expected}
    for name, served in expected.items():
        assert (exports / folder / name).read_bytes() == gitlab.served_pages[served], name
    # And the other way round: every body served, by full request URI, is in a landing file, except the
    # project's own (read for its default branch, not part of the landing layout).
    listed = sorted(body for uri, body in server.served.items() if uri != API)
    assert listed == sorted(path.read_bytes() for path in exports.rglob("*.json"))

    updated = {"updated_after": SINCE1, "order_by": "updated_at", "sort": "desc", "per_page": "2"}
    assert asked(server) == [
        ("", {}),  # the project: its default branch
        ("/merge_requests", {"state": "all", **updated}),
        ("/merge_requests", {"state": "all", **updated, "page": "2"}),  # from the Link header
        ("/merge_requests/9/commits", {"per_page": "2"}),
        ("/merge_requests/9/notes", {"sort": "asc", "order_by": "created_at", "per_page": "2"}),
        ("/merge_requests/8/commits", {"per_page": "2"}),
        ("/merge_requests/8/notes", {"sort": "asc", "order_by": "created_at", "per_page": "2"}),
        ("/merge_requests/7/commits", {"per_page": "2"}),
        ("/merge_requests/7/commits", {"per_page": "2", "page": "2"}),
        ("/merge_requests/7/notes", {"sort": "asc", "order_by": "created_at", "per_page": "2"}),
        ("/repository/commits", {"ref_name": "main", "since": SINCE1, "per_page": "2"}),
        ("/repository/commits", {"ref_name": "main", "since": SINCE1, "per_page": "2", "page": "2"}),
        ("/pipelines", updated),
        ("/deployments", updated),
    ]

    # Then !8 is merged with a second approval, one commit lands and its pipeline runs.
    gitlab.merge_requests[PROJECT][2] = gl.merge_request(8, "2026-03-11T10:00:00.000Z")
    gitlab.mr_notes[(PROJECT, 8)].append(gl.note(512, 8, "2026-03-11T09:59:00.000Z"))
    gitlab.commits[PROJECT].append(gl.commit("4" * 40, "2026-03-11T10:00:00.000Z", parents=("3" * 40,)))
    gitlab.pipelines[PROJECT].append(gl.pipeline(5004, "2026-03-11T10:05:00.000Z"))
    before, seen = landed(exports), len(server.seen)

    [summary] = collect(config, exports, ["gitlab"], now=SECOND)

    assert summary.status == "collected", summary.stats.errors
    updated |= {"updated_after": SINCE2}
    assert asked(server, seen) == [
        ("", {}),
        ("/merge_requests", {"state": "all", **updated}),
        ("/merge_requests/8/commits", {"per_page": "2"}),
        ("/merge_requests/8/notes", {"sort": "asc", "order_by": "created_at", "per_page": "2"}),
        ("/repository/commits", {"ref_name": "main", "since": SINCE2, "per_page": "2"}),
        ("/pipelines", updated),
        ("/deployments", updated),
    ]
    new = {f"merge_requests/{RUN2}-0001.json", f"commits/{RUN2}-0001.json", f"pipelines/{RUN2}-0001.json",
           f"deployments/{RUN2}-0001.json"}
    assert landed(exports) - before == {f"{folder}/{name}" for name in new}
    # !8's lists are asked again whole and replace the first collection's files.
    for name in ("merge_request_notes/8.json", "merge_request_commits/8.json", *new):
        served = (f"{API}/{name.split('/')[0].replace('merge_request_', 'merge_requests/8/')}", 1)
        if name.startswith(("merge_requests/", "commits/", "pipelines/", "deployments/")):
            kind = name.split("/")[0]
            served = (f"{API}/{'repository/commits' if kind == 'commits' else kind}", 1)
        assert (exports / folder / name).read_bytes() == gitlab.served_pages[served], name
    assert (exports / folder / f"deployments/{RUN2}-0001.json").read_bytes() == b"[]"

    warehouse = tmp_path / "w.duckdb"
    load_tool("gitlab", exports, warehouse)
    assert query(warehouse, "SELECT count(*) FROM raw_gitlab.quarantine") == [(0,)]
    # Neither the landing folder, the collection state beside it nor the warehouse holds the token.
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and TOKEN.encode() in p.read_bytes()]
    # !8 twice: opened (08:00 at +01:00) in the first collection, merged in the second.
    assert query(warehouse, "SELECT iid, state, updated_at FROM raw_gitlab.merge_requests ORDER BY ALL") == [
        (7, "merged", datetime(2026, 3, 3, 15, 30, 12, 345000, tzinfo=UTC)),
        (8, "merged", datetime(2026, 3, 11, 10, 0, tzinfo=UTC)),
        (8, "opened", datetime(2026, 3, 5, 7, 0, tzinfo=UTC)),
        (9, "closed", datetime(2026, 3, 6, 9, 0, tzinfo=UTC)),
    ]
    # 7.json and 7-2.json both give !7: the iid comes from the file name.
    assert query(warehouse, "SELECT merge_request_iid, left(sha, 1) FROM raw_gitlab.merge_request_commits "
                            "ORDER BY ALL") == [(7, "a"), (7, "b"), (7, "c"), (8, "d")]
    assert query(warehouse, "SELECT merge_request_iid, note_id FROM raw_gitlab.merge_request_notes "
                            "ORDER BY ALL") == [(7, 501), (8, 511), (8, 512)]
    assert query(warehouse, "SELECT left(sha, 1), parent_count FROM raw_gitlab.commits ORDER BY ALL") == [
        ("1", 1), ("2", 1), ("3", 2), ("4", 1)]
    assert query(warehouse, "SELECT pipeline_id FROM raw_gitlab.pipelines ORDER BY ALL") == [
        (5002,), (5003,), (5004,)]
    assert query(warehouse, "SELECT deployment_id, environment_tier FROM raw_gitlab.deployments") == [
        (8001, "production")]

    # The same data collected once, in full at the second collection's time, loads the same raw rows
    # (sources aside), but for !8's first version, which no single collection after its merge can see.
    once_exports, once_warehouse = tmp_path / "once", tmp_path / "once.duckdb"
    collect(gitlab_config(tmp_path / "o", gitlab, monkeypatch), once_exports, ["gitlab"], now=SECOND)
    load_tool("gitlab", once_exports, once_warehouse)
    twice, once = raw_rows(warehouse), raw_rows(once_warehouse)
    opened = [row for row in twice["merge_requests"] if "opened" in row]
    assert len(opened) == 1
    twice["merge_requests"].remove(opened[0])
    assert twice == once


def test_a_group_collects_its_projects_subgroups_included_and_skips_what_a_project_lacks(
        tmp_path, server, gitlab, monkeypatch):
    # search-api sits in a subgroup, has an empty repository (no default branch) and CI switched off: its
    # commits and pipelines lists would answer 404 and 403, so they are not asked for.
    gitlab.add_project("acme/search/search-api", default_branch=None, builds_access_level="disabled")
    gitlab.groups["acme"] = [PROJECT, "acme/search/search-api"]
    config = write_config(tmp_path, f"page_size: 1\ngitlab:\n  base_url: {gitlab.base_url}\n  groups: acme\n",
                          monkeypatch)
    exports = tmp_path / "exports"

    [summary] = collect(config, exports, ["gitlab"], now=FIRST)

    assert summary.status == "collected", summary.stats.errors
    assert summary.scopes == 2
    discovery = {"include_subgroups": "true", "with_shared": "false", "archived": "false", "simple": "true",
                 "order_by": "id", "sort": "asc", "per_page": "1"}
    assert [(seen.path, seen.args) for seen in server.seen[:2]] == [
        ("/api/v4/groups/acme/projects", discovery), ("/api/v4/groups/acme/projects", {**discovery, "page": "2"})]
    search = "/api/v4/projects/acme/search/search-api"
    assert [seen.path for seen in server.seen if seen.path.startswith(search)] == [
        search, f"{search}/merge_requests", f"{search}/deployments"]
    assert {path.parent.name for path in (exports / "gitlab/acme/search/search-api").rglob("*.json")} == {
        "merge_requests", "deployments"}
    # checkout: as in the first test, at one record a page.
    assert len(list((exports / f"gitlab/{PROJECT}/merge_requests").glob("*.json"))) == 3


def test_paging_follows_the_link_header_past_the_count_gitlab_stops_totalling(tmp_path, server, gitlab,
                                                                              monkeypatch):
    # Past `total_limit` records (10,000 on GitLab) the bodies come without x-total, x-total-pages and
    # rel="last": paging must follow rel="next" alone.
    gitlab.total_limit = 3
    gitlab.pipelines[PROJECT] = [gl.pipeline(5100 + n, f"2026-03-0{n}T10:00:00.000Z") for n in range(1, 6)]
    exports = tmp_path / "exports"

    [summary] = collect(gitlab_config(tmp_path, gitlab, monkeypatch), exports, ["gitlab"], now=FIRST)

    assert summary.status == "collected", summary.stats.errors
    asked_pipelines = [seen.args.get("page") for seen in server.seen if seen.path == f"{API}/pipelines"]
    assert asked_pipelines == [None, "2", "3"]
    pages = sorted((exports / f"gitlab/{PROJECT}/pipelines").glob("*.json"))
    assert [path.read_bytes() for path in pages] == [gitlab.served_pages[(f"{API}/pipelines", n)] for n in (1, 2, 3)]
    # 5105 … 5101, newest-updated first, two a page.
    assert [path.read_bytes().count(b'"status"') for path in pages] == [2, 2, 1]
    # What the first page carried: a next link, no totals.
    first = requests.get(f"{gitlab.base_url}/projects/acme%2Fplatform%2Fcheckout/pipelines?per_page=2",
                         headers={"PRIVATE-TOKEN": TOKEN}, timeout=10)
    assert "x-total" not in first.headers and set(first.links) == {"next", "first"}
    assert first.headers["x-next-page"] == "2"


def test_a_collection_cut_off_inside_a_merge_requests_commit_pages_resumes_there(tmp_path, server, gitlab,
                                                                                 monkeypatch):
    # !7's second commit page fails on every attempt: the scope stops with `7.json` written.
    server.fault(Fault(lambda r: r.path == f"{API}/merge_requests/7/commits" and r.args.get("page") == "2",
                       status=502, times=100))
    config, exports = gitlab_config(tmp_path, gitlab, monkeypatch), tmp_path / "exports"

    [summary] = collect(config, exports, ["gitlab"], now=FIRST)

    assert summary.status == "failed"
    assert "merge_request_commits/7-2.json" not in {p.relative_to(exports / f"gitlab/{PROJECT}").as_posix()
                                                    for p in exports.rglob("*.json")}
    server.faults.clear()
    seen = len(server.seen)

    # Later, the same run resumes: same window and file names, nothing asked twice but the project.
    [summary] = collect(config, exports, ["gitlab"], now=SECOND)

    assert summary.status == "collected", summary.stats.errors
    updated = {"updated_after": SINCE1, "order_by": "updated_at", "sort": "desc", "per_page": "2"}
    assert asked(server, seen) == [
        ("", {}),
        ("/merge_requests/7/commits", {"per_page": "2", "page": "2"}),
        ("/merge_requests/7/notes", {"sort": "asc", "order_by": "created_at", "per_page": "2"}),
        ("/repository/commits", {"ref_name": "main", "since": SINCE1, "per_page": "2"}),
        ("/repository/commits", {"ref_name": "main", "since": SINCE1, "per_page": "2", "page": "2"}),
        ("/pipelines", updated),
        ("/deployments", updated),
    ]
    folder = exports / f"gitlab/{PROJECT}"
    assert len(landed(exports)) == 13
    assert (folder / "merge_request_commits/7-2.json").read_bytes() == gitlab.served_pages[
        (f"{API}/merge_requests/7/commits", 2)]
    assert sorted(p.name for p in (folder / "merge_requests").iterdir()) == [f"{RUN1}-0001.json",
                                                                            f"{RUN1}-0002.json"]


def test_gitlab_rate_limit_answer_is_waited_out(tmp_path, server, gitlab, monkeypatch):
    # GitLab.com's 429: Retry-After with its RateLimit-* headers, then the same request succeeds.
    server.fault(Fault(lambda r: r.path == f"{API}/merge_requests", status=429, body=b"Retry later\n",
                       headers={"Retry-After": "0", "RateLimit-Limit": "2000", "RateLimit-Remaining": "0",
                                "RateLimit-Reset": "1773144000"}))
    exports = tmp_path / "exports"

    [summary] = collect(gitlab_config(tmp_path, gitlab, monkeypatch), exports, ["gitlab"], now=FIRST)

    assert summary.status == "collected", summary.stats.errors
    assert summary.stats.rate_limit_waits == 1
    # The first test's 14 requests and the refused one; its 13 files, none from the refusal.
    assert (summary.stats.requests, len(landed(exports))) == (15, 13)
    assert [seen.args.get("page") for seen in server.seen if seen.path == f"{API}/merge_requests"] == [
        None, None, "2"]
