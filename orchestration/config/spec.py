"""What a configuration folder may hold: every setting with its default and meaning, every mapping table
with its columns. The loader validates against this, `delivery init` writes its starter from it, and the
docs list it; one place to add a setting or a mapping."""

from __future__ import annotations

from dataclasses import dataclass, field

SETTINGS_FILE = "settings.yaml"
SECRETS_FILE = "secrets.yaml"
MAPPINGS_FOLDER = "mappings"

DELIVERY_PHASES = ("discovery", "planning", "development", "release_readiness", "release", "done", "canceled")
FLOW_STATES = ("new", "waiting", "active", "done", "canceled")
FLOW_ITEMS = ("feature", "defect", "risk", "debt")
# The team every unmapped record counts under (dbt_project/macros/unmapped.sql): not a team to map to.
UNMAPPED_TEAM = "unmapped"


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    meaning: str
    section: str
    # str, int, float, bool, path, pattern (a regular expression), labels (a list of strings), timestamp,
    # memory (a DuckDB memory size)
    kind: str = "str"
    dbt_var: bool = False
    # The only values allowed, when the setting is one of a few words.
    choices: tuple[str, ...] = ()

    @property
    def environment_variable(self) -> str:
        return f"DELIVERY_{self.name.upper()}"


def _dora(name: str, default: object, meaning: str, kind: str = "str") -> Setting:
    return Setting(name, default, meaning, "DORA", kind, dbt_var=True)


def _flow(name: str, default: object, meaning: str, kind: str = "str") -> Setting:
    return Setting(name, default, meaning, "Flow", kind, dbt_var=True)


SETTINGS: tuple[Setting, ...] = (
    Setting("exports_dir", "exports", "The landing folder the tools' exports are read from.", "Paths", "path"),
    Setting("warehouse_path", "warehouse/delivery.duckdb",
            "The working warehouse (DuckDB). Keeps raw records and real names: for data engineers only.",
            "Paths", "path"),
    Setting("serving_path", "", "The serving snapshot BI tools read. Empty: serving.duckdb beside the warehouse.",
            "Paths", "path"),
    Setting("engine", "duckdb",
            "The engine dbt builds the models on: duckdb (the warehouse file) or spark (Apache Spark through "
            "dbt-spark, docs/scale-out.md). dbt reads it as DELIVERY_ENGINE (dbt_project/profiles.yml); "
            "`delivery run` builds on duckdb only so far.", "Paths", choices=("duckdb", "spark")),
    Setting("files_per_batch", 50, "Export files read per Arrow batch during a load.", "Loading", "int"),
    Setting("duckdb_memory_limit", "3GB",
            "DuckDB's memory budget for every connection that writes (the loads, dbt, publish), e.g. 3GB or "
            "1500MiB; beyond it DuckDB spills to disk. DuckDB's own default is 80 % of the machine.",
            "Loading", "memory"),
    Setting("dbt_threads", 4,
            "Models and tests dbt builds at once. dbt's own work on one node overlaps DuckDB's query of another, "
            "so a build is faster with more threads than cores.", "Loading", "int"),
    # Dagster's freshness checks and dbt's source freshness (dbt_project.yml) both read these two.
    Setting("freshness_warn_hours", 36.0, "A tool whose newest load is older than this warns.", "Checks", "float",
            dbt_var=True),
    Setting("freshness_fail_hours", 168.0, "A tool whose newest load is older than this blocks publish.",
            "Checks", "float", dbt_var=True),
    Setting("max_mart_row_drop", 0.5,
            "A mart may shrink by at most this share of its rows against the last published snapshot.",
            "Checks", "float"),
    Setting("serving_storage_version", "",
            "DuckDB storage format of the serving file (e.g. v1.2.0) for BI drivers on an older DuckDB; "
            "empty: current.", "Serving"),
    Setting("publish_people_names", False,
            "Publish people's logins, account ids and names as they are instead of keyed pseudonyms (see "
            "docs/privacy.md). E-mail addresses are never published.", "Serving", "bool"),
    Setting("write_dbt_docs", True,
            "Write the dbt docs site (every model and column, the lineage up to the dashboards) after each build.",
            "Serving", "bool"),
    Setting("demo_size", "S", "Size of the demo organisation `delivery demo` writes: S, M or L.", "Demo"),
    Setting("demo_seed", 7, "Random seed of the demo organisation: the same seed writes the same files.",
            "Demo", "int"),
    _dora("default_production_environment_pattern", "^prod(uction)?$",
          "Production environment pattern (case-insensitive) for repositories whose row in "
          "repository_teams.csv leaves it empty.", "pattern"),
    _dora("bot_login_pattern", r"\[bot\]$", "Logins treated as bots (their changes leave lead time out).",
          "pattern"),
    _dora("dora_attribution_window_hours", 24,
          "Hours before an incident in which a production deployment of the same team can have caused it.", "int"),
    _dora("dora_hotfix_labels", ["hotfix"], "Pull request labels (exact, case-insensitive) that mark a hotfix.",
          "labels"),
    _dora("dora_hotfix_branch_pattern", "^hotfix[/_-]", "Head branch pattern of hotfix pull requests.",
          "pattern"),
    _dora("dora_report_year", 2023,
          "DORA report year whose tier thresholds apply (2021 to 2024, see dora_tier_thresholds).", "int"),
    _dora("dora_frequency_window_days", 91,
          "Days of the trailing window of the deployment frequency profile.", "int"),
    _flow("flow_issue_key_pattern", "[A-Z][A-Z0-9_]+-[0-9]+",
          "Jira issue key in pull request titles and branch names (first match, upper-cased).", "pattern"),
    _flow("flow_azure_boards_mention_pattern", "AB#[0-9]+",
          "Azure Boards mention in pull request titles and branch names (matched upper-cased).", "pattern"),
    _flow("flow_as_of_at", "",
          "Instant open status intervals run to (UTC, 'YYYY-MM-DD HH:MM:SS'); empty: the newest issue update.",
          "timestamp"),
    _flow("flow_risk_ratio_threshold", 1.5,
          "Early-warning ratio: a team's recent weeks against its trailing baseline.", "float"),
    _flow("flow_risk_recent_weeks", 4,
          "Weeks of the early-warning recent window; WIP growth compares with this many weeks earlier.", "int"),
    _flow("flow_risk_baseline_weeks", 12, "Weeks of the early-warning baseline, before the recent window.",
          "int"),
    _flow("flow_risk_min_items", 3, "Fewest items (or handoffs) in each window before a ratio is computed.",
          "int"),
    _flow("flow_risk_min_signals", 2, "Fewest signals raised together before a team-week is flagged.", "int"),
    _flow("flow_forecast_window_weeks", 4, "Weeks of an epic's recent throughput its forecast extrapolates.",
          "int"),
    _flow("forecast_trials", 10000, "Monte Carlo trials of each forecast.", "int"),
    _flow("forecast_seed", 1, "Seed of the forecasts' draws: the same seed gives the same forecasts.", "int"),
    _flow("forecast_history_weeks", 12,
          "Weeks of throughput history the forecasts sample (weeks with nothing done included).", "int"),
    _flow("forecast_scope_growth", True,
          "Forecast trials add items at the rate the scope grew over the history weeks.", "bool"),
    _flow("forecast_horizon_weeks", 52, "Weeks the forecasts simulate ahead; later dates are beyond it.", "int"),
    _flow("forecast_item_count", 10,
          "Items whose completion each team's and value stream's backlog forecast dates (mart_backlog_forecast).",
          "int"),
    Setting("few_data_minimum", 5,
            "Fewest deployments (DORA) or items done (flow) in a period before its rates and medians are "
            "read without a 'few data' mark (the marts' is_few_data columns).", "Reporting", "int", dbt_var=True),
)
SETTINGS_BY_NAME = {setting.name: setting for setting in SETTINGS}
# dbt vars that only `dbt source freshness` reads: they change no model, so a new value calls for no rebuild.
SOURCE_FRESHNESS_VARS = ("freshness_warn_hours", "freshness_fail_hours")
DORA_REPORT_YEARS = (2021, 2022, 2023, 2024)


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = True
    # team (a team of teams.csv), pattern, phase, flow_state, flow_item, or plain text
    kind: str = "text"


@dataclass(frozen=True)
class Mapping:
    name: str
    meaning: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    # Keys compared case-insensitively, as the models match them.
    case_insensitive_key: bool = True
    examples: tuple[str, ...] = field(default_factory=tuple)

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]


def _team(name: str = "team") -> Column:
    return Column(name, kind="team")


MAPPINGS: tuple[Mapping, ...] = (
    Mapping("teams", "Every team, its display name and the value stream it delivers into. Other mappings "
            "name teams by the `team` slug.",
            (Column("team"), Column("team_name"), Column("value_stream")), ("team",), case_insensitive_key=False),
    Mapping("repository_teams", "Repositories of any tool (GitHub owner/name, GitLab project path, Azure DevOps "
            "organization/project/repository) and the team that owns each.",
            (Column("repository"), _team(), Column("production_environment_pattern", False, "pattern"),
             Column("deploy_workflow_path", False)), ("repository",)),
    Mapping("jira_project_teams", "Jira projects (and optionally components) and the team that owns their work.",
            (Column("project_key"), Column("component", False), _team()), ("project_key", "component")),
    Mapping("azure_devops_area_teams", "Azure Boards area paths and the team that owns their work items.",
            (Column("organization"), Column("project"), Column("area_path"), _team()),
            ("organization", "project", "area_path")),
    Mapping("gitlab_group_teams", "GitLab groups whose projects a team owns (when the project is not in "
            "repository_teams).", (Column("group_path"), _team()), ("group_path",)),
    Mapping("pagerduty_service_teams", "PagerDuty services and the team whose incidents they raise.",
            (Column("service_id"), Column("service_name", False), _team()), ("service_id",),
            case_insensitive_key=False),
    Mapping("opsgenie_team_teams", "Opsgenie teams and the team whose incidents they own.",
            (Column("opsgenie_team_id"), Column("opsgenie_team_name", False), _team()), ("opsgenie_team_id",),
            case_insensitive_key=False),
    Mapping("flow_people_teams", "People (Jira account ids) and their team: an assignee's work counts for it.",
            (Column("account_id"), _team()), ("account_id",), case_insensitive_key=False),
    Mapping("status_phases", "Jira statuses: their delivery phase and flow state.",
            (Column("status_name"), Column("status_id", False), Column("delivery_phase", kind="phase"),
             Column("flow_state", kind="flow_state")), ("status_name",)),
    Mapping("azure_devops_state_phases", "Azure Boards states: their delivery phase and flow state.",
            (Column("state"), Column("delivery_phase", kind="phase"), Column("flow_state", kind="flow_state")),
            ("state",)),
    Mapping("issue_type_flow_items", "Issue and work item types: their flow item (feature, defect, risk, debt).",
            (Column("issue_type"), Column("flow_item", kind="flow_item")), ("issue_type",)),
    Mapping("jenkins_deployment_rules", "Jenkins jobs whose successful builds are production deployments, and "
            "the repository each deploys.",
            (Column("controller"), Column("job_path_pattern", kind="pattern"), Column("parameter_name", False),
             Column("parameter_value_pattern", False, "pattern"), Column("repository")),
            ("controller", "job_path_pattern", "parameter_name", "repository")),
)
MAPPINGS_BY_NAME = {mapping.name: mapping for mapping in MAPPINGS}
