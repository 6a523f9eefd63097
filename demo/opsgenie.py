"""Opsgenie response bodies (`GET /v1/incidents`, `GET /v2/alerts`) for the teams Opsgenie pages.

Every incident plan (bad deployments and background incidents, see `repository` and `pagerduty`) becomes an
incident owned by the team's Opsgenie team, with the alert that raised it (and now and then a second one
grouped into it). The incident list has no resolution time: a resolved incident's `updatedAt` is when it
was resolved. Incidents naming a deployment carry it in `extraProperties`, as deploy integrations do.
Timestamps have up to nine fractional digits. A few incidents come again in a later re-export, resolved.
"""

from __future__ import annotations

import time

from .ids import rng_for, uuid_for
from .model import IncidentPlan
from .output import ExportWriter, paginate
from .timeline import YEAR_END

API = "https://api.opsgenie.com"
WEB = "https://acme.app.opsgenie.com"
PAGE_SIZE = 100
MAX_STALE = 2
FIRST_TINY_ID = 30
SOURCES = ("Datadog", "Prometheus", "Datadog", "Grafana")


def opsgenie_time(t: float, nanoseconds: bool = False) -> str:
    """`2026-03-05T08:32:00.987Z`; some integrations write nine fractional digits."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(t)))
    millis = int((t - int(t)) * 1000)
    if nanoseconds:
        return f"{stamp}.{millis:03d}{int(t * 1e6) % 1000:03d}{int(t * 1e9) % 1000:03d}Z"
    return f"{stamp}.{millis:03d}Z"


def _status(plan: IncidentPlan, as_of: float) -> str:
    return "resolved" if plan.resolved_at is not None and plan.resolved_at <= as_of else "open"


def _updated(plan: IncidentPlan, as_of: float) -> float:
    if _status(plan, as_of) == "resolved":
        return plan.resolved_at
    if plan.acknowledged_at is not None and plan.acknowledged_at <= as_of:
        return plan.acknowledged_at
    return plan.created_at


def _extra_properties(plan: IncidentPlan) -> dict:
    """What the deploy integration attached: the deployment or commit named in the description."""
    words = plan.description.rstrip(".").split()
    if plan.link == "deployment" and "deployment" in words:
        return {"deployment": words[words.index("deployment") + 1]}
    if plan.link == "sha" and "sha" in words:
        return {"commit": words[words.index("sha") + 1]}
    return {}


def incident_body(plan: IncidentPlan, as_of: float = YEAR_END) -> dict:
    team = plan.team
    incident_id = plan.incident_id
    tags = [team.team.slug, "production"]
    if plan.link != "none":
        tags.append("deployment")
    return {
        "id": incident_id,
        "serviceId": team.opsgenie_service_id,
        "tinyId": str(plan.number),
        "message": plan.title,
        "description": plan.description,
        "status": _status(plan, as_of),
        "tags": tags,
        "createdAt": opsgenie_time(plan.created_at, plan.microseconds),
        "updatedAt": opsgenie_time(_updated(plan, as_of) + 0.25),
        "priority": plan.priority,
        "ownerTeam": team.team.opsgenie_team_id,
        "responders": [{"type": "team", "id": team.team.opsgenie_team_id}],
        "extraProperties": _extra_properties(plan),
        "impactedServices": [team.opsgenie_service_id],
        "links": {"web": f"{WEB}/incident/detail/{incident_id}", "api": f"{API}/v1/incidents/{incident_id}"},
        "actions": [],
    }


def alert_bodies(plan: IncidentPlan, tiny_id: int, as_of: float = YEAR_END) -> list[dict]:
    """The alert that raised the incident, and for high urgency a second one grouped into it."""
    team = plan.team
    alerts = []
    for index in range(1 if plan.urgency == "low" else 2):
        created = plan.created_at - 90 + index * 240
        closed = plan.resolved_at is not None and plan.resolved_at <= as_of
        acked = plan.acknowledged_at is not None and plan.acknowledged_at <= as_of
        report: dict[str, object] = {}
        if acked:
            report["ackTime"] = max(0, int((plan.acknowledged_at - created) * 1000))
            report["acknowledgedBy"] = plan.responder.email
        if closed:
            report["closeTime"] = int((plan.resolved_at - created) * 1000)
            report["closedBy"] = plan.responder.email
        source = SOURCES[(plan.number + index) % len(SOURCES)]
        alias = f"{team.team.slug}-{'error-rate' if index == 0 else 'latency'}"
        alerts.append(
            {
                "id": f"{uuid_for('opsgenie-alert', plan.incident_id, index)}-{int(created * 1000)}",
                "tinyId": str(tiny_id + index),
                "alias": alias,
                "message": plan.title
                if index == 0
                else f"{team.team.service_name} p99 latency above threshold",
                "status": "closed" if closed else "open",
                "acknowledged": acked,
                "isSeen": True,
                "tags": [team.team.slug, "production"],
                "snoozed": False,
                "count": 1 + plan.number % 4,
                "lastOccurredAt": opsgenie_time(created + 60 * (plan.number % 4)),
                "createdAt": opsgenie_time(created, plan.microseconds),
                "updatedAt": opsgenie_time(
                    plan.resolved_at if closed else (plan.acknowledged_at if acked else created)
                ),
                "source": source,
                "owner": plan.responder.email if acked else "",
                "priority": plan.priority,
                "responders": [{"type": "team", "id": team.team.opsgenie_team_id}],
                "integration": {
                    "id": uuid_for("opsgenie-integration", source),
                    "name": source,
                    "type": source,
                },
                "report": report,
                "ownerTeamId": team.team.opsgenie_team_id,
            }
        )
    return alerts


def _envelope(data: list[dict], endpoint: str, offset: int, seed: int, page: int) -> dict:
    query = f"limit={PAGE_SIZE}&sort=createdAt&order=asc"
    return {
        "data": data,
        "paging": {
            "first": f"{API}/{endpoint}?{query}&offset=0",
            "last": f"{API}/{endpoint}?{query}&offset={offset}",
        },
        "took": round(0.01 + (page * 7 % 40) / 1000, 3),
        "requestId": uuid_for("opsgenie-request", seed, endpoint, page),
    }


def write_opsgenie(plans: list[IncidentPlan], writer: ExportWriter, seed: int) -> None:
    plans.sort(key=lambda plan: (plan.created_at, plan.team.ordinal))
    for index, plan in enumerate(plans):
        plan.number = FIRST_TINY_ID + index
        plan.incident_id = uuid_for("opsgenie", seed, plan.number)
    # The latest resolved incidents were first exported while acknowledged; the re-export has them resolved.
    resolved = [plan for plan in plans if plan.resolved_at is not None and plan.acknowledged_at is not None]
    stale = {plan.number: plan.acknowledged_at + 60 for plan in resolved[-MAX_STALE:]}
    rng = rng_for(seed, "opsgenie-pages")
    for number, page in enumerate(paginate(plans, PAGE_SIZE, rng), 1):
        data = [incident_body(plan, stale.get(plan.number, YEAR_END)) for plan in page]
        body = _envelope(data, "v1/incidents", (number - 1) * PAGE_SIZE, seed, number)
        writer.write(f"opsgenie/incidents/page-{number:04d}.json", body, "opsgenie/incidents", len(data))
    updated = [incident_body(plan) for plan in plans if plan.number in stale]
    if updated:
        body = _envelope(updated, "v1/incidents", 0, seed, 0)
        writer.write("opsgenie/incidents/page-update-0001.json", body, "opsgenie/incidents", len(updated))
    alerts = []
    for plan in plans:
        alerts.extend(alert_bodies(plan, 1_700 + 2 * plan.number))
    for number, page in enumerate(paginate(alerts, PAGE_SIZE, rng), 1):
        body = _envelope(page, "v2/alerts", (number - 1) * PAGE_SIZE, seed, number)
        writer.write(f"opsgenie/alerts/page-{number:04d}.json", body, "opsgenie/alerts", len(page))
