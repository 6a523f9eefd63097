"""One HTTP client per tool, on dlt's REST client: retries with backoff on 429, 5xx and dropped
connections (honouring `Retry-After`), GitHub's primary and secondary rate limits, and a bounded number of
requests in flight per host. Credentials go through `requests` auth objects, so they are added when a
request is prepared and never sit in a request's logged headers."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from dlt.sources.helpers.requests import Client
from dlt.sources.helpers.rest_client import RESTClient
from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase

from ingestion.collect.config import CollectConfig


@dataclass
class ToolStats:
    """What a tool's collection did: shown live and summed up at the end."""

    requests: int = 0
    pages: int = 0
    files: int = 0
    rate_limit_waits: int = 0
    waited_seconds: float = 0.0
    retries: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **counts: float) -> None:
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)


class HeaderAuth(AuthBase):
    """One header carrying a credential (`Authorization: Token token=…`, `PRIVATE-TOKEN: …`)."""

    def __init__(self, header: str, value: str) -> None:
        self.header, self._value = header, value

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        request.headers[self.header] = self._value
        return request

    def __repr__(self) -> str:
        return f"HeaderAuth({self.header!r}, '***')"


_HOST_SLOTS: dict[str, threading.BoundedSemaphore] = {}
_HOST_SLOTS_LOCK = threading.Lock()


def _host_slot(url: str, limit: int) -> threading.BoundedSemaphore:
    host = urlsplit(url).netloc
    with _HOST_SLOTS_LOCK:
        if host not in _HOST_SLOTS:
            _HOST_SLOTS[host] = threading.BoundedSemaphore(limit)
        return _HOST_SLOTS[host]


class BoundedAdapter(HTTPAdapter):
    """At most `limit` requests in flight to one host, across every tool of the process."""

    def __init__(self, limit: int, **kwargs) -> None:
        self.limit = limit
        super().__init__(**kwargs)

    def send(self, request, *args, **kwargs):  # type: ignore[override]
        with _host_slot(request.url, self.limit):
            return super().send(request, *args, **kwargs)


def github_rate_limited(response: Response | None, exception: BaseException | None) -> bool:
    """GitHub answers an exhausted primary limit and a secondary limit with 403 (or 429)."""
    if response is None or response.status_code not in (403, 429):
        return False
    if response.headers.get("x-ratelimit-remaining") == "0":
        return True
    return "secondary rate limit" in response.text.lower()


def make_client(base_url: str, auth: AuthBase | None, config: CollectConfig, stats: ToolStats,
                headers: dict[str, str] | None = None) -> RESTClient:
    retrying = Client(
        request_timeout=config.request_timeout_seconds,
        raise_for_status=False,
        request_max_attempts=config.max_attempts,
        request_backoff_factor=config.backoff_seconds,
        request_max_retry_delay=config.max_wait_seconds,
        retry_condition=[github_rate_limited],
        respect_retry_after_header=True,
    )
    session = retrying.session
    adapter = BoundedAdapter(config.max_in_flight_per_host)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update({"Accept": "application/json", "User-Agent": "delivery-warehouse-collect"})
    session.headers.update(headers or {})
    return RESTClient(base_url=base_url, auth=auth, session=session)


def response_hooks(config: CollectConfig, stats: ToolStats) -> dict[str, list]:
    """Per attempt: count it and wait out an unannounced rate limit, then raise on an error status so that
    the retry decides. Given with each request: a request's hooks replace the session's."""
    return {"response": [_observer(config, stats), _raise_for_status]}


def _raise_for_status(response: Response, *args, **kwargs) -> Response:
    response.raise_for_status()
    return response


def _observer(config: CollectConfig, stats: ToolStats):
    """Counts each attempt, and sleeps out a rate limit that `Retry-After` does not announce."""

    def observe(response: Response, *args, **kwargs) -> Response:
        stats.add(requests=1)
        if response.status_code == 429 or response.status_code >= 500:
            stats.add(retries=1, rate_limit_waits=int(response.status_code == 429))
        if response.headers.get("Retry-After"):
            return response
        wait = _rate_limit_wait(response, config)
        if wait > 0:
            stats.add(rate_limit_waits=1, waited_seconds=wait)
            time.sleep(wait)
        return response

    return observe


def _rate_limit_wait(response: Response, config: CollectConfig) -> float:
    remaining = response.headers.get("x-ratelimit-remaining")
    reset = response.headers.get("x-ratelimit-reset")
    if remaining == "0" and reset and reset.isdigit():
        # The limit resets at an epoch second; the next request would be refused before then.
        return min(max(int(reset) - time.time(), 0.0) + 1.0, config.max_wait_seconds)
    if response.status_code in (403, 429) and "secondary rate limit" in response.text.lower():
        return config.secondary_limit_wait_seconds
    return 0.0
