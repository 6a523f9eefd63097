"""Jira Cloud: issues from search pages, and their status history from inline and paged changelogs.

Search pages (`jira/issues/`) carry at most 40 changelog histories per issue; longer histories come as
changelog pages (`jira/changelogs/<issue key or id>/`). Both land in `changelog_items`, merged by
history id, so a history delivered twice is stored once.
"""

from __future__ import annotations

import json

from ingestion.records import Column, ExportFolder, RawTable

DATASET = "raw_jira"

ISSUES = RawTable(
    name="issues",
    description="One row per issue version (issue id and its `updated` time).",
    primary_key=("issue_id", "updated_at"),
    columns=(
        Column("issue_id", path="id"),
        Column("issue_key", path="key", required=True),
        Column("project_key", path="fields.project.key", fallback="split_part(issue_key, '-', 1)"),
        Column("project_name", path="fields.project.name"),
        Column("issue_type", path="fields.issuetype.name"),
        Column("issue_type_hierarchy_level", "BIGINT", path="fields.issuetype.hierarchyLevel"),
        Column("is_subtask", "BOOLEAN", path="fields.issuetype.subtask"),
        Column("status_id", path="fields.status.id"),
        Column("status_name", path="fields.status.name"),
        Column("status_category_key", path="fields.status.statusCategory.key"),
        Column("summary", path="fields.summary"),
        Column("priority_name", path="fields.priority.name"),
        Column("resolution_name", path="fields.resolution.name"),
        Column("assignee_account_id", path="fields.assignee.accountId"),
        Column("assignee_display_name", path="fields.assignee.displayName"),
        Column("reporter_account_id", path="fields.reporter.accountId"),
        Column("parent_key", path="fields.parent.key"),
        # The legacy Epic Link custom field; its id is the usual one on Jira Cloud sites.
        Column("epic_key", path="fields.customfield_10014"),
        Column("labels", "JSON", path="fields.labels"),
        Column("components", "JSON", path="fields.components[*].name"),
        Column("fix_versions", "JSON", path="fields.fixVersions[*].name"),
        Column("created_at", "TIMESTAMPTZ", path="fields.created", required=True),
        Column("updated_at", "TIMESTAMPTZ", path="fields.updated", fallback="created_at"),
        Column("resolved_at", "TIMESTAMPTZ", path="fields.resolutiondate"),
        Column("due_date", "DATE", path="fields.duedate"),
        Column("changelog_total", "BIGINT", path="changelog.total"),
        Column("changelog_inline", "BIGINT", sql="json_array_length(rec, '$.changelog.histories')"),
    ),
)

_HISTORY_STRUCTURE = json.dumps(
    {
        "id": "VARCHAR",
        "created": "VARCHAR",
        "author": {"accountId": "VARCHAR", "displayName": "VARCHAR"},
        "items": [
            {
                "field": "VARCHAR",
                "fieldtype": "VARCHAR",
                "fieldId": "VARCHAR",
                "from": "VARCHAR",
                "fromString": "VARCHAR",
                "to": "VARCHAR",
                "toString": "VARCHAR",
            }
        ],
    }
)

# From search pages: issue -> histories -> items; the issue gives id and key.
_INLINE_HISTORIES_SQL = f"""
    SELECT source_file, file_modified_at, record_index, record_key,
           json_extract_string(rec, '$.id') AS issue_ref_id,
           json_extract_string(rec, '$.key') AS issue_ref_key,
           unnest(json_transform(rec, '{{"changelog": {{"histories": [{_HISTORY_STRUCTURE}]}}}}')
                  .changelog.histories) AS h
    FROM records
"""

# From changelog pages: each record is a history; the folder names the issue by key or id.
_PAGED_HISTORIES_SQL = f"""
    SELECT source_file, file_modified_at, record_index, record_key,
           CASE WHEN regexp_matches(folder, '^[0-9]+$') THEN folder END AS issue_ref_id,
           CASE WHEN NOT regexp_matches(folder, '^[0-9]+$') THEN folder END AS issue_ref_key,
           json_transform(rec, '{_HISTORY_STRUCTURE}') AS h
    FROM (SELECT *, regexp_extract(source_file, '^jira/changelogs/([^/]+)/', 1) AS folder FROM records)
"""


def _items_sql(histories_sql: str) -> str:
    return f"""
        WITH histories AS ({histories_sql}),
        items AS (
            SELECT *, unnest(h.items) AS item, unnest(range(len(h.items))) AS item_position
            FROM histories
        )
        SELECT *, 'history ' || coalesce(h.id, '?') || ' item ' || item_position AS row_label FROM items
    """


def _changelog_items(histories_sql: str) -> RawTable:
    return RawTable(
        name="changelog_items",
        description="One row per changelog item (history id and the item's position in it).",
        primary_key=("history_id", "item_index"),
        explode_sql=_items_sql(histories_sql),
        columns=(
            Column("issue_id", sql="issue_ref_id"),
            Column("issue_key", sql="issue_ref_key"),
            Column("history_id", sql="h.id"),
            Column("item_index", "BIGINT", sql="item_position"),
            Column("author_account_id", sql="h.author.accountId"),
            Column("author_display_name", sql="h.author.displayName"),
            Column("created_at", "TIMESTAMPTZ", sql="h.created", required=True),
            Column("field", sql="item.field"),
            Column("field_type", sql="item.fieldtype"),
            Column("field_id", sql="item.fieldId"),
            Column("from_value", sql='item."from"'),
            Column("from_string", sql="item.fromString"),
            Column("to_value", sql='item."to"'),
            Column("to_string", sql="item.toString"),
        ),
    )


FOLDERS = (
    ExportFolder(
        resource="issues",
        glob="jira/issues/*.json",
        records_key="issues",
        expected_body='a Jira search page {"issues": [...]} (GET /rest/api/3/search/jql)',
        record_key_path="id",
        tables=(ISSUES, _changelog_items(_INLINE_HISTORIES_SQL)),
    ),
    ExportFolder(
        resource="changelog_items",
        glob="jira/changelogs/*/*.json",
        records_key="values",
        expected_body='a Jira changelog page {"values": [...]} (GET /rest/api/3/issue/{key}/changelog)',
        record_key_path="id",
        tables=(_changelog_items(_PAGED_HISTORIES_SQL),),
    ),
)
