"""`delivery collect jenkins` against a Jenkins controller on the replay server: one request per job unless
every build of a body is inside the window; the landing files are the bodies served, byte for byte; the
loader reads them. And a GitLab whose token is refused fails alone while Jenkins completes."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from pytest_httpserver import HTTPServer

from ingestion.collect.runner import collect
from ingestion.pipelines import load_tool
from tests.collect.fake_gitlab import FakeGitLab
from tests.collect.fake_jenkins import FakeJenkins, build
from tests.collect.replay import Fault, ReplayServer
from tests.collect.test_gitlab_collect import PROJECT, landed, write_config
from tests.conftest import query

USER, TOKEN = "ci-reader", "11aa-not-a-real-jenkins-token"
BASIC = "Basic " + base64.b64encode(f"{USER}:{TOKEN}".encode()).decode()
FIRST = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
SECOND = datetime(2026, 3, 12, 12, 0, tzinfo=UTC)
RUN1, RUN2 = "20260310T120000Z", "20260312T120000Z"
FIELDS = ("number,id,url,result,building,timestamp,duration,estimatedDuration,displayName,"
          "actions[parameters[name,value],lastBuiltRevision[SHA1,branch[name]],remoteUrls]")
DEPLOY, BUILD = "payments/checkout-deploy", "checkout-build"


def ms(day: int, hour: int = 12) -> int:
    return int(datetime(2026, 3, day, hour, tzinfo=UTC).timestamp() * 1000)


@pytest.fixture
def server(httpserver) -> ReplayServer:
    replay = ReplayServer(httpserver)
    replay.required_headers = {"Authorization": BASIC}
    return replay


@pytest.fixture
def jenkins(server: ReplayServer) -> FakeJenkins:
    fake = FakeJenkins(server)
    fake.jobs[BUILD] = [build(117, ms(2)), build(118, ms(4), result="UNSTABLE")]
    # Five deploys in the window (history_days 30 before FIRST: from 8 February); #45 still running.
    fake.jobs[DEPLOY] = [build(41, ms(2)), build(42, ms(3), result="FAILURE"), build(43, ms(5)),
                         build(44, ms(7), environment="staging"), build(45, ms(10, 11), result=None)]
    fake.folders.add("payments")
    return fake


def jenkins_section(server: ReplayServer, jobs: str, controller: str = "ci.acme.example") -> str:
    named = f"  controller: {controller}\n" if controller else ""
    return f"jenkins:\n  base_url: {server.url}\n  jobs: {jobs}\n{named}  builds_per_request: 3\n"


def tree(start: int) -> str:
    return f"allBuilds[{FIELDS}]{{{start},{start + 3}}}"


def test_builds_of_each_job_land_as_served_and_a_second_collection_asks_once_per_job(
        tmp_path, server, jenkins, monkeypatch):
    config = write_config(tmp_path, jenkins_section(server, f"[{BUILD}, {DEPLOY}]"), monkeypatch,
                          JENKINS_USER=USER, JENKINS_API_TOKEN=TOKEN)
    exports = tmp_path / "exports"

    [summary] = collect(config, exports, ["jenkins"], now=FIRST)

    assert summary.status == "collected", summary.stats.errors
    # checkout-build: two builds, fewer than the three asked for: one request. checkout-deploy: #45, #44,
    # #43 all started inside the window, so the next range is asked: #42, #41, and no more.
    assert [(seen.path, seen.args) for seen in server.seen] == [
        (f"/job/{BUILD}/api/json", {"tree": tree(0)}),
        ("/job/payments/job/checkout-deploy/api/json", {"tree": tree(0)}),
        ("/job/payments/job/checkout-deploy/api/json", {"tree": tree(3)}),
    ]
    files = {
        f"jenkins/ci.acme.example/{BUILD}/builds-{RUN1}.json": f"/job/{BUILD}/api/json",
        f"jenkins/ci.acme.example/{DEPLOY}/builds-{RUN1}.json": "/job/payments/job/checkout-deploy/api/json",
        f"jenkins/ci.acme.example/{DEPLOY}/builds-{RUN1}-2.json": "/job/payments/job/checkout-deploy/api/json",
    }
    assert landed(exports) == set(files)
    served = list(server.served.items())
    for (name, path), (uri, body) in zip(files.items(), served, strict=True):
        assert uri.startswith(f"{path}?tree=")
        assert (exports / name).read_bytes() == body, name

    # #45 finishes and #46 starts: the next collection (window from 9 March 12:00) asks each job once:
    # the oldest of #46, #45, #44 started on 7 March, before the window.
    jenkins.jobs[DEPLOY][-1] = build(45, ms(10, 11))
    jenkins.jobs[DEPLOY].append(build(46, ms(11), result=None))
    seen = len(server.seen)

    [summary] = collect(config, exports, ["jenkins"], now=SECOND)

    assert summary.status == "collected", summary.stats.errors
    assert [(s.path, s.args) for s in server.seen[seen:]] == [
        (f"/job/{BUILD}/api/json", {"tree": tree(0)}),
        ("/job/payments/job/checkout-deploy/api/json", {"tree": tree(0)}),
    ]
    assert landed(exports) - set(files) == {f"jenkins/ci.acme.example/{BUILD}/builds-{RUN2}.json",
                                            f"jenkins/ci.acme.example/{DEPLOY}/builds-{RUN2}.json"}
    # The same URIs as the first requests of the first collection: served anew, with the changed builds.
    for job, (uri, _) in zip((BUILD, DEPLOY), served[:2], strict=True):
        assert (exports / f"jenkins/ci.acme.example/{job}/builds-{RUN2}.json").read_bytes() == server.served[uri]

    warehouse = tmp_path / "w.duckdb"
    load_tool("jenkins", exports, warehouse)
    assert query(warehouse, "SELECT count(*) FROM raw_jenkins.quarantine") == [(0,)]
    # Neither the landing folder, the collection state beside it nor the warehouse holds a credential.
    secrets = (TOKEN.encode(), BASIC.split()[1].encode())
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and any(s in p.read_bytes() for s in secrets)]
    # Every build once per version: #45 running in the first collection, finished in the second; the
    # second collection's #44 repeats the first's and adds nothing.
    assert query(warehouse, "SELECT controller, job_path, build_number, is_building, result "
                            "FROM raw_jenkins.builds ORDER BY job_path, build_number, is_building") == [
        ("ci.acme.example", BUILD, 117, False, "SUCCESS"),
        ("ci.acme.example", BUILD, 118, False, "UNSTABLE"),
        ("ci.acme.example", DEPLOY, 41, False, "SUCCESS"),
        ("ci.acme.example", DEPLOY, 42, False, "FAILURE"),
        ("ci.acme.example", DEPLOY, 43, False, "SUCCESS"),
        ("ci.acme.example", DEPLOY, 44, False, "SUCCESS"),
        ("ci.acme.example", DEPLOY, 45, False, "SUCCESS"),
        ("ci.acme.example", DEPLOY, 45, True, None),
        ("ci.acme.example", DEPLOY, 46, True, None),
    ]
    assert query(warehouse, "SELECT parameters FROM raw_jenkins.builds WHERE build_number = 44") == [
        ('{"ENVIRONMENT":"staging"}',)]


def test_a_missing_job_fails_alone_and_a_folder_named_as_a_job_is_quarantined(tmp_path, server, jenkins,
                                                                                monkeypatch):
    config = write_config(tmp_path, jenkins_section(server, f"[payments/gone, {BUILD}, payments]", controller=""),
                          monkeypatch, JENKINS_USER=USER, JENKINS_API_TOKEN=TOKEN)
    exports = tmp_path / "exports"

    [summary] = collect(config, exports, ["jenkins"], now=FIRST)

    assert summary.status == "partly collected"
    assert summary.stats.errors == [
        (f"jenkins payments/gone: HTTP 404 from {server.url}/job/payments/job/gone/api/json: not found: check "
         "the base URL and that the scope (repository, project, job) exists and is visible to the credential")]
    # Without `controller`, the landing folder is named after the base URL's host.
    host = server.url.split("//")[1].split(":")[0]
    assert landed(exports) == {f"jenkins/{host}/{BUILD}/builds-{RUN1}.json",
                               f"jenkins/{host}/payments/builds-{RUN1}.json"}
    # The folder's body, `{"_class": "…Folder"}`, has no builds: the loader quarantines it, naming the file.
    warehouse = tmp_path / "w.duckdb"
    load_tool("jenkins", exports, warehouse)
    [(source, reason)] = query(warehouse, "SELECT source_file, reason FROM raw_jenkins.quarantine")
    assert source == f"jenkins/{host}/payments/builds-{RUN1}.json", reason
    assert query(warehouse, "SELECT job_path, build_number FROM raw_jenkins.builds ORDER BY ALL") == [
        (BUILD, 117), (BUILD, 118)]


def test_a_collection_cut_off_between_ranges_resumes_at_the_range_it_lost(tmp_path, server, jenkins,
                                                                         monkeypatch):
    server.fault(Fault(lambda r: r.args.get("tree") == tree(3), status=503, times=100))
    config = write_config(tmp_path, jenkins_section(server, f"[{DEPLOY}]"), monkeypatch,
                          JENKINS_USER=USER, JENKINS_API_TOKEN=TOKEN)
    exports = tmp_path / "exports"

    [summary] = collect(config, exports, ["jenkins"], now=FIRST)

    assert summary.status == "failed"
    assert landed(exports) == {f"jenkins/ci.acme.example/{DEPLOY}/builds-{RUN1}.json"}
    server.faults.clear()
    seen = len(server.seen)

    [summary] = collect(config, exports, ["jenkins"], now=SECOND)

    # The interrupted run goes on: the range it lost, under its own run id, and then no further range.
    assert summary.status == "collected", summary.stats.errors
    assert [(s.path, s.args) for s in server.seen[seen:]] == [
        ("/job/payments/job/checkout-deploy/api/json", {"tree": tree(3)})]
    assert landed(exports) == {f"jenkins/ci.acme.example/{DEPLOY}/builds-{RUN1}.json",
                               f"jenkins/ci.acme.example/{DEPLOY}/builds-{RUN1}-2.json"}
    second = server.served[f"/job/payments/job/checkout-deploy/api/json?{urlencode({'tree': tree(3)})}"]
    assert (exports / f"jenkins/ci.acme.example/{DEPLOY}/builds-{RUN1}-2.json").read_bytes() == second


@pytest.fixture
def jenkins_server():
    """A second controller on a server of its own: the GitLab server refuses every other credential."""
    second = HTTPServer(host="127.0.0.1", port=0)
    second.start()
    yield ReplayServer(second)
    second.clear()
    second.stop()


def test_a_refused_gitlab_token_fails_gitlab_once_while_jenkins_completes(tmp_path, httpserver, jenkins_server,
                                                                          monkeypatch):
    gitlab_server = ReplayServer(httpserver)
    gitlab_server.required_headers = {"PRIVATE-TOKEN": "the-right-token"}
    gitlab = FakeGitLab(gitlab_server)
    gitlab.add_project(PROJECT)
    gitlab.add_project("acme/search/search-api")
    jenkins_server.required_headers = {"Authorization": BASIC}
    FakeJenkins(jenkins_server).jobs[BUILD] = [build(118, ms(4))]
    section = (f"gitlab:\n  base_url: {gitlab.base_url}\n  projects: [{PROJECT}, acme/search/search-api]\n"
               + jenkins_section(jenkins_server, f"[{BUILD}]"))
    config = write_config(tmp_path, section, monkeypatch, GITLAB_TOKEN="glpat-expired",
                          JENKINS_USER=USER, JENKINS_API_TOKEN=TOKEN)
    exports = tmp_path / "exports"

    gitlab_summary, jenkins_summary = collect(config, exports, ["gitlab", "jenkins"], now=FIRST)

    assert (gitlab_summary.status, jenkins_summary.status) == ("failed", "collected")
    # Named once: the refused credential stops GitLab before its second project.
    assert gitlab_summary.stats.errors == [
        (f"gitlab {PROJECT}: HTTP 401 from {gitlab.base_url}/projects/acme%2Fplatform%2Fcheckout: the credential "
        "was refused: check that the token is valid and not expired")]
    assert len(gitlab_server.seen) == 1
    assert landed(exports) == {f"jenkins/ci.acme.example/{BUILD}/builds-{RUN1}.json"}
    assert "glpat-expired" not in repr(config) + "".join(gitlab_summary.stats.errors)
