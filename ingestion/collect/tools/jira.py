"""Jira Cloud (and Jira Data Center with `api: datacenter`).

One scope per configured filter (the projects and/or the JQL): the issues updated in the window, oldest
first, with their changelog inline, from `/rest/api/3/search/jql` paged by `nextPageToken` until `isLast`;
then, for every issue whose `changelog.total` exceeds the histories it carries inline (at most 40), its
full changelog from `/rest/api/3/issue/{key}/changelog`, paged by `startAt`.

JQL compares `updated >= "yyyy-MM-dd HH:mm"` in the time zone of the account that asks, so the window's start
is written in that zone, read from `/myself`; when the zone is unknown the start is moved a day earlier,
which covers every offset.

Jira Data Center has no `/search/jql` and no changelog endpoint: `/rest/api/2/search` pages by `startAt` and
`total` and returns every history inline."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dlt.sources.helpers.rest_client.paginators import (
    JSONResponseCursorPaginator,
    OffsetPaginator,
    SinglePagePaginator,
)
from requests import RequestException
from requests.auth import HTTPBasicAuth

from ingestion.collect.config import ToolConfig
from ingestion.collect.core import ScopeFailed, ScopeRun, ToolRun
from ingestion.collect.landing import safe_segment

JQL_TIME = "%Y-%m-%d %H:%M"
# Jira Cloud's maximum for both the search and the changelog pages.
MAX_PAGE_SIZE = 100
UNKNOWN_ZONE_MARGIN = timedelta(days=1)
ORDER_BY = re.compile(r"(?is)\s*\border\s+by\s+.*$")


def auth(tool: ToolConfig):
    credentials = tool.credentials
    return HTTPBasicAuth(credentials["jira_user"].reveal(), credentials["jira_api_token"].reveal()), {}


def scopes(run: ToolRun) -> list[str]:
    """One scope: the configured filter, so that changing it starts a fresh history."""
    return [scope_filter(run.tool)]


def scope_filter(tool: ToolConfig) -> str:
    clauses = []
    projects = tool.values("projects")
    if projects:
        # Quoted: a project key may be a JQL word (AND, ORDER).
        quoted = ", ".join(f'"{key}"' for key in projects)
        clauses.append(f"project in ({quoted})")
    for jql in tool.values("jql"):
        # The collector orders the search itself: a configured ORDER BY would make the JQL invalid.
        clauses.append(f"({ORDER_BY.sub('', jql).strip()})")
    return " AND ".join(clauses)


def collect_scope(scope: ScopeRun) -> None:
    datacenter = _datacenter(scope.tool_run.tool)
    jql = f'{scope.scope.split(":", 1)[1]} AND updated >= "{_jql_since(scope, datacenter)}" ORDER BY updated ASC'
    size = min(scope.tool_run.config.page_size, MAX_PAGE_SIZE)
    params = {"jql": jql, "fields": "*navigable", "expand": "changelog", "maxResults": size}
    if datacenter:
        path = "/rest/api/2/search"
        paginator = OffsetPaginator(limit=size, offset_param="startAt", limit_param="maxResults",
                                    total_path="total")
    else:
        path = "/rest/api/3/search/jql"
        paginator = SearchPaginator()
    longer: dict[str, None] = {}
    for issues in scope.pages("issues", "jira/issues", path, paginator=paginator, params=params,
                              data_selector="issues"):
        longer.update(dict.fromkeys(_issue_ref(issue) for issue in issues if _history_cut(issue)))
    if datacenter:
        return
    changelog_size = min(int(scope.tool_run.tool.options.get("changelog_page_size") or size), MAX_PAGE_SIZE)
    for key in longer:
        _full_changelog(scope, key, changelog_size)


def _full_changelog(scope: ScopeRun, key: str, size: int) -> None:
    """Every history of one issue, `size` a page. An issue deleted since the search is reported and skipped:
    one record's absence must not stop the collection."""
    try:
        for _ in scope.pages(f"changelogs/{key}", f"jira/changelogs/{safe_segment(key)}",
                             f"/rest/api/3/issue/{key}/changelog", data_selector="values", params={},
                             paginator=OffsetPaginator(limit=size, offset_param="startAt", limit_param="maxResults",
                                                       total_path="total")):
            pass
    except ScopeFailed as failure:
        if failure.status != 404:
            raise
        scope.tool_run.stats.errors.append(f"jira {key}: changelog not found (the issue was deleted or hidden "
                                           "since the search); its inline histories are kept")


class SearchPaginator(JSONResponseCursorPaginator):
    """`/search/jql`: the next page's token is `nextPageToken`; the last page has none and says `isLast`."""

    def __init__(self) -> None:
        super().__init__(cursor_path="nextPageToken", cursor_param="nextPageToken")

    def update_state(self, response, data=None) -> None:
        super().update_state(response, data)
        if response.json().get("isLast") is True:
            self._next_reference = None


def _history_cut(issue) -> bool:
    """Whether the issue's history goes beyond what came inline. A malformed record is left to the loader's
    quarantine."""
    changelog = issue.get("changelog") if isinstance(issue, dict) else None
    if not isinstance(changelog, dict) or not _issue_ref(issue):
        return False
    total, histories = changelog.get("total"), changelog.get("histories")
    return isinstance(total, int) and isinstance(histories, list) and total > len(histories)


def _issue_ref(issue: dict) -> str:
    """The changelog folder's name: the key, else the id (the loader reads either)."""
    return str(issue.get("key") or issue.get("id") or "")


def _datacenter(tool: ToolConfig) -> bool:
    api = str(tool.options.get("api") or "cloud").lower()
    if api not in ("cloud", "datacenter"):
        raise ScopeFailed(f"jira: api: {api!r} is neither cloud nor datacenter (check collect.yaml)", stop_tool=True)
    return api == "datacenter"


def _jql_since(scope: ScopeRun, datacenter: bool) -> str:
    """The window's start as JQL reads it: in the asking account's time zone (minutes, rounded down)."""
    zone = _account_zone(scope, datacenter)
    if zone is None:
        return (scope.since - UNKNOWN_ZONE_MARGIN).strftime(JQL_TIME)
    return scope.since.astimezone(zone).strftime(JQL_TIME)


def _account_zone(scope: ScopeRun, datacenter: bool) -> ZoneInfo | None:
    run = scope.tool_run
    path = "/rest/api/2/myself" if datacenter else "/rest/api/3/myself"
    try:
        for page in run.client.paginate(path, paginator=SinglePagePaginator(), hooks=run.hooks):
            return ZoneInfo(str(page.response.json().get("timeZone") or ""))
    except (RequestException, ZoneInfoNotFoundError, ValueError):
        # A refused credential is reported by the search that follows, with the scope's name.
        return None
    return None
