"""GitLab REST v4: merge requests with their commits and notes, the default-branch commit graph,
pipelines and deployments.

The folder path carries what the bodies lack: `gitlab/<group>/<project>/` gives the project path (groups
may nest: `gitlab/acme/platform/checkout/`), and the file name of `merge_request_commits/` and
`merge_request_notes/` gives the merge request's `iid`.

GitLab has two merge request numbers: `id` is global, `iid` is the number within the project (the `!42` in
the UI and in URLs). Both are kept; per-project endpoints are addressed by `iid`.

First review time comes from the merge request notes: `/approvals` lists who approved but not when, while
the system note "approved this merge request" has its `created_at`.
"""

from __future__ import annotations

from ingestion.records import Column, ExportFolder, RawTable

DATASET = "raw_gitlab"

# Every folder of a project sits under its project path; the path is whatever precedes the folder name.
_PROJECT_PATH = r"regexp_extract(source_file, '^gitlab/(.+)/[a-z_]+/[^/]+$', 1)"
_PROJECT = Column("project_path", sql=f"nullif({_PROJECT_PATH}, '')", required=True)
# `<iid>.json`, or `<iid>-<page>.json` when a merge request's list needs several pages.
_FILE_IID = r"nullif(regexp_extract(source_file, '/([0-9]+)(?:-[^/]*)?\.json$', 1), '')"

MERGE_REQUESTS = RawTable(
    name="merge_requests",
    description="One row per merge request version (global MR id and its `updated_at`).",
    primary_key=("merge_request_id", "updated_at"),
    columns=(
        _PROJECT,
        Column("merge_request_id", "BIGINT", path="id"),
        Column("iid", "BIGINT", path="iid", required=True),
        Column("project_id", "BIGINT", path="project_id"),
        Column("title", path="title"),
        Column("state", path="state"),
        Column("is_draft", "BOOLEAN", path="draft"),
        Column("source_branch", path="source_branch"),
        Column("target_branch", path="target_branch"),
        Column("sha", path="sha"),
        Column("merge_commit_sha", path="merge_commit_sha"),
        Column("squash_commit_sha", path="squash_commit_sha"),
        Column("is_squash", "BOOLEAN", path="squash"),
        Column("author_id", "BIGINT", path="author.id"),
        Column("author_username", path="author.username"),
        Column("author_name", path="author.name"),
        Column("merged_by_username", path="merge_user.username"),
        Column("labels", "JSON", path="labels"),
        Column("reference", path="references.full"),
        Column("web_url", path="web_url"),
        Column("created_at", "TIMESTAMPTZ", path="created_at", required=True),
        Column("updated_at", "TIMESTAMPTZ", path="updated_at", fallback="created_at"),
        Column("merged_at", "TIMESTAMPTZ", path="merged_at"),
        Column("closed_at", "TIMESTAMPTZ", path="closed_at"),
    ),
)

# The commit object both commit endpoints return (MR commits, repository commits), up to its committer.
_COMMIT_BODY = (
    Column("sha", path="id"),
    Column("short_id", path="short_id"),
    Column("title", path="title"),
    Column("message", path="message"),
    Column("author_name", path="author_name"),
    Column("author_email", path="author_email"),
    Column("authored_at", "TIMESTAMPTZ", path="authored_date"),
    Column("committer_name", path="committer_name"),
)

MERGE_REQUEST_COMMITS = RawTable(
    name="merge_request_commits",
    description="One row per commit of a merge request.",
    primary_key=("project_path", "merge_request_iid", "sha"),
    columns=(
        _PROJECT,
        Column("merge_request_iid", "BIGINT", sql=_FILE_IID),
        *_COMMIT_BODY,
        Column("committed_at", "TIMESTAMPTZ", path="committed_date"),
        # `parent_ids` is often absent from this endpoint: null then, not zero.
        Column("parent_count", "BIGINT", sql="json_array_length(rec, '$.parent_ids')"),
    ),
)

MERGE_REQUEST_NOTES = RawTable(
    name="merge_request_notes",
    description="One row per merge request note version (note id and its `updated_at`).",
    primary_key=("note_id", "updated_at"),
    columns=(
        _PROJECT,
        Column("merge_request_iid", "BIGINT", sql=_FILE_IID, required=True),
        Column("note_id", "BIGINT", path="id"),
        Column("noteable_id", "BIGINT", path="noteable_id"),
        Column("noteable_type", path="noteable_type"),
        Column("body", path="body"),
        Column("is_system", "BOOLEAN", path="system"),
        Column("is_internal", "BOOLEAN", path="internal"),
        Column("author_id", "BIGINT", path="author.id"),
        Column("author_username", path="author.username"),
        Column("created_at", "TIMESTAMPTZ", path="created_at", required=True),
        Column("updated_at", "TIMESTAMPTZ", path="updated_at", fallback="created_at"),
    ),
)

COMMITS = RawTable(
    name="commits",
    description="One row per default-branch commit.",
    primary_key=("project_path", "sha"),
    columns=(
        _PROJECT,
        *_COMMIT_BODY,
        Column("committer_email", path="committer_email"),
        Column("committed_at", "TIMESTAMPTZ", path="committed_date"),
        Column("parent_count", "BIGINT", sql="json_array_length(rec, '$.parent_ids')"),
        Column("web_url", path="web_url"),
    ),
)

COMMIT_PARENTS = RawTable(
    name="commit_parents",
    description="One row per commit and parent: the edges of the commit graph.",
    primary_key=("project_path", "sha", "parent_index"),
    explode_sql="""
        WITH commits AS (
            SELECT *, json_transform(rec, '{"id": "VARCHAR", "parent_ids": ["VARCHAR"]}') AS c
            FROM records
        ),
        edges AS (
            SELECT *, unnest(c.parent_ids) AS parent_sha, unnest(range(len(c.parent_ids))) AS parent_position
            FROM commits
        )
        SELECT *, 'parent ' || parent_position AS row_label FROM edges
    """,
    columns=(
        _PROJECT,
        Column("sha", sql="c.id"),
        Column("parent_sha", sql="parent_sha", required=True),
        Column("parent_index", "BIGINT", sql="parent_position"),
    ),
)

PIPELINES = RawTable(
    name="pipelines",
    description="One row per pipeline version (pipeline id and its `updated_at`).",
    primary_key=("pipeline_id", "updated_at"),
    columns=(
        _PROJECT,
        Column("pipeline_id", "BIGINT", path="id"),
        Column("iid", "BIGINT", path="iid"),
        Column("project_id", "BIGINT", path="project_id"),
        Column("status", path="status", required=True),
        Column("source", path="source"),
        Column("ref", path="ref"),
        Column("sha", path="sha"),
        Column("name", path="name"),
        Column("web_url", path="web_url"),
        Column("created_at", "TIMESTAMPTZ", path="created_at", required=True),
        Column("updated_at", "TIMESTAMPTZ", path="updated_at", fallback="created_at"),
        # Only the single-pipeline body (GET /pipelines/:id) has these; the list leaves them null.
        Column("started_at", "TIMESTAMPTZ", path="started_at"),
        Column("finished_at", "TIMESTAMPTZ", path="finished_at"),
        Column("duration_seconds", "BIGINT", path="duration"),
    ),
)

DEPLOYMENTS = RawTable(
    name="deployments",
    description="One row per deployment version (deployment id and its `updated_at`).",
    primary_key=("deployment_id", "updated_at"),
    columns=(
        _PROJECT,
        Column("deployment_id", "BIGINT", path="id"),
        Column("iid", "BIGINT", path="iid"),
        Column("ref", path="ref"),
        Column("sha", path="sha", required=True),
        Column("status", path="status", required=True),
        Column("environment_id", "BIGINT", path="environment.id"),
        Column("environment_name", path="environment.name"),
        Column("environment_tier", path="environment.tier"),
        Column("user_username", path="user.username"),
        Column("deployable_id", "BIGINT", path="deployable.id"),
        Column("deployable_name", path="deployable.name"),
        Column("deployable_status", path="deployable.status"),
        Column("deployable_started_at", "TIMESTAMPTZ", path="deployable.started_at"),
        Column("deployable_finished_at", "TIMESTAMPTZ", path="deployable.finished_at"),
        Column("pipeline_id", "BIGINT", path="deployable.pipeline.id"),
        Column("pipeline_sha", path="deployable.pipeline.sha"),
        Column("created_at", "TIMESTAMPTZ", path="created_at", required=True),
        Column("updated_at", "TIMESTAMPTZ", path="updated_at", fallback="created_at"),
        # Recent GitLab versions send it; older ones leave only deployable.finished_at.
        Column("finished_at", "TIMESTAMPTZ", path="finished_at"),
    ),
)

_ARRAY_OF = "a JSON array of {} (GET /projects/:id/{})"

FOLDERS = (
    ExportFolder("merge_requests", "gitlab/**/merge_requests/*.json", None,
                 _ARRAY_OF.format("merge requests", "merge_requests?state=all"), "id", (MERGE_REQUESTS,)),
    ExportFolder("merge_request_commits", "gitlab/**/merge_request_commits/*.json", None,
                 _ARRAY_OF.format("commits", "merge_requests/:iid/commits"), "id", (MERGE_REQUEST_COMMITS,)),
    ExportFolder("merge_request_notes", "gitlab/**/merge_request_notes/*.json", None,
                 _ARRAY_OF.format("notes", "merge_requests/:iid/notes"), "id", (MERGE_REQUEST_NOTES,)),
    ExportFolder("commits", "gitlab/**/commits/*.json", None,
                 _ARRAY_OF.format("commits", "repository/commits?ref_name=<default branch>"), "id",
                 (COMMITS, COMMIT_PARENTS)),
    ExportFolder("pipelines", "gitlab/**/pipelines/*.json", None,
                 _ARRAY_OF.format("pipelines", "pipelines"), "id", (PIPELINES,)),
    ExportFolder("deployments", "gitlab/**/deployments/*.json", None,
                 _ARRAY_OF.format("deployments", "deployments"), "id", (DEPLOYMENTS,)),
)
