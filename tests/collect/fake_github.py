"""A GitHub REST API on the replay server: repositories' pull requests, commits, deployments and workflow
runs, paged by `Link` headers, filtered and sorted as GitHub does."""

from __future__ import annotations

from werkzeug import Request

from tests.collect.replay import ReplayServer, dumps, link_header, paged


def pull(number: int, updated_at: str, title: str = "") -> dict:
    return {"id": 1000 + number, "node_id": f"PR_kwDO{number:08d}", "number": number, "state": "closed", "title": title or f"PR {number}",
            "user": {"login": "ada", "type": "User"}, "created_at": updated_at, "updated_at": updated_at,
            "closed_at": updated_at, "merged_at": updated_at, "merge_commit_sha": f"m{number:039d}",
            "head": {"ref": f"feature/{number}", "sha": f"h{number:039d}"},
            "base": {"ref": "main", "repo": {"full_name": "acme/api"}}, "labels": [], "draft": False}


def commit(sha: str, date: str, parents: tuple[str, ...] = ()) -> dict:
    return {"sha": sha, "commit": {"author": {"name": "Ada", "date": date}, "committer": {"date": date},
                                   "message": f"commit {sha[:7]}"},
            "author": {"login": "ada"}, "parents": [{"sha": parent} for parent in parents]}


def deployment(deployment_id: int, created_at: str, sha: str = "") -> dict:
    return {"id": deployment_id, "sha": sha or f"m{deployment_id:039d}", "ref": "main",
            "environment": "production", "production_environment": True, "created_at": created_at,
            "updated_at": created_at}


def status(status_id: int, state: str, created_at: str) -> dict:
    return {"id": status_id, "state": state, "created_at": created_at}


def run(run_id: int, created_at: str) -> dict:
    return {"id": run_id, "name": "deploy", "path": ".github/workflows/deploy.yml", "event": "push",
            "status": "completed", "conclusion": "success", "head_branch": "main", "head_sha": f"r{run_id:039d}",
            "created_at": created_at, "run_started_at": created_at, "updated_at": created_at, "run_attempt": 1}


class FakeGitHub:
    def __init__(self, server: ReplayServer, repository: str = "acme/api") -> None:
        self.server, self.repository = server, repository
        self.pulls: list[dict] = []
        self.pull_commits: dict[int, list[dict]] = {}
        self.pull_reviews: dict[int, list[dict]] = {}
        self.commits: list[dict] = []
        self.deployments: list[dict] = []
        self.statuses: dict[int, list[dict]] = {}
        self.runs: list[dict] = []
        repo = f"/repos/(?P<repo>{repository})"
        server.route("GET", f"{repo}/pulls", self._pulls)
        server.route("GET", rf"{repo}/pulls/(?P<number>\d+)/commits", self._pull_commits)
        server.route("GET", rf"{repo}/pulls/(?P<number>\d+)/reviews", self._pull_reviews)
        server.route("GET", f"{repo}/commits", self._commits)
        server.route("GET", f"{repo}/deployments", self._deployments)
        server.route("GET", rf"{repo}/deployments/(?P<id>\d+)/statuses", self._statuses)
        server.route("GET", f"{repo}/actions/runs", self._runs)

    def _list(self, request: Request, records: list, envelope=None):
        page, number, last = paged(records, dict(request.args))
        headers = link_header(self.server.url, request.path, dict(request.args), number, last)
        body = envelope(page, len(records)) if envelope else page
        return 200, headers, dumps(body)

    def _pulls(self, request: Request, repo: str):
        records = sorted(self.pulls, key=lambda p: p["updated_at"],
                         reverse=request.args.get("direction") == "desc")
        return self._list(request, records)

    def _pull_commits(self, request: Request, repo: str, number: str):
        return self._list(request, self.pull_commits.get(int(number), []))

    def _pull_reviews(self, request: Request, repo: str, number: str):
        return self._list(request, self.pull_reviews.get(int(number), []))

    def _commits(self, request: Request, repo: str):
        since = request.args.get("since", "")
        records = sorted((c for c in self.commits if c["commit"]["committer"]["date"] >= since),
                         key=lambda c: c["commit"]["committer"]["date"], reverse=True)
        return self._list(request, records)

    def _deployments(self, request: Request, repo: str):
        return self._list(request, sorted(self.deployments, key=lambda d: d["created_at"], reverse=True))

    def _statuses(self, request: Request, repo: str, id: str):
        return self._list(request, self.statuses.get(int(id), []))

    def _runs(self, request: Request, repo: str):
        created = request.args.get("created", ">=").removeprefix(">=")
        records = sorted((r for r in self.runs if r["created_at"] >= created), key=lambda r: r["created_at"],
                         reverse=True)
        return self._list(request, records, lambda page, total: {"total_count": total, "workflow_runs": page})
