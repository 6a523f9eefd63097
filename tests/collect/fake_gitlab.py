"""A GitLab REST v4 API on the replay server: projects addressed by their URL-encoded path, merge requests
with their commits and notes, default-branch commits, pipelines and deployments, paged as GitLab pages
(offset `page`/`per_page`, a `Link` header and the `x-*` page headers, both without totals past a large
count), filtered and sorted as GitLab filters and sorts."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote, urlencode

from werkzeug import Request

from tests.collect.replay import ReplayServer, dumps, paged

USER = {"id": 11, "username": "ana", "name": "Ana Lima", "state": "active"}


def merge_request(iid: int, updated_at: str, state: str = "merged", project_id: int = 42) -> dict:
    return {"id": 9100 + iid, "iid": iid, "project_id": project_id, "title": f"CHK-{iid} change {iid}",
            "state": state, "created_at": "2026-03-01T09:00:00.000Z", "updated_at": updated_at,
            "merged_at": updated_at if state == "merged" else None, "closed_at": None,
            "target_branch": "main", "source_branch": f"feature/CHK-{iid}", "author": USER, "labels": [],
            "draft": False, "sha": f"{iid:040x}", "merge_commit_sha": None, "squash_commit_sha": f"{iid:040d}",
            "squash": True, "references": {"full": f"acme/platform/checkout!{iid}"}}


def commit(sha: str, committed_date: str, parents: tuple[str, ...] | None = None) -> dict:
    body = {"id": sha, "short_id": sha[:8], "title": f"commit {sha[:8]}", "message": f"commit {sha[:8]}",
            "author_name": "Ana Lima", "author_email": "ana@acme.example", "authored_date": committed_date,
            "committer_name": "Ana Lima", "committer_email": "ana@acme.example", "committed_date": committed_date}
    if parents is not None:  # the merge request commits endpoint leaves parent_ids out
        body["parent_ids"] = list(parents)
    return body


def note(note_id: int, iid: int, created_at: str, body: str = "approved this merge request") -> dict:
    return {"id": note_id, "type": None, "body": body, "author": {**USER, "id": 12, "username": "ben"},
            "created_at": created_at, "updated_at": created_at, "system": True, "noteable_id": 9100 + iid,
            "noteable_type": "MergeRequest", "noteable_iid": iid, "internal": False}


def pipeline(pipeline_id: int, updated_at: str, status: str = "success") -> dict:
    return {"id": pipeline_id, "iid": pipeline_id % 1000, "project_id": 42, "sha": f"{pipeline_id:040d}",
            "ref": "main", "status": status, "source": "push", "created_at": updated_at, "updated_at": updated_at,
            "web_url": f"https://gitlab.acme.example/acme/platform/checkout/-/pipelines/{pipeline_id}"}


def deployment(deployment_id: int, updated_at: str, status: str = "success") -> dict:
    return {"id": deployment_id, "iid": deployment_id % 1000, "ref": "main", "sha": f"{deployment_id:040d}",
            "created_at": updated_at, "updated_at": updated_at, "status": status, "user": USER,
            "environment": {"id": 301, "name": "production", "tier": "production"},
            "deployable": {"id": 60000 + deployment_id, "status": status, "name": "deploy-prod",
                           "started_at": updated_at, "finished_at": updated_at,
                           "pipeline": {"id": 7000 + deployment_id, "sha": f"{deployment_id:040d}"}}}


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


class FakeGitLab:
    """`total_limit`: past this many records GitLab leaves out `x-total`, `x-total-pages` and `rel="last"`
    (10,000 on GitLab; lowered in a test)."""

    def __init__(self, server: ReplayServer, total_limit: int = 10_000) -> None:
        self.server, self.total_limit = server, total_limit
        self.projects: dict[str, dict] = {}
        self.groups: dict[str, list[str]] = {}
        self.merge_requests: dict[str, list[dict]] = {}
        self.mr_commits: dict[tuple[str, int], list[dict]] = {}
        self.mr_notes: dict[tuple[str, int], list[dict]] = {}
        self.commits: dict[str, list[dict]] = {}
        self.pipelines: dict[str, list[dict]] = {}
        self.deployments: dict[str, list[dict]] = {}
        # (decoded path, page) -> the body served last for it: what the landing file must hold
        self.served_pages: dict[tuple[str, int], bytes] = {}
        # The path werkzeug hands over is decoded: `acme/platform/checkout` was sent as `acme%2Fplatform%2F…`.
        project = r"/api/v4/projects/(?P<project>.+?)"
        server.route("GET", r"/api/v4/groups/(?P<group>.+?)/projects", self._group_projects)
        server.route("GET", f"{project}/merge_requests", self._merge_requests)
        server.route("GET", rf"{project}/merge_requests/(?P<iid>\d+)/commits", self._mr_commits)
        server.route("GET", rf"{project}/merge_requests/(?P<iid>\d+)/notes", self._mr_notes)
        server.route("GET", f"{project}/repository/commits", self._commits)
        server.route("GET", f"{project}/pipelines", self._pipelines)
        server.route("GET", f"{project}/deployments", self._deployments)
        server.route("GET", project, self._project)

    @property
    def base_url(self) -> str:
        return f"{self.server.url}/api/v4"

    def add_project(self, path: str, default_branch: str | None = "main", **access_levels: str) -> None:
        self.projects[path] = {"id": 40 + len(self.projects), "path_with_namespace": path,
                               "default_branch": default_branch, "empty_repo": default_branch is None,
                               "merge_requests_access_level": "enabled", "builds_access_level": "enabled",
                               "repository_access_level": "enabled", "environments_access_level": "enabled",
                               **access_levels}
        for records in (self.merge_requests, self.commits, self.pipelines, self.deployments):
            records.setdefault(path, [])

    # Routes ---------------------------------------------------------------------------------------------

    def _project(self, request: Request, project: str):
        if not self._known(request, project):
            return 404, {}, b'{"message":"404 Project Not Found"}'
        return 200, {}, dumps(self.projects[project])

    def _group_projects(self, request: Request, group: str):
        if group not in self.groups or not self._encoded(request, group):
            return 404, {}, b'{"message":"404 Group Not Found"}'
        records = [{"id": self.projects[path]["id"], "path_with_namespace": path} for path in self.groups[group]]
        return self._list(request, records)

    def _merge_requests(self, request: Request, project: str):
        if not self._known(request, project):
            return 404, {}, b'{"message":"404 Project Not Found"}'
        return self._list(request, self._updated(request, self.merge_requests[project]))

    def _mr_commits(self, request: Request, project: str, iid: str):
        return self._list(request, self.mr_commits.get((project, int(iid)), []))

    def _mr_notes(self, request: Request, project: str, iid: str):
        notes = sorted(self.mr_notes.get((project, int(iid)), []), key=lambda n: _time(n["created_at"]),
                       reverse=request.args.get("sort", "desc") == "desc")
        return self._list(request, notes)

    def _commits(self, request: Request, project: str):
        if request.args.get("ref_name", "main") != self.projects[project]["default_branch"]:
            return 404, {}, b'{"message":"404 Commit Not Found"}'
        since = _time(request.args.get("since", "1970-01-01T00:00:00Z"))
        commits = sorted((c for c in self.commits[project] if _time(c["committed_date"]) >= since),
                         key=lambda c: _time(c["committed_date"]), reverse=True)
        return self._list(request, commits)

    def _pipelines(self, request: Request, project: str):
        return self._list(request, self._updated(request, self.pipelines[project]))

    def _deployments(self, request: Request, project: str):
        if "updated_after" in request.args and request.args.get("order_by") != "updated_at":
            # GitLab 16+: the filter needs the matching order.
            return 400, {}, b'{"message":"400 Bad request - `updated_at` filter requires `updated_at` sort"}'
        return self._list(request, self._updated(request, self.deployments[project]))

    # Helpers --------------------------------------------------------------------------------------------

    def _updated(self, request: Request, records: list[dict]) -> list[dict]:
        after = _time(request.args.get("updated_after", "1970-01-01T00:00:00Z"))
        kept = [record for record in records if _time(record["updated_at"]) >= after]
        key = request.args.get("order_by", "created_at")
        return sorted(kept, key=lambda r: (_time(r[key]) if key.endswith("_at") else r[key], r["id"]),
                      reverse=request.args.get("sort", "desc") == "desc")

    def _list(self, request: Request, records: list):
        args = dict(request.args)
        args.setdefault("per_page", "20")
        page, number, last = paged(records, args, default_size=20)
        body = self.served_pages[(request.path, number)] = dumps(page)
        return 200, self._page_headers(request, args, number, last, len(records)), body

    def _page_headers(self, request: Request, args: dict, number: int, last: int, total: int) -> dict:
        """GitLab's page headers; past `total_limit` records without totals and without `rel="last"`."""
        counted = total <= self.total_limit
        url = f"{self.server.url}{_raw_path(request)}"
        rels = [("next", number + 1)] if number < last else []
        rels += [("prev", number - 1)] if number > 1 else []
        rels += [("first", 1)] + ([("last", last)] if counted else [])
        link = ", ".join(f'<{url}?{urlencode({**args, "page": n})}>; rel="{rel}"' for rel, n in rels)
        headers = {"Link": link, "x-page": str(number), "x-per-page": args["per_page"],
                   "x-next-page": str(number + 1) if number < last else "",
                   "x-prev-page": str(number - 1) if number > 1 else ""}
        if counted:
            headers |= {"x-total": str(total), "x-total-pages": str(last)}
        return headers

    def _known(self, request: Request, project: str) -> bool:
        return project in self.projects and self._encoded(request, project)

    @staticmethod
    def _encoded(request: Request, path: str) -> bool:
        # GitLab reads `acme/platform/checkout` as a path only when its slashes come encoded.
        return "/" not in path or quote(path, safe="") in _raw_path(request)


def _raw_path(request: Request) -> str:
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.path
    return raw.split("?", 1)[0]
