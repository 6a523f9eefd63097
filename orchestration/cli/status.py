"""What `delivery status` and `delivery check` print: runs, publishes, checks, quarantined files and mapping
gaps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
from rich.console import Console
from rich.table import Table

from orchestration.cli.progress import COMMAND_SECONDS_TAG, COMMAND_TAG, LOG_TAG, failure_text
from orchestration.cli.summary import count_quarantine, in_landing_folder
from orchestration.lib.dagster_internals import AssetCheckExecutionRecordStatus
from orchestration.lib.mapping_gaps import read_gaps_from, summary_lines
from orchestration.lib.serving import read_snapshot
from orchestration.lib.settings import Settings

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


def record_command_seconds(dagster_home: Path, run_id: str, seconds: float) -> None:
    """The whole time of a `delivery run`, from its start to its summary, on its last Dagster run."""
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        instance.add_run_tags(run_id, {COMMAND_SECONDS_TAG: f"{seconds:.1f}"})


def _print_last_run(settings: Settings, console: Console) -> None:
    """The last `delivery run` whole: its jobs (the load, then the build when there was something new) and
    the time the command took; a job run otherwise (the UI, `delivery check`) alone."""
    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        latest = instance.get_runs(limit=1)
        if not latest:
            console.print("Last run: none yet.")
            return
        runs = _runs_of_the_same_command(instance, latest[0])
        stats = [instance.get_run_stats(run.run_id) for run in runs]
        failures = [failure for run in runs for failure in _step_failures(instance, run.run_id)]
    last = runs[-1]
    jobs = " then ".join(f"{run.job_name} {run.run_id}" for run in runs)
    console.print(f"Last run: {jobs} {last.status.value} (started {_when(stats[0].start_time)}"
                  f"{_took(last, stats)}).", highlight=False, soft_wrap=True)
    for step, reason in failures:
        console.print(f"[red]{step} failed:[/red]", end=" ")
        console.print(reason, markup=False, highlight=False, soft_wrap=True)
    if last.tags.get(LOG_TAG):
        console.print(f"Log: {last.tags[LOG_TAG]}", soft_wrap=True)


def _runs_of_the_same_command(instance: dg.DagsterInstance, run: dg.DagsterRun) -> list[dg.DagsterRun]:
    """The runs that share the command tag of `run`, oldest first; `run` alone when it has none."""
    command = run.tags.get(COMMAND_TAG)
    if not command:
        return [run]
    return list(reversed(instance.get_runs(filters=dg.RunsFilter(tags={COMMAND_TAG: command}))))


def _took(last: dg.DagsterRun, stats: list) -> str:
    """The command's own time when it recorded it, else from the first job's start to the last one's end;
    with the last job's own time when there were several."""
    if last.tags.get(COMMAND_SECONDS_TAG):
        seconds = float(last.tags[COMMAND_SECONDS_TAG])
    elif stats[0].start_time and stats[-1].end_time:
        seconds = stats[-1].end_time - stats[0].start_time
    else:
        return ""
    if len(stats) == 1 or not (stats[-1].start_time and stats[-1].end_time):
        return f", {seconds:.0f} s"
    return f", {seconds:.0f} s in all; {last.job_name} {stats[-1].end_time - stats[-1].start_time:.0f} s"


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
    """Read from the serving file, which BI may hold open at any time, never from the working file; counted
    as the run's summary counts (orchestration/cli/summary.py), files no longer in the landing folder
    apart."""
    if not settings.serving_path.exists():
        return
    with duckdb.connect(str(settings.serving_path), read_only=True) as con:
        entries = con.execute(f"SELECT source_tool, source_file, record_index FROM {QUARANTINE_MODEL}").fetchall()
        rows = con.execute(
            f"""
            SELECT source_tool, source_file, count(DISTINCT record_index) AS records, min(reason) AS reason
            FROM {QUARANTINE_MODEL} GROUP BY ALL ORDER BY source_tool, source_file
            """
        ).fetchall()
    console.print(f"{count_quarantine(entries, settings.exports_dir).line()} (the published snapshot)",
                  highlight=False, soft_wrap=True)
    rows = [row for row in rows if in_landing_folder(settings.exports_dir, row[1])]
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
