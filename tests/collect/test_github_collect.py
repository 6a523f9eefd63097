"""`delivery collect` on GitHub, against a replay server: the landing layout byte for byte, the incremental
window, and every fault the API really answers with."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingestion.collect.runner import collect
from ingestion.collect.state import state_path
from ingestion.pipelines import load_tool
from orchestration.config.spec import SETTINGS
from tests.collect.collect_setup import (
    assert_every_file_is_a_served_body,
    config_of,
    landing_files,
    write_config,
)
from tests.collect.fake_github import FakeGitHub, commit, deployment, pull, run, status
from tests.collect.replay import Fault, ReplayServer
from tests.conftest import query
from tests.limits import HANG_SECONDS
from tests.models.dbt_runner import dbt_build

TOKEN = "ghp_test0token0never0written0anywhere"
FIRST = datetime(2026, 12, 1, tzinfo=UTC)
RUN_ID = "20261201T000000Z"


@pytest.fixture
def server(httpserver) -> ReplayServer:
    replay = ReplayServer(httpserver)
    replay.required_headers = {"Authorization": f"Bearer {TOKEN}"}
    return replay


@pytest.fixture
def github(server: ReplayServer, monkeypatch) -> FakeGitHub:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    fake = FakeGitHub(server)
    # Seven pull requests updated on 1..7 November, each with one commit and one review; five commits on
    # the default branch; three deployments, the first with two statuses; three workflow runs.
    fake.pulls = [pull(n, f"2026-11-{n:02d}T10:00:00Z") for n in range(1, 8)]
    fake.pull_commits = {n: [commit(f"c{n:039d}", f"2026-11-{n:02d}T09:00:00Z")] for n in range(1, 8)}
    # ...but pull request 7 has four commits: two pages at three a page (7.json, 7-2.json)
    fake.pull_commits[7] += [commit(f"d{k:039d}", f"2026-11-07T0{k}:00:00Z") for k in range(1, 4)]
    fake.pull_reviews = {n: [{"id": 500 + n, "user": {"login": "bo"}, "state": "APPROVED",
                              "submitted_at": f"2026-11-{n:02d}T09:30:00Z", "commit_id": f"c{n:039d}"}]
                         for n in range(1, 8)}
    fake.commits = [commit(f"{n:040d}", f"2026-11-{n:02d}T11:00:00Z", (f"{n - 1:040d}",)) for n in range(1, 6)]
    fake.deployments = [deployment(n, f"2026-11-{n:02d}T12:00:00Z") for n in range(1, 4)]
    fake.statuses = {1: [status(12, "success", "2026-11-01T12:05:00Z"), status(11, "in_progress",
                                                                               "2026-11-01T12:01:00Z")],
                     2: [status(21, "success", "2026-11-02T12:05:00Z")], 3: []}
    fake.runs = [run(n, f"2026-11-{n:02d}T12:00:00Z") for n in range(1, 4)]
    return fake


def _configure(root: Path, server: ReplayServer, repositories: str = "[acme/api]", page_size: int = 3) -> Path:
    return write_config(root, f"page_size: {page_size}\ngithub:\n  base_url: {server.url}\n"
                              f"  repositories: {repositories}\n")


def _pages(folder: str, count: int, run_id: str = RUN_ID) -> set[str]:
    return {f"github/acme/api/{folder}/{run_id}-{n:04d}.json" for n in range(1, count + 1)}


def test_every_body_lands_unmodified_in_the_landing_layout_and_loads(tmp_path, server, github):
    _configure(tmp_path, server)
    exports = tmp_path / "exports"

    [summary] = collect(config_of(tmp_path), exports, now=FIRST)

    files = landing_files(exports)
    # 7 pull requests at 3 a page: 3 pages; 5 commits: 2; 3 deployments: 1; 3 runs: 1 (7 listing pages), and
    # one file per child page: 7 commits lists (one of two pages) and 7 reviews lists, 3 status lists (18):
    # 25 files from 25 requests.
    assert set(files) == (
        _pages("pulls", 3) | _pages("commits", 2) | _pages("deployments", 1) | _pages("workflow_runs", 1)
        | {f"github/acme/api/{kind}/{n}.json" for kind in ("pull_commits", "pull_reviews") for n in range(1, 8)}
        | {"github/acme/api/pull_commits/7-2.json"}
        | {f"github/acme/api/deployment_statuses/{n}.json" for n in (1, 2, 3)}
    )
    assert_every_file_is_a_served_body(files, server.served)
    assert (summary.status, summary.stats.files, summary.stats.requests) == ("collected", 25, 25)

    warehouse = tmp_path / "w.duckdb"
    load_tool("github", exports, warehouse)
    assert query(warehouse, "SELECT count(*) FROM raw_github.pull_requests") == [(7,)]
    assert query(warehouse, "SELECT count(*) FROM raw_github.deployment_statuses") == [(3,)]
    assert query(warehouse, "SELECT count(*), count(DISTINCT pull_number) FROM raw_github.pull_request_reviews") \
        == [(7, 7)]
    # the second page of pull request 7's commits is read as pull request 7's: 1 + 3 commits
    assert query(warehouse, "SELECT pull_number, count(*) FROM raw_github.pull_request_commits GROUP BY 1 "
                            "HAVING count(*) > 1") == [(7, 4)]


def test_a_second_collection_asks_only_for_the_changed_window(tmp_path, server, github):
    _configure(tmp_path, server)
    exports = tmp_path / "exports"
    collect(config_of(tmp_path), exports, now=FIRST)
    first_files = landing_files(exports)
    server.seen.clear()

    # Changes after the first collection: PR 3 updated, PR 8 opened, a commit, a deployment, a run.
    github.pulls[2] = pull(3, "2026-12-03T10:00:00Z", title="PR 3, reworded")
    github.pulls.append(pull(8, "2026-12-04T10:00:00Z"))
    github.pull_commits[8] = [commit(f"c{8:039d}", "2026-12-04T09:00:00Z")]
    github.commits.append(commit(f"{6:040d}", "2026-12-04T11:00:00Z", (f"{5:040d}",)))
    github.deployments.append(deployment(4, "2026-12-04T12:00:00Z"))
    github.statuses[4] = [status(41, "success", "2026-12-04T12:05:00Z")]
    github.runs.append(run(4, "2026-12-04T12:00:00Z"))
    [summary] = collect(config_of(tmp_path), exports, now=datetime(2026, 12, 5, tzinfo=UTC))

    # The window starts at the first collection less the 24-hour overlap.
    since = "2026-11-30T00:00:00Z"
    assert [s.args for s in server.requests_to(r"/commits$") if "pulls" not in s.path] == \
        [{"since": since, "per_page": "3"}]
    assert [s.args["created"] for s in server.requests_to(r"/actions/runs$")] == [f">={since}"]
    # Newest first, the first page (8, 3, 7) already reaches past the window: one page, children of 8 and 3.
    assert len(server.requests_to(r"/pulls$")) == 1 and len(server.requests_to(r"/deployments$")) == 1
    assert {s.path for s in server.requests_to(r"/pulls/\d+/")} == {
        f"/repos/acme/api/pulls/{n}/{kind}" for n in (8, 3) for kind in ("commits", "reviews")}
    assert {s.path for s in server.requests_to(r"/statuses$")} == {"/repos/acme/api/deployments/4/statuses"}
    new_files = {path: body for path, body in landing_files(exports).items() if path not in first_files}
    second = "20261205T000000Z"
    assert set(new_files) == (
        _pages("pulls", 1, second) | _pages("commits", 1, second) | _pages("deployments", 1, second)
        | _pages("workflow_runs", 1, second) | {"github/acme/api/deployment_statuses/4.json"}
        | {f"github/acme/api/{kind}/8.json" for kind in ("pull_commits", "pull_reviews")}
    )
    assert summary.stats.requests == 9

    # The warehouse built from the two collections equals the one built from one full collection.
    full = tmp_path / "full"
    write_config(full, f"page_size: 3\ngithub:\n  base_url: {server.url}\n  repositories: [acme/api]\n")
    collect(config_of(full), full / "exports", now=datetime(2026, 12, 5, tzinfo=UTC))
    assert _staged(exports, tmp_path / "incremental.duckdb") == _staged(full / "exports", full / "w.duckdb")


def _staged(exports: Path, warehouse: Path) -> dict[str, list[tuple]]:
    """GitHub's staging models (dbt, the newest version of each record), without the lineage columns, which
    name the file and the load a row came from."""
    load_tool("github", exports, warehouse)
    dbt_build(warehouse.parent / f"dbt-{warehouse.stem}", warehouse, "path:models/staging/github")
    models = [name for (name,) in query(warehouse, "SELECT table_name FROM information_schema.tables WHERE "
                                        "table_name LIKE 'stg_github__%' ORDER BY 1")]
    assert len(models) == 8
    return {model: query(warehouse, f"SELECT * EXCLUDE (_source_file, _record_index, _dlt_load_id, _loaded_at) "
                                    f"FROM staging.{model} ORDER BY ALL") for model in models}


@pytest.mark.parametrize("fault", [
    Fault(lambda r: r.path.endswith("/pulls") and "page" not in r.args, status=429, headers={"Retry-After": "1"}),
    Fault(lambda r: r.path.endswith("/pulls") and "page" not in r.args, status=403,
          headers={"Retry-After": "1"}, body=b'{"message": "You have exceeded a secondary rate limit."}'),
    Fault(lambda r: r.path.endswith("/pulls") and "page" not in r.args, status=403,
          body=b'{"message": "You have exceeded a secondary rate limit. Please wait a few minutes."}'),
    Fault(lambda r: r.path.endswith("/pulls") and "page" not in r.args, status=502, times=2),
    Fault(lambda r: r.path.endswith("/pulls") and "page" not in r.args, drop=True,
          body=b'[{"id": 1, "number": 1, "title": "a body cut in the middle"}]' * 50),
], ids=["429-retry-after", "secondary-limit-retry-after", "secondary-limit-no-header", "502-twice",
        "connection-dropped"])
def test_a_fault_is_waited_out_and_the_page_lands_once(tmp_path, server, github, fault):
    _configure(tmp_path, server)
    server.fault(fault)
    exports = tmp_path / "exports"

    [summary] = collect(config_of(tmp_path), exports, now=FIRST)

    assert summary.status == "collected" and fault.times == 0
    first_page = [s for s in server.requests_to(r"/pulls$") if "page" not in s.args]
    assert len(first_page) == (3 if fault.status == 502 and not fault.drop else 2)
    files = landing_files(exports)
    assert len([path for path in files if "/pulls/" in path]) == 3
    assert_every_file_is_a_served_body(files, server.served)


def test_an_exhausted_primary_limit_waits_for_its_reset(tmp_path, server, github):
    import time

    _configure(tmp_path, server)
    reset = str(int(time.time()) + 1)
    server.fault(Fault(lambda r: r.path.endswith("/commits") and "pulls" not in r.path, status=403,
                       headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset},
                       body=b'{"message": "API rate limit exceeded"}'))

    [summary] = collect(config_of(tmp_path), tmp_path / "exports", now=FIRST)

    assert summary.status == "collected" and summary.stats.rate_limit_waits == 1
    retried = [s for s in server.seen if s.path == "/repos/acme/api/commits"]
    assert len(retried) == 3  # refused, then pages 1 and 2


def test_a_missing_repository_is_named_once_and_the_others_are_collected(tmp_path, server, github):
    _configure(tmp_path, server, repositories="[acme/gone, acme/api]")

    [summary] = collect(config_of(tmp_path), tmp_path / "exports", now=FIRST)

    assert summary.status == "partly collected" and summary.scopes == 1
    assert summary.stats.errors == [
        (f"github acme/gone: HTTP 404 from {server.url}/repos/acme/gone/pulls: not found: check the base URL and "
        "that the scope (repository, project, job) exists and is visible to the credential")]
    assert len(server.requests_to("/repos/acme/gone/")) == 1
    assert {path.split("/")[2] for path in landing_files(tmp_path / "exports")} == {"api"}


def test_a_refused_token_stops_the_tool_with_what_to_check(tmp_path, server, github, monkeypatch):
    _configure(tmp_path, server, repositories="[acme/api, acme/web]")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_wrong")

    [summary] = collect(config_of(tmp_path), tmp_path / "exports", now=FIRST)

    assert summary.status == "failed"
    assert summary.stats.errors == [(f"github acme/api: HTTP 401 from {server.url}/repos/acme/api/pulls: the "
                                    "credential was refused: check that the token is valid and not expired")]
    assert len(server.seen) == 1 and landing_files(tmp_path / "exports") == {}


def test_a_killed_collection_resumes_where_it_stopped(tmp_path, server, github):
    """A real `delivery collect` process is killed (SIGKILL) while it waits for the second page of pull
    requests; the next collection asks for that page and goes on, in the same window and file names."""
    config = _configure(tmp_path, server)
    exports = tmp_path / "exports"
    reached, release = threading.Event(), threading.Event()

    def hold(request) -> bool:
        if request.path.endswith("/pulls") and request.args.get("page") == "2":
            reached.set()
            release.wait(60)
        return False

    server.fault(Fault(hold, times=1))
    # The folder alone: a setting an earlier test of this process exported (the landing folder) is dropped.
    env = {name: value for name, value in os.environ.items()
           if name not in {s.environment_variable for s in SETTINGS}} | {"DELIVERY_CONFIG_DIR": str(config)}
    process = subprocess.Popen([str(Path(sys.executable).with_name("delivery")), "collect", "github"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert reached.wait(HANG_SECONDS), process.communicate(timeout=5)[0]
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        release.set()
    first = landing_files(exports)
    assert set(first) == {next(iter(first))} and "/pulls/" in next(iter(first))  # page 1 only
    server.seen.clear()
    served_before = dict(server.served)

    [summary] = collect(config_of(tmp_path), exports, now=datetime(2026, 12, 2, tzinfo=UTC))

    assert summary.status == "collected"
    pulls = [s.args.get("page") for s in server.requests_to(r"/pulls$")]
    assert pulls == ["2", "3"]  # page 1 is not asked again
    files = landing_files(exports)
    run_id = next(iter(first)).rsplit("/", 1)[1].split("-")[0]
    assert {p for p in files if "/pulls/" in p} == {f"github/acme/api/pulls/{run_id}-{n:04d}.json" for n in (1, 2, 3)}
    assert not [p for p in exports.rglob("*") if p.name.endswith(".partial")]
    assert len(files) == 25
    # The page of the killed run's URI was served twice (held, then again): the landed one is the last.
    assert_every_file_is_a_served_body(files, {**served_before, **server.served})
    assert json.loads(state_path(exports, "github").read_text())["running"] == {}


def test_a_sign_in_page_answered_for_json_stops_the_scope_and_lands_nothing(tmp_path, server, github):
    """A proxy answering 200 with its HTML sign-in page: the repository stops with what to check, no file
    lands for it, and the next collection resumes at that page."""
    _configure(tmp_path, server)
    server.fault(Fault(lambda r: r.path.endswith("/pulls") and r.args.get("page") == "2", status=200,
                       body=b"<html><body>Sign in to continue</body></html>"))
    exports = tmp_path / "exports"

    [summary] = collect(config_of(tmp_path), exports, now=FIRST)

    assert summary.status == "failed"
    assert summary.stats.errors == [
        ("github acme/api: /repos/acme/api/pulls answered with a body that is not JSON: check base_url "
        "(a proxy or sign-in page?)")]
    assert set(landing_files(exports)) == _pages("pulls", 1)

    [summary] = collect(config_of(tmp_path), exports, now=datetime(2026, 12, 2, tzinfo=UTC))
    assert summary.status == "collected" and len(landing_files(exports)) == 25
