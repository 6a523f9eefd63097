"""GitLab (gitlab.com, or self-managed: `base_url: https://gitlab.example.com/api/v4`).

Scope: `projects` (paths such as `acme/platform/checkout`) and/or `groups`, whose projects, subgroups
included, are listed once per run. Per project: merge requests updated in the window, each one's commits and
notes; commits of the default branch `since` the window; pipelines and deployments updated in the window.

Paging follows GitLab's `Link` header (`rel="next"`), which GitLab sends for offset paging (`page=`, the
same value as `x-next-page`) and for keyset paging (`cursor=`, `id_after=`) alike, and which it keeps
sending past 10,000 records when it leaves out `x-total`, `x-total-pages` and `rel="last"`.
GitLab caps offset paging at an instance limit (50,000 records by default) only on lists that also offer
keyset paging (today the `/projects` list for requests without a token); the lists read here are per
project, bounded by the window, and offer no keyset paging, so offset paging is what GitLab serves. Should
an instance ever refuse a large offset, the 400 ends that project's collection with GitLab's message and
the next run resumes from the last page written.

Time-filtered lists are read newest-updated first: a record updated while the list is paged moves to the
first page, so later pages shift by one and repeat a record (harmless: every version is kept once) instead
of skipping one, which oldest-first offset paging would do. The record that moved is in the next run's
window."""

from __future__ import annotations

from urllib.parse import quote

from dlt.sources.helpers.rest_client.paginators import HeaderLinkPaginator, SinglePagePaginator

from ingestion.collect.config import ToolConfig
from ingestion.collect.core import ScopeRun, ToolRun, utc_iso
from ingestion.collect.http import HeaderAuth

# GitLab refuses larger pages.
MAX_PER_PAGE = 100


def auth(tool: ToolConfig):
    return HeaderAuth("PRIVATE-TOKEN", tool.credentials["gitlab_token"].reveal()), {}


def scopes(run: ToolRun) -> list[str]:
    projects = list(run.tool.values("projects"))
    for group in run.tool.values("groups"):
        params = {"include_subgroups": "true", "with_shared": "false", "archived": "false", "simple": "true",
                  "order_by": "id", "sort": "asc", "per_page": _per_page(run)}
        for page in _get_pages(run, f"group {group}", f"/groups/{_encoded(group)}/projects", params,
                               HeaderLinkPaginator()):
            projects += [project.get("path_with_namespace") for project in page.response.json()]
    return [project for project in dict.fromkeys(projects) if project]


def collect_scope(scope: ScopeRun) -> None:
    project = scope.scope.split(":", 1)[1]
    folder, api, per_page = f"gitlab/{project}", f"/projects/{_encoded(project)}", _per_page(scope.tool_run)
    settings = _project(scope.tool_run, project, api)
    updated = {"updated_after": utc_iso(scope.since), "order_by": "updated_at", "sort": "desc",
               "per_page": per_page}

    if _enabled(settings, "merge_requests_access_level"):
        iids: list[int] = []
        for records in scope.pages("merge_requests", f"{folder}/merge_requests", f"{api}/merge_requests",
                                   paginator=HeaderLinkPaginator(), params={"state": "all", **updated}):
            # A record without its iid lands all the same (the loader quarantines it); it has no lists to ask.
            iids += [record.get("iid") for record in records if isinstance(record, dict) and record.get("iid")]
        for iid in dict.fromkeys(iids):
            scope.fetch_pages(f"merge_request_commits/{iid}", f"{folder}/merge_request_commits", str(iid),
                              f"{api}/merge_requests/{iid}/commits", paginator=HeaderLinkPaginator(),
                              params={"per_page": per_page})
            scope.fetch_pages(f"merge_request_notes/{iid}", f"{folder}/merge_request_notes", str(iid),
                              f"{api}/merge_requests/{iid}/notes", paginator=HeaderLinkPaginator(),
                              params={"sort": "asc", "order_by": "created_at", "per_page": per_page})

    # An empty repository has no default branch, and its commits list answers 404.
    if settings.get("default_branch") and _enabled(settings, "repository_access_level"):
        _drain(scope.pages("commits", f"{folder}/commits", f"{api}/repository/commits",
                           paginator=HeaderLinkPaginator(),
                           params={"ref_name": settings["default_branch"], "since": utc_iso(scope.since),
                                   "per_page": per_page}))

    if _enabled(settings, "builds_access_level"):
        _drain(scope.pages("pipelines", f"{folder}/pipelines", f"{api}/pipelines",
                           paginator=HeaderLinkPaginator(), params=updated))
    if _enabled(settings, "environments_access_level"):
        # GitLab 16+ refuses `updated_after` unless ordered by `updated_at`.
        _drain(scope.pages("deployments", f"{folder}/deployments", f"{api}/deployments",
                           paginator=HeaderLinkPaginator(), params=updated))


def _project(run: ToolRun, project: str, api: str) -> dict:
    """The project's settings: its default branch and which features it has switched off (a disabled
    feature's list answers 403). Read each run, not written: it is not part of the landing layout."""
    for page in _get_pages(run, project, api, None, SinglePagePaginator()):
        body = page.response.json()
        return body if isinstance(body, dict) else {}
    return {}


def _enabled(settings: dict, access_level: str) -> bool:
    # Older GitLab versions lack some of these keys: the feature is then on.
    return settings.get(access_level, "enabled") != "disabled"


def _get_pages(run: ToolRun, scope: str, path: str, params: dict | None, paginator):
    """Pages of a body that is read, not landed, failing as a landed one does."""
    yield from run.read(scope, path, params=params, paginator=paginator)


def _drain(pages) -> None:
    for _ in pages:
        pass


def _encoded(path: str) -> str:
    """A project or group path as GitLab's `:id`: URL-encoded, slashes included."""
    return quote(path, safe="")


def _per_page(run: ToolRun) -> int:
    return min(run.config.page_size, MAX_PER_PAGE)
