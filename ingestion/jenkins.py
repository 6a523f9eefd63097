"""Jenkins JSON API: the builds of each job.

Landing layout `jenkins/<controller>/<job path>/builds*.json`: the controller is the first folder, the job
path (folders of nested jobs included) is the rest. Each file is the body of
`/job/<name>/api/json?tree=allBuilds[...]{0,500}` (or `tree=builds[...]`, the newest 100; see
docs/sources/jenkins.md).

Jenkins sends times as epoch milliseconds (`timestamp` is the build start, `duration` its length); they
are kept as sent and converted in staging. `result` is null while `building` is true, so a build has at
most two versions: building and finished. Build parameters and the git revision sit in a heterogeneous
`actions` list: parameters become one JSON object (name -> value), the first git `BuildData` action gives
the SHA, branch and remote URL.
"""

from __future__ import annotations

from ingestion.records import Column, ExportFolder, RawTable

DATASET = "raw_jenkins"

_CONTROLLER = r"nullif(regexp_extract(source_file, '^jenkins/([^/]+)/.+/[^/]+$', 1), '')"
_JOB_PATH = r"nullif(regexp_extract(source_file, '^jenkins/[^/]+/(.+)/[^/]+$', 1), '')"

# Every parameter of every ParametersAction, as {"NAME": value, ...}; values keep their JSON type.
_PARAMETERS = """
    '{' || array_to_string(
        list_transform(
            json_extract(rec, '$.actions[*].parameters[*]'),
            lambda p: to_json(json_extract_string(p, '$.name')) || ':'
                      || coalesce(json_extract(p, '$.value')::VARCHAR, 'null')
        ),
        ','
    ) || '}'
"""


def _first_action_value(path: str) -> str:
    """The first non-null value at `path` across the actions (the first git BuildData action)."""
    return f"list_filter(json_extract_string(rec, '$.actions[*].{path}'), lambda v: v IS NOT NULL)[1]"


BUILDS = RawTable(
    name="builds",
    description="One row per build version (controller, job path, build number, and whether it was building).",
    primary_key=("controller", "job_path", "build_number", "is_building"),
    columns=(
        Column("controller", sql=_CONTROLLER, required=True),
        Column("job_path", sql=_JOB_PATH, required=True),
        Column("build_number", "BIGINT", path="number"),
        Column("build_id", path="id"),
        Column("display_name", path="displayName"),
        Column("url", path="url"),
        Column("result", path="result"),
        # Absent when the tree query left it out: a build with a result is finished.
        Column("is_building", "BOOLEAN", path="building", fallback="result IS NULL"),
        Column("started_at_ms", "BIGINT", path="timestamp", required=True),
        Column("duration_ms", "BIGINT", path="duration"),
        Column("estimated_duration_ms", "BIGINT", path="estimatedDuration"),
        Column("parameters", "JSON", sql=_PARAMETERS),
        Column("git_sha", sql=_first_action_value("lastBuiltRevision.SHA1")),
        Column("git_branch", sql=_first_action_value("lastBuiltRevision.branch[0].name")),
        Column("git_remote_url", sql=_first_action_value("remoteUrls[0]")),
    ),
)

FOLDERS = (
    ExportFolder(
        "builds",
        "jenkins/**/builds*.json",
        "builds",
        '{"_class", "allBuilds": [...]} or {"_class", "builds": [...]} '
        "(GET /job/<name>/api/json?tree=allBuilds[...]{0,500} or tree=builds[...])",
        "number",
        (BUILDS,),
        # allBuilds reaches past the newest 100 builds: when a body has both, it holds every build of builds.
        other_records_keys=("allBuilds",),
    ),
)
