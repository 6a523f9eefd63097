"""GitHub (and GitHub Enterprise Server: `base_url: https://ghe.example.com/api/v3`).

Per repository: pull requests newest-updated first down to the window's start, each one's commits and
reviews; commits of the default branch `since` the window; deployments newest first down to the window, each
one's statuses; workflow runs `created` in the window. Paging follows the `Link` headers."""

from __future__ import annotations

from datetime import datetime

from dlt.sources.helpers.rest_client.paginators import HeaderLinkPaginator

from ingestion.collect.config import ToolConfig
from ingestion.collect.core import ScopeRun, ToolRun, utc_iso
from ingestion.collect.http import HeaderAuth


def auth(tool: ToolConfig):
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
    return HeaderAuth("Authorization", f"Bearer {tool.credentials['github_token'].reveal()}"), headers


def scopes(run: ToolRun) -> list[str]:
    repositories = list(run.tool.values("repositories"))
    for organisation in run.tool.values("organisations"):
        for page in run.read(organisation, f"/orgs/{organisation}/repos", paginator=HeaderLinkPaginator(),
                             params={"per_page": run.config.page_size}):
            repositories += [repo["full_name"] for repo in page if not repo.get("archived")]
    return list(dict.fromkeys(repositories))


def collect_scope(scope: ScopeRun) -> None:
    repository = scope.scope.split(":", 1)[1]
    folder, api, per_page = f"github/{repository}", f"/repos/{repository}", scope.tool_run.config.page_size
    since = scope.since

    pulls = _newest_first(scope, "pulls", f"{folder}/pulls", f"{api}/pulls", "updated_at",
                          {"state": "all", "sort": "updated", "direction": "desc", "per_page": per_page})
    for number in pulls:
        scope.fetch_pages(f"pull_commits/{number}", f"{folder}/pull_commits", str(number),
                          f"{api}/pulls/{number}/commits", paginator=HeaderLinkPaginator(),
                          params={"per_page": per_page})
        scope.fetch_pages(f"pull_reviews/{number}", f"{folder}/pull_reviews", str(number),
                          f"{api}/pulls/{number}/reviews", paginator=HeaderLinkPaginator(),
                          params={"per_page": per_page})

    for _ in scope.pages("commits", f"{folder}/commits", f"{api}/commits", paginator=HeaderLinkPaginator(),
                         params={"since": utc_iso(since), "per_page": per_page}):
        pass

    deployments = _newest_first(scope, "deployments", f"{folder}/deployments", f"{api}/deployments",
                                "created_at", {"per_page": per_page}, key="id")
    for deployment_id in deployments:
        scope.fetch_pages(f"deployment_statuses/{deployment_id}", f"{folder}/deployment_statuses",
                          str(deployment_id), f"{api}/deployments/{deployment_id}/statuses",
                          paginator=HeaderLinkPaginator(), params={"per_page": per_page})

    for _ in scope.pages("workflow_runs", f"{folder}/workflow_runs", f"{api}/actions/runs",
                         paginator=HeaderLinkPaginator(), data_selector="workflow_runs",
                         params={"created": f">={utc_iso(since)}", "per_page": per_page}):
        pass


def _newest_first(scope: ScopeRun, stream: str, folder: str, path: str, time_field: str, params: dict,
                  key: str = "number") -> list:
    """A list the API sorts newest first and cannot filter by time: pages until one reaches past the window's
    start. Returns the keys of the records inside the window, oldest last."""
    since = scope.since

    def inside(record: dict) -> bool:
        return _parse(record.get(time_field)) >= since

    keys: list = []
    for records in scope.pages(stream, folder, path, paginator=HeaderLinkPaginator(), params=params,
                               stop_when=lambda records: not records or not inside(records[-1])):
        keys += [record[key] for record in records if inside(record)]
    return list(dict.fromkeys(keys))


def _parse(text: str | None) -> datetime:
    return datetime.fromisoformat(text or "1970-01-01T00:00:00Z")
