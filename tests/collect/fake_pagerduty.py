"""A PagerDuty REST v2 API on the replay server: `GET /incidents` filtered by creation time (`since`
inclusive, `until` exclusive) and by `service_ids[]` / `team_ids[]`, sorted by `sort_by`, paged by
`offset`/`limit` with `more`, and refusing `offset + limit` beyond its cap (10,000 on the real API) with 400."""

from __future__ import annotations

from datetime import datetime

from werkzeug import Request

from tests.collect.replay import ReplayServer, dumps

API, WEB = "https://api.pagerduty.com", "https://acme.pagerduty.com"


def incident(incident_id: str, number: int, created_at: str, status: str = "resolved",
             last_status_change_at: str = "", service: str = "PSVC001", team: str = "PTEAM01") -> dict:
    """An incident as `GET /incidents` lists it (no `resolved_at`, as the real bodies often)."""
    return {
        "incident_number": number, "title": f"Checkout errors #{number}", "description": "Alert from monitoring.",
        "created_at": created_at, "updated_at": last_status_change_at or created_at, "status": status,
        "incident_key": f"key-{incident_id}",
        "service": {"id": service, "type": "service_reference", "summary": "checkout-api",
                    "self": f"{API}/services/{service}", "html_url": f"{WEB}/service-directory/{service}"},
        "assignments": [], "assigned_via": "escalation_policy",
        "last_status_change_at": last_status_change_at or created_at,
        "alert_counts": {"all": 1, "triggered": int(status != "resolved"), "resolved": int(status == "resolved")},
        "is_mergeable": True,
        "escalation_policy": {"id": "PPOL001", "type": "escalation_policy_reference", "summary": "Checkout on-call",
                              "self": f"{API}/escalation_policies/PPOL001",
                              "html_url": f"{WEB}/escalation_policies/PPOL001"},
        "teams": [{"id": team, "type": "team_reference", "summary": "Checkout", "self": f"{API}/teams/{team}",
                   "html_url": f"{WEB}/teams/{team}"}],
        "pending_actions": [], "acknowledgements": [], "priority": None, "resolve_reason": None,
        "urgency": "high", "id": incident_id, "type": "incident",
        "summary": f"[#{number}] Checkout errors #{number}", "self": f"{API}/incidents/{incident_id}",
        "html_url": f"{WEB}/incidents/{incident_id}",
    }


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


class FakePagerDuty:
    def __init__(self, server: ReplayServer, max_offset_records: int = 10_000) -> None:
        self.server, self.cap = server, max_offset_records
        self.incidents: list[dict] = []
        self.filters_seen: list[dict[str, list[str]]] = []
        server.route("GET", "/incidents", self._incidents)

    def put(self, body: dict) -> None:
        self.incidents = [existing for existing in self.incidents if existing["id"] != body["id"]] + [body]

    def _incidents(self, request: Request):
        args = request.args
        self.filters_seen.append({key: args.getlist(key) for key in ("service_ids[]", "team_ids[]")})
        limit, offset = int(args.get("limit", 25)), int(args.get("offset", 0))
        if offset + limit > self.cap:
            return 400, {}, dumps({"error": {"message": "Invalid Input Provided", "code": 2001,
                                             "errors": [f"Offset must be less than {self.cap}."]}})
        since, until = _time(args["since"]), _time(args["until"])
        services, teams = args.getlist("service_ids[]"), args.getlist("team_ids[]")
        found = [body for body in self.incidents
                 if since <= _time(body["created_at"]) < until
                 and (not services or body["service"]["id"] in services)
                 and (not teams or any(team["id"] in teams for team in body["teams"]))]
        field, _, direction = args.get("sort_by", "created_at:asc").partition(":")
        found.sort(key=lambda body: _time(body[field]), reverse=direction == "desc")
        page = found[offset: offset + limit]
        total = len(found) if args.get("total") == "true" else None
        return 200, {}, dumps({"incidents": page, "limit": limit, "offset": offset, "total": total,
                               "more": offset + limit < len(found)})
