"""Benchmark: `delivery collect` against a local replay server serving the demo organisation's records.

    python bench/collect.py              # size S (or M, or a scale factor: --size)
    python bench/collect.py --work DIR   # keep the scratch folder (demo exports, landing folder, config)

1. Writes the demo organisation's exports at that size (a scratch folder) and loads every record of every
   tool into the tests' fake APIs (tests/collect/fake_*.py), on one real HTTP server on 127.0.0.1
   (pytest-httpserver, started outside pytest). The fakes page, filter and sort as the APIs do.
2. **Collects** each tool in turn with `ingestion.collect.runner.collect` (page size 100, the history
   reaching the oldest record): requests, pages, files, wall time, requests/s and pages/s, and the
   requests against the **minimum** the API needs for those records (`minimum_*` below, from the data).
3. **Baseline, same run:** the same requests (the same URLs and bodies, as the server saw them) issued by a
   plain `requests.Session` loop, nothing written: the collector's cost is collector time / raw time.
4. **Incremental:** the newest 5 % of each list's records (by the time the API filters or sorts on) are
   moved after the first collection, and a second collection two days later is counted against the
   minimum for those changed records.

Figures are printed and written as JSON to bench/results/collect-<size>.json.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import math
import os
import platform
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests
from pytest_httpserver import HTTPServer
from rich.console import Console

from ingestion.collect.config import load_collect_config
from ingestion.collect.runner import collect
from tests.collect.fake_azure_devops import FakeAzureDevOps
from tests.collect.fake_github import FakeGitHub
from tests.collect.fake_gitlab import FakeGitLab
from tests.collect.fake_jenkins import FakeJenkins
from tests.collect.fake_jira import FakeJira
from tests.collect.fake_opsgenie import FakeOpsgenie
from tests.collect.fake_pagerduty import FakePagerDuty
from tests.collect.replay import ReplayServer

PAGE_SIZE = 100
CHANGED_SHARE = 0.05
OVERLAP_HOURS = 24.0
JIRA_INLINE_HISTORIES = 40
AZURE_WIQL_MAX_ITEMS = 20_000
JENKINS_BUILDS_PER_REQUEST = 500  # the collector's default `builds_per_request`
CREDENTIALS = {
    "GITHUB_TOKEN": "bench-github", "JIRA_USER": "bench@acme.example", "JIRA_API_TOKEN": "bench-jira",
    "PAGERDUTY_TOKEN": "bench-pagerduty", "GITLAB_TOKEN": "bench-gitlab", "AZURE_DEVOPS_PAT": "bench-ado",
    "JENKINS_USER": "bench", "JENKINS_API_TOKEN": "bench-jenkins", "OPSGENIE_API_KEY": "bench-opsgenie",
}


# Times as the APIs write them --------------------------------------------------------------------------

_TIME = re.compile(r"^(?P<base>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?P<fraction>\.\d+)?(?P<zone>Z|[+-]\d\d:?\d\d)$")


def parse_time(text: str) -> datetime:
    match = _TIME.match(text)
    fraction = (match["fraction"] or "")[:7]
    zone = "+00:00" if match["zone"] == "Z" else match["zone"][:3] + ":" + match["zone"][-2:]
    return datetime.fromisoformat(match["base"] + fraction + zone).astimezone(UTC)


def format_like(original: str, moment: datetime) -> str:
    """`moment` in the format of `original` (same fractional digits, same zone suffix, in UTC)."""
    match = _TIME.match(original)
    text = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if match["fraction"]:
        digits = len(match["fraction"]) - 1
        text += "." + f"{moment.microsecond:06d}{'0' * max(digits - 6, 0)}"[:digits]
    return text + ("Z" if match["zone"] == "Z" else "+0000")


@dataclass
class Stream:
    """A list of records the fake serves, and the time the API filters or sorts it on."""

    name: str
    records: list[dict]
    get: Callable[[dict], datetime]
    put: Callable[[dict, datetime], None]

    def inside(self, since: datetime) -> list[dict]:
        return [record for record in self.records if self.get(record) >= since]


def iso_field(*path: str) -> tuple[Callable, Callable]:
    def get(record: dict) -> datetime:
        for key in path:
            record = record[key]
        return parse_time(record)

    def put(record: dict, moment: datetime) -> None:
        for key in path[:-1]:
            record = record[key]
        record[path[-1]] = format_like(record[path[-1]], moment)

    return get, put


def epoch_ms_field(key: str) -> tuple[Callable, Callable]:
    return (lambda record: datetime.fromtimestamp(record[key] / 1000, UTC),
            lambda record, moment: record.__setitem__(key, int(moment.timestamp() * 1000)))


# Demo exports read back ------------------------------------------------------------------------------------


def read_records(path: Path, key: str | None = None) -> list[dict]:
    body = json.loads(path.read_bytes())
    return body if key is None else body[key]


def merged(files: Iterable[Path], identity: Callable[[dict], object], key: str | None = None) -> list[dict]:
    """Every record of the files, the later file's version winning (`page-update-*` sorts after `page-*`)."""
    records: dict = {}
    for path in sorted(files):
        for record in read_records(path, key):
            records[identity(record)] = record
    return list(records.values())


def by_stem(folder: Path, key: str | None = None) -> dict[str, list[dict]]:
    """A child list per parent: `<id>.json`, then `<id>-2.json`…"""
    children: dict[str, list[dict]] = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        children.setdefault(path.stem.split("-")[0], []).extend(read_records(path, key))
    return children


def pages(records: int, size: int = PAGE_SIZE) -> int:
    """Requests for a list the API filters: one at least, then one per full page."""
    return max(1, math.ceil(records / size))


def pages_to_boundary(inside: int, total: int, size: int = PAGE_SIZE) -> int:
    """Requests for a list sorted newest first that the API cannot filter by time: the pages up to the first
    record outside the window (none is outside when every record is inside)."""
    return pages(inside, size) if inside >= total else inside // size + 1


def pages_without_total(records: int, size: int = PAGE_SIZE) -> int:
    """Requests for `$top`/`$skip` paging without a total: a full last page needs an empty one after it."""
    return records // size + 1


# One tool each: its fake loaded with the demo's records, its collect.yaml section, its minimum -------------


class Tool:
    name: str
    streams: list[Stream]

    def section(self, server: ReplayServer) -> str:
        raise NotImplementedError

    def minimum(self, since: datetime) -> int:
        raise NotImplementedError

    def child_records(self) -> int:
        """Records of the child lists (a pull request's commits…), which the streams do not hold."""
        return 0


class GitHub(Tool):
    name = "github"

    def __init__(self, server: ReplayServer, exports: Path) -> None:
        self.fakes: list[FakeGitHub] = []
        self.streams = []
        for repo_dir in sorted(p for p in (exports / "github").glob("*/*") if p.is_dir()):
            fake = FakeGitHub(server, f"{repo_dir.parent.name}/{repo_dir.name}")
            fake.pulls = merged(repo_dir.glob("pulls/*.json"), lambda r: r["number"])
            fake.pull_commits = {int(k): v for k, v in by_stem(repo_dir / "pull_commits").items()}
            fake.pull_reviews = {int(k): v for k, v in by_stem(repo_dir / "pull_reviews").items()}
            fake.commits = merged(repo_dir.glob("commits/*.json"), lambda r: r["sha"])
            fake.deployments = merged(repo_dir.glob("deployments/*.json"), lambda r: r["id"])
            fake.statuses = {int(k): v for k, v in by_stem(repo_dir / "deployment_statuses").items()}
            fake.runs = merged(repo_dir.glob("workflow_runs/*.json"), lambda r: r["id"], "workflow_runs")
            self.fakes.append(fake)
            self.streams += [Stream(f"{fake.repository} pulls", fake.pulls, *iso_field("updated_at")),
                             Stream(f"{fake.repository} commits", fake.commits,
                                    *iso_field("commit", "committer", "date")),
                             Stream(f"{fake.repository} deployments", fake.deployments, *iso_field("created_at")),
                             Stream(f"{fake.repository} runs", fake.runs, *iso_field("created_at"))]

    def section(self, server: ReplayServer) -> str:
        repositories = ", ".join(fake.repository for fake in self.fakes)
        return f"github:\n  base_url: {server.url}\n  repositories: [{repositories}]\n"

    def child_records(self) -> int:
        return sum(len(records) for fake in self.fakes
                   for children in (fake.pull_commits, fake.pull_reviews, fake.statuses)
                   for records in children.values())

    def minimum(self, since: datetime) -> int:
        # Per repository: pull requests (newest updated first, no time filter: up to the first one outside
        # the window) + per pull request in the window one commits list and one reviews list (more when
        # over 100); commits `since`; deployments (newest first, no filter) + one statuses list per
        # deployment in the window; workflow runs `created>=`.
        total = 0
        for fake, (pulls, commits, deployments, runs) in zip(self.fakes, _fours(self.streams), strict=True):
            inside = pulls.inside(since)
            total += pages_to_boundary(len(inside), len(pulls.records))
            total += sum(pages(len(fake.pull_commits.get(p["number"], [])))
                         + pages(len(fake.pull_reviews.get(p["number"], []))) for p in inside)
            total += pages(len(commits.inside(since)))
            shipped = deployments.inside(since)
            total += pages_to_boundary(len(shipped), len(deployments.records))
            total += sum(pages(len(fake.statuses.get(d["id"], []))) for d in shipped)
            total += pages(len(runs.inside(since)))
        return total


def _fours(streams: list[Stream]):
    return [streams[i:i + 4] for i in range(0, len(streams), 4)]


class Jira(Tool):
    name = "jira"

    def __init__(self, server: ReplayServer, exports: Path) -> None:
        # The account reads JQL in UTC, so the window's start needs no margin.
        self.fake = FakeJira(server, time_zone="UTC")
        changelogs = {folder.name: [h for path in sorted(folder.glob("*.json")) for h in read_records(path, "values")]
                      for folder in (exports / "jira/changelogs").glob("*") if folder.is_dir()}
        for issue in merged((exports / "jira/issues").glob("*.json"), lambda r: r["key"], "issues"):
            histories = changelogs.get(issue["key"]) or issue["changelog"]["histories"]
            issue["changelog"] = {"histories": histories}
            self.fake.issues.append(issue)
        self.streams = [Stream("issues", self.fake.issues, *iso_field("fields", "updated"))]

    def section(self, server: ReplayServer) -> str:
        projects = sorted({issue["key"].split("-")[0] for issue in self.fake.issues})
        return f"jira:\n  base_url: {server.url}\n  projects: [{', '.join(projects)}]\n"

    def child_records(self) -> int:
        # The histories beyond the 40 each issue carries inline (the changelog requests').
        return sum(max(len(i["changelog"]["histories"]) - JIRA_INLINE_HISTORIES, 0) for i in self.fake.issues)

    def minimum(self, since: datetime) -> int:
        # The account's time zone (/myself) + the search in pages of 100 + per issue with more than the
        # 40 histories the search carries inline, its changelog in pages of 100.
        inside = self.streams[0].inside(since)
        longer = [len(i["changelog"]["histories"]) for i in inside
                  if len(i["changelog"]["histories"]) > JIRA_INLINE_HISTORIES]
        return 1 + pages(len(inside)) + sum(pages(histories) for histories in longer)


class PagerDuty(Tool):
    name = "pagerduty"

    def __init__(self, server: ReplayServer, exports: Path) -> None:
        self.fake = FakePagerDuty(server)
        self.fake.incidents = merged((exports / "pagerduty/incidents").glob("*.json"), lambda r: r["id"], "incidents")
        self.streams = [Stream("incidents", self.fake.incidents, *iso_field("created_at"))]

    def section(self, server: ReplayServer) -> str:
        return f"pagerduty:\n  base_url: {server.url}\n"

    def minimum(self, since: datetime) -> int:
        # The incidents created in the window, in pages of 100 (`more` says when to stop).
        return pages(len(self.streams[0].inside(since)))


class GitLab(Tool):
    name = "gitlab"

    def __init__(self, server: ReplayServer, exports: Path) -> None:
        self.fake = FakeGitLab(server)
        self.streams = []
        root = exports / "gitlab"
        for mr_dir in sorted(root.glob("**/merge_requests")):
            project_dir = mr_dir.parent
            path = project_dir.relative_to(root).as_posix()
            self.fake.add_project(path)
            self.fake.merge_requests[path] = merged(mr_dir.glob("*.json"), lambda r: r["id"])
            for iid, records in by_stem(project_dir / "merge_request_commits").items():
                self.fake.mr_commits[(path, int(iid))] = records
            for iid, records in by_stem(project_dir / "merge_request_notes").items():
                self.fake.mr_notes[(path, int(iid))] = records
            self.fake.commits[path] = merged(project_dir.glob("commits/*.json"), lambda r: r["id"])
            self.fake.pipelines[path] = merged(project_dir.glob("pipelines/*.json"), lambda r: r["id"])
            self.fake.deployments[path] = merged(project_dir.glob("deployments/*.json"), lambda r: r["id"])
            self.streams += [Stream(f"{path} merge requests", self.fake.merge_requests[path], *iso_field("updated_at")),
                             Stream(f"{path} commits", self.fake.commits[path], *iso_field("committed_date")),
                             Stream(f"{path} pipelines", self.fake.pipelines[path], *iso_field("updated_at")),
                             Stream(f"{path} deployments", self.fake.deployments[path], *iso_field("updated_at"))]

    def section(self, server: ReplayServer) -> str:
        return f"gitlab:\n  base_url: {self.fake.base_url}\n  projects: [{', '.join(self.fake.projects)}]\n"

    def child_records(self) -> int:
        return sum(len(records) for children in (self.fake.mr_commits, self.fake.mr_notes)
                   for records in children.values())

    def minimum(self, since: datetime) -> int:
        # Per project: its settings (default branch, features) + merge requests `updated_after` + per merge
        # request in the window its commits and notes + commits `since` + pipelines and deployments
        # `updated_after`.
        total = 0
        for path, (mrs, commits, pipelines, deployments) in zip(self.fake.projects, _fours(self.streams),
                                                                 strict=True):
            inside = mrs.inside(since)
            total += 1 + pages(len(inside))
            total += sum(pages(len(self.fake.mr_commits.get((path, mr["iid"]), [])))
                         + pages(len(self.fake.mr_notes.get((path, mr["iid"]), []))) for mr in inside)
            total += sum(pages(len(stream.inside(since))) for stream in (commits, pipelines, deployments))
        return total


class AzureDevOps(Tool):
    name = "azure_devops"

    def __init__(self, server: ReplayServer, exports: Path) -> None:
        project_dirs = sorted(p for p in (exports / "azure_devops").glob("*/*") if p.is_dir())
        # The fake serves one organization's one project (the demo at S has one: acme/Billing).
        project_dir = project_dirs[0]
        self.organization, self.project = project_dir.parent.name, project_dir.name
        fake = self.fake = FakeAzureDevOps(server, prefix=f"/{self.organization}")
        fake.projects = [self.project]
        fake.work_items = {w["id"]: w for w in merged(project_dir.glob("work_items/*.json"), lambda r: r["id"], "value")}
        fake.updates = {int(k): v for k, v in by_stem(project_dir / "work_item_updates", "value").items()}
        fake.pulls = merged(project_dir.glob("pull_requests/*.json"), lambda r: r["pullRequestId"], "value")
        fake.repositories = list({p["repository"]["id"]: {"id": p["repository"]["id"], "name": p["repository"]["name"]}
                                  for p in fake.pulls}.values())
        fake.commits = {int(k): v for k, v in by_stem(project_dir / "pull_request_commits", "value").items()}
        fake.builds = merged(project_dir.glob("builds/*.json"), lambda r: r["id"], "value")
        for env_dir in sorted((project_dir / "environment_deployments").glob("*")):
            records = merged(env_dir.glob("*.json"), lambda r: r["id"], "value")
            fake.environments.append({"id": records[0]["environmentId"], "name": env_dir.name})
            fake.records[records[0]["environmentId"]] = records
        self.streams = [Stream("work items", list(fake.work_items.values()), *iso_field("fields", "System.ChangedDate")),
                        Stream("closed pull requests", [p for p in fake.pulls if p.get("closedDate")],
                               *iso_field("closedDate")),
                        Stream("builds", fake.builds, *iso_field("queueTime"))]
        self.streams += [Stream(f"{env['name']} deployments", fake.records[env["id"]], *iso_field("queueTime"))
                         for env in fake.environments]

    def section(self, server: ReplayServer) -> str:
        return (f"azure_devops:\n  base_url: {server.url}\n  organization: {self.organization}\n"
                f"  projects: [{self.project}]\n")

    def child_records(self) -> int:
        return sum(len(records) for children in (self.fake.updates, self.fake.commits)
                   for records in children.values())

    def minimum(self, since: datetime) -> int:
        # One WIQL query (it answers up to 20,000 ids) + the items in batches of 100 + per item its updates
        # ($top/$skip, no total) + the repositories + per repository the active pull requests (the API
        # cannot filter them by time) and those closed in the window ($top/$skip) + per pull request its
        # commits + builds `minTime` + the environments + per environment its deployment records (newest
        # first, no filter).
        fake = self.fake
        items, closed, builds, *environments = self.streams
        changed = items.inside(since)
        total = math.ceil(max(len(changed), 1) / AZURE_WIQL_MAX_ITEMS) + math.ceil(len(changed) / PAGE_SIZE)
        total += sum(pages_without_total(len(fake.updates.get(item["id"], []))) for item in changed)
        total += 1
        for repository in fake.repositories:
            active = [p for p in fake.pulls if p["repository"]["id"] == repository["id"] and p["status"] == "active"]
            closed_inside = [p for p in closed.inside(since) if p["repository"]["id"] == repository["id"]]
            total += pages_without_total(len(active)) + pages_without_total(len(closed_inside))
            total += sum(pages(len(fake.commits.get(p["pullRequestId"], []))) for p in active + closed_inside)
        total += pages(len(builds.inside(since)))
        total += 1 + sum(pages_to_boundary(len(env.inside(since)), len(env.records)) for env in environments)
        return total


class Jenkins(Tool):
    name = "jenkins"

    def __init__(self, server: ReplayServer, exports: Path) -> None:
        self.fake = FakeJenkins(server)
        self.streams = []
        controller_dir = next(p for p in (exports / "jenkins").glob("*") if p.is_dir())
        self.controller = controller_dir.name
        for job_dir in sorted({path.parent for path in controller_dir.glob("**/builds*.json")}):
            job = job_dir.relative_to(controller_dir).as_posix()
            self.fake.jobs[job] = merged(job_dir.glob("builds*.json"), lambda r: r["number"], "builds")
            self.streams.append(Stream(job, self.fake.jobs[job], *epoch_ms_field("timestamp")))

    def section(self, server: ReplayServer) -> str:
        return (f"jenkins:\n  base_url: {server.url}\n  controller: {self.controller}\n"
                f"  jobs: [{', '.join(self.fake.jobs)}]\n")

    def minimum(self, since: datetime) -> int:
        # Per job: its builds newest first (no time filter), 500 a request, up to the first one outside
        # the window.
        return sum(pages_to_boundary(len(job.inside(since)), len(job.records), JENKINS_BUILDS_PER_REQUEST)
                   for job in self.streams)


class Opsgenie(Tool):
    name = "opsgenie"

    def __init__(self, server: ReplayServer, exports: Path) -> None:
        self.fake = FakeOpsgenie(server)
        self.fake.alerts = merged((exports / "opsgenie/alerts").glob("*.json"), lambda r: r["id"], "data")
        self.fake.incidents = merged((exports / "opsgenie/incidents").glob("*.json"), lambda r: r["id"], "data")
        self.streams = [Stream("alerts", self.fake.alerts, *iso_field("updatedAt")),
                        Stream("incidents", self.fake.incidents, *iso_field("updatedAt"))]

    def section(self, server: ReplayServer) -> str:
        return f"opsgenie:\n  base_url: {server.url}\n"

    def minimum(self, since: datetime) -> int:
        # Alerts and incidents updated in the window, in pages of 100 each.
        return sum(pages(len(stream.inside(since))) for stream in self.streams)


TOOLS = (GitHub, Jira, PagerDuty, GitLab, AzureDevOps, Jenkins, Opsgenie)


# The server -------------------------------------------------------------------------------------------------


class RecordingServer(ReplayServer):
    """The replay server, also keeping each request as sent (raw path and query, body), to replay it."""

    def __init__(self, httpserver: HTTPServer) -> None:
        super().__init__(httpserver)
        self.sent: list[tuple[str, str, bytes]] = []

    def _handle(self, request):
        raw = request.environ.get("RAW_URI") or request.full_path
        self.sent.append((request.method, raw, request.get_data()))
        return super()._handle(request)


@contextmanager
def replay_server():
    # werkzeug logs every request to stderr: thousands of lines, and time the raw loop would pay too.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    httpserver = HTTPServer(host="127.0.0.1", threaded=True)
    httpserver.start()
    try:
        yield RecordingServer(httpserver)
    finally:
        httpserver.stop()


# Measures ---------------------------------------------------------------------------------------------------


class WriteTimer:
    """Seconds the collector spends writing: each body (written aside, fsync'd, renamed) and the collection
    state (rewritten and fsync'd after every page). Wraps the two functions for the measure only."""

    def __init__(self) -> None:
        self.seconds = {"body_writes": 0.0, "state_saves": 0.0}
        self.lock = threading.Lock()

    def timed(self, name: str, function: Callable) -> Callable:
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                with self.lock:
                    self.seconds[name] += time.perf_counter() - started

        return wrapper

    @contextmanager
    def installed(self):
        from ingestion.collect import core, state

        saved = core.write_body, state.CollectState._save
        core.write_body = self.timed("body_writes", core.write_body)
        state.CollectState._save = self.timed("state_saves", state.CollectState._save)
        try:
            yield self
        finally:
            core.write_body, state.CollectState._save = saved


def collect_one(config_dir: Path, landing: Path, tool: str, now: datetime, server: RecordingServer) -> dict:
    config = load_collect_config(config_dir, environ=CREDENTIALS)
    first_request = len(server.sent)
    with WriteTimer().installed() as writes:
        started = time.perf_counter()
        [summary] = collect(config, landing, [tool], console=Console(file=io.StringIO()), now=now)
        seconds = time.perf_counter() - started
    stats = summary.stats
    return {"status": summary.status, "errors": stats.errors, "requests": stats.requests, "pages": stats.pages,
            "files": stats.files, "retries": stats.retries, "seconds": round(seconds, 3),
            "requests_per_second": round(stats.requests / seconds, 1),
            "pages_per_second": round(stats.pages / seconds, 1),
            **{f"{name}_seconds": round(value, 3) for name, value in writes.seconds.items()},
            "sent": server.sent[first_request:]}


def raw_fetch(server: RecordingServer, sent: list[tuple[str, str, bytes]]) -> float:
    """The same requests from a plain `requests.Session` loop: no paging logic, retries, hooks or files.
    Each must answer as it did to the collector (a 2xx), or the baseline would time error pages."""
    session = requests.Session()
    session.headers["Accept"] = "application/json"
    base = server.url
    started = time.perf_counter()
    for method, raw, body in sent:
        response = session.request(method, base + raw, data=body or None,
                                   headers={"Content-Type": "application/json"} if body else None)
        response.content  # noqa: B018 - read the whole body, as the collector does
        if not response.ok:
            raise SystemExit(f"the raw loop got HTTP {response.status_code} for {method} {raw}")
    return time.perf_counter() - started


def change_newest(tools: list[Tool], after: datetime) -> dict[str, int]:
    """Moves the newest CHANGED_SHARE of each list's records (at least one) to just after `after`, their order
    kept: what changed (or arrived) since the first collection."""
    changed: dict[str, int] = {}
    for tool in tools:
        count = 0
        for stream in tool.streams:
            if not stream.records:
                continue
            newest = sorted(stream.records, key=stream.get)[-max(1, round(len(stream.records) * CHANGED_SHARE)):]
            for offset, record in enumerate(newest, start=1):
                stream.put(record, after + timedelta(minutes=offset))
            count += len(newest)
        changed[tool.name] = count
    return changed


def oldest_and_newest(tools: list[Tool]) -> tuple[datetime, datetime]:
    times = [stream.get(record) for tool in tools for stream in tool.streams for record in stream.records]
    return min(times), max(times)


def write_config(config_dir: Path, tools: list[Tool], server: RecordingServer, history_days: int) -> None:
    config_dir.mkdir(parents=True, exist_ok=True)
    general = f"page_size: {PAGE_SIZE}\nhistory_days: {history_days}\noverlap_hours: {OVERLAP_HOURS}\n"
    (config_dir / "collect.yaml").write_text(general + "".join(tool.section(server) for tool in tools))


def records_served(tool: Tool) -> int:
    """Every record the fake serves: its lists' and their children's (ADO's active pull requests included)."""
    listed = sum(len(stream.records) for stream in tool.streams)
    if isinstance(tool, AzureDevOps):
        listed += sum(1 for pull in tool.fake.pulls if not pull.get("closedDate"))
    return listed + tool.child_records()


def collect_together(config_dir: Path, landing: Path, now: datetime) -> dict:
    """Every tool in one `collect` call, as `delivery collect` runs them: a thread per tool."""
    config = load_collect_config(config_dir, environ=CREDENTIALS)
    started = time.perf_counter()
    summaries = collect(config, landing, console=Console(file=io.StringIO()), now=now)
    seconds = time.perf_counter() - started
    requests_ = sum(summary.stats.requests for summary in summaries)
    pages_ = sum(summary.stats.pages for summary in summaries)
    return {"statuses": {s.tool: s.status for s in summaries}, "requests": requests_, "pages": pages_,
            "seconds": round(seconds, 2), "requests_per_second": round(requests_ / seconds, 1),
            "pages_per_second": round(pages_ / seconds, 1)}


def measure(size: str, scratch: Path) -> dict:
    from demo.generate import generate_demo_exports

    started = time.perf_counter()
    generate_demo_exports(scratch / "demo", size=size, seed=7)
    generate_seconds = time.perf_counter() - started
    report: dict = {"size": size, "page_size": PAGE_SIZE, "generate_seconds": round(generate_seconds, 1),
                    "tools": {}, "incremental": {}}
    with replay_server() as server:
        tools = [tool_class(server, scratch / "demo") for tool_class in TOOLS]
        oldest, newest = oldest_and_newest(tools)
        first_now = (newest + timedelta(days=2)).replace(microsecond=0)
        history_days = (first_now - oldest).days + 2
        history_start = first_now - timedelta(days=history_days)
        write_config(scratch / "config", tools, server, history_days)
        landing = scratch / "landing"
        report.update(first_now=first_now.isoformat(), history_days=history_days)

        for tool in tools:
            result = collect_one(scratch / "config", landing, tool.name, first_now, server)
            sent = result.pop("sent")
            raw_seconds = raw_fetch(server, sent)
            minimum = tool.minimum(history_start)
            report["tools"][tool.name] = {
                "records": records_served(tool), **result, "minimum_requests": minimum,
                "requests_over_minimum": round(result["requests"] / minimum, 2),
                "raw_fetch_seconds": round(raw_seconds, 3),
                "raw_requests_per_second": round(len(sent) / raw_seconds, 1),
                "collector_over_raw": round(result["seconds"] / raw_seconds, 2),
                "collector_without_writes_over_raw": round(
                    (result["seconds"] - result["body_writes_seconds"] - result["state_saves_seconds"])
                    / raw_seconds, 2),
            }

        report["all_tools_together"] = collect_together(scratch / "config", scratch / "landing-together",
                                                        first_now)

        changed = change_newest(tools, first_now)
        second_now = first_now + timedelta(days=2)
        since = first_now - timedelta(hours=OVERLAP_HOURS)
        for tool in tools:
            result = collect_one(scratch / "config", landing, tool.name, second_now, server)
            result.pop("sent")
            minimum = tool.minimum(since)
            report["incremental"][tool.name] = {
                "changed_records": changed[tool.name], **result, "minimum_requests": minimum,
                "requests_over_minimum": round(result["requests"] / minimum, 2),
            }
    report["totals"] = _totals(report["tools"])
    report["incremental_totals"] = _totals(report["incremental"])
    return report


def _totals(per_tool: dict) -> dict:
    requests_, seconds = sum(t["requests"] for t in per_tool.values()), sum(t["seconds"] for t in per_tool.values())
    totals = {"requests": requests_, "pages": sum(t["pages"] for t in per_tool.values()),
              "files": sum(t["files"] for t in per_tool.values()), "seconds": round(seconds, 2),
              "minimum_requests": sum(t["minimum_requests"] for t in per_tool.values())}
    totals["requests_over_minimum"] = round(requests_ / totals["minimum_requests"], 2)
    writes = {name: round(sum(t[name] for t in per_tool.values()), 2)
              for name in ("body_writes_seconds", "state_saves_seconds")}
    totals.update(writes)
    if all("raw_fetch_seconds" in t for t in per_tool.values()):
        raw = sum(t["raw_fetch_seconds"] for t in per_tool.values())
        without_writes = seconds - sum(writes.values())
        totals.update(raw_fetch_seconds=round(raw, 2), collector_over_raw=round(seconds / raw, 2),
                      collector_without_writes_over_raw=round(without_writes / raw, 2),
                      requests_per_second=round(requests_ / seconds, 1),
                      pages_per_second=round(totals["pages"] / seconds, 1))
    return totals


def print_report(report: dict) -> None:
    print(f"\nFull collection (size {report['size']}, page size {report['page_size']}, history "
          f"{report['history_days']} days):")
    header = (f"{'tool':<13}{'records':>8}{'requests':>9}{'pages':>7}{'files':>7}{'seconds':>9}{'req/s':>8}"
              f"{'pages/s':>8}{'minimum':>8}{'÷ min':>7}{'raw s':>7}{'÷ raw':>7}{'bodies s':>9}{'state s':>8}"
              f"{'rest ÷ raw':>11}")
    print(header)
    for name, t in [*report["tools"].items(), ("total", report["totals"])]:
        print(f"{name:<13}{t.get('records', ''):>8}{t['requests']:>9}{t['pages']:>7}{t['files']:>7}"
              f"{t['seconds']:>9.2f}{t['requests_per_second']:>8.1f}{t['pages_per_second']:>8.1f}"
              f"{t['minimum_requests']:>8}{t['requests_over_minimum']:>7.2f}{t['raw_fetch_seconds']:>7.2f}"
              f"{t['collector_over_raw']:>7.2f}{t['body_writes_seconds']:>9.2f}{t['state_saves_seconds']:>8.2f}"
              f"{t['collector_without_writes_over_raw']:>11.2f}")
    together = report["all_tools_together"]
    print(f"\nAll tools in one collection (a thread per tool): {together['requests']} requests in "
          f"{together['seconds']:.2f} s, {together['requests_per_second']:.1f} requests/s, "
          f"{together['pages_per_second']:.1f} pages/s")
    print("\nIncremental collection (newest 5 % of each list changed):")
    print(f"{'tool':<13}{'changed':>8}{'requests':>9}{'pages':>7}{'files':>7}{'seconds':>9}{'minimum':>8}{'÷ min':>7}")
    for name, t in [*report["incremental"].items(), ("total", report["incremental_totals"])]:
        print(f"{name:<13}{t.get('changed_records', ''):>8}{t['requests']:>9}{t['pages']:>7}{t['files']:>7}"
              f"{t['seconds']:>9.2f}{t['minimum_requests']:>8}{t['requests_over_minimum']:>7.2f}")
    for section in ("tools", "incremental"):
        for name, t in report[section].items():
            if t["errors"] or t["status"] != "collected":
                print(f"  {section} {name}: {t['status']}: {t['errors']}")


def _remove_previous_landing(scratch: Path) -> None:
    """A kept scratch folder starts each run from an empty landing folder and no collection state."""
    for name in ("landing", "landing-together"):
        shutil.rmtree(scratch / name, ignore_errors=True)
        (scratch / f".{name}.collect-state.json").unlink(missing_ok=True)


@contextmanager
def _scratch(work: Path | None):
    if work:
        work.mkdir(parents=True, exist_ok=True)
        yield work.resolve()
        return
    with tempfile.TemporaryDirectory(prefix="bench-collect-") as scratch:
        yield Path(scratch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="S")
    parser.add_argument("--work", type=Path, help="keep the scratch folder here (emptied of a previous landing)")
    args = parser.parse_args()
    with _scratch(args.work) as scratch:
        _remove_previous_landing(scratch)
        report = measure(args.size, scratch)
    report["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                         "load_average_1m_after": round(os.getloadavg()[0], 2)}
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / f"collect-{args.size}.json").write_text(json.dumps(report, indent=2))
    print_report(report)


if __name__ == "__main__":
    main()
