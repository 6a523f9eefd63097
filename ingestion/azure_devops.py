"""Azure DevOps REST 7.x: Boards work items and their updates, Repos pull requests with their commits and
reviewer votes, Pipelines builds and environment deployment records.

The folder path carries what the bodies lack: `azure_devops/<organization>/<project>/` gives both, the file
name of `work_item_updates/` and `pull_request_commits/` gives the work item or pull request id, and the
folder under `environment_deployments/` gives the environment name.

Work item fields have dotted names (`System.State`), so they are read with JSON pointers
(`/fields/System.State`), which do not split on dots. Azure DevOps writes "no date" as .NET's
`0001-01-01T00:00:00` and "not revised yet" as `9999-01-01T00:00:00Z`; both are read as null.
"""

from __future__ import annotations

import json

from ingestion.records import Column, ExportFolder, RawTable

DATASET = "raw_azure_devops"

# Fields of work item updates kept as rows: enough to replay status, type, assignee, team and sprint.
TRACKED_FIELDS = (
    "System.State",
    "System.Reason",
    "System.WorkItemType",
    "System.AssignedTo",
    "System.AreaPath",
    "System.IterationPath",
    "System.BoardColumn",
)

_ORGANIZATION = Column(
    "organization", sql=r"regexp_extract(source_file, '^azure_devops/([^/]+)/', 1)", required=True
)
_PROJECT = Column("project", sql=r"regexp_extract(source_file, '^azure_devops/[^/]+/([^/]+)/', 1)", required=True)
# `<id>.json`, or `<id>-<page>.json` for a list's further pages.
_FILE_NUMBER = r"nullif(regexp_extract(source_file, '/([0-9]+)(-[0-9]+)?\.json$', 1), '')"


def _pointer(pointer: str) -> str:
    """The text at a JSON pointer of the record (pointers keep dotted field names whole)."""
    return f"json_extract_string(rec, '{pointer}')"


def _field(name: str, *inner: str) -> str:
    return _pointer("/".join(["", "fields", name, *inner]))


def _without_sentinel(text: str) -> str:
    """A timestamp's text, null when it is one of the "no date" sentinels (years 0001 and 9999)."""
    return f"CASE WHEN left({text}, 4) NOT IN ('0001', '9999') THEN {text} END"


def _time(name: str, pointer: str, **options) -> Column:
    return Column(name, "TIMESTAMPTZ", sql=_without_sentinel(_pointer(pointer)), **options)


def _field_time(name: str, field_name: str, **options) -> Column:
    return Column(name, "TIMESTAMPTZ", sql=_without_sentinel(_field(field_name)), **options)


def _identity_columns(prefix: str, pointer: str) -> tuple[Column, ...]:
    """An identity object (IdentityRef) as unique name (usually the e-mail), display name and id."""
    return (
        Column(f"{prefix}_unique_name", sql=_pointer(f"{pointer}/uniqueName")),
        Column(f"{prefix}_display_name", sql=_pointer(f"{pointer}/displayName")),
        Column(f"{prefix}_id", sql=_pointer(f"{pointer}/id")),
    )


WORK_ITEMS = RawTable(
    name="work_items",
    description="One row per work item revision (organization, work item id and `rev`).",
    primary_key=("organization", "work_item_id", "rev"),
    columns=(
        _ORGANIZATION,
        _PROJECT,
        Column("work_item_id", "BIGINT", path="id"),
        Column("rev", "BIGINT", path="rev"),
        Column("work_item_type", sql=_field("System.WorkItemType")),
        Column("state", sql=_field("System.State")),
        Column("reason", sql=_field("System.Reason")),
        Column("title", sql=_field("System.Title")),
        Column("team_project", sql=_field("System.TeamProject")),
        Column("area_path", sql=_field("System.AreaPath")),
        Column("iteration_path", sql=_field("System.IterationPath")),
        Column("board_column", sql=_field("System.BoardColumn")),
        *_identity_columns("assigned_to", "/fields/System.AssignedTo"),
        Column("assigned_to_descriptor", sql=_field("System.AssignedTo", "descriptor")),
        *_identity_columns("created_by", "/fields/System.CreatedBy"),
        Column("parent_id", "BIGINT", sql=_field("System.Parent")),
        Column("priority", "BIGINT", sql=_field("Microsoft.VSTS.Common.Priority")),
        Column("tags", sql=_field("System.Tags")),
        _field_time("created_at", "System.CreatedDate", required=True),
        _field_time("changed_at", "System.ChangedDate", fallback="created_at"),
        _field_time("state_changed_at", "Microsoft.VSTS.Common.StateChangeDate"),
        _field_time("activated_at", "Microsoft.VSTS.Common.ActivatedDate"),
        _field_time("resolved_at", "Microsoft.VSTS.Common.ResolvedDate"),
        _field_time("closed_at", "Microsoft.VSTS.Common.ClosedDate"),
        Column("url", path="url"),
    ),
)

_TRACKED = ", ".join(f"'{name}'" for name in TRACKED_FIELDS)


def _change_value(side: str) -> str:
    """oldValue or newValue of a field change as text: an identity gives its unique name."""
    value = f"json_extract(change, '$.{side}')"
    return (
        f"CASE WHEN json_type({value}) = 'OBJECT' THEN json_extract_string({value}, '$.uniqueName') "
        f"ELSE json_extract_string({value}, '$') END"
    )


WORK_ITEM_UPDATES = RawTable(
    name="work_item_updates",
    description="One row per work item update and tracked field it changed (System.State, AssignedTo…).",
    primary_key=("organization", "work_item_id", "update_id", "field"),
    # One row per tracked field present in the update's `fields` map.
    explode_sql=f"""
        WITH changed_fields AS (
            SELECT *, unnest(json_keys(json_extract(rec, '$.fields'))) AS field_name FROM records
        )
        SELECT *, json_extract(rec, '/fields/' || field_name) AS change,
               'update ' || coalesce(record_key, '?') || ' ' || field_name AS row_label
        FROM changed_fields
        WHERE field_name IN ({_TRACKED})
    """,
    columns=(
        _ORGANIZATION,
        _PROJECT,
        # The body names the work item; the file name (`<work item id>.json`) stands in when it does not.
        Column("work_item_id", "BIGINT", sql=f"coalesce({_pointer('/workItemId')}, {_FILE_NUMBER})"),
        Column("update_id", "BIGINT", sql=_pointer("/id")),
        Column("rev", "BIGINT", sql=_pointer("/rev")),
        Column("field", sql="field_name"),
        Column("old_value", sql=_change_value("oldValue")),
        Column("new_value", sql=_change_value("newValue")),
        Column("old_display_name", sql="json_extract_string(change, '$.oldValue.displayName')"),
        Column("new_display_name", sql="json_extract_string(change, '$.newValue.displayName')"),
        Column("old_identity_id", sql="json_extract_string(change, '$.oldValue.id')"),
        Column("new_identity_id", sql="json_extract_string(change, '$.newValue.id')"),
        # revisedDate is when this revision was superseded, not when it was made: ChangedDate is.
        _field_time("changed_at", "System.ChangedDate/newValue", required=True),
        _time("revised_at", "/revisedDate"),
        Column("is_current_revision", "BOOLEAN", sql=f"starts_with({_pointer('/revisedDate')}, '9999-')"),
        *_identity_columns("revised_by", "/revisedBy"),
    ),
)

PULL_REQUESTS = RawTable(
    name="pull_requests",
    description="One row per pull request version (organization, pull request id and `version_at`).",
    primary_key=("organization", "pull_request_id", "version_at"),
    columns=(
        _ORGANIZATION,
        _PROJECT,
        Column("pull_request_id", "BIGINT", path="pullRequestId"),
        Column("code_review_id", "BIGINT", path="codeReviewId"),
        Column("repository_id", path="repository.id", required=True),
        Column("repository_name", path="repository.name"),
        Column("status", path="status"),
        Column("is_draft", "BOOLEAN", path="isDraft"),
        Column("title", path="title"),
        Column("source_ref_name", path="sourceRefName"),
        Column("target_ref_name", path="targetRefName"),
        Column("merge_status", path="mergeStatus"),
        Column("merge_id", path="mergeId"),
        Column("last_merge_source_commit_id", path="lastMergeSourceCommit.commitId"),
        Column("last_merge_target_commit_id", path="lastMergeTargetCommit.commitId"),
        Column("last_merge_commit_id", path="lastMergeCommit.commitId"),
        *_identity_columns("created_by", "/createdBy"),
        *_identity_columns("closed_by", "/closedBy"),
        Column("work_item_ids", "JSON", path="workItemRefs[*].id"),
        Column("labels", "JSON", path="labels[*].name"),
        _time("created_at", "/creationDate", required=True),
        _time("closed_at", "/closedDate"),
        Column("url", path="url"),
        # The API has no update time: a pull request changes version when it closes.
        Column("version_at", "TIMESTAMPTZ", sql="NULL", fallback="coalesce(closed_at, created_at)"),
    ),
)

_PULL_REQUEST_REVIEWERS_STRUCTURE = json.dumps(
    {
        "pullRequestId": "VARCHAR",
        "repository": {"id": "VARCHAR"},
        "reviewers": [
            {
                "id": "VARCHAR",
                "uniqueName": "VARCHAR",
                "displayName": "VARCHAR",
                "vote": "VARCHAR",
                "isRequired": "VARCHAR",
                "hasDeclined": "VARCHAR",
                "isFlagged": "VARCHAR",
                "isContainer": "VARCHAR",
                "votedFor": [{"id": "VARCHAR"}],
            }
        ],
    }
)

PULL_REQUEST_REVIEWERS = RawTable(
    name="pull_request_reviewers",
    description="One row per pull request and reviewer, with the reviewer's current vote.",
    primary_key=("organization", "pull_request_id", "reviewer_id"),
    explode_sql=f"""
        WITH pulls AS (
            SELECT *, json_transform(rec, '{_PULL_REQUEST_REVIEWERS_STRUCTURE}') AS p FROM records
        ),
        reviewers AS (
            SELECT *, unnest(p.reviewers) AS reviewer, unnest(range(len(p.reviewers))) AS reviewer_position
            FROM pulls
        )
        SELECT *, 'reviewer ' || reviewer_position AS row_label FROM reviewers
    """,
    columns=(
        _ORGANIZATION,
        _PROJECT,
        Column("pull_request_id", "BIGINT", sql="p.pullRequestId"),
        Column("repository_id", sql="p.repository.id"),
        Column("reviewer_id", sql="reviewer.id"),
        Column("reviewer_unique_name", sql="reviewer.uniqueName"),
        Column("reviewer_display_name", sql="reviewer.displayName"),
        Column("vote", "BIGINT", sql="reviewer.vote", required=True),
        Column("is_required", "BOOLEAN", sql="reviewer.isRequired"),
        Column("has_declined", "BOOLEAN", sql="reviewer.hasDeclined"),
        Column("is_flagged", "BOOLEAN", sql="reviewer.isFlagged"),
        Column("is_container", "BOOLEAN", sql="reviewer.isContainer"),
        Column("voted_for_ids", "JSON", sql="to_json(list_transform(reviewer.votedFor, lambda v: v.id))"),
        Column("reviewer_index", "BIGINT", sql="reviewer_position"),
    ),
)

PULL_REQUEST_COMMITS = RawTable(
    name="pull_request_commits",
    description="One row per commit of a pull request.",
    primary_key=("organization", "pull_request_id", "commit_id"),
    columns=(
        _ORGANIZATION,
        _PROJECT,
        Column("pull_request_id", "BIGINT", sql=_FILE_NUMBER),
        Column("commit_id", path="commitId"),
        Column("author_name", path="author.name"),
        Column("author_email", path="author.email"),
        _time("authored_at", "/author/date"),
        Column("committer_name", path="committer.name"),
        Column("committer_email", path="committer.email"),
        _time("committed_at", "/committer/date"),
        Column("comment", path="comment"),
        Column("url", path="url"),
    ),
)

BUILDS = RawTable(
    name="builds",
    description="One row per build version (organization, build id and `last_changed_at`).",
    primary_key=("organization", "build_id", "last_changed_at"),
    columns=(
        _ORGANIZATION,
        _PROJECT,
        Column("build_id", "BIGINT", path="id"),
        Column("build_number", path="buildNumber"),
        Column("status", path="status"),
        Column("result", path="result"),
        Column("reason", path="reason"),
        Column("definition_id", "BIGINT", path="definition.id"),
        Column("definition_name", path="definition.name"),
        Column("repository_id", path="repository.id"),
        Column("repository_name", path="repository.name"),
        Column("repository_type", path="repository.type"),
        Column("source_branch", path="sourceBranch"),
        Column("source_version", path="sourceVersion"),
        # Pull request validation builds name their pull request in `triggerInfo` (a dotted key).
        Column("trigger_pull_request_id", "BIGINT", sql=_pointer("/triggerInfo/pr.number")),
        *_identity_columns("requested_for", "/requestedFor"),
        _time("queued_at", "/queueTime", required=True),
        _time("started_at", "/startTime"),
        _time("finished_at", "/finishTime"),
        _time("last_changed_at", "/lastChangedDate", fallback="coalesce(finished_at, started_at, queued_at)"),
        Column("url", path="url"),
    ),
)

_ENVIRONMENT_NAME = r"regexp_extract(source_file, '^azure_devops/[^/]+/[^/]+/environment_deployments/([^/]+)/', 1)"

DEPLOYMENTS = RawTable(
    name="deployments",
    description="One row per environment deployment record (organization and record id).",
    primary_key=("organization", "deployment_record_id"),
    columns=(
        _ORGANIZATION,
        _PROJECT,
        Column("environment_name", sql=f"nullif({_ENVIRONMENT_NAME}, '')", required=True),
        Column("environment_id", "BIGINT", path="environmentId"),
        Column("deployment_record_id", "BIGINT", path="id"),
        Column("request_identifier", path="requestIdentifier"),
        Column("plan_type", path="planType"),
        Column("plan_id", path="planId"),
        Column("definition_id", "BIGINT", path="definition.id"),
        Column("definition_name", path="definition.name"),
        # The owner of a YAML pipeline run is its build: owner.id is the build id, owner.name its number.
        Column("build_id", "BIGINT", path="owner.id"),
        Column("build_number", path="owner.name"),
        Column("stage_name", path="stageName"),
        Column("stage_attempt", "BIGINT", path="stageAttempt"),
        Column("job_name", path="jobName"),
        Column("job_attempt", "BIGINT", path="jobAttempt"),
        Column("result", path="result"),
        _time("queued_at", "/queueTime", required=True),
        _time("started_at", "/startTime"),
        _time("finished_at", "/finishTime"),
    ),
)


def _envelope(what: str, endpoint: str) -> str:
    return f'{{"count", "value": [...]}} of {what} (GET {endpoint})'


FOLDERS = (
    ExportFolder("work_items", "azure_devops/*/*/work_items/*.json", "value",
                 _envelope("work items", "_apis/wit/workitemsbatch or _apis/wit/workitems?ids="), "id",
                 (WORK_ITEMS,)),
    ExportFolder("work_item_updates", "azure_devops/*/*/work_item_updates/*.json", "value",
                 _envelope("updates", "_apis/wit/workItems/{id}/updates"), "id", (WORK_ITEM_UPDATES,)),
    ExportFolder("pull_requests", "azure_devops/*/*/pull_requests/*.json", "value",
                 _envelope("pull requests", "_apis/git/repositories/{repo}/pullrequests"), "pullRequestId",
                 (PULL_REQUESTS, PULL_REQUEST_REVIEWERS)),
    ExportFolder("pull_request_commits", "azure_devops/*/*/pull_request_commits/*.json", "value",
                 _envelope("commits", "_apis/git/repositories/{repo}/pullRequests/{id}/commits"), "commitId",
                 (PULL_REQUEST_COMMITS,)),
    ExportFolder("builds", "azure_devops/*/*/builds/*.json", "value",
                 _envelope("builds", "_apis/build/builds"), "id", (BUILDS,)),
    ExportFolder("deployments", "azure_devops/*/*/environment_deployments/*/*.json", "value",
                 _envelope("deployment records",
                           "_apis/distributedtask/environments/{id}/environmentdeploymentrecords"), "id",
                 (DEPLOYMENTS,)),
)
