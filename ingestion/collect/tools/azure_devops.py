"""Azure DevOps Services (`base_url: https://dev.azure.com`, the organization is added to it) and Azure DevOps
Server (`base_url` is the collection's URL, `https://ado.example.com/tfs/DefaultCollection`, and the
organization is the collection's name).

Per project: work items changed in the window (a WIQL query for their ids, then their bodies 200 at a time
and each one's updates); pull requests closed in the window and every active one (its votes and commits
change without a time the API can filter on), each one's commits; builds queued in the window; each
environment's deployment records, newest first down to the window. Builds, commits, projects and
environments page with the `x-ms-continuationtoken` response header; pull requests and updates with
`$top`/`$skip`."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit

from dlt.sources.helpers.rest_client.paginators import (
    HeaderCursorPaginator,
    OffsetPaginator,
    SinglePagePaginator,
)
from requests.auth import HTTPBasicAuth

from ingestion.collect.config import ToolConfig
from ingestion.collect.core import ScopeRun, ToolRun, utc_iso
from ingestion.collect.landing import safe_segment

API = {"api-version": "7.1"}
PREVIEW_API = {"api-version": "7.1-preview.1"}
# workitemsbatch takes at most 200 ids; an item's updates come at most 200 a page.
MAX_BATCH = 200
CONTINUATION = "x-ms-continuationtoken"
# Days of changes one WIQL query asks for: few enough that it answers fewer than its 20,000 items.
WIQL_DAYS = 30


def auth(tool: ToolConfig):
    # A personal access token goes as the password of basic authentication, with an empty user.
    return HTTPBasicAuth("", tool.credentials["azure_devops_pat"].reveal()), {}


def scopes(run: ToolRun) -> list[str]:
    organization = run.tool.values("organization")[0]
    projects = run.tool.values("projects")
    if not projects:
        projects = [project["name"] for project in _read(
            run, organization, f"{_organization_path(run.tool)}/_apis/projects",
            {**API, "$top": run.config.page_size}, _continuation())]
    return [f"{organization}/{project}" for project in dict.fromkeys(projects)]


def collect_scope(scope: ScopeRun) -> None:
    organization, project = scope.scope.split(":", 1)[1].split("/", 1)
    folder = f"azure_devops/{safe_segment(organization)}/{safe_segment(project)}"
    api = f"{_organization_path(scope.tool_run.tool)}/{quote(project, safe='')}/_apis"
    _work_items(scope, folder, api)
    _pull_requests(scope, folder, api)
    _builds(scope, folder, api)
    _environment_deployments(scope, folder, api)


def _organization_path(tool: ToolConfig) -> str:
    """The path below the base URL that addresses the organization: none when the base URL already ends
    with it (a server's collection URL, whose collection is the organization)."""
    organization = tool.values("organization")[0]
    if urlsplit(tool.base_url).path.rstrip("/").rsplit("/", 1)[-1].lower() == organization.lower():
        return ""
    return quote(organization, safe="")


# Work items -----------------------------------------------------------------------------------------------


def _work_items(scope: ScopeRun, folder: str, api: str) -> None:
    ids = _changed_work_item_ids(scope, api)
    size = min(MAX_BATCH, scope.tool_run.config.page_size)
    for number, start in enumerate(range(0, len(ids), size), start=1):
        # errorPolicy omit: an item deleted since the query is left out instead of failing the batch.
        body = {"ids": ids[start:start + size], "errorPolicy": "omit"}
        for _ in scope.pages(f"work_items/{number}", f"{folder}/work_items", f"{api}/wit/workitemsbatch",
                             paginator=SinglePagePaginator(), params={**API}, method="POST", json_body=body,
                             data_selector="value", name=lambda _, n=number: f"{scope.run_id}-{n:04d}.json"):
            pass
    for work_item_id in ids:
        scope.fetch_pages(f"work_item_updates/{work_item_id}", f"{folder}/work_item_updates", str(work_item_id),
                          f"{api}/wit/workItems/{work_item_id}/updates", paginator=_top_skip(size),
                          params={**API}, data_selector="value")


def _changed_work_item_ids(scope: ScopeRun, api: str) -> list[int]:
    """The ids of the items changed in the window, asked 30 days a query (a WIQL query answers at most
    20,000 items). Kept with the run, so a resumed run fetches the same batches (the queries' answers are
    not landing files)."""
    if "work_item_ids" not in scope.run:
        ids: list[int] = []
        for start, end in _wiql_windows(scope.since, scope.until):
            changed = f"[System.ChangedDate] >= '{utc_iso(start)}'"
            if end:
                changed += f" AND [System.ChangedDate] < '{utc_iso(end)}'"
            query = (f"SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project AND {changed} "
                     "ORDER BY [System.Id]")
            # timePrecision: compare to the second, in UTC, not to the day in the profile's time zone.
            ids += [item["id"] for item in _read(
                scope.tool_run, scope.scope.split(":", 1)[1], f"{api}/wit/wiql", {**API, "timePrecision": "true"},
                SinglePagePaginator(), method="POST", json_body={"query": query}, data_selector="workItems")]
        scope.run["work_item_ids"] = list(dict.fromkeys(ids))
        scope.save()
    return scope.run["work_item_ids"]


def _wiql_windows(since: datetime, until: datetime) -> list[tuple[datetime, datetime | None]]:
    """Consecutive windows of WIQL_DAYS from `since`; the last is open-ended, so an item changed while the
    collection runs is in one of them."""
    windows: list[tuple[datetime, datetime | None]] = []
    start = since
    while start + timedelta(days=WIQL_DAYS) < until:
        windows.append((start, start + timedelta(days=WIQL_DAYS)))
        start += timedelta(days=WIQL_DAYS)
    return [*windows, (start, None)]


# Pull requests --------------------------------------------------------------------------------------------


def _pull_requests(scope: ScopeRun, folder: str, api: str) -> None:
    page_size = scope.tool_run.config.page_size
    label = scope.scope.split(":", 1)[1]
    repositories = _read(scope.tool_run, label, f"{api}/git/repositories", {**API}, SinglePagePaginator())
    # Every pull request created in the window is either still active or was closed in it since.
    searches = {
        "active": {"searchCriteria.status": "active"},
        "closed": {"searchCriteria.status": "all", "searchCriteria.queryTimeRangeType": "closed",
                   "searchCriteria.minTime": utc_iso(scope.since)},
    }
    for repository in repositories:
        if repository.get("isDisabled"):
            continue
        repo_id, repo_name = repository["id"], safe_segment(repository["name"])
        pulls: list[int] = []
        for kind, criteria in searches.items():
            stream = f"pull_requests/{repo_id}/{kind}"
            for records in scope.pages(
                stream, f"{folder}/pull_requests", f"{api}/git/repositories/{repo_id}/pullrequests",
                paginator=_top_skip(page_size), params={**API, **criteria}, data_selector="value",
                name=lambda n, r=repo_name, k=kind: f"{scope.run_id}-{r}-{k}-{n:04d}.json",
            ):
                pulls += [record["pullRequestId"] for record in records]
        for pull_id in dict.fromkeys(pulls):
            scope.fetch_pages(f"pull_request_commits/{pull_id}", f"{folder}/pull_request_commits", str(pull_id),
                              f"{api}/git/repositories/{repo_id}/pullRequests/{pull_id}/commits",
                              paginator=_continuation(), params={**API, "$top": page_size},
                              data_selector="value")


# Builds and deployments -----------------------------------------------------------------------------------


def _builds(scope: ScopeRun, folder: str, api: str) -> None:
    params = {**API, "minTime": utc_iso(scope.since), "queryOrder": "queueTimeAscending",
              "$top": scope.tool_run.config.page_size}
    for _ in scope.pages("builds", f"{folder}/builds", f"{api}/build/builds", paginator=_continuation(),
                         params=params, data_selector="value"):
        pass


def _environment_deployments(scope: ScopeRun, folder: str, api: str) -> None:
    """Deployment records cannot be filtered by time and come newest first: page until one reaches past
    the window's start."""
    page_size, since = scope.tool_run.config.page_size, scope.since
    environments = _read(scope.tool_run, scope.scope.split(":", 1)[1], f"{api}/distributedtask/environments",
                         {**PREVIEW_API, "$top": page_size}, _continuation())

    def reaches_past_window(records: list) -> bool:
        return not records or _parse(records[-1].get("queueTime")) < since

    for environment in environments:
        environment_id = environment["id"]
        for _ in scope.pages(
            f"environment_deployments/{environment_id}",
            f"{folder}/environment_deployments/{safe_segment(environment['name'])}",
            f"{api}/distributedtask/environments/{environment_id}/environmentdeploymentrecords",
            paginator=_continuation(), params={**PREVIEW_API, "top": page_size}, data_selector="value",
            stop_when=reaches_past_window,
        ):
            pass


# Helpers --------------------------------------------------------------------------------------------------


def _continuation() -> HeaderCursorPaginator:
    return HeaderCursorPaginator(cursor_key=CONTINUATION, cursor_param="continuationToken")


class _ShortPageOffsetPaginator(OffsetPaginator):
    """`$top`/`$skip` paging without a total: a page shorter than `$top` is the last, so no empty page is
    asked for after it."""

    def update_state(self, response, data=None) -> None:
        super().update_state(response, data)
        if data is not None and len(data) < self.limit:
            self._has_next_page = False


def _top_skip(size: int) -> _ShortPageOffsetPaginator:
    return _ShortPageOffsetPaginator(limit=size, offset_param="$skip", limit_param="$top", total_path=None)


def _read(run: ToolRun, label: str, path: str, params: dict, paginator, *, method: str = "GET",
          json_body: dict | None = None, data_selector: str = "value") -> list:
    """Records of a request whose body is not a landing file (projects, repositories, a WIQL query), with
    the same retries and error messages as the landing files' requests."""
    records: list = []
    for page in run.read(label, path, method=method, params=params, json_body=json_body, paginator=paginator,
                         data_selector=data_selector):
        records.extend(page)
    return records


def _parse(text: str | None) -> datetime:
    # Seven fractional digits are more than fromisoformat takes: the second is enough to compare.
    return datetime.fromisoformat((text or "1970-01-01T00:00:00Z")[:19] + "+00:00")

