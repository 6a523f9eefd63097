"""One collection of one scope (a repository, a Jira site, a PagerDuty account…): its time window, its
resumable page streams and its child requests. Paging and retries are dlt's REST client's; this module only
writes each body as it came, and records after each page where to resume."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from json import JSONDecodeError
from pathlib import Path
from typing import Any

from dlt.common import jsonpath
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import BasePaginator, RangePaginator, SinglePagePaginator
from requests import HTTPError, RequestException
from requests.exceptions import JSONDecodeError as BodyNotJson

from ingestion.collect.config import CollectConfig, ToolConfig
from ingestion.collect.http import ToolStats, response_hooks
from ingestion.collect.landing import write_body
from ingestion.collect.state import CollectState

TIMESTAMP = "%Y-%m-%dT%H:%M:%SZ"
CHILD_SAVE_SECONDS = 1.0


class ScopeFailed(Exception):
    """A scope could not be collected; the message names the tool, the scope and what to check (never a
    credential). `stop_tool` when no other scope of the tool can fare better (a refused credential)."""

    def __init__(self, message: str, stop_tool: bool = False, status: int | None = None) -> None:
        super().__init__(message)
        self.stop_tool, self.status = stop_tool, status


@dataclass
class ToolRun:
    """Everything one tool's collection shares: its configuration, client, counters and state."""

    config: CollectConfig
    tool: ToolConfig
    client: RESTClient
    stats: ToolStats
    state: CollectState
    exports_dir: Path
    now: datetime
    hooks: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.hooks = response_hooks(self.config, self.stats)

    def scope(self, name: str) -> ScopeRun:
        return ScopeRun(self, f"{self.tool.tool}:{name}")

    def read(self, scope: str, path: str, *, paginator: BasePaginator | None = None, params: dict | None = None,
             data_selector: str = "$", method: str = "GET", json_body: dict | None = None) -> Iterator[Any]:
        """Pages of a body that is read, never landed (a group's projects, a WIQL answer), with the retries
        and the error messages of the landed ones. Yields dlt's pages: each a list, with its `response`."""
        yield from paginate(self, f"{self.tool.tool}:{scope}", path, method, params, json_body,
                            paginator or SinglePagePaginator(), data_selector)


class ScopeRun:
    """A scope's collection: resumes the run a kill interrupted (same window, same file names), else starts
    one from the last successful collection less the overlap, or from the configured history."""

    def __init__(self, run: ToolRun, scope: str) -> None:
        self.tool_run, self.scope = run, scope
        state = run.state
        self.run = state.running(scope)
        if self.run is None:
            self.run = self._new_run(state.collected_until(scope), state.scope_extra(scope))
            state.start(scope, self.run)
        self.since = datetime.strptime(self.run["since"], TIMESTAMP).replace(tzinfo=UTC)
        self.until = datetime.strptime(self.run["until"], TIMESTAMP).replace(tzinfo=UTC)
        self.first = self.run["first"]
        self.extra: dict = self.run["extra"]

    def _new_run(self, collected_until: str | None, extra: dict) -> dict:
        config, now = self.tool_run.config, self.tool_run.now.replace(microsecond=0)
        if collected_until:
            since = datetime.strptime(collected_until, TIMESTAMP).replace(tzinfo=UTC)
            since -= timedelta(hours=config.overlap_hours)
        else:
            since = now - timedelta(days=config.history_days)
        return {
            "run_id": now.strftime("%Y%m%dT%H%M%SZ"), "since": since.strftime(TIMESTAMP),
            "until": now.strftime(TIMESTAMP), "first": collected_until is None, "streams": {}, "done": [],
            "extra": extra,
        }

    @property
    def run_id(self) -> str:
        return self.run["run_id"]

    def finish(self) -> None:
        self.tool_run.state.finish(self.scope, self.run["until"], self.extra)


    # Streams of pages -------------------------------------------------------------------------------------

    def pages(self, stream: str, folder: str, path: str, *, paginator: BasePaginator,
              params: dict | None = None, data_selector: str = "$", method: str = "GET",
              json_body: dict | None = None, stop_when: Callable[[Any], bool] | None = None,
              name: Callable[[int], str] | None = None, child: bool = False) -> Iterator[Any]:
        """Yields each page's records, writing each body as `folder/<run id>-<nnnn>.json`. On resume, the pages
        this run already wrote are read back from disk first, then paging continues from the saved request."""
        entry = self.run["streams"].setdefault(stream, {"pages": 0, "next": None, "done": False})
        name = name or (lambda number: f"{self.run_id}-{number:04d}.json")
        exports = self.tool_run.exports_dir
        for number in range(1, entry["pages"] + 1):
            yield _select(json.loads((exports / folder / name(number)).read_bytes()), data_selector)
        if entry["done"]:
            return
        if entry["next"]:
            path, params, json_body = entry["next"]["url"], entry["next"]["params"], entry["next"]["json"]
            if isinstance(paginator, RangePaginator):
                paginator.initial_value = entry["next"]["value"]
        for page in self._paginate(path, method, params, json_body, paginator, data_selector):
            number = entry["pages"] + 1
            write_body(exports, f"{folder}/{name(number)}", page.response.content)
            self.tool_run.stats.add(pages=1, files=1)
            stop = bool(stop_when and stop_when(list(page)))
            entry["pages"] = number
            entry["next"] = None if stop or not page.paginator.has_next_page else _next_request(page)
            entry["done"] = entry["next"] is None
            self._save_soon() if child else self.save()
            yield list(page)
            if stop:
                return

    def fetch(self, key: str, relative: str, path: str, *, params: dict | None = None,
              data_selector: str = "$") -> Any:
        """One body to one file (a pull request's reviews, a deployment's statuses). Done once per run: on
        resume, read back from disk."""
        target = self.tool_run.exports_dir / relative
        if key in self._done and target.is_file():
            return _select(json.loads(target.read_bytes()), data_selector)
        for page in self._paginate(path, "GET", params, None, SinglePagePaginator(), data_selector):
            write_body(self.tool_run.exports_dir, relative, page.response.content)
            self.tool_run.stats.add(pages=1, files=1)
            self._mark_done(key)
            return list(page)
        return []

    def fetch_pages(self, key: str, folder: str, stem: str, path: str, *, paginator: BasePaginator,
                    params: dict | None = None, data_selector: str = "$") -> list:
        """A child list that may span pages: `<stem>.json`, then `<stem>-2.json`, … Returns every record.
        Once finished it is only a key in the run's done set, so that the state saved after each page stays
        small however many children a scope has."""

        def name(number: int) -> str:
            return f"{stem}.json" if number == 1 else f"{stem}-{number}.json"

        if key in self._done:
            return self._read_back(folder, name, data_selector)
        records: list = []
        for data in self.pages(key, folder, path, paginator=paginator, params=params, data_selector=data_selector,
                               name=name, child=True):
            records.extend(data)
        self.run["streams"].pop(key, None)
        self._mark_done(key)
        return records

    def _read_back(self, folder: str, name: Callable[[int], str], data_selector: str) -> list:
        records, number = [], 1
        while (page := self.tool_run.exports_dir / folder / name(number)).is_file():
            records.extend(_select(json.loads(page.read_bytes()), data_selector))
            number += 1
        return records

    @property
    def _done(self) -> set[str]:
        if "_done_set" not in self.__dict__:
            self.__dict__["_done_set"] = set(self.run["done"])
        return self.__dict__["_done_set"]

    def _mark_done(self, key: str) -> None:
        """A child request is done. Saved at most once a second: a kill loses at most that second's children,
        which the resumed run asks again and writes under the same names (a save per child made the state
        cost more than the requests on a repository of thousands of pull requests)."""
        self._done.add(key)
        self.run["done"].append(key)
        self._save_soon()

    def _save_soon(self) -> None:
        if time.monotonic() - self.__dict__.get("_saved_at", 0.0) >= CHILD_SAVE_SECONDS:
            self.save()

    def save(self) -> None:
        self.__dict__["_saved_at"] = time.monotonic()
        self.tool_run.state.update_running(self.scope)

    def _paginate(self, path, method, params, json_body, paginator, data_selector):
        return paginate(self.tool_run, self.scope, path, method, params, json_body, paginator, data_selector)


def paginate(run: ToolRun, scope: str, path, method, params, json_body, paginator, data_selector):
    """dlt's pages, with an error status or a lost network turned into this scope's `ScopeFailed`."""
    try:
        yield from run.client.paginate(
            path, method=method, params=params, json=json_body, paginator=paginator,
            data_selector=data_selector, hooks=run.hooks,
        )
    except HTTPError as error:
        raise _scope_failed(run.tool, scope, error) from None
    except ValueError as error:
        # A body that is not JSON (a proxy's or a single sign-on's page answered 200) or not the envelope the
        # paging expects: this scope stops, nothing of that page lands.
        what = "a body that is not JSON" if isinstance(error, (JSONDecodeError, BodyNotJson)) else f"an unexpected body ({error})"
        raise ScopeFailed(f"{run.tool.tool} {scope.split(':', 1)[1]}: {path.split('?')[0]} answered with "
                          f"{what[:300]}: check base_url (a proxy or sign-in page?)") from None
    except RequestException as error:
        # The message of a connection error names the host, never a header.
        raise ScopeFailed(f"{run.tool.tool} {scope.split(':', 1)[1]}: the network failed after every "
                          f"retry ({type(error).__name__}); the next collection resumes from the last page "
                          "written") from None


def _select(body: Any, data_selector: str) -> Any:
    # As dlt's REST client extracts a page's records, so replayed pages read alike.
    # (a page is a list: selectors name the list of records).
    data: Any = jsonpath.find_values(data_selector, body)
    data = data[0] if isinstance(data, list) and len(data) == 1 else data
    return list(data) if isinstance(data, list) else [data]


def _next_request(page) -> dict:
    request, paginator = page.request, page.paginator
    value = paginator.current_value if isinstance(paginator, RangePaginator) else None
    return {"url": request.url, "params": dict(request.params or {}), "json": request.json, "value": value}


WHAT_TO_CHECK = {
    401: "the credential was refused: check that the token is valid and not expired",
    403: "the credential lacks access: check the token's scopes and that the account can read this scope",
    404: "not found: check the base URL and that the scope (repository, project, job) exists and is visible "
         "to the credential",
}


def _scope_failed(tool: ToolConfig, scope: str, error: HTTPError) -> ScopeFailed:
    status = error.response.status_code if error.response is not None else 0
    url = error.response.url.split("?")[0] if error.response is not None else tool.base_url
    check = WHAT_TO_CHECK.get(status, "the service answered with an error after every retry; try again later")
    return ScopeFailed(f"{tool.tool} {scope.split(':', 1)[1]}: HTTP {status} from {url}: {check}",
                       stop_tool=status == 401, status=status)


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(TIMESTAMP)
