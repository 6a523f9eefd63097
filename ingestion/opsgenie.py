"""Opsgenie: alerts (Alert API v2) and incidents (Incident API v1).

Both list bodies are `{"data": [...], "paging", "took", "requestId"}`. Timestamps carry up to nine
fractional digits (`2026-03-02T10:15:30.123456789Z`); they are kept to the microsecond. An alert's
`report.ackTime` and `report.closeTime` are milliseconds since the alert was created, not instants: they are
kept as sent and turned into times in staging. An incident's `impactStartDate` and `impactEndDate` (when
the impact was declared over) are kept: staging takes the impact's end as the resolution time where present.
"""

from __future__ import annotations

from ingestion.records import Column, ExportFolder, RawTable

DATASET = "raw_opsgenie"

ALERTS = RawTable(
    name="alerts",
    description="One row per alert version (alert id and its `updatedAt`).",
    primary_key=("alert_id", "updated_at"),
    columns=(
        Column("alert_id", path="id"),
        Column("tiny_id", path="tinyId"),
        Column("alias", path="alias"),
        Column("message", path="message"),
        Column("status", path="status"),
        Column("is_acknowledged", "BOOLEAN", path="acknowledged"),
        Column("is_seen", "BOOLEAN", path="isSeen"),
        Column("is_snoozed", "BOOLEAN", path="snoozed"),
        Column("tags", "JSON", path="tags"),
        Column("occurrence_count", "BIGINT", path="count"),
        Column("source", path="source"),
        Column("owner", path="owner"),
        Column("owner_team_id", path="ownerTeamId"),
        Column("priority", path="priority"),
        Column("responder_types", "JSON", path="responders[*].type"),
        Column("responder_ids", "JSON", path="responders[*].id"),
        Column("integration_type", path="integration.type"),
        Column("integration_name", path="integration.name"),
        Column("ack_time_ms", "BIGINT", path="report.ackTime"),
        Column("close_time_ms", "BIGINT", path="report.closeTime"),
        Column("acknowledged_by", path="report.acknowledgedBy"),
        Column("closed_by", path="report.closedBy"),
        Column("created_at", "TIMESTAMPTZ", path="createdAt", required=True),
        Column("updated_at", "TIMESTAMPTZ", path="updatedAt", fallback="created_at"),
        Column("last_occurred_at", "TIMESTAMPTZ", path="lastOccurredAt"),
    ),
)

INCIDENTS = RawTable(
    name="incidents",
    description="One row per incident version (incident id and its `updatedAt`).",
    primary_key=("incident_id", "updated_at"),
    columns=(
        Column("incident_id", path="id"),
        Column("tiny_id", path="tinyId"),
        Column("message", path="message"),
        Column("description", path="description"),
        Column("status", path="status"),
        Column("priority", path="priority"),
        Column("owner_team_id", path="ownerTeam"),
        Column("tags", "JSON", path="tags"),
        Column("responder_types", "JSON", path="responders[*].type"),
        Column("responder_ids", "JSON", path="responders[*].id"),
        Column("impacted_services", "JSON", path="impactedServices"),
        Column("extra_properties", "JSON", path="extraProperties"),
        Column("web_url", path="links.web"),
        Column("created_at", "TIMESTAMPTZ", path="createdAt", required=True),
        Column("updated_at", "TIMESTAMPTZ", path="updatedAt", fallback="created_at"),
        Column("impact_started_at", "TIMESTAMPTZ", path="impactStartDate"),
        Column("impact_ended_at", "TIMESTAMPTZ", path="impactEndDate"),
    ),
)

_ENVELOPE = '{{"data": [...], "paging", "took", "requestId"}} ({})'

FOLDERS = (
    ExportFolder("alerts", "opsgenie/alerts/*.json", "data", _ENVELOPE.format("GET /v2/alerts"), "id", (ALERTS,)),
    ExportFolder("incidents", "opsgenie/incidents/*.json", "data", _ENVELOPE.format("GET /v1/incidents"), "id",
                 (INCIDENTS,)),
)
