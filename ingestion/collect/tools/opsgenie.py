"""Opsgenie (`base_url: https://api.opsgenie.com`, or `https://api.eu.opsgenie.com` for the EU instance).

One scope, the account: alerts updated in the window, oldest update first, and incidents updated in the
window, oldest first; `query` (Opsgenie's search syntax, e.g. `teams: checkout`) narrows both. Paging
follows `paging.next`. Opsgenie serves no alert past offset + limit = 20,000: past it, the alerts' search
starts again from the last alert's `updatedAt`, so any number of alerts is collected (the ones updated in
that very millisecond come twice, and load once)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit

from dlt.sources.helpers.rest_client.paginators import JSONLinkPaginator

from ingestion.collect.config import ToolConfig
from ingestion.collect.core import ScopeFailed, ScopeRun, ToolRun
from ingestion.collect.http import HeaderAuth

# The most of a search Opsgenie serves: offset + limit.
OFFSET_LIMIT = 20_000
# Opsgenie's own largest page.
MAX_LIMIT = 100
SCOPE = "account"


def auth(tool: ToolConfig):
    return HeaderAuth("Authorization", f"GenieKey {tool.credentials['opsgenie_api_key'].reveal()}"), {}


def scopes(run: ToolRun) -> list[str]:
    return [SCOPE]


def collect_scope(scope: ScopeRun) -> None:
    narrowing = " ".join(scope.tool_run.tool.values("query"))
    limit = min(MAX_LIMIT, scope.tool_run.config.page_size)
    since_ms = _epoch_ms(scope.since)
    for _ in scope.pages("alerts", "opsgenie/alerts", "/v2/alerts", paginator=_SplitByTimePaginator(narrowing),
                         params={"query": search(narrowing, since_ms), "sort": "updatedAt", "order": "asc",
                                 "limit": limit, "offset": 0},
                         data_selector="data"):
        pass
    for _ in scope.pages("incidents", "opsgenie/incidents", "/v1/incidents", paginator=_next_link(),
                         params={"query": search(narrowing, since_ms), "sort": "createdAt", "order": "asc",
                                 "limit": limit, "offset": 0},
                         data_selector="data"):
        pass


def search(narrowing: str, since_ms: int) -> str:
    """The search: updated since `since_ms` (epoch milliseconds), within the configured query if any."""
    window = f"updatedAt >= {since_ms}"
    return f"({narrowing}) AND {window}" if narrowing else window


def _next_link() -> JSONLinkPaginator:
    return JSONLinkPaginator(next_url_path="paging.next")


class _SplitByTimePaginator(JSONLinkPaginator):
    """`paging.next`, until it would pass the offset limit: then the same search from the last alert's
    update time, from offset 0 (the alerts are sorted by `updatedAt`, ascending)."""

    def __init__(self, narrowing: str) -> None:
        super().__init__(next_url_path="paging.next")
        self.narrowing = narrowing

    def update_state(self, response, data=None) -> None:
        super().update_state(response, data)
        if not self._next_reference or not data or not data[-1].get("updatedAt"):
            # Without a last update time there is nothing to start again from: Opsgenie refuses the page
            # past its limit, and that error names the tool and the scope.
            return
        following = dict(parse_qsl(urlsplit(self._next_reference).query))
        if int(following.get("offset", 0)) + int(following.get("limit", MAX_LIMIT)) <= OFFSET_LIMIT:
            return
        current = urlsplit(response.url)
        args = dict(parse_qsl(current.query))
        restart = search(self.narrowing, _epoch_ms(_parse(data[-1]["updatedAt"])))
        if restart == args.get("query"):
            raise ScopeFailed(f"opsgenie {SCOPE}: more than {OFFSET_LIMIT} alerts were updated in the same "
                              "millisecond; narrow the `query` of collect.yaml")
        args.update(query=restart, offset="0")
        self._next_reference = current._replace(query=urlencode(args)).geturl()


def _parse(text: str) -> datetime:
    # Up to nine fractional digits: microseconds are enough.
    text = re.sub(r"(\.\d{6})\d+", r"\1", text).replace("Z", "+00:00")
    return datetime.fromisoformat(text)


def _epoch_ms(moment: datetime) -> int:
    return int(moment.astimezone(UTC).timestamp() * 1000)
