"""`delivery`: the command line of Delivery Warehouse."""

from __future__ import annotations

import functools
import json
import os
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from orchestration.lib.settings import PROJECT_ROOT, Settings

app = typer.Typer(help="Delivery Warehouse: delivery tool exports into a DuckDB warehouse.", no_args_is_help=True)
console = Console()

# What earlier versions wrote: a home holding exactly this gets the current file.
EARLIER_DAGSTER_YAML = """\
# One writer at a time on the DuckDB warehouse: every writing asset is in the `duckdb` pool.
concurrency:
  pools:
    default_limit: 1
telemetry:
  enabled: false
"""
# Dagster's default SQLite storage, in the same folders, with an event log that keeps one engine per database
# file instead of building one per event (orchestration/lib/event_log.py). The home's own path: the storage is
# not told which folder the instance was loaded from.
DAGSTER_YAML = EARLIER_DAGSTER_YAML + """\
storage:
  custom:
    module: orchestration.lib.event_log
    class: DeliverySqliteStorage
    config:
      base_dir: {base_dir}
"""


def _settings() -> Settings:
    """The configuration folder's settings; when it is not valid, every problem with its file and line, and
    nothing runs."""
    from orchestration.config import ConfigError

    try:
        return Settings.from_env()
    except ConfigError as error:
        console.print(f"[red]{error}[/red]", markup=True, highlight=False, soft_wrap=True)
        console.print("Nothing ran. Fix the configuration (DELIVERY_CONFIG_DIR) and run again.")
        raise typer.Exit(code=2) from None


def _has_exports(exports_dir: Path) -> bool:
    from ingestion.landing_marker import MARKER_NAME

    return exports_dir.is_dir() and any(
        p.is_file() and p.name != MARKER_NAME for p in exports_dir.rglob("*.json")
    )


def _require_exports(exports_dir: Path) -> None:
    """A missing or empty landing folder (an unmounted share, a typo) stops the run before anything runs:
    never build, nor publish, an organisation from nothing, nor from demo data nobody asked for."""
    if _has_exports(exports_dir):
        return
    state = "does not exist" if not exports_dir.exists() else "holds no export files (*.json)"
    console.print(
        f"[red]No exports:[/red] the landing folder {exports_dir} {state}. Nothing was run or published.\n"
        "Point DELIVERY_EXPORTS_DIR at your exports, or write the demo organisation first: "
        "`delivery demo` then `delivery run`, or `make run`.",
        highlight=False, soft_wrap=True,
    )
    raise typer.Exit(code=2)


def ensure_dagster_home(dagster_home: Path) -> None:
    """Write the home's dagster.yaml, or bring up to date one `delivery` wrote (an earlier version's, or one
    naming another folder: the home was moved). A file edited by hand is left as it is."""
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    wanted = dagster_yaml(dagster_home)
    current = config.read_text() if config.exists() else None
    if current is None or (current != wanted and _written_by_delivery(current)):
        aside = config.with_name(f".{config.name}.{os.getpid()}")
        aside.write_text(wanted)
        os.replace(aside, config)  # two processes starting on a new home never read half a file


def dagster_yaml(dagster_home: Path) -> str:
    return DAGSTER_YAML.format(base_dir=json.dumps(str(dagster_home.resolve())))


def _written_by_delivery(text: str) -> bool:
    return text == EARLIER_DAGSTER_YAML or re.fullmatch(
        re.escape(DAGSTER_YAML).replace(re.escape("{base_dir}"), ".+"), text) is not None


@app.command()
def init(folder: Annotated[Path, typer.Argument(help="The new configuration folder (new or empty).")]) -> None:
    """Write a starter configuration folder: every setting with its default and meaning, empty mappings."""
    from orchestration.config.starter import write_starter

    try:
        written = write_starter(folder)
    except FileExistsError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(code=2) from None
    console.print(f"Configuration folder written to {folder.resolve()} ({len(written)} files). Next:")
    for step in (
        f"export DELIVERY_CONFIG_DIR={folder.resolve()}",
        "set exports_dir (the landing folder) in settings.yaml, and fill mappings/teams.csv",
        "copy or collect the tools' exports into the landing folder",
        "delivery run",
        "delivery mappings gaps: fill in the rows it writes, paste them into mappings/, run again",
    ):
        console.print(f"  - {step}")


@app.command()
def demo(
    out: Annotated[Path | None, typer.Option(help="Where to write the exports (default: the exports folder).")] = None,
    size: Annotated[str | None, typer.Option(help="S (default demo), M (10x S), L (an enterprise year).")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed; the same seed writes the same files.")] = None,
    force: Annotated[bool, typer.Option(help="Write even into a folder holding files the demo did not write.")]
    = False,
) -> None:
    """Write the demo organisation's exports in the landing layout (left as they are when unchanged)."""
    from demo.generate import parse_scale
    from demo.marker import ForeignFilesError, write_demo

    settings = _settings()
    target = out or settings.exports_dir
    size = size or settings.demo_size
    try:
        parse_scale(size)
    except ValueError as error:
        origin = "--size" if size != settings.demo_size else "the setting demo_size"
        console.print(f"[red]Demo not written:[/red] {error} ({origin}).", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    try:
        with console.status(f"Writing the demo organisation's exports to {target}"):
            seed = settings.demo_seed if seed is None else seed
            counts = write_demo(target, size, seed, force)
    except ForeignFilesError as error:
        console.print(f"[red]Demo not written:[/red] {error}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    if counts is None:
        console.print(f"The demo exports in {target} are unchanged: nothing rewritten.", soft_wrap=True)
    else:
        files = sum(count for kind, count in counts.items() if kind.endswith(":files"))
        records = sum(count for kind, count in counts.items() if kind.endswith(":records"))
        console.print(f"Demo exports written to {target}: {files:,} files holding {records:,} records.",
                      soft_wrap=True)


@app.command()
def run(
    wait: Annotated[bool, typer.Option(help="If another run is in progress on the warehouse, wait for it.")]
    = False,
) -> None:
    """Run the whole graph headless through Dagster, then print what was loaded and published.

    In two runs: the load and its raw checks first; then, only if they brought something new (or the
    dbt project changed), the build, the mart checks and publish. A run with nothing new stops after
    the first, without planning the hundreds of model checks it would not run. One run per warehouse at
    a time: a second one says which run holds it and exits, or waits with --wait.
    """
    from orchestration.lib.run_lock import RunInProgress, exclusive_run

    settings = _settings()
    console.print(f"Configuration: {settings.config_dir}", highlight=False, soft_wrap=True)
    # A tool configured in collect.yaml fills the landing folder in the run itself.
    if not _collect_config(settings).configured:
        _require_exports(settings.exports_dir)
    try:
        with exclusive_run(settings.warehouse_path, wait, on_wait=_say_waiting):
            _run(settings)
    except RunInProgress as busy:
        console.print(f"[red]Not started:[/red] {busy}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=3) from None


def _say_waiting(busy) -> None:
    console.print(f"Another `delivery run` is in progress on {busy.warehouse} ({busy.who()}): waiting for it.",
                  highlight=False, soft_wrap=True)


def _run(settings: Settings) -> None:
    from orchestration.cli.progress import COMMAND_TAG
    from orchestration.cli.status import check_rows, print_warnings, record_command_seconds
    from orchestration.cli.summary import print_summary, summarise
    from orchestration.defs.models.dbt_assets import already_published

    started = time.time()
    # Both jobs carry the id of the first one's command, so that `delivery status` reports them as one run.
    command = {COMMAND_TAG: f"run-{datetime.now(UTC):%Y%m%dT%H%M%S}-{os.getpid()}"}
    result = _execute("ingest_job", settings, "Loading and checking the raw tables", command)
    runs = [result.run_id]
    if result.success and already_published(settings):
        console.print("Nothing new since the published snapshot: no build, no publish.")
    elif result.success:
        result = _execute("build_job", settings, "Building, testing and publishing", command)
        runs.append(result.run_id)
    checks = [row for run_id in runs for row in check_rows(settings.dagster_home, run_id)]
    _print_collections(checks)
    print_summary(summarise(settings.warehouse_path, settings.exports_dir, since_epoch=started), console)
    print_warnings(checks, console)
    _report_publish(settings, result.run_id)
    seconds = time.time() - started
    record_command_seconds(settings.dagster_home, result.run_id, seconds)
    _report_outcome(result, started, [row for row in checks if not row.passed and row.severity == "ERROR"], seconds)


@app.command()
def collect(
    tools: Annotated[list[str] | None, typer.Argument(help="Tools to collect (default: every one in collect.yaml).")]
    = None,
) -> None:
    """Fetch the tools' exports from their APIs into the landing folder: only what changed since the last
    collection, one response body per file, as docs/exports.md lays them out (see docs/collect.md)."""
    from ingestion.collect.config import TOOL_ORDER
    from ingestion.collect.runner import collect as collect_tools

    settings = _settings()
    config = _collect_config(settings)
    unknown = [tool for tool in tools or () if tool not in TOOL_ORDER]
    if unknown:
        raise typer.BadParameter(f"unknown tool(s) {', '.join(unknown)}; known: {', '.join(TOOL_ORDER)}")
    if not (tools or config.configured):
        console.print(f"Nothing to collect: no tool is configured in {settings.config_dir / 'collect.yaml'} "
                      "(see docs/collect.md).", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2)
    summaries = collect_tools(config, settings.exports_dir, tools or (), console=console)
    if any(summary.status != "collected" for summary in summaries):
        raise typer.Exit(code=1)


def _collect_config(settings: Settings):
    from ingestion.collect.config import load_collect_config
    from orchestration.config import ConfigError

    try:
        return load_collect_config(settings.config_dir)
    except ConfigError as error:
        console.print(f"[red]{error}[/red]", markup=True, highlight=False, soft_wrap=True)
        console.print("Nothing ran. Fix collect.yaml and run again.")
        raise typer.Exit(code=2) from None


def _print_collections(checks) -> None:
    """Each collected tool's summary line (and what failed), as its `collected` check recorded it."""
    from orchestration.defs.ingestion.collect_assets import COLLECTED_CHECK

    for row in checks:
        if row.check == COLLECTED_CHECK:
            console.print(f"Collected {row.description}", highlight=False, soft_wrap=True, markup=False)


@app.command()
def check() -> None:
    """Run every check alone on the warehouse as it is: raw suites, freshness, dbt tests, row counts."""
    from orchestration.cli.status import check_rows, print_checks

    settings = _settings()
    started = time.time()
    result = _execute("checks_job", settings, "Running the checks")
    print_checks(check_rows(settings.dagster_home, result.run_id), console)
    _report_outcome(result, started)


@app.command()
def status() -> None:
    """The last run, the last publish, the latest result of every check, and the quarantined files."""
    from orchestration.cli.status import print_status

    settings = _settings()
    ensure_dagster_home(settings.dagster_home)
    settings.export_to_environment()
    print_status(settings, console)


@app.command()
def report(
    out: Annotated[Path | None, typer.Option(help="The page to write (default: report.html beside it).")] = None,
    serving: Annotated[Path | None, typer.Option(help="The serving file (default: the published one).")] = None,
) -> None:
    """Write one static HTML page of the DORA, flow and risk marts: no server, nothing fetched."""
    from orchestration.cli.report import write_report

    source = serving or _settings().serving_path
    if not source.is_file():
        console.print(f"[red]No serving file at {source}[/red]: run `delivery run` first, or pass --serving.")
        raise typer.Exit(code=1)
    target = write_report(source, out or source.parent / "report.html")
    console.print(f"Report written to {target}")


@app.command()
def explain(
    metric: Annotated[str, typer.Argument(help="A mart column, e.g. change_failure_rate or items_done.")],
    team: Annotated[str | None, typer.Option(help="The team's cell.")] = None,
    value_stream: Annotated[str | None, typer.Option(help="The value stream's cell.")] = None,
    epic: Annotated[str | None, typer.Option(help="The epic, for a forecast column (e.g. p85_completion_date).")] = None,
    week: Annotated[str | None, typer.Option(help="Any day of the week (YYYY-MM-DD).")] = None,
    month: Annotated[str | None, typer.Option(help="The month (YYYY-MM).")] = None,
    output: Annotated[str, typer.Option("--format", help="table or csv.")] = "table",
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of the screen.")] = None,
    warehouse: Annotated[Path | None, typer.Option(help="The file to read (default: the serving file).")] = None,
) -> None:
    """List the fact rows behind one mart cell, with their raw records, files and loads.

    Without --team or --value-stream the cell is the organisation's. For a forecast column (of
    mart_epic_forecast__weekly with --epic, of mart_backlog_forecast with --team or --value-stream), the
    throughput weeks the forecast sampled.
    """
    from orchestration.cli.explain import Cell, ExplainError, explain, open_read_only, to_csv
    from orchestration.cli.explain_forecast import is_forecast_metric
    from orchestration.cli.explain_view import render_table

    if is_forecast_metric(metric):
        _explain_forecast(metric, epic, team, value_stream, week, output, out, warehouse)
        return
    try:
        cell = Cell(metric, *_grain_of(team, value_stream), *_period_of(week, month))
        with open_read_only(warehouse or _settings().serving_path) as con:
            explanation = explain(con, cell)
    except ExplainError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(code=2) from None
    _write_explanation(explanation, output, out, to_csv, render_table)


def _explain_forecast(
    metric: str, epic: str | None, team: str | None, value_stream: str | None, week: str | None,
    output: str, out: Path | None, warehouse: Path | None,
) -> None:
    """The history weeks behind a forecast row; without --week, the mart's newest forecast of the scope."""
    from datetime import date

    from orchestration.cli.explain import ExplainError, open_read_only, period_start_of
    from orchestration.cli.explain_forecast import (
        ForecastRow,
        explain_forecast,
        forecast_csv,
        render_forecast,
    )

    scopes = [(kind, key) for kind, key in (("epic", epic), ("team", team), ("value_stream", value_stream)) if key]
    if len(scopes) != 1:
        raise typer.BadParameter("a forecast column needs exactly one of --epic, --team or --value-stream")
    try:
        week_start = period_start_of("week", date.fromisoformat(week)) if week else None
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    try:
        with open_read_only(warehouse or _settings().serving_path) as con:
            explanation = explain_forecast(con, ForecastRow(metric, *scopes[0], week_start))
    except ExplainError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(code=2) from None
    _write_explanation(explanation, output, out, forecast_csv, render_forecast)


def _write_explanation(explanation, output: str, out: Path | None, as_csv, render) -> None:
    """An explanation as CSV or as a table, on the screen or in the file `out`."""
    if output == "csv":
        text = as_csv(explanation)
        if out:
            out.write_text(text)
        else:
            sys.stdout.write(text)
    elif out:
        with out.open("w") as file:
            render(explanation, Console(file=file, width=200))
    else:
        render(explanation, console)
    if out:
        console.print(f"Explanation written to {out}")


def _grain_of(team: str | None, value_stream: str | None) -> tuple[str, str]:
    if team and value_stream:
        raise typer.BadParameter("give --team or --value-stream, not both")
    if team:
        return "team", team
    if value_stream:
        return "value_stream", value_stream
    return "organisation", "organisation"


def _period_of(week: str | None, month: str | None):
    from datetime import date

    from orchestration.cli.explain import period_start_of

    if bool(week) == bool(month):
        raise typer.BadParameter("give exactly one of --week YYYY-MM-DD or --month YYYY-MM")
    try:
        if week:
            return "week", period_start_of("week", date.fromisoformat(week))
        return "month", period_start_of("month", date.fromisoformat(f"{month}-01"))
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


def _execute(job_name: str, settings: Settings, label: str, tags: dict[str, str] | None = None):
    """Execute a job of the Definitions in this process, with a progress bar over its steps."""
    from dagster import DagsterInstance

    from orchestration.cli.progress import run_with_progress
    from orchestration.defs.models.dbt_assets import ensure_manifest
    from orchestration.lib.recovery import release_abandoned_runs

    ensure_dagster_home(settings.dagster_home)
    settings.export_to_environment()
    with console.status("Parsing the dbt project"):
        ensure_manifest()
    job = _definitions(settings).resolve_job_def(job_name)
    with DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        for run_id in release_abandoned_runs(instance):
            console.print(f"Run {run_id} had been interrupted: marked failed, its pool slot freed.")
        return run_with_progress(job, instance, _run_log_path(settings), label, console, tags)


@functools.cache
def _definitions(settings: Settings):
    # Imported only now: loading the definitions reads the manifest, which must be the fresh one.
    from orchestration.definitions import build_definitions

    return build_definitions(settings)


def _report_publish(settings: Settings, run_id: str) -> None:
    from orchestration.lib.serving import read_snapshot

    snapshot = read_snapshot(settings.serving_path)
    if snapshot is None:
        console.print("Nothing published yet.")
    elif snapshot.snapshot_id == run_id:
        console.print(f"Published {len(snapshot.table_rows)} tables to {settings.serving_path}.")
    else:
        console.print(
            f"Serving file unchanged: {settings.serving_path} holds the snapshot of run {snapshot.snapshot_id} "
            f"({snapshot.published_at:%Y-%m-%d %H:%M} UTC)."
        )


def _report_outcome(result, started: float, blocking: list | None = None, seconds: float | None = None) -> None:
    """The run's last lines: what failed and what to do (named by the failing step itself, and each
    blocking check that failed with what it found), then the log."""
    for step, reason in result.failures:
        console.print(f"[red]{step} failed:[/red]", end=" ")
        console.print(reason, markup=False, highlight=False, soft_wrap=True)
    for row in blocking or []:
        console.print(f"[red]blocking check {row.check} on {row.asset} failed:[/red]", end=" ")
        console.print(row.description, markup=False, highlight=False, soft_wrap=True)
    outcome = "succeeded" if result.success else "FAILED"
    seconds = time.time() - started if seconds is None else seconds
    console.print(f"Run {result.run_id}: {outcome} in {seconds:.0f} s. Log: {result.log_path}", soft_wrap=True)
    if not result.success:
        raise typer.Exit(code=1)


def _run_log_path(settings: Settings) -> Path:
    logs = settings.warehouse_path.parent / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    return logs / f"delivery-run-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.log"


@app.command()
def ui(port: Annotated[int, typer.Option(help="The port of the UI, on loopback.")] = 3000) -> None:
    """Open the Dagster UI (`dagster dev -w workspace.yaml`) on the same instance `delivery run` uses."""
    settings = _settings()
    ensure_dagster_home(settings.dagster_home)
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)
    dagster = Path(sys.executable).with_name("dagster")
    workspace = PROJECT_ROOT / "workspace.yaml"
    os.chdir(PROJECT_ROOT)
    from orchestration.cli.ui import run_until_stopped

    code = run_until_stopped([str(dagster), "dev", "-w", str(workspace), "--port", str(port)])
    raise typer.Exit(code=code)


mappings_app = typer.Typer(help="The mapping tables: what the data shows that they do not cover.",
                           no_args_is_help=True)
app.add_typer(mappings_app, name="mappings")


@mappings_app.command("gaps")
def mappings_gaps(
    out: Annotated[Path | None, typer.Option(help="Where to write the gap files (default: gaps/ beside the "
                                             "warehouse).")] = None,
) -> None:
    """Write every unmapped value of the last build as CSV rows ready to fill in, one file per mapping,
    named like it, most affected records first."""
    from orchestration.lib.mapping_gaps import (
        GapsUnavailable,
        print_gap_files,
        read_mapping_gaps,
        write_gap_files,
    )

    settings = _settings()
    try:
        gaps = read_mapping_gaps(settings.warehouse_path)
        files = write_gap_files(gaps, out or settings.warehouse_path.parent / "gaps")
    except GapsUnavailable as error:
        console.print(f"[red]{error}[/red]", soft_wrap=True)
        raise typer.Exit(code=1) from None
    print_gap_files(files, gaps, str(settings.config_dir / "mappings"), console)
