"""`delivery`: the command line of Delivery Warehouse."""

from __future__ import annotations

import os
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from orchestration.lib.settings import PROJECT_ROOT, Settings

app = typer.Typer(help="Delivery Warehouse: delivery tool exports into a DuckDB warehouse.", no_args_is_help=True)
console = Console()

DAGSTER_YAML = """\
# One writer at a time on the DuckDB warehouse: every writing asset is in the `duckdb` pool.
concurrency:
  pools:
    default_limit: 1
telemetry:
  enabled: false
"""


def _has_exports(exports_dir: Path) -> bool:
    return exports_dir.is_dir() and any(p.is_file() for p in exports_dir.rglob("*.json"))


def ensure_dagster_home(dagster_home: Path) -> None:
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)


@app.command()
def demo(
    out: Annotated[Path | None, typer.Option(help="Where to write the exports (default: the exports folder).")] = None,
    size: Annotated[str | None, typer.Option(help="S (default demo), M (10x S), L (an enterprise year).")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed; the same seed writes the same files.")] = None,
) -> None:
    """Write the demo organisation's exports in the landing layout."""
    from ingestion.demo_org.generate import generate_demo_exports

    settings = Settings.from_env()
    target = out or settings.exports_dir
    with console.status(f"Writing the demo organisation's exports to {target}"):
        counts = generate_demo_exports(target, size=size or settings.demo_size, seed=seed or settings.demo_seed)
    console.print(f"Demo exports written to {target}: {sum(counts.values()):,} files and records.")


@app.command()
def run() -> None:
    """Run the whole job headless through Dagster, then print what was loaded."""
    from dagster import DagsterInstance

    from orchestration.dbt_assets import ensure_manifest
    from orchestration.summary import print_summary, summarise

    settings = Settings.from_env()
    if not _has_exports(settings.exports_dir):
        console.print(f"No exports in {settings.exports_dir}: writing the demo organisation's.")
        demo(out=settings.exports_dir, size=settings.demo_size, seed=settings.demo_seed)
    ensure_dagster_home(settings.dagster_home)
    settings.export_to_environment()
    started = time.time()
    with console.status("Parsing the dbt project"):
        ensure_manifest(refresh=True)
    # Imported only now: loading the definitions reads the manifest, which must be the fresh one.
    from orchestration.definitions import DELIVERY_JOB, build_definitions
    job = build_definitions(settings).resolve_job_def(DELIVERY_JOB)
    log_path = _run_log_path(settings)
    # dbt and Dagster write a line per node and event: keep them in the run's log file.
    with (
        DagsterInstance.from_config(str(settings.dagster_home)) as instance,
        console.status("Running the delivery job (load raw tables, build and test models)"),
        open(log_path, "w") as log,
        redirect_stdout(log),
        redirect_stderr(log),
    ):
        result = job.execute_in_process(instance=instance, raise_on_error=False)
    print_summary(summarise(settings.warehouse_path, since_epoch=started), console)
    outcome = "succeeded" if result.success else "FAILED"
    console.print(f"Run {result.run_id}: {outcome} in {time.time() - started:.0f} s. Log: {log_path}")
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure:
                console.print(f"[red]{event.step_key} failed:[/red] {event.step_failure_data.error.message}")
        raise typer.Exit(code=1)


def _run_log_path(settings: Settings) -> Path:
    logs = settings.warehouse_path.parent / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    return logs / f"delivery-run-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.log"


@app.command()
def ui() -> None:
    """Open the Dagster UI (`dagster dev -w workspace.yaml`) on the same instance `delivery run` uses."""
    settings = Settings.from_env()
    ensure_dagster_home(settings.dagster_home)
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)
    dagster = Path(sys.executable).with_name("dagster")
    workspace = PROJECT_ROOT / "workspace.yaml"
    os.chdir(PROJECT_ROOT)
    os.execv(str(dagster), [str(dagster), "dev", "-w", str(workspace)])


if __name__ == "__main__":
    app()
