"""Great Expectations suites on the raw tables, written as code and run as Dagster asset checks.

Each rule lives in one tool: these suites hold the rules on raw tables (keys, timestamps, enumerations,
references, volume); dbt tests hold the rules on the models built from them.

The rules fall in two kinds, by what a failure means:
- systemic (`validate_table_rules`), which block a publish: a primary key NULL or duplicated after the
  merge, or a raw table that shrank, means the load itself went wrong;
- record-level (`validate_record_rules`), which only warn: a timestamp out of range, a value outside the
  tool's vocabulary, a record whose parent has not arrived. The record still loads, and is named with its
  count; an orphan joins once its parent arrives.

Keys and timestamp columns come from the ingestion declarations (`ingestion/*.py`), so a new raw table
gets its key and range rules without an edit here. Enumerations and references are declared below.
Rules on values (ranges, enumerations) apply to the current version of each record, the row staging
will read: a bad version that a newer export corrects stops being reported.

After a validation, the next one reads only what the loads since then could have changed: their rows'
keys (with every older row sharing a key), the current version of the records they touched, and their
references (against every parent, with every reference still orphaned). Every older row was checked
already, and raw tables only grow, which the volume rule checks; so a day's exports cost what the day
brought, not the table's history.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ingestion.records import RawTable
from ingestion.sources import TOOLS, tables_of

# Export timestamps earlier than this are typing errors, not history.
EARLIEST_TIMESTAMP = datetime(2000, 1, 1, tzinfo=UTC)
# Clocks of the tools and of this machine may disagree by a little.
FUTURE_SKEW = timedelta(days=1)
# How many offending values a failed expectation shows in its check metadata.
SHOWN_UNEXPECTED = 10


@dataclass(frozen=True)
class Reference:
    """Rows of the table must point at a known row of `parent`: `columns` match `parent_columns`."""

    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{'_'.join(self.columns)}_in_{self.parent}"


@dataclass(frozen=True)
class RawTableRules:
    """What the suite of one raw table checks beyond its key and timestamps."""

    version_column: str | None = None
    enumerations: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    references: tuple[Reference, ...] = ()


# The full vocabularies the APIs publish; see docs/raw_tables.md. NULL is always allowed. A value outside
# them is reported (a record-level warning) and still loads: a tool may add a state before this list does.
RULES: dict[tuple[str, str], RawTableRules] = {
    ("raw_jira", "issues"): RawTableRules(
        version_column="updated_at",
        enumerations={"status_category_key": ("new", "indeterminate", "done", "undefined")},
    ),
    ("raw_jira", "changelog_items"): RawTableRules(
        references=(Reference(("issue_ref",), "issues", ("issue_ref",)),),
    ),
    ("raw_github", "pull_requests"): RawTableRules(
        version_column="updated_at", enumerations={"state": ("open", "closed")}
    ),
    ("raw_github", "pull_request_commits"): RawTableRules(
        references=(Reference(("repository", "pull_number"), "pull_requests", ("repository", "number")),),
    ),
    ("raw_github", "pull_request_reviews"): RawTableRules(
        enumerations={"state": ("APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING")},
        references=(Reference(("repository", "pull_number"), "pull_requests", ("repository", "number")),),
    ),
    ("raw_github", "deployments"): RawTableRules(version_column="updated_at"),
    ("raw_github", "deployment_statuses"): RawTableRules(
        enumerations={
            "state": ("error", "failure", "inactive", "in_progress", "queued", "pending", "success"),
        },
        references=(Reference(("deployment_id",), "deployments", ("deployment_id",)),),
    ),
    ("raw_github", "workflow_runs"): RawTableRules(
        version_column="updated_at",
        enumerations={
            "status": (
                "requested", "queued", "pending", "waiting", "in_progress", "completed", "action_required",
            ),
            "conclusion": (
                "success", "failure", "neutral", "cancelled", "skipped", "timed_out", "action_required",
                "stale", "startup_failure",
            ),
        },
    ),
    ("raw_pagerduty", "incidents"): RawTableRules(
        version_column="version_at",
        enumerations={"status": ("triggered", "acknowledged", "resolved"), "urgency": ("high", "low")},
    ),
    # Azure DevOps: work item states and types depend on the process (Agile, Scrum, custom): no vocabulary.
    ("raw_azure_devops", "work_items"): RawTableRules(version_column="rev"),
    ("raw_azure_devops", "work_item_updates"): RawTableRules(
        references=(Reference(("organization", "work_item_id"), "work_items", ("organization", "work_item_id")),),
    ),
    ("raw_azure_devops", "pull_requests"): RawTableRules(
        version_column="version_at",
        enumerations={
            # PullRequestStatus; `all` is a filter value, listed because the enum publishes it.
            "status": ("notSet", "active", "abandoned", "completed", "all"),
            "merge_status": ("notSet", "queued", "conflicts", "succeeded", "rejectedByPolicy", "failure"),
        },
    ),
    ("raw_azure_devops", "pull_request_reviewers"): RawTableRules(
        # Votes are integers: 10 approved, 5 with suggestions, 0 none, -5 waiting for author, -10 rejected.
        enumerations={"vote": (10, 5, 0, -5, -10)},
        references=(
            Reference(("organization", "pull_request_id"), "pull_requests", ("organization", "pull_request_id")),
        ),
    ),
    ("raw_azure_devops", "pull_request_commits"): RawTableRules(
        references=(
            Reference(("organization", "pull_request_id"), "pull_requests", ("organization", "pull_request_id")),
        ),
    ),
    ("raw_azure_devops", "builds"): RawTableRules(
        version_column="last_changed_at",
        enumerations={
            # BuildStatus and BuildResult; `all` is a filter value, listed because the enum publishes it.
            "status": ("none", "notStarted", "inProgress", "cancelling", "postponed", "completed", "all"),
            "result": ("none", "succeeded", "partiallySucceeded", "failed", "canceled"),
        },
    ),
    ("raw_azure_devops", "deployments"): RawTableRules(
        # TaskResult of environment deployment execution records.
        enumerations={
            "result": ("succeeded", "succeededWithIssues", "failed", "canceled", "skipped", "abandoned"),
        },
    ),
    ("raw_gitlab", "merge_requests"): RawTableRules(
        version_column="updated_at", enumerations={"state": ("opened", "closed", "locked", "merged")}
    ),
    ("raw_gitlab", "merge_request_commits"): RawTableRules(
        references=(Reference(("project_path", "merge_request_iid"), "merge_requests", ("project_path", "iid")),),
    ),
    ("raw_gitlab", "merge_request_notes"): RawTableRules(
        version_column="updated_at",
        references=(Reference(("project_path", "merge_request_iid"), "merge_requests", ("project_path", "iid")),),
    ),
    ("raw_gitlab", "pipelines"): RawTableRules(
        version_column="updated_at",
        enumerations={
            # `canceling` and `waiting_for_callback` are newer states (GitLab 17).
            "status": (
                "created", "waiting_for_resource", "preparing", "waiting_for_callback", "pending", "running",
                "success", "failed", "canceling", "canceled", "skipped", "manual", "scheduled",
            ),
        },
    ),
    ("raw_gitlab", "deployments"): RawTableRules(
        version_column="updated_at",
        enumerations={
            # A deployment's status; `skipped` is what GitLab records for a superseded deployment.
            "status": ("created", "running", "success", "failed", "canceled", "skipped", "blocked"),
            "environment_tier": ("production", "staging", "testing", "development", "other"),
            # The status of the job that deployed (a CI job's statuses).
            "deployable_status": (
                "created", "waiting_for_resource", "preparing", "waiting_for_callback", "pending", "running",
                "success", "failed", "canceling", "canceled", "skipped", "manual", "scheduled",
            ),
        },
    ),
    ("raw_jenkins", "builds"): RawTableRules(
        enumerations={"result": ("SUCCESS", "FAILURE", "UNSTABLE", "ABORTED", "NOT_BUILT")},
    ),
    ("raw_opsgenie", "alerts"): RawTableRules(
        version_column="updated_at",
        enumerations={"status": ("open", "closed"), "priority": ("P1", "P2", "P3", "P4", "P5")},
    ),
    ("raw_opsgenie", "incidents"): RawTableRules(
        version_column="updated_at",
        enumerations={"status": ("open", "resolved", "closed"), "priority": ("P1", "P2", "P3", "P4", "P5")},
    ),
}

# Jira changelog items carry the issue's id or, from some pages, only its key: an issue is known by either.
_ISSUE_REF = {"changelog_items": ("coalesce(issue_id, issue_key)",), "issues": ("issue_id", "issue_key")}


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation's verdict, in the words the check metadata and the run's output show."""

    rule: str
    success: bool
    unexpected_count: int | None
    # The distinct offending values (or references), sorted, at most SHOWN_UNEXPECTED.
    unexpected_sample: list[Any]
    # What the rule checks, in plain words, e.g. "status in the GitLab vocabulary".
    label: str = ""
    # How many rows each value of the sample has, and how many distinct values there are in all.
    sample_rows: dict[str, int] = field(default_factory=dict)
    distinct_unexpected: int = 0

    def summary(self) -> str:
        """"status outside its vocabulary: 2 rows: skipped (2 rows)" -- each value with its rows."""
        shown = ", ".join(f"{value} ({rows_text(self.sample_rows.get(value, 1))})" for value in self.unexpected_sample)
        hidden = self.distinct_unexpected - len(self.unexpected_sample)
        if hidden > 0:
            shown += f" and {hidden} more"
        return f"{self.label}: {rows_text(self.unexpected_count or 0)}: {shown}"


def rows_text(count: int) -> str:
    """'1 row', '2 rows'."""
    return f"{count} row" if count == 1 else f"{count} rows"


@dataclass(frozen=True)
class PassedValidation:
    """What the table's last validation saw: its rows, and the newest load among them."""

    row_count: int
    newest_load_id: str


@dataclass(frozen=True)
class SuiteOutcome:
    dataset: str
    table: str
    row_count: int
    outcomes: list[ExpectationOutcome]
    # The loads after this one were validated; None when the whole table was.
    validated_after_load_id: str | None = None
    # Rows of the frame the rules read: every row, or the new loads' rows (with what they touch).
    validated_rows: int = 0

    @property
    def success(self) -> bool:
        return all(outcome.success for outcome in self.outcomes)

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.success]


def checked_tables() -> list[tuple[str, RawTable]]:
    """Every raw data table of every tool (quarantine aside: it holds what failed already)."""
    return [
        (dataset, table)
        for dataset, folders in TOOLS.values()
        for name, table in tables_of(folders).items()
        if name != "quarantine"
    ]


def parent_tables(dataset: str, table: str) -> list[str]:
    """The tables the references of `table` point at: their new loads can resolve its orphans."""
    return sorted({reference.parent for reference in RULES.get((dataset, table), RawTableRules()).references})


def validate_table_rules(
    warehouse_path: Path, dataset: str, table: RawTable, passed: PassedValidation | None
) -> SuiteOutcome:
    """The systemic rules, which block a publish: keys not null and unique after the merge, and a table
    that never shrinks. After a passing validation (`passed`), the keys of the new loads only (with every
    older row sharing them)."""
    after = passed.newest_load_id if passed else None
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        row_count = _row_count(con, dataset, table.name)
        keys = _frame(con, _keys_sql(dataset, table, after), after)
    volume = pd.DataFrame({"row_count": [row_count]})
    outcomes = [
        *_validate(keys, _key_expectations(table)),
        *_validate(volume, _volume_expectations(passed.row_count if passed else None)),
    ]
    return SuiteOutcome(dataset, table.name, row_count, outcomes, after, len(keys))


def validate_record_rules(
    warehouse_path: Path, dataset: str, table: RawTable, after: str | None, now: datetime
) -> SuiteOutcome:
    """The record-level rules, which never block: timestamps in range and enumerations in the tool's
    vocabulary (on the current version of the records the loads after `after` touched, or of every record),
    and references to a known parent (those of the new loads, and every reference still without one)."""
    rules = RULES.get((dataset, table.name), RawTableRules())
    tool = dataset.removeprefix("raw_")
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        row_count = _row_count(con, dataset, table.name)
        current = _frame(con, _current_sql(dataset, table, rules, after), after)
        references = {
            reference: _frame(con, _reference_sql(dataset, table, reference, after), after)
            for reference in rules.references
        }
    outcomes = _validate(current, _value_expectations(table, rules, now), _value_labels(table, rules, tool))
    for reference, frame in references.items():
        label = f"{', '.join(reference.columns)} without a parent in {dataset}.{reference.parent} (kept; they join " \
                "once the parent arrives)"
        outcomes += _validate(frame, [_known_expectation()], {"is_known": label})
    return SuiteOutcome(dataset, table.name, row_count, outcomes, after, len(current))


def validate_raw_table(
    warehouse_path: Path, dataset: str, table: RawTable, passed: PassedValidation | None, now: datetime
) -> SuiteOutcome:
    """Both kinds of rules at once, from the same last validation (the benchmark times them together)."""
    systemic = validate_table_rules(warehouse_path, dataset, table, passed)
    records = validate_record_rules(warehouse_path, dataset, table, passed.newest_load_id if passed else None, now)
    return SuiteOutcome(dataset, table.name, systemic.row_count, systemic.outcomes + records.outcomes,
                        systemic.validated_after_load_id, systemic.validated_rows)


def _row_count(con: duckdb.DuckDBPyConnection, dataset: str, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {dataset}.{table}").fetchone()[0]


def _frame(con: duckdb.DuckDBPyConnection, sql: str, after: str | None) -> pd.DataFrame:
    return con.execute(sql, [after] * sql.count("?")).df()


def _new_rows(dataset: str, table: str, after: str | None) -> str:
    """The rows of the loads after `after` (dlt load ids are sortable timestamps), or every row."""
    where = "" if after is None else " WHERE _dlt_load_id > ?"
    return f"{dataset}.{table}{where}"


def _timestamp_columns(table: RawTable) -> list[str]:
    return [column.name for column in table.columns if column.type == "TIMESTAMPTZ"]


def _keys_sql(dataset: str, table: RawTable, after: str | None) -> str:
    """Every row's key; after a passing validation, the new rows' keys and the older rows sharing them
    (a new row may duplicate an old one)."""
    key = ", ".join(table.primary_key)
    if after is None:
        return f"SELECT {key} FROM {dataset}.{table.name}"
    return f"""
        SELECT {key} FROM {dataset}.{table.name}
        WHERE _dlt_load_id > ? OR ({key}) IN (SELECT ({key}) FROM {dataset}.{table.name} WHERE _dlt_load_id > ?)
    """


def _current_sql(dataset: str, table: RawTable, rules: RawTableRules, after: str | None) -> str:
    """The current version of every record, or of the records the new loads touched."""
    columns = sorted({*_timestamp_columns(table), *rules.enumerations})
    selected = ", ".join(columns) if columns else "1 AS row_present"
    if rules.version_column is None:
        return f"SELECT {selected} FROM {_new_rows(dataset, table.name, after)}"
    entity = ", ".join(column for column in table.primary_key if column != rules.version_column)
    touched = (
        "" if after is None
        else f"WHERE ({entity}) IN (SELECT ({entity}) FROM {_new_rows(dataset, table.name, after)})"
    )
    return f"""
        SELECT {selected} FROM {dataset}.{table.name} {touched}
        QUALIFY row_number() OVER (PARTITION BY {entity} ORDER BY {rules.version_column} DESC) = 1
    """


def _reference_sql(dataset: str, table: RawTable, reference: Reference, after: str | None) -> str:
    """Each distinct reference, its rows and whether its parent is known: every reference, or after a
    validation those of the new loads and every one still without a parent (until its parent arrives)."""
    child = _reference_columns(table.name, reference.columns)
    parent = _reference_columns(reference.parent, reference.parent_columns)
    matches = " AND ".join(f"c.{a} = p.{b}" for a, b in zip(child, parent, strict=True))
    shown = " || '/' || ".join(f"CAST(c.{a} AS VARCHAR)" for a in child)
    is_new = "true" if after is None else "bool_or(_dlt_load_id > ?)"
    return f"""
        WITH c AS ({_grouped_references(dataset, table.name, reference.columns, is_new)}),
             p AS ({_parent_keys(dataset, reference.parent, reference.parent_columns)}),
             r AS (SELECT {shown} AS reference, c.rows, EXISTS (SELECT 1 FROM p WHERE {matches}) AS is_known,
                          c.is_new FROM c)
        SELECT reference, rows, is_known FROM r WHERE is_new OR NOT is_known
    """


def _reference_columns(table: str, columns: tuple[str, ...]) -> list[str]:
    return [f"{table}_{column}" for column in columns]


def _grouped_references(dataset: str, table: str, columns: tuple[str, ...], is_new: str) -> str:
    aliases = _reference_columns(table, columns)
    expressions = _ISSUE_REF[table] if columns == ("issue_ref",) else columns
    selected = ", ".join(f"{e} AS {a}" for e, a in zip(expressions, aliases, strict=True))
    return f"SELECT {selected}, count(*) AS rows, {is_new} AS is_new FROM {dataset}.{table} GROUP BY ALL"


def _parent_keys(dataset: str, table: str, columns: tuple[str, ...]) -> str:
    aliases = _reference_columns(table, columns)
    if columns == ("issue_ref",):
        return " UNION ".join(f"SELECT {e} AS {aliases[0]} FROM {dataset}.{table}" for e in _ISSUE_REF[table])
    return f"SELECT DISTINCT {', '.join(f'{c} AS {a}' for c, a in zip(columns, aliases, strict=True))} FROM {dataset}.{table}"


def _key_expectations(table: RawTable) -> list:
    import great_expectations as gx

    keys: list = [gx.expectations.ExpectColumnValuesToNotBeNull(column=column) for column in table.primary_key]
    keys.append(
        gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=list(table.primary_key))
        if len(table.primary_key) > 1
        else gx.expectations.ExpectColumnValuesToBeUnique(column=table.primary_key[0])
    )
    return keys


def _volume_expectations(previous_row_count: int | None) -> list:
    """Raw tables keep every version of every record: a table that shrank lost data."""
    import great_expectations as gx

    if previous_row_count is None:
        return []
    return [gx.expectations.ExpectColumnValuesToBeBetween(column="row_count", min_value=previous_row_count)]


def _value_expectations(table: RawTable, rules: RawTableRules, now: datetime) -> list:
    import great_expectations as gx

    latest = pd.Timestamp(now + FUTURE_SKEW)
    current: list = [
        gx.expectations.ExpectColumnValuesToBeBetween(
            column=column, min_value=pd.Timestamp(EARLIEST_TIMESTAMP), max_value=latest
        )
        for column in _timestamp_columns(table)
    ]
    current += [
        gx.expectations.ExpectColumnValuesToBeInSet(column=column, value_set=list(values))
        for column, values in rules.enumerations.items()
    ]
    return current


def _value_labels(table: RawTable, rules: RawTableRules, tool: str) -> dict[str, str]:
    labels = {
        column: f"{table.name}.{column} before {EARLIEST_TIMESTAMP:%Y-%m-%d} or in the future"
        for column in _timestamp_columns(table)
    }
    labels |= {column: f"{table.name}.{column} outside the {tool} vocabulary" for column in rules.enumerations}
    return labels


def _known_expectation():
    import great_expectations as gx

    return gx.expectations.ExpectColumnValuesToBeInSet(column="is_known", value_set=[True])


def _validate(
    frame: pd.DataFrame, expectations: Sequence, labels: Mapping[str, str] | None = None
) -> list[ExpectationOutcome]:
    if not expectations:
        return []
    import great_expectations as gx

    context = _ephemeral_context()
    batch = (
        context.data_sources.add_pandas(name="raw")
        .add_dataframe_asset(name="frame")
        .add_batch_definition_whole_dataframe("whole")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    suite = gx.ExpectationSuite(name="raw_table", expectations=list(expectations))
    result = batch.validate(suite, result_format={"result_format": "COMPLETE"})
    return [_outcome(frame, one, labels or {}) for one in result.results]


def _ephemeral_context():
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    return context


def _outcome(frame: pd.DataFrame, result, labels: Mapping[str, str]) -> ExpectationOutcome:
    config = result.expectation_config
    kwargs = {k: v for k, v in config.kwargs.items() if k in ("column", "column_list", "min_value")}
    rule = config.type + (f" {kwargs}" if kwargs else "")
    column = config.kwargs.get("column")
    rows = Counter(str(value) for value in (result.result.get("unexpected_list") or []))
    if column == "is_known":
        orphans = frame.loc[~frame["is_known"].astype(bool)]
        rows = Counter(dict(zip(orphans["reference"].astype(str), orphans["rows"].astype(int), strict=True)))
    if column == "row_count":
        rows = Counter(f"{value} rows" for value in result.result.get("unexpected_list") or [])
    sample = sorted(rows)[:SHOWN_UNEXPECTED]
    count = sum(rows.values()) if column == "is_known" else result.result.get("unexpected_count")
    label = labels.get(column, rule)
    return ExpectationOutcome(
        rule, bool(result.success), count, sample, label, {value: rows[value] for value in sample}, len(rows)
    )
