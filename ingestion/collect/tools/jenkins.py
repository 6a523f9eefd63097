"""Jenkins (one controller per section: `base_url: https://ci.example.com`, or with its context path).

Scope: `jobs`, as paths (`payments/checkout-deploy` is `/job/payments/job/checkout-deploy`), and optionally
`controller`, the landing folder's name (default: the base URL's host).

Jenkins has no time filter: a job's builds come newest first from `tree=allBuilds[...]{0,N}`, one request
per job. Only when all N builds of a body started inside the window (a busy job, or the first run's
history) is the next range `{N,2N}` asked for, and so on until a body reaches past the window's start or
runs out of builds. Each body lands as it came, `builds-<run id>.json`, then `builds-<run id>-2.json`…;
builds collected again by the next run are the same versions, kept once by the loader."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from dlt.sources.helpers.rest_client.paginators import BasePaginator
from requests.auth import HTTPBasicAuth

from ingestion.collect.config import ToolConfig
from ingestion.collect.core import ScopeFailed, ScopeRun
from ingestion.collect.landing import safe_segment

BUILD_FIELDS = ("number,id,url,result,building,timestamp,duration,estimatedDuration,displayName,"
                "actions[parameters[name,value],lastBuiltRevision[SHA1,branch[name]],remoteUrls]")
BUILDS_PER_REQUEST = 500


class _Auth(HTTPBasicAuth):
    def __repr__(self) -> str:
        return "HTTPBasicAuth('***')"


def auth(tool: ToolConfig):
    credentials = tool.credentials
    return _Auth(credentials["jenkins_user"].reveal(), credentials["jenkins_api_token"].reveal()), {}


def scopes(run) -> list[str]:
    return list(dict.fromkeys(job.strip("/") for job in run.tool.values("jobs")))


def collect_scope(scope: ScopeRun) -> None:
    tool = scope.tool_run.tool
    job = scope.scope.split(":", 1)[1]
    controller = (tool.values("controller") or [urlsplit(tool.base_url).hostname or "jenkins"])[0]
    folder = "/".join(["jenkins", *(safe_segment(part) for part in (controller, *job.split("/")))])
    size = _builds_per_request(tool)
    stem = f"builds-{scope.run_id}"
    for _ in scope.pages("builds", folder, _job_api(job), paginator=BuildRangePaginator(size, scope.since),
                         params={"tree": build_tree(0, size)}, data_selector="allBuilds",
                         name=lambda number: f"{stem}.json" if number == 1 else f"{stem}-{number}.json"):
        pass


def _builds_per_request(tool: ToolConfig) -> int:
    value = tool.options.get("builds_per_request", BUILDS_PER_REQUEST)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise ScopeFailed(f"jenkins: builds_per_request in collect.yaml: expected a whole number above 0, got {value!r}",
                      stop_tool=True)


def build_tree(start: int, size: int) -> str:
    return f"allBuilds[{BUILD_FIELDS}]{{{start},{start + size}}}"


class BuildRangePaginator(BasePaginator):
    """Moves the `tree` query's `{M,N}` range to the next `size` builds while the newest-first builds of a
    body all started inside the window."""

    _RANGE = re.compile(r"\{(\d+),(\d+)\}$")

    def __init__(self, size: int, since) -> None:
        super().__init__()
        self.size, self.since_ms, self.start = size, int(since.timestamp() * 1000), 0

    def init_request(self, request) -> None:
        # A resumed run starts from the range its saved request names.
        match = self._RANGE.search((request.params or {}).get("tree", ""))
        self.start = int(match.group(1)) if match else 0

    def update_state(self, response, data=None) -> None:
        builds = data or []
        oldest = min((build.get("timestamp") or 0 for build in builds), default=0)
        self._has_next_page = len(builds) >= self.size and oldest >= self.since_ms

    def update_request(self, request) -> None:
        if self._has_next_page:
            self.start += self.size
            request.params = {**(request.params or {}), "tree": build_tree(self.start, self.size)}


def _job_api(job: str) -> str:
    return "".join(f"/job/{quote(part, safe='')}" for part in job.split("/")) + "/api/json"
