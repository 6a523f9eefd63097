"""An Azure DevOps REST API 7.1 on the replay server, for one organization (or a server's collection): WIQL,
work item batches and updates, repositories' pull requests and their commits, builds, environments and their
deployment records. `{"count", "value"}` envelopes; `$top`/`$skip` where Azure DevOps pages so, and the
`x-ms-continuationtoken` response header where it pages with a continuation token. Filters as the API does:
WIQL's `[System.ChangedDate] >=`, pull requests' status and closed time, builds' `minTime` on queue time."""

from __future__ import annotations

import json
import re

from werkzeug import Request

from tests.collect.replay import ReplayServer, dumps

CONTINUATION = "x-ms-continuationtoken"


def work_item(item_id: int, changed: str, state: str = "Active") -> dict:
    return {"id": item_id, "rev": 3, "fields": {
        "System.Id": item_id, "System.WorkItemType": "User Story", "System.State": state,
        "System.Title": f"Story {item_id}", "System.TeamProject": "Fabrikam-Fiber",
        "System.AreaPath": "Fabrikam-Fiber\\Checkout", "System.CreatedDate": "2026-01-05T09:00:00.1234567Z",
        "System.ChangedDate": changed}, "url": f"https://dev.azure.com/fabrikam/_apis/wit/workItems/{item_id}"}


def update(item_id: int, update_id: int, changed: str, state: str) -> dict:
    return {"id": update_id, "workItemId": item_id, "rev": update_id,
            "revisedBy": {"id": "5c2e", "displayName": "Ana Silva", "uniqueName": "ana@fabrikam.com"},
            "revisedDate": "9999-01-01T00:00:00Z",
            "fields": {"System.State": {"newValue": state}, "System.ChangedDate": {"newValue": changed}}}


def pull(pull_id: int, repository: dict, created: str, status: str = "active", closed: str | None = None) -> dict:
    body = {"repository": {"id": repository["id"], "name": repository["name"]}, "pullRequestId": pull_id,
            "codeReviewId": pull_id, "status": status, "createdBy": {"id": "5c2e", "uniqueName": "ana@fabrikam.com"},
            "creationDate": created, "title": f"PR {pull_id}", "sourceRefName": f"refs/heads/feature/{pull_id}",
            "targetRefName": "refs/heads/main", "mergeStatus": "succeeded", "isDraft": False,
            "reviewers": [{"id": "9a41", "uniqueName": "ben@fabrikam.com", "vote": 10, "isRequired": False}]}
    if closed:
        body["closedDate"] = closed
    return body


def pr_commit(sha: str, date: str) -> dict:
    return {"commitId": sha, "author": {"name": "Ana", "email": "ana@fabrikam.com", "date": date},
            "committer": {"name": "Ana", "email": "ana@fabrikam.com", "date": date}, "comment": f"change {sha}"}


def build(build_id: int, queued: str) -> dict:
    return {"id": build_id, "buildNumber": f"20260301.{build_id}", "status": "completed", "result": "succeeded",
            "reason": "individualCI", "queueTime": queued, "startTime": queued, "finishTime": queued,
            "lastChangedDate": queued, "definition": {"id": 7, "name": "web-ci"},
            "repository": {"id": "r-web", "name": "web", "type": "TfsGit"},
            "sourceBranch": "refs/heads/main", "sourceVersion": f"{build_id:040d}"}


def deployment_record(record_id: int, environment_id: int, queued: str) -> dict:
    return {"id": record_id, "environmentId": environment_id, "planType": "Build", "stageName": "deploy",
            "jobName": "deploy", "result": "succeeded", "queueTime": queued, "startTime": queued,
            "finishTime": queued, "definition": {"id": 7, "name": "web-ci"},
            "owner": {"id": 300 + record_id, "name": f"20260301.{record_id}"}}


class FakeAzureDevOps:
    def __init__(self, server: ReplayServer, prefix: str = "/fabrikam") -> None:
        self.server = server
        self.projects: list[str] = ["Fabrikam-Fiber"]
        self.work_items: dict[int, dict] = {}
        self.updates: dict[int, list[dict]] = {}
        self.repositories: list[dict] = [{"id": "r-web", "name": "web"}]
        self.pulls: list[dict] = []
        self.commits: dict[int, list[dict]] = {}
        self.builds: list[dict] = []
        self.environments: list[dict] = []
        self.records: dict[int, list[dict]] = {}
        self.wiql_queries: list[str] = []
        api = rf"{re.escape(prefix)}/(?P<project>[^/]+)/_apis"
        server.route("GET", rf"{re.escape(prefix)}/_apis/projects", self._projects)
        server.route("POST", f"{api}/wit/wiql", self._wiql)
        server.route("POST", f"{api}/wit/workitemsbatch", self._batch)
        server.route("GET", rf"{api}/wit/workItems/(?P<item>\d+)/updates", self._updates)
        server.route("GET", f"{api}/git/repositories", self._repositories)
        server.route("GET", f"{api}/git/repositories/(?P<repo>[^/]+)/pullrequests", self._pulls)
        server.route("GET", rf"{api}/git/repositories/(?P<repo>[^/]+)/pullRequests/(?P<pull>\d+)/commits",
                     self._commits)
        server.route("GET", f"{api}/build/builds", self._builds)
        server.route("GET", f"{api}/distributedtask/environments", self._environments)
        server.route("GET", rf"{api}/distributedtask/environments/(?P<env>\d+)/environmentdeploymentrecords",
                     self._records)

    # Envelopes and paging ---------------------------------------------------------------------------------

    @staticmethod
    def _envelope(records: list, headers: dict | None = None):
        return 200, headers or {}, dumps({"count": len(records), "value": records})

    def _top_skip(self, request: Request, records: list):
        top, skip = int(request.args.get("$top", 100)), int(request.args.get("$skip", 0))
        return self._envelope(records[skip: skip + top])

    def _continued(self, request: Request, records: list, size_arg: str = "$top"):
        """A page from the continuation token (here: the next record's position), and the next token in the
        response header while records remain."""
        size = int(request.args.get(size_arg, 100))
        start = int(request.args.get("continuationToken", 0))
        headers = {CONTINUATION: str(start + size)} if start + size < len(records) else {}
        return self._envelope(records[start: start + size], headers)

    @staticmethod
    def _version_ok(request: Request, version: str = "7.1") -> bool:
        return request.args.get("api-version") == version

    # Routes -----------------------------------------------------------------------------------------------

    def _projects(self, request: Request):
        records = [{"id": f"p-{i}", "name": name, "state": "wellFormed"} for i, name in enumerate(self.projects)]
        return self._continued(request, records)

    def _wiql(self, request: Request, project: str):
        query = json.loads(request.get_data())["query"]
        self.wiql_queries.append(query)
        since = re.search(r"\[System\.ChangedDate\] >= '([^']+)'", query).group(1)
        before = re.search(r"\[System\.ChangedDate\] < '([^']+)'", query)
        until = before.group(1) if before else "9999"
        ids = sorted(i for i, item in self.work_items.items()
                     if since <= item["fields"]["System.ChangedDate"] < until)
        return 200, {}, dumps({"queryType": "flat", "queryResultType": "workItem", "asOf": "2026-03-10T00:00:00Z",
                               "columns": [{"referenceName": "System.Id", "name": "ID"}],
                               "workItems": [{"id": i, "url": f"https://x/_apis/wit/workItems/{i}"} for i in ids]})

    def _batch(self, request: Request, project: str):
        ids = json.loads(request.get_data())["ids"]
        if len(ids) > 200 or not self._version_ok(request):
            return 400, {}, dumps({"message": "VS403474: bad batch"})
        return self._envelope([self.work_items[i] for i in ids])

    def _updates(self, request: Request, project: str, item: str):
        return self._top_skip(request, self.updates.get(int(item), []))

    def _repositories(self, request: Request, project: str):
        return self._envelope(self.repositories)

    def _pulls(self, request: Request, project: str, repo: str):
        status = request.args.get("searchCriteria.status", "active")
        records = [p for p in self.pulls if p["repository"]["id"] == repo and status in ("all", p["status"])]
        if request.args.get("searchCriteria.queryTimeRangeType") == "closed":
            since = request.args.get("searchCriteria.minTime", "")
            records = [p for p in records if p.get("closedDate", "") >= since and p.get("closedDate")]
        records.sort(key=lambda p: p["creationDate"], reverse=True)
        return self._top_skip(request, records)

    def _commits(self, request: Request, project: str, repo: str, pull: str):
        return self._continued(request, self.commits.get(int(pull), []))

    def _builds(self, request: Request, project: str):
        since = request.args.get("minTime", "")
        records = sorted((b for b in self.builds if b["queueTime"] >= since), key=lambda b: b["queueTime"])
        return self._continued(request, records)

    def _environments(self, request: Request, project: str):
        if not self._version_ok(request, "7.1-preview.1"):
            return 400, {}, dumps({"message": "preview version required"})
        return self._continued(request, self.environments)

    def _records(self, request: Request, project: str, env: str):
        records = sorted(self.records.get(int(env), []), key=lambda r: r["id"], reverse=True)
        return self._continued(request, records, size_arg="top")
