"""A replay server for the tools' APIs: a real HTTP server on 127.0.0.1 (pytest-httpserver) that pages
recorded bodies with each API's real paging headers and envelopes, applies the time filters the collector
sends, records every request it saw, and keeps every body it served, so that tests compare the landing files
byte for byte with what was served."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response


@dataclass
class Seen:
    method: str
    path: str
    args: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class Fault:
    """Answers the next `times` matching requests with `status`, `headers` and `body`, or drops the
    connection mid-body when `drop` is set."""

    matches: Callable[[Request], bool]
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b'{"message": "fault"}'
    times: int = 1
    drop: bool = False


class ReplayServer:
    """Routes by regular expression on the path; each route returns (status, headers, body bytes)."""

    def __init__(self, httpserver: HTTPServer) -> None:
        self.httpserver = httpserver
        self.routes: list[tuple[str, re.Pattern, Callable]] = []
        self.seen: list[Seen] = []
        self.served: dict[str, bytes] = {}  # full request URI -> body bytes served with 2xx
        self.faults: list[Fault] = []
        self.required_headers: dict[str, str] = {}
        httpserver.expect_request(re.compile(".*")).respond_with_handler(self._handle)

    @property
    def url(self) -> str:
        return self.httpserver.url_for("").rstrip("/")

    def route(self, method: str, pattern: str, handler: Callable) -> None:
        self.routes.append((method, re.compile(f"^{pattern}$"), handler))

    def fault(self, fault: Fault) -> None:
        self.faults.append(fault)

    def requests_to(self, pattern: str) -> list[Seen]:
        compiled = re.compile(pattern)
        return [seen for seen in self.seen if compiled.search(seen.path)]

    def _handle(self, request: Request) -> Response:
        self.seen.append(Seen(request.method, request.path, dict(request.args), dict(request.headers),
                              request.get_data()))
        for fault in self.faults:
            if fault.times > 0 and fault.matches(request):
                fault.times -= 1
                if fault.drop:
                    return _dropped(fault.body)
                return Response(fault.body, status=fault.status, headers=fault.headers,
                                content_type="application/json")
        for name, value in self.required_headers.items():
            if request.headers.get(name) != value:
                return Response(b'{"message": "Bad credentials"}', status=401, content_type="application/json")
        for method, pattern, handler in self.routes:
            match = pattern.match(request.path)
            if match and method == request.method:
                status, headers, body = handler(request, **match.groupdict())
                if 200 <= status < 300:
                    self.served[request.full_path.rstrip("?")] = body
                return Response(body, status=status, headers=headers, content_type="application/json")
        return Response(b'{"message": "Not Found"}', status=404, content_type="application/json")


def _dropped(body: bytes) -> Response:
    # Announces more bytes than it sends: the client sees the connection end mid-body.
    response = Response(body[: len(body) // 2], status=200, content_type="application/json")
    response.headers["Content-Length"] = str(len(body))
    response.direct_passthrough = True
    return response


def dumps(body: object) -> bytes:
    """Bodies as an API would send them: compact, key order kept."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def link_header(base: str, path: str, args: dict[str, str], page: int, last: int) -> dict[str, str]:
    """GitHub's and GitLab's `Link` header for page `page` of `last`."""
    links = []
    for rel, number in (("next", page + 1), ("last", last)):
        if rel == "next" and page >= last:
            continue
        query = urlencode({**args, "page": number})
        links.append(f'<{base}{path}?{query}>; rel="{rel}"')
    return {"Link": ", ".join(links)} if links else {}


def paged(records: list, args: dict[str, str], default_size: int = 30) -> tuple[list, int, int]:
    """The page `args` asks for (`page`, `per_page`): its records, its number and the last page's."""
    size = int(args.get("per_page", default_size))
    page = int(args.get("page", 1))
    last = max((len(records) + size - 1) // size, 1)
    return records[(page - 1) * size: page * size], page, last
