"""What `delivery status` and `delivery check` print: runs, publishes, checks, quarantined files and mapping
gaps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus
from rich.console import Console
from rich.table import Table

from orchestration.lib.serving import read_snapshot
from orchestration.lib.settings import Settings
from orchestration.mapping_gaps import read_gaps_from, summary_lines
from orchestration.progress import LOG_TAG, failure_text

QUARANTINE_MODEL = "staging.stg_ingestion__quarantine"
SHOWN_FILES = 10


@dataclass(frozen=True, order=True)
class CheckRow:
    asset: str
    check: str
    passed: bool
    severity: str
    description: str


def check_rows(dagster_home: Path, run_id: str) -> list[CheckRow]:
    """The check evaluations a run recorded."""
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
        return sorted(_row(r.event_log_entry.dagster_event.event_specific_data) for r in records)


def latest_check_rows(settings: Settings) -> list[CheckRow]:
    """The latest evaluation of every check of the Definitions, whichever run made it."""
    from orchestration.definitions import build_definitions

    keys = list(build_definitions(settings).resolve_asset_graph().asset_check_keys)
    evaluated = {AssetCheckExecutionRecordStatus.SUCCEEDED, AssetCheckExecutionRecordStatus.FAILED}
    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        history = [
            instance.event_log_storage.get_asset_check_execution_history(key, limit=1, status=evaluated)
            for key in keys
        ]
    # A run that skipped a check (nothing new to build) leaves its previous evaluation standing.
    return sorted(_row(records[0].event.dagster_event.event_specific_data) for records in history if records)


def _row(evaluation) -> CheckRow:
    return CheckRow(
        evaluation.asset_key.to_user_string(),
        evaluation.check_name,
        evaluation.passed,
        evaluation.severity.value,
        evaluation.description or "",
    )


def print_checks(rows: list[CheckRow], console: Console) -> None:
    """Failed checks (ERROR: they block publish) in a table; warnings (records reported, loaded, not
    blocking) one per line."""
    failed = [row for row in rows if not row.passed and row.severity == "ERROR"]
    warned = [row for row in rows if not row.passed and row.severity != "ERROR"]
    console.print(f"Checks: {len(rows) - len(failed) - len(warned)} passed, {len(warned)} warned, "
                  f"{len(failed)} failed.")
    print_warnings(warned, console)
    if failed:
        table = Table(title="Failed checks (they block publish)")
        for column in ("asset", "check", "severity", "why"):
            table.add_column(column)
        for row in failed:
            table.add_row(row.asset, row.check, row.severity, row.description)
        console.print(table)


def print_warnings(rows: list[CheckRow], console: Console) -> None:
    """Record-level findings: named, with their counts, whole (a long line is not cut)."""
    warned = [row for row in rows if not row.passed and row.severity != "ERROR"]
    if warned:
        console.print(f"Warnings ({len(warned)}), reported but not blocking publish:")
    for row in warned:
        console.print(f"  {row.asset} {row.check}: {row.description}", markup=False, highlight=False,
                      soft_wrap=True)


def print_status(settings: Settings, console: Console) -> None:
    """The last run comes last: when it failed, its final lines name what failed, what to do, and the log."""
    console.print(f"Configuration: {settings.config_dir}; landing folder: {settings.exports_dir}",
                  highlight=False, soft_wrap=True)
    _print_last_publish(settings, console)
    print_checks(latest_check_rows(settings), console)
    _print_quarantine(settings, console)
    _print_mapping_gaps(settings, console)
    _print_last_run(settings, console)


def _print_last_run(settings: Settings, console: Console) -> None:
    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        runs = instance.get_runs(limit=1)
        if not runs:
            console.print("Last run: none yet.")
            return
        run = runs[0]
        stats = instance.get_run_stats(run.run_id)
        failures = _step_failures(instance, run.run_id)
    started = _when(stats.start_time)
    took = f", {stats.end_time - stats.start_time:.0f} s" if stats.start_time and stats.end_time else ""
    console.print(f"Last run: {run.job_name} {run.run_id} {run.status.value} (started {started}{took}).")
    for step, reason in failures:
        console.print(f"[red]{step} failed:[/red]", end=" ")
        console.print(reason, markup=False, highlight=False, soft_wrap=True)
    if run.tags.get(LOG_TAG):
        console.print(f"Log: {run.tags[LOG_TAG]}", soft_wrap=True)


def _step_failures(instance: dg.DagsterInstance, run_id: str) -> list[tuple[str, str]]:
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.STEP_FAILURE).records
    events = [record.event_log_entry.dagster_event for record in records]
    return [(event.step_key, failure_text(event.step_failure_data)) for event in events]


def _print_last_publish(settings: Settings, console: Console) -> None:
    snapshot = read_snapshot(settings.serving_path)
    if snapshot is None:
        console.print(f"Last publish: none yet ({settings.serving_path} does not exist).")
        return
    marts = sum(1 for name in snapshot.table_rows if name.startswith("marts."))
    console.print(
        f"Last publish: run {snapshot.snapshot_id} at {snapshot.published_at:%Y-%m-%d %H:%M:%S} UTC, "
        f"{len(snapshot.table_rows)} tables ({marts} marts) in {settings.serving_path}."
    )


def _print_quarantine(settings: Settings, console: Console) -> None:
    """Read from the serving file, which BI may hold open at any time, never from the working file."""
    if not settings.serving_path.exists():
        return
    with duckdb.connect(str(settings.serving_path), read_only=True) as con:
        rows = con.execute(
            f"""
            SELECT source_tool, source_file, count(*) AS records, min(reason) AS reason
            FROM {QUARANTINE_MODEL} GROUP BY ALL ORDER BY source_tool, source_file
            """
        ).fetchall()
    console.print(f"Quarantined: {len(rows)} file(s) with rejected records in the published snapshot.")
    if rows:
        table = Table(title=f"Quarantined files (first {SHOWN_FILES})")
        for column in ("tool", "file", "records", "reason"):
            table.add_column(column)
        for tool, path, records, reason in rows[:SHOWN_FILES]:
            table.add_row(tool, path, str(records), reason)
        console.print(table)


def _print_mapping_gaps(settings: Settings, console: Console) -> None:
    """The gaps of the published snapshot, read from the serving file like the quarantine (values of people
    there are as published: pseudonyms when pseudonymisation is on; `delivery mappings gaps` names them)."""
    if not settings.serving_path.exists():
        return
    with duckdb.connect(str(settings.serving_path), read_only=True) as con:
        gaps = read_gaps_from(con)
    if gaps is None:
        return
    for line in summary_lines(gaps):
        console.print(line, markup=False, highlight=False, soft_wrap=True)


def _when(epoch: float | None) -> str:
    return f"{datetime.fromtimestamp(epoch, UTC):%Y-%m-%d %H:%M:%S} UTC" if epoch else "not yet"
