"""A Jenkins controller's JSON API on the replay server: jobs inside folders (`/job/a/job/b`), whose
`api/json?tree=allBuilds[...]{M,N}` answers the builds M to N-1, newest first, as Jenkins does; no time
filter exists. A folder answers its `_class` alone (it has no `allBuilds`), an unknown job an HTML 404, as
Jenkins does."""

from __future__ import annotations

import re

from werkzeug import Request

from tests.collect.replay import ReplayServer, dumps

WORKFLOW_JOB = "org.jenkinsci.plugins.workflow.job.WorkflowJob"
TREE = re.compile(r"^allBuilds\[(?P<fields>.+)\]\{(?P<start>\d+),(?P<end>\d+)\}$")


def build(number: int, started_ms: int, result: str | None = "SUCCESS", sha: str = "",
          environment: str = "production") -> dict:
    building = result is None
    return {
        "_class": "org.jenkinsci.plugins.workflow.job.WorkflowRun",
        "actions": [
            {"_class": "hudson.model.CauseAction"}, {},
            {"_class": "hudson.model.ParametersAction",
             "parameters": [{"_class": "hudson.model.StringParameterValue", "name": "ENVIRONMENT",
                             "value": environment}]},
            {"_class": "hudson.plugins.git.util.BuildData",
             "lastBuiltRevision": {"SHA1": sha or f"{number:040x}",
                                   "branch": [{"SHA1": sha or f"{number:040x}", "name": "refs/remotes/origin/main"}]},
             "remoteUrls": ["https://gitlab.acme.example/acme/platform/checkout.git"]},
        ],
        "building": building, "displayName": f"#{number}", "duration": 0 if building else 60_000,
        "estimatedDuration": 60_000, "id": str(number), "number": number, "result": result,
        "timestamp": started_ms, "url": f"https://ci.acme.example/job/{number}/",
    }


class FakeJenkins:
    def __init__(self, server: ReplayServer) -> None:
        self.server = server
        self.jobs: dict[str, list[dict]] = {}  # job path -> builds, any order
        self.folders: set[str] = set()
        server.route("GET", r"(?P<job>(?:/job/[^/]+)+)/api/json", self._job)

    def _job(self, request: Request, job: str):
        path = "/".join(job.split("/job/")[1:])
        if path in self.folders:
            return 200, {}, dumps({"_class": "com.cloudbees.hudson.plugins.folder.Folder"})
        if path not in self.jobs:
            return 404, {}, b"<html><body>Not Found</body></html>"
        match = TREE.match(request.args.get("tree", ""))
        if not match:
            return 400, {}, b'{"message": "this fake answers allBuilds[...]{M,N} only"}'
        newest_first = sorted(self.jobs[path], key=lambda b: b["number"], reverse=True)
        start, end = int(match["start"]), int(match["end"])
        return 200, {}, dumps({"_class": WORKFLOW_JOB, "allBuilds": newest_first[start:end]})
