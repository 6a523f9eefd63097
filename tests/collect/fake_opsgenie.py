"""An Opsgenie REST API on the replay server: `GET /v2/alerts` and `GET /v1/incidents`, searched with
`updatedAt >= <epoch ms>`, sorted and paged by `offset`/`limit` as Opsgenie does, in the envelope
`{"data", "paging", "took", "requestId"}` whose `paging.next` is there only while records remain. A search
past offset + limit = `offset_limit` is refused, as Opsgenie refuses one past 20,000."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlencode

from werkzeug import Request

from tests.collect.replay import ReplayServer, dumps


def alert(number: int, updated: str, created: str = "2026-01-10T08:00:00.123456789Z") -> dict:
    return {"id": f"alert-{number}", "tinyId": str(number), "alias": f"alias-{number}", "message": f"Alert {number}",
            "status": "closed", "acknowledged": True, "isSeen": True, "tags": ["checkout"], "snoozed": False,
            "count": 1, "lastOccurredAt": created, "createdAt": created, "updatedAt": updated, "source": "Datadog",
            "owner": "ben@acme.example", "priority": "P2", "responders": [{"type": "team", "id": "t-1"}],
            "integration": {"id": "i-1", "name": "Datadog", "type": "Datadog"},
            "report": {"ackTime": 60000, "closeTime": 600000, "acknowledgedBy": "ben@acme.example"}}


def incident(number: int, created: str, updated: str) -> dict:
    return {"id": f"incident-{number}", "tinyId": str(number), "message": f"Incident {number}", "description": "",
            "status": "resolved", "priority": "P1", "ownerTeam": "t-1", "tags": [], "responders": [],
            "impactedServices": ["svc-checkout"], "extraProperties": {}, "createdAt": created,
            "updatedAt": updated, "links": {"web": f"https://acme.app.opsgenie.com/incident/detail/{number}"}}


def epoch_ms(text: str) -> int:
    text = re.sub(r"(\.\d{6})\d+", r"\1", text).replace("Z", "+00:00")
    return int(datetime.fromisoformat(text).timestamp() * 1000)


class FakeOpsgenie:
    def __init__(self, server: ReplayServer, offset_limit: int = 20_000) -> None:
        self.server, self.offset_limit = server, offset_limit
        self.alerts: list[dict] = []
        self.incidents: list[dict] = []
        server.route("GET", "/v2/alerts", lambda request: self._search(request, self.alerts))
        server.route("GET", "/v1/incidents", lambda request: self._search(request, self.incidents))

    def _search(self, request: Request, records: list[dict]):
        args = dict(request.args)
        offset, limit = int(args.get("offset", 0)), int(args.get("limit", 20))
        if offset + limit > self.offset_limit or limit > 100:
            return 422, {}, dumps({"message": "offset + limit must not exceed the limit", "took": 0.0,
                                   "requestId": "r-422"})
        found = re.search(r"updatedAt >= (\d+)", args.get("query", ""))
        since = int(found.group(1)) if found else 0
        field = args.get("sort", "createdAt")
        matching = sorted((r for r in records if epoch_ms(r["updatedAt"]) >= since),
                          key=lambda r: epoch_ms(r[field]), reverse=args.get("order", "desc") == "desc")
        paging = {"first": self._link(request, args, 0)}
        if offset + limit < len(matching):
            paging["next"] = self._link(request, args, offset + limit)
        paging["last"] = self._link(request, args, max((len(matching) - 1) // limit * limit, 0))
        body = {"data": matching[offset: offset + limit], "paging": paging, "took": 0.012,
                "requestId": f"r-{request.path}-{offset}"}
        return 200, {}, dumps(body)

    def _link(self, request: Request, args: dict, offset: int) -> str:
        return f"{self.server.url}{request.path}?{urlencode({**args, 'offset': offset})}"
