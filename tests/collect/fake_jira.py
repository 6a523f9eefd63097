"""A Jira Cloud REST API on the replay server, its issue bodies built from the real Jira Cloud sample
(tests/fixtures/real_samples/jira, Apache DevLake's e2e fixtures, Apache-2.0): `/search/jql` paged by
`nextPageToken` (none on the last page, which says `isLast`), at most 40 changelog histories inline, the
full changelog paged by `startAt`, JQL's `updated >=` read in the asking account's time zone; and Jira Data
Center's `/rest/api/2/search` paged by `startAt`/`total` with every history inline."""

from __future__ import annotations

import base64
import copy
import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from werkzeug import Request

from tests.collect.replay import ReplayServer, dumps

SAMPLE = Path(__file__).parents[1] / "fixtures/real_samples/jira/issues/page-1.json"
INLINE_HISTORIES = 40


@cache
def _sample() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))["issues"][0]


def history(history_id: int, created: str, to_status: str = "进行中") -> dict:
    """A real history of the sample, as a status move."""
    body = copy.deepcopy(_sample()["changelog"]["histories"][0])
    body["id"], body["created"] = str(history_id), created
    body["items"] = [{"to": "3", "from": "10001", "field": "status", "toString": to_status, "fieldtype": "jira",
                      "fromString": "待办", "fieldId": "status"}]
    return body


def issue(key: str, issue_id: int, updated: str, histories: int = 1) -> dict:
    """The sample's issue EE-1 as issue `key`, updated at `updated` (Jira's `+0800` offsets), with
    `histories` status moves (its full history: the search body carries at most 40 of them)."""
    body = copy.deepcopy(_sample())
    body["id"], body["key"] = str(issue_id), key
    body["self"] = f"https://acme.atlassian.net/rest/api/3/issue/{issue_id}"
    body["fields"]["updated"] = updated
    body["fields"]["project"]["key"] = key.split("-")[0]
    body["changelog"] = {"histories": [history(issue_id * 1000 + n, updated) for n in range(histories)]}
    return body


def _updated(body: dict) -> datetime:
    return datetime.strptime(body["fields"]["updated"], "%Y-%m-%dT%H:%M:%S.%f%z")


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset={offset};snapshot=1".encode()).decode()


def _offset(token: str | None) -> int:
    return int(base64.urlsafe_b64decode(token.encode()).decode().split(";")[0].split("=")[1]) if token else 0


class FakeJira:
    def __init__(self, server: ReplayServer, time_zone: str = "Asia/Shanghai") -> None:
        self.server, self.time_zone = server, time_zone
        self.issues: list[dict] = []
        # What /myself reports, when it differs from the zone the search reads JQL in.
        self.reported_zone: str | None = None
        # Some sites send a token on the last page too: only `isLast` tells.
        self.token_on_last_page = False
        server.route("GET", r"/rest/api/(?P<version>[23])/myself", self._myself)
        server.route("GET", "/rest/api/3/search/jql", self._search_jql)
        server.route("GET", "/rest/api/2/search", self._search_datacenter)
        server.route("GET", r"/rest/api/3/issue/(?P<key>[^/]+)/changelog", self._changelog)

    def put(self, body: dict) -> None:
        """Adds or replaces (by key) an issue."""
        self.issues = [existing for existing in self.issues if existing["key"] != body["key"]] + [body]

    def _myself(self, request: Request, version: str):
        return 200, {}, dumps({"accountId": "5e9711ba34f7b90c0fbc37d3", "displayName": "Rankin Zheng",
                               "active": True, "timeZone": self.reported_zone or self.time_zone, "locale": "zh_CN"})

    def _matching(self, jql: str) -> list[dict]:
        projects = re.search(r"project in \(([^)]*)\)", jql)
        keys = {key.strip().strip('"') for key in projects.group(1).split(",")} if projects else None
        since = re.search(r'updated >= "(\d{4}-\d\d-\d\d \d\d:\d\d)"', jql)
        start = datetime.strptime(since.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(self.time_zone))
        assert jql.endswith("ORDER BY updated ASC"), jql
        found = [body for body in self.issues
                 if (keys is None or body["key"].split("-")[0] in keys) and _updated(body) >= start]
        return sorted(found, key=_updated)

    def _search_jql(self, request: Request):
        assert request.args["fields"] == "*navigable" and request.args["expand"] == "changelog"
        found = self._matching(request.args["jql"])
        size = int(request.args.get("maxResults", 50))
        offset = _offset(request.args.get("nextPageToken"))
        page = [self._inline(body, INLINE_HISTORIES) for body in found[offset: offset + size]]
        if offset + size < len(found):
            return 200, {}, dumps({"issues": page, "nextPageToken": _token(offset + size), "isLast": False})
        if self.token_on_last_page:
            return 200, {}, dumps({"issues": page, "nextPageToken": _token(offset + size), "isLast": True})
        return 200, {}, dumps({"issues": page, "isLast": True})

    def _search_datacenter(self, request: Request):
        found = self._matching(request.args["jql"])
        size, start = int(request.args.get("maxResults", 50)), int(request.args.get("startAt", 0))
        page = [self._inline(body, None) for body in found[start: start + size]]
        return 200, {}, dumps({"expand": "schema,names", "startAt": start, "maxResults": size,
                               "total": len(found), "issues": page})

    @staticmethod
    def _inline(body: dict, limit: int | None) -> dict:
        histories = body["changelog"]["histories"]
        shown = histories if limit is None else histories[:limit]
        inline = {"startAt": 0, "maxResults": len(shown), "total": len(histories), "histories": shown}
        return {**body, "changelog": inline}

    def _changelog(self, request: Request, key: str):
        body = next((body for body in self.issues if body["key"] == key), None)
        if body is None:
            return 404, {}, dumps({"errorMessages": ["Issue does not exist or you do not have permission to see it."],
                                   "errors": {}})
        histories = body["changelog"]["histories"]
        start, size = int(request.args.get("startAt", 0)), int(request.args.get("maxResults", 100))
        url = f"https://acme.atlassian.net/rest/api/3/issue/{body['id']}/changelog"
        last = start + size >= len(histories)
        page = {"self": f"{url}?maxResults={size}&startAt={start}"}
        if not last:
            page["nextPage"] = f"{url}?maxResults={size}&startAt={start + size}"
        page.update({"maxResults": size, "startAt": start, "total": len(histories), "isLast": last,
                     "values": histories[start: start + size]})
        return 200, {}, dumps(page)
