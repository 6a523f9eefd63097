"""The checks between the working warehouse and the serving file.

- On every raw table, its Great Expectations suites (`checks/raw_expectations.py`), as two checks:
  `raw_expectations`, blocking, for the systemic rules (keys after the merge, a table that shrank), and
  `raw_record_rules`, non-blocking with WARN severity, for the record-level ones (timestamps,
  vocabularies, references): a record-level problem is reported and never stops a publish.
- On each tool's main raw table: freshness of the tool's newest load (a warning, then blocking).
- On every mart: its row count against the last published snapshot (blocking).

A blocking check's ERROR-severity failure stops `publish`, so the serving file keeps its snapshot.
dbt's own tests are blocking checks on the models (see `lib/translators.py`).
"""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import dagster as dg
import duckdb

from ingestion.records import RawTable
from ingestion.sources import TOOLS
from orchestration.defs.checks.raw_expectations import (
    PassedValidation,
    SuiteOutcome,
    checked_tables,
    parent_tables,
    rows_text,
    validate_record_rules,
    validate_table_rules,
)
from orchestration.lib.dagster_internals import AssetCheckExecutionRecordStatus
from orchestration.lib.duckdb_pool import DUCKDB_POOL
from orchestration.lib.raw_tables import raw_tables, table_state
from orchestration.lib.serving import read_snapshot
from orchestration.lib.settings import Settings
from orchestration.lib.warehouse_identity import warehouse_id

RAW_SUITE_CHECK = "raw_expectations"
RECORD_CHECK = "raw_record_rules"
FRESHNESS_CHECK = "exports_are_fresh"
ROW_COUNT_CHECK = "row_count_against_published"
# The metadata entry naming the warehouse a raw check evaluated (lib/warehouse_identity.py).
WAREHOUSE_ID = "warehouse_id"
# The table whose asset carries each tool's freshness check: the first table of its first export folder.
FRESHNESS_TABLE = {tool: folders[0].tables[0].name for tool, (_, folders) in TOOLS.items()}


def raw_table_checks(settings: Settings) -> list[dg.AssetChecksDefinition]:
    return [_tool_checks(settings, tool) for tool in TOOLS]


def _tool_checks(settings: Settings, tool: str) -> dg.AssetChecksDefinition:
    dataset = TOOLS[tool][0]
    tables = [table for table_dataset, table in checked_tables() if table_dataset == dataset]
    specs = [
        spec
        for table in tables
        for spec in (
            dg.AssetCheckSpec(
                RAW_SUITE_CHECK,
                asset=dg.AssetKey([dataset, table.name]),
                blocking=True,
                description="Systemic, blocks publish: primary keys not null and unique after the merge; "
                "the table never shrinks.",
            ),
            dg.AssetCheckSpec(
                RECORD_CHECK,
                asset=dg.AssetKey([dataset, table.name]),
                blocking=False,
                description="Record-level, warns only: timestamps in range, values in the tool's vocabulary, "
                "references to a parent that has arrived. The records load and are named with their count.",
            ),
        )
    ]
    specs.append(
        dg.AssetCheckSpec(
            FRESHNESS_CHECK,
            asset=dg.AssetKey([dataset, FRESHNESS_TABLE[tool]]),
            blocking=True,
            description=(
                f"The newest {tool} load is at most {settings.freshness_warn_hours:g} h old (warning) "
                f"and at most {settings.freshness_fail_hours:g} h old (blocks publish)."
            ),
        )
    )

    @dg.multi_asset_check(specs=specs, name=f"{tool}_raw_checks", pool=DUCKDB_POOL, can_subset=True)
    def check_raw_tables(context: dg.AssetCheckExecutionContext) -> Iterable[dg.AssetCheckResult]:
        now = datetime.now(UTC)
        history = CheckHistory(context.instance, warehouse_id(settings.warehouse_path))
        for table in tables:
            key = dg.AssetCheckKey(dg.AssetKey([dataset, table.name]), RAW_SUITE_CHECK)
            if key in context.selected_asset_check_keys:
                yield _suite_check(settings, history, key, table)
            record_key = dg.AssetCheckKey(key.asset_key, RECORD_CHECK)
            if record_key in context.selected_asset_check_keys:
                yield _record_check(settings, history, record_key, table, now)
        freshness_key = dg.AssetCheckKey(dg.AssetKey([dataset, FRESHNESS_TABLE[tool]]), FRESHNESS_CHECK)
        if freshness_key in context.selected_asset_check_keys:
            yield _freshness_result(settings, freshness_key, dataset, now)

    return check_raw_tables


class CheckHistory:
    """The earlier evaluations of a check on this warehouse only. DAGSTER_HOME may hold several warehouses'
    evaluations; each evaluation carries the identity of the warehouse it checked (`warehouse_id`), so a
    new warehouse is never compared with another's row counts and loads."""

    # How far back to look for this warehouse's last evaluation among other warehouses'. Past it, the
    # warehouse is validated whole again, as a new one would be: slower, never wrong.
    LOOKBACK = 100

    def __init__(self, instance: dg.DagsterInstance, warehouse: str | None) -> None:
        self.instance, self.warehouse = instance, warehouse

    def last(self, key: dg.AssetCheckKey, only_passed: bool = False) -> dg.AssetCheckEvaluation | None:
        statuses = {AssetCheckExecutionRecordStatus.SUCCEEDED}
        if not only_passed:
            statuses.add(AssetCheckExecutionRecordStatus.FAILED)
        # The latest evaluation first: it is this warehouse's, unless warehouses alternate on DAGSTER_HOME.
        for limit in (1, self.LOOKBACK):
            records = self.instance.event_log_storage.get_asset_check_execution_history(
                key, limit=limit, status=statuses
            )
            for record in records:
                evaluation = record.event.dagster_event.event_specific_data if record.event is not None else None
                if evaluation is not None and _meta(evaluation, WAREHOUSE_ID) == self.warehouse:
                    return evaluation
            if len(records) < limit:
                break
        return None

    def last_validation(self, key: dg.AssetCheckKey) -> PassedValidation | None:
        """The rows and newest load that the check's last passing evaluation saw."""
        evaluation = self.last(key, only_passed=True)
        rows, newest = _meta(evaluation, "row_count"), _meta(evaluation, "newest_load_id")
        if rows is None or not newest:
            return None
        return PassedValidation(rows, newest)


def _suite_check(
    settings: Settings, history: CheckHistory, key: dg.AssetCheckKey, table: RawTable
) -> dg.AssetCheckResult:
    """Validate the systemic rules on what the loads since the table's last passing validation brought:
    nothing, when no load touched it; the whole table, when none passed yet."""
    dataset = key.asset_key.path[0]
    rows, newest_load = _table_state(settings, dataset, table.name)
    passed = history.last_validation(key)
    if passed is not None and (passed.row_count, passed.newest_load_id) == (rows, newest_load):
        return dg.AssetCheckResult(
            asset_key=key.asset_key,
            check_name=key.name,
            passed=True,
            description=f"Unchanged since its last passing validation (load {newest_load}, {rows} rows).",
            metadata={"row_count": rows, "newest_load_id": newest_load, "validated": False,
                      **_warehouse_metadata(history)},
        )
    outcome = validate_table_rules(settings.warehouse_path, dataset, table, passed)
    return _suite_result(
        key, outcome, passed, newest_load, dg.AssetCheckSeverity.ERROR, _warehouse_metadata(history)
    )


def _record_check(
    settings: Settings, history: CheckHistory, key: dg.AssetCheckKey, table: RawTable, now: datetime
) -> dg.AssetCheckResult:
    """Validate the record-level rules on what the loads since the check's last evaluation brought (a
    warning too is an evaluation: its records were reported). Orphans are looked up again whenever a parent
    table grew: the parent that arrives resolves them. Unchanged, the last evaluation stands, repeated."""
    dataset = key.asset_key.path[0]
    rows, newest_load = _table_state(settings, dataset, table.name)
    parents_load = max((_table_state(settings, dataset, p)[1] for p in parent_tables(dataset, table.name)),
                       default="")
    last = history.last(key)
    if last is not None and _meta(last, "newest_load_id") == newest_load and (
        _meta(last, "row_count") == rows and _meta(last, "parents_newest_load_id") == parents_load
    ):
        return dg.AssetCheckResult(
            asset_key=key.asset_key, check_name=key.name, passed=last.passed, severity=last.severity,
            description=last.description,
            metadata={**{k: v for k, v in last.metadata.items() if k != "validated"}, "validated": False,
                      **_warehouse_metadata(history)},
        )
    after = _meta(last, "newest_load_id") or None
    outcome = validate_record_rules(settings.warehouse_path, dataset, table, after, now)
    return _suite_result(key, outcome, None, newest_load, dg.AssetCheckSeverity.WARN,
                         {"parents_newest_load_id": parents_load, **_warehouse_metadata(history)})


def _warehouse_metadata(history: CheckHistory) -> dict:
    return {WAREHOUSE_ID: history.warehouse} if history.warehouse else {}


def _table_state(settings: Settings, dataset: str, table: str) -> tuple[int, str]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        rows, newest = table_state(con, f'{dataset}."{table}"')
    return rows, newest or ""


def _suite_result(
    key: dg.AssetCheckKey,
    outcome: SuiteOutcome,
    passed: PassedValidation | None,
    newest_load: str,
    severity: dg.AssetCheckSeverity,
    extra_metadata: dict | None = None,
) -> dg.AssetCheckResult:
    failed = {
        f.rule: {"unexpected": f.unexpected_count, "examples": f.unexpected_sample, "rows": f.sample_rows}
        for f in outcome.failed
    }
    scope = (
        "the whole table" if outcome.validated_after_load_id is None
        else f"the loads after {outcome.validated_after_load_id}"
    )
    findings = "; ".join(f.summary() for f in outcome.failed)
    consequence = (
        f"Publish blocked. To do: find the load that brought these rows (newest load {newest_load}, "
        "`_dlt_load_id`) and correct or remove its export files, or rebuild the raw table from the exports."
        if severity == dg.AssetCheckSeverity.ERROR
        else "The records are loaded; publish is not blocked."
    )
    return dg.AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=outcome.success,
        severity=severity,
        description=(
            f"{len(outcome.outcomes)} expectations passed on {scope}." if outcome.success
            else f"{len(failed)} of {len(outcome.outcomes)} expectations failed on {scope}: {findings}. "
            + consequence
        ),
        metadata={
            "row_count": outcome.row_count,
            "newest_load_id": newest_load,
            "validated": True,
            "validated_after_load_id": outcome.validated_after_load_id or "",
            "validated_rows": outcome.validated_rows,
            "previous_row_count": passed.row_count if passed else -1,
            "expectations": len(outcome.outcomes),
            "failed_expectations": dg.MetadataValue.json(failed),
            **(extra_metadata or {}),
        },
    )


def _meta(evaluation: dg.AssetCheckEvaluation | None, name: str):
    value = evaluation.metadata.get(name) if evaluation is not None else None
    return value.value if value is not None else None


def _freshness_result(
    settings: Settings, key: dg.AssetCheckKey, dataset: str, now: datetime
) -> dg.AssetCheckResult:
    newest = _newest_load(settings, dataset)
    if newest is None:
        return dg.AssetCheckResult(
            asset_key=key.asset_key, check_name=key.name, passed=True,
            description=f"No {dataset} rows loaded yet: nothing to be stale.",
        )
    age_hours = (now - newest).total_seconds() / 3600
    warn, fail = age_hours > settings.freshness_warn_hours, age_hours > settings.freshness_fail_hours
    return dg.AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=not warn,
        severity=dg.AssetCheckSeverity.ERROR if fail else dg.AssetCheckSeverity.WARN,
        description=f"The newest {dataset} load is {age_hours:.1f} h old." + _freshness_consequence(
            settings, dataset, warn, fail),
        metadata={"newest_load_at": newest.isoformat(), "age_hours": round(age_hours, 2)},
    )


def _freshness_consequence(settings: Settings, dataset: str, warn: bool, fail: bool) -> str:
    """What a stale tool means and what to do: its exports stopped arriving, or it left the organisation."""
    if not warn:
        return ""
    tool = dataset.removeprefix("raw_")
    if not fail:
        return (f" Older than freshness_warn_hours ({settings.freshness_warn_hours:g} h); publish is not blocked "
                f"until {settings.freshness_fail_hours:g} h.")
    return (
        f" Older than freshness_fail_hours ({settings.freshness_fail_hours:g} h): publish blocked. To do: check "
        f"that {tool}'s exports still reach the landing folder ({settings.exports_dir / tool}) and run again; "
        "if the tool is no longer used, raise freshness_fail_hours in settings.yaml."
    )


def _newest_load(settings: Settings, dataset: str) -> datetime | None:
    """When the newest load that brought rows into the dataset ran (dlt load ids are epoch seconds)."""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        tables = raw_tables(con, [dataset], with_quarantine=False)
        if not tables:
            return None
        union = " UNION ALL ".join(f'SELECT max(_dlt_load_id) AS id FROM {dataset}."{t}"' for _, t in tables)
        newest = con.execute(f"SELECT max(CAST(id AS DOUBLE)) FROM ({union})").fetchone()[0]
    return datetime.fromtimestamp(newest, UTC) if newest is not None else None


def mart_row_count_check(settings: Settings, mart_keys: Sequence[dg.AssetKey]) -> dg.AssetChecksDefinition:
    specs = [
        dg.AssetCheckSpec(
            ROW_COUNT_CHECK,
            asset=key,
            blocking=True,
            description=(
                "Row count against the last published snapshot: the mart must not lose more than "
                f"{settings.max_mart_row_drop:.0%} of its rows, nor become empty."
            ),
        )
        for key in mart_keys
    ]

    @dg.multi_asset_check(specs=specs, name="mart_row_counts", pool=DUCKDB_POOL, can_subset=True)
    def check_mart_row_counts(context: dg.AssetCheckExecutionContext) -> Iterable[dg.AssetCheckResult]:
        published = read_snapshot(settings.serving_path)
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
            for key in context.selected_asset_check_keys:
                name = ".".join(key.asset_key.path)
                rows = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
                before = published.table_rows.get(name) if published else None
                yield _row_count_result(key, rows, before, settings.max_mart_row_drop)

    return check_mart_row_counts


# What a mart that lost its rows calls for; a drop that is meant (not an empty mart) passes with a higher limit.
ROW_LOSS_TO_DO = (
    "Publish blocked. To do: find what took the rows away since that publish (export files removed from the "
    "landing folder, a setting or mapping changed) and correct it"
)
ROW_DROP_TO_DO = f"{ROW_LOSS_TO_DO}; if the drop is meant, raise max_mart_row_drop in settings.yaml for one run."


def _row_count_result(key: dg.AssetCheckKey, rows: int, before: int | None, max_drop: float) -> dg.AssetCheckResult:
    if before is None:
        passed, reason = True, f"{rows_text(rows)}; nothing published before to compare with."
    elif before > 0 and rows == 0:
        passed, reason = False, f"Empty, where the published snapshot has {rows_text(before)}. {ROW_LOSS_TO_DO}."
    elif before > 0 and rows < before * (1 - max_drop):
        passed, reason = False, (f"{rows_text(rows)}, down from {before} published: more than {max_drop:.0%} lost. "
                                 + ROW_DROP_TO_DO)
    else:
        passed, reason = True, f"{rows_text(rows)} against {before} published."
    return dg.AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=passed,
        severity=dg.AssetCheckSeverity.ERROR,
        description=reason,
        metadata={"row_count": rows, "published_row_count": before if before is not None else -1},
    )
