"""PagerDuty REST v2: incidents.

`resolved_at` is often absent even on resolved incidents; it is kept as sent, and staging falls back on
`last_status_change_at`.
"""

from __future__ import annotations

from ingestion.records import Column, ExportFolder, RawTable

DATASET = "raw_pagerduty"

INCIDENTS = RawTable(
    name="incidents",
    description="One row per incident version (incident id and `version_at`).",
    primary_key=("incident_id", "version_at"),
    columns=(
        Column("incident_id", path="id"),
        Column("incident_number", "BIGINT", path="incident_number"),
        Column("title", path="title"),
        Column("description", path="description"),
        Column("status", path="status"),
        Column("urgency", path="urgency"),
        Column("priority_name", path="priority.summary"),
        Column("service_id", path="service.id"),
        Column("service_summary", path="service.summary"),
        Column("escalation_policy_id", path="escalation_policy.id"),
        Column("team_ids", "JSON", path="teams[*].id"),
        Column("team_summaries", "JSON", path="teams[*].summary"),
        Column("incident_key", path="incident_key"),
        Column("html_url", path="html_url"),
        Column("created_at", "TIMESTAMPTZ", path="created_at", required=True),
        Column("last_status_change_at", "TIMESTAMPTZ", path="last_status_change_at"),
        Column("resolved_at", "TIMESTAMPTZ", path="resolved_at"),
        Column("updated_at", "TIMESTAMPTZ", path="updated_at"),
        Column("version_at", "TIMESTAMPTZ", sql="NULL", fallback="coalesce(updated_at, last_status_change_at, created_at)"),
    ),
)

FOLDERS = (
    ExportFolder("incidents", "pagerduty/incidents/*.json", "incidents",
                 '{"incidents": [...], "more"} (GET /incidents)', "id", (INCIDENTS,)),
)
