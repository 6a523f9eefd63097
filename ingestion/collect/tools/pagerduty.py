"""PagerDuty REST v2: incidents created in the window, oldest first, from `GET /incidents` paged by
`offset` while `more`.

- PagerDuty refuses `offset + limit` beyond 10,000. A window with more incidents is split by time: when a
  slice reaches the cap, the next slice starts at the creation time of the last incident received (the
  incidents of that second come again; the loader keeps one version of each).
- `since`/`until` filter on creation time, so an incident created before the window and resolved inside it
  would be missed: the scope remembers the creation time of the oldest incident still open at the end of
  a collection, and the next window starts no later than it."""

from __future__ import annotations

from datetime import UTC, datetime

from dlt.sources.helpers.rest_client.paginators import OffsetPaginator

from ingestion.collect.config import ToolConfig
from ingestion.collect.core import ScopeFailed, ScopeRun, ToolRun, utc_iso
from ingestion.collect.http import HeaderAuth

# PagerDuty answers 400 when offset + limit exceeds it.
MAX_OFFSET_RECORDS = 10_000
MAX_PAGE_SIZE = 100
OPEN_SINCE = "oldest_open_created_at"
OPEN_STATUSES = ("triggered", "acknowledged")


def auth(tool: ToolConfig):
    headers = {"Accept": "application/vnd.pagerduty+json;version=2"}
    return HeaderAuth("Authorization", f"Token token={tool.credentials['pagerduty_token'].reveal()}"), headers


def scopes(run: ToolRun) -> list[str]:
    """One scope: the account's incidents, or those of the configured services and teams."""
    parts = [f"{key} {','.join(run.tool.values(key))}" for key in ("services", "teams") if run.tool.values(key)]
    return ["; ".join(parts) or "all services"]


def collect_scope(scope: ScopeRun) -> None:
    tool = scope.tool_run.tool
    size = min(scope.tool_run.config.page_size, MAX_PAGE_SIZE)
    cap = MAX_OFFSET_RECORDS // size * size  # records one slice can page through
    filters = {"service_ids[]": tool.values("services"), "team_ids[]": tool.values("teams")}
    filters = {key: values for key, values in filters.items() if values}
    start, until = window_start(scope), utc_iso(scope.until)
    incidents: dict[str, dict] = {}
    written, number = 0, 1
    while True:
        received = 0
        last_created = start
        for page in scope.pages(
            f"incidents/{number}", "pagerduty/incidents", "/incidents", data_selector="incidents",
            paginator=OffsetPaginator(limit=size, total_path=None, has_more_path="more",
                                      maximum_offset=cap - size + 1),
            params={"since": start, "until": until, "time_zone": "UTC", "sort_by": "created_at:asc", **filters},
            name=lambda page, before=written: f"{scope.run_id}-{before + page:04d}.json",
        ):
            written += 1
            received += len(page)
            incidents.update({str(incident.get("id")): incident for incident in page if _created(incident)})
            last_created = max([last_created, *filter(None, map(_created, page))])
        if received < cap:
            break
        if last_created == start:
            raise ScopeFailed(f"pagerduty {scope.scope.split(':', 1)[1]}: more than {cap} incidents created at "
                              f"{start}: the window cannot be split further by time")
        start, number = last_created, number + 1
    _remember_open(scope, incidents.values())


def window_start(scope: ScopeRun) -> str:
    """The window's start, moved back to the oldest incident still open at the last collection."""
    open_since = scope.extra.get(OPEN_SINCE)
    return utc_iso(min(scope.since, _parse(open_since)) if open_since else scope.since)


def _remember_open(scope: ScopeRun, incidents) -> None:
    still_open = [_created(i) for i in incidents if i.get("status") in OPEN_STATUSES]
    scope.extra.pop(OPEN_SINCE, None)
    if still_open:
        scope.extra[OPEN_SINCE] = min(still_open)


def _created(incident) -> str | None:
    """An incident's creation time in the window's format; None for a malformed record (the loader
    quarantines it)."""
    try:
        return utc_iso(_parse(incident["created_at"]))
    except (TypeError, KeyError, ValueError):
        return None


def _parse(text: str) -> datetime:
    # PagerDuty's times: `2022-11-03T06:23:06Z`, sometimes with microseconds.
    moment = datetime.fromisoformat(text)
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
