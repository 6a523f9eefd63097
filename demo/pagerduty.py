"""PagerDuty incidents: the ones bad deployments raise (see `repository`), background incidents outside any
deployment window, incidents still open when the year ends, and `GET /incidents` response bodies."""

from __future__ import annotations

import bisect

from .ids import hex_id, pagerduty_id
from .model import IncidentPlan, TeamContext
from .people import Person
from .pulls import poisson
from .timeline import DAY, HOUR, MINUTE, YEAR_END, YEAR_START, hours, pagerduty_time
from .vocabulary import BACKGROUND_INCIDENTS, capitalise

API = "https://api.pagerduty.com"
WEB = "https://acme.pagerduty.com"
PRIORITY_COLOURS = {"P1": "a8171c", "P2": "eb6016", "P3": "f9b406", "P4": "cccccc"}
ATTRIBUTION_WINDOW = 24 * HOUR


def plan_background_incidents(ctx: TeamContext, production_finishes: list[float]) -> None:
    """Incidents no deployment explains: they start over a day after the team's last production deploy."""
    rng = ctx.rng("incidents")
    service = ctx.spec.team.service_name
    for _ in range(poisson(rng, 3.4 * max(0.5, ctx.activity) ** 0.25)):
        for _attempt in range(40):
            t = YEAR_START + rng.random() * (YEAR_END - YEAR_START - 3 * DAY)
            index = bisect.bisect_right(production_finishes, t)
            if index == 0 or t - production_finishes[index - 1] > ATTRIBUTION_WINDOW + HOUR:
                break
        else:
            continue
        responder = ctx.engineers[int(t // DAY) % len(ctx.engineers)]
        acknowledged = t + rng.uniform(2, 15) * MINUTE
        ctx.incidents.append(
            IncidentPlan(
                team=ctx.spec,
                created_at=t,
                title=rng.choice(BACKGROUND_INCIDENTS).format(service=service, Service=capitalise(service)),
                description="Alert from monitoring.",
                urgency="high" if rng.random() < 0.5 else "low",
                priority=rng.choice(("P3", "P3", "P4")),
                responder=responder,
                acknowledged_at=acknowledged,
                resolved_at=acknowledged + hours(rng, 1.5, 1.0, cap_hours=48),
                link="none",
                microseconds=rng.random() < 0.3,
                sends_resolved_at=rng.random() < 0.3,
            )
        )
    if ctx.spec.ordinal % 3 == 0:
        _plan_open_incident(ctx, rng.random(), rng.random())


def _plan_open_incident(ctx: TeamContext, when: float, acknowledged: float) -> None:
    """Still triggered or acknowledged when the year ends."""
    service = ctx.spec.team.service_name
    t = YEAR_END - (2 + when * 40) * HOUR
    ack = t + 6 * MINUTE if acknowledged < 0.5 else None
    ctx.incidents.append(
        IncidentPlan(
            team=ctx.spec,
            created_at=t,
            title=f"Intermittent timeouts on {service}",
            description="Alert from monitoring.",
            urgency="high",
            priority="P3",
            responder=ctx.engineers[0],
            acknowledged_at=ack,
            resolved_at=None,
            link="none",
        )
    )


def _reference(kind: str, ident: str, summary: str, path: str, web_path: str) -> dict:
    return {
        "id": ident,
        "type": f"{kind}_reference",
        "summary": summary,
        "self": f"{API}/{path}/{ident}",
        "html_url": f"{WEB}/{web_path}/{ident}",
    }


def _user(person: Person) -> dict:
    return _reference("user", person.pagerduty_id, person.name, "users", "users")


def incident_body(plan: IncidentPlan, as_of: float = YEAR_END) -> dict:
    """An incident as `GET /incidents` lists it, as it stood at `as_of`."""
    team = plan.team
    resolved = plan.resolved_at is not None and plan.resolved_at <= as_of
    acknowledged = plan.acknowledged_at is not None and plan.acknowledged_at <= as_of
    status = "resolved" if resolved else ("acknowledged" if acknowledged else "triggered")
    if status == "resolved":
        last_change = plan.resolved_at
    elif status == "acknowledged":
        last_change = plan.acknowledged_at
    else:
        last_change = plan.created_at
    updated = min(last_change + 5 + plan.number % 170, YEAR_END)

    def stamp(t: float) -> str:
        return pagerduty_time(t, plan.microseconds)

    service = {
        "id": team.team.pagerduty_service_id,
        "type": "service_reference",
        "summary": team.team.pagerduty_service_name,
        "self": f"{API}/services/{team.team.pagerduty_service_id}",
        "html_url": f"{WEB}/service-directory/{team.team.pagerduty_service_id}",
    }
    log_entry = pagerduty_id("R", 26, "log", plan.incident_id)
    alerts = 1 + plan.number % 3
    body: dict[str, object] = {
        "incident_number": plan.number,
        "title": plan.title,
        "description": plan.description,
        "created_at": stamp(plan.created_at),
        "updated_at": stamp(updated),
        "status": status,
        "incident_key": hex_id(32, "incident-key", plan.incident_id),
        "service": service,
        "assignments": []
        if resolved
        else [{"at": stamp(plan.created_at + 2), "assignee": _user(plan.responder)}],
        "assigned_via": "escalation_policy",
        "last_status_change_at": stamp(last_change),
    }
    if resolved and plan.sends_resolved_at:
        body["resolved_at"] = stamp(plan.resolved_at)
    body.update(
        {
            "first_trigger_log_entry": {
                "id": log_entry,
                "type": "trigger_log_entry_reference",
                "summary": "Triggered through the API.",
                "self": f"{API}/log_entries/{log_entry}?incident_id={plan.incident_id}",
                "html_url": f"{WEB}/incidents/{plan.incident_id}/log_entries/{log_entry}",
            },
            "alert_counts": {
                "all": alerts,
                "triggered": 0 if resolved else alerts,
                "resolved": alerts if resolved else 0,
            },
            "is_mergeable": True,
            "escalation_policy": _reference(
                "escalation_policy",
                team.escalation_policy_id,
                f"{team.team.name} on-call",
                "escalation_policies",
                "escalation_policies",
            ),
            "teams": [_reference("team", team.pagerduty_team_id, team.team.name, "teams", "teams")],
            "pending_actions": [],
            "acknowledgements": [{"at": stamp(plan.acknowledged_at), "acknowledger": _user(plan.responder)}]
            if status == "acknowledged"
            else [],
            "basic_alert_grouping": None,
            "alert_grouping": None,
            "last_status_change_by": _user(plan.responder) if status != "triggered" else service,
            "priority": {
                "id": pagerduty_id("P", 7, "priority", plan.priority),
                "type": "priority",
                "summary": plan.priority,
                "self": f"{API}/priorities/{pagerduty_id('P', 7, 'priority', plan.priority)}",
                "html_url": None,
                "name": plan.priority,
                "color": PRIORITY_COLOURS[plan.priority],
                "order": int(plan.priority[1]) * 1024,
                "description": "",
            },
            "resolve_reason": None,
            "incident_type": {"name": "incident_default"},
            "urgency": plan.urgency,
            "id": plan.incident_id,
            "type": "incident",
            "summary": f"[#{plan.number}] {plan.title}",
            "self": f"{API}/incidents/{plan.incident_id}",
            "html_url": f"{WEB}/incidents/{plan.incident_id}",
        }
    )
    return body
