"""GitHub REST: pull requests with their commits and reviews, the default-branch commit graph,
deployments with their statuses, and workflow runs.

The folder path carries what the bodies lack: `github/<owner>/<repo>/` gives the repository, and the
file name of `pull_commits/`, `pull_reviews/` and `deployment_statuses/` gives the PR number or the
deployment id.
"""

from __future__ import annotations

from ingestion.records import Column, ExportFolder, RawTable

DATASET = "raw_github"

_REPOSITORY = Column("repository", sql=r"regexp_extract(source_file, '^github/([^/]+/[^/]+)/', 1)", required=True)
# `<number>.json`, or `<number>-<page>.json` when a list needs several pages (a pull request's 250 commits).
_FILE_NUMBER = r"nullif(regexp_extract(source_file, '/([0-9]+)(?:-[0-9]+)?\.json$', 1), '')"

PULL_REQUESTS = RawTable(
    name="pull_requests",
    description="One row per pull request version (PR id and its `updated_at`).",
    primary_key=("pull_request_id", "updated_at"),
    columns=(
        _REPOSITORY,
        Column("pull_request_id", "BIGINT", path="id"),
        Column("node_id", path="node_id"),
        Column("number", "BIGINT", path="number", required=True),
        Column("state", path="state"),
        Column("is_draft", "BOOLEAN", path="draft"),
        Column("title", path="title"),
        Column("author_login", path="user.login"),
        Column("author_type", path="user.type"),
        Column("head_ref", path="head.ref"),
        Column("head_sha", path="head.sha"),
        Column("base_ref", path="base.ref"),
        Column("base_repository", path="base.repo.full_name"),
        Column("merge_commit_sha", path="merge_commit_sha"),
        Column("labels", "JSON", path="labels[*].name"),
        Column("created_at", "TIMESTAMPTZ", path="created_at", required=True),
        Column("updated_at", "TIMESTAMPTZ", path="updated_at", fallback="created_at"),
        Column("closed_at", "TIMESTAMPTZ", path="closed_at"),
        Column("merged_at", "TIMESTAMPTZ", path="merged_at"),
    ),
)

PULL_REQUEST_COMMITS = RawTable(
    name="pull_request_commits",
    description="One row per commit of a pull request.",
    primary_key=("repository", "pull_number", "sha"),
    columns=(
        _REPOSITORY,
        Column("pull_number", "BIGINT", sql=_FILE_NUMBER),
        Column("sha", path="sha"),
        Column("author_login", path="author.login"),
        Column("author_name", path="commit.author.name"),
        Column("authored_at", "TIMESTAMPTZ", path="commit.author.date"),
        Column("committer_login", path="committer.login"),
        Column("committed_at", "TIMESTAMPTZ", path="commit.committer.date"),
        Column("message", path="commit.message"),
        Column("parent_count", "BIGINT", sql="json_array_length(rec, '$.parents')"),
    ),
)

PULL_REQUEST_REVIEWS = RawTable(
    name="pull_request_reviews",
    description="One row per review of a pull request.",
    primary_key=("review_id",),
    columns=(
        _REPOSITORY,
        Column("pull_number", "BIGINT", sql=_FILE_NUMBER, required=True),
        Column("review_id", "BIGINT", path="id"),
        Column("node_id", path="node_id"),
        Column("reviewer_login", path="user.login"),
        Column("reviewer_type", path="user.type"),
        Column("state", path="state"),
        Column("submitted_at", "TIMESTAMPTZ", path="submitted_at"),
        Column("commit_id", path="commit_id"),
    ),
)

_COMMIT_COLUMNS = (
    _REPOSITORY,
    Column("sha", path="sha"),
    Column("author_login", path="author.login"),
    Column("author_name", path="commit.author.name"),
    Column("authored_at", "TIMESTAMPTZ", path="commit.author.date"),
    Column("committer_login", path="committer.login"),
    Column("committed_at", "TIMESTAMPTZ", path="commit.committer.date"),
    Column("message", path="commit.message"),
    Column("parent_count", "BIGINT", sql="json_array_length(rec, '$.parents')"),
)

COMMITS = RawTable(
    name="commits",
    description="One row per default-branch commit.",
    primary_key=("repository", "sha"),
    columns=_COMMIT_COLUMNS,
)

COMMIT_PARENTS = RawTable(
    name="commit_parents",
    description="One row per commit and parent: the edges of the commit graph.",
    primary_key=("repository", "sha", "parent_index"),
    explode_sql="""
        WITH commits AS (
            SELECT *, json_transform(rec, '{"sha": "VARCHAR", "parents": [{"sha": "VARCHAR"}]}') AS c
            FROM records
        ),
        edges AS (
            SELECT *, unnest(c.parents) AS parent, unnest(range(len(c.parents))) AS parent_position
            FROM commits
        )
        SELECT *, 'parent ' || parent_position AS row_label FROM edges
    """,
    columns=(
        _REPOSITORY,
        Column("sha", sql="c.sha"),
        Column("parent_sha", sql="parent.sha", required=True),
        Column("parent_index", "BIGINT", sql="parent_position"),
    ),
)

DEPLOYMENTS = RawTable(
    name="deployments",
    description="One row per deployment version (deployment id and its `updated_at`).",
    primary_key=("deployment_id", "updated_at"),
    columns=(
        _REPOSITORY,
        Column("deployment_id", "BIGINT", path="id"),
        Column("node_id", path="node_id"),
        Column("sha", path="sha", required=True),
        Column("ref", path="ref"),
        Column("task", path="task"),
        Column("environment", path="environment"),
        Column("original_environment", path="original_environment"),
        Column("is_production_environment", "BOOLEAN", path="production_environment"),
        Column("is_transient_environment", "BOOLEAN", path="transient_environment"),
        Column("creator_login", path="creator.login"),
        Column("description", path="description"),
        Column("created_at", "TIMESTAMPTZ", path="created_at", required=True),
        Column("updated_at", "TIMESTAMPTZ", path="updated_at", fallback="created_at"),
    ),
)

DEPLOYMENT_STATUSES = RawTable(
    name="deployment_statuses",
    description="One row per deployment status.",
    primary_key=("deployment_status_id",),
    columns=(
        _REPOSITORY,
        Column("deployment_id", "BIGINT", sql=_FILE_NUMBER, required=True),
        Column("deployment_status_id", "BIGINT", path="id"),
        Column("state", path="state", required=True),
        Column("environment", path="environment"),
        Column("description", path="description"),
        Column("creator_login", path="creator.login"),
        Column("created_at", "TIMESTAMPTZ", path="created_at", required=True),
        Column("updated_at", "TIMESTAMPTZ", path="updated_at"),
    ),
)

WORKFLOW_RUNS = RawTable(
    name="workflow_runs",
    description="One row per workflow run attempt version (run id, attempt and its `updated_at`).",
    primary_key=("workflow_run_id", "run_attempt", "updated_at"),
    columns=(
        _REPOSITORY,
        Column("workflow_run_id", "BIGINT", path="id"),
        Column("run_number", "BIGINT", path="run_number"),
        Column("run_attempt", "BIGINT", path="run_attempt", fallback="1"),
        Column("workflow_id", "BIGINT", path="workflow_id"),
        Column("name", path="name"),
        Column("path", path="path"),
        Column("event", path="event"),
        Column("status", path="status"),
        Column("conclusion", path="conclusion"),
        Column("head_branch", path="head_branch"),
        Column("head_sha", path="head_sha"),
        Column("actor_login", path="actor.login"),
        Column("created_at", "TIMESTAMPTZ", path="created_at", required=True),
        Column("run_started_at", "TIMESTAMPTZ", path="run_started_at"),
        Column("updated_at", "TIMESTAMPTZ", path="updated_at", fallback="created_at"),
    ),
)

_ARRAY_OF = "a JSON array of {} (GET /repos/{{owner}}/{{repo}}/{})"

FOLDERS = (
    ExportFolder("pull_requests", "github/*/*/pulls/*.json", None,
                 _ARRAY_OF.format("pull requests", "pulls?state=all"), "id", (PULL_REQUESTS,)),
    ExportFolder("pull_request_commits", "github/*/*/pull_commits/*.json", None,
                 _ARRAY_OF.format("commits", "pulls/{number}/commits"), "sha", (PULL_REQUEST_COMMITS,)),
    ExportFolder("pull_request_reviews", "github/*/*/pull_reviews/*.json", None,
                 _ARRAY_OF.format("reviews", "pulls/{number}/reviews"), "id", (PULL_REQUEST_REVIEWS,)),
    ExportFolder("commits", "github/*/*/commits/*.json", None,
                 _ARRAY_OF.format("commits", "commits"), "sha", (COMMITS, COMMIT_PARENTS)),
    ExportFolder("deployments", "github/*/*/deployments/*.json", None,
                 _ARRAY_OF.format("deployments", "deployments"), "id", (DEPLOYMENTS,)),
    ExportFolder("deployment_statuses", "github/*/*/deployment_statuses/*.json", None,
                 _ARRAY_OF.format("deployment statuses", "deployments/{id}/statuses"), "id",
                 (DEPLOYMENT_STATUSES,)),
    ExportFolder("workflow_runs", "github/*/*/workflow_runs/*.json", "workflow_runs",
                 '{"total_count", "workflow_runs": [...]} (GET /repos/{owner}/{repo}/actions/runs)', "id",
                 (WORKFLOW_RUNS,)),
)
