"""`delivery`: the command line of Delivery Warehouse."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console

from orchestration.lib.settings import Settings

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
    out: Path = typer.Option(None, help="Where to write the exports (default: the exports folder)."),
    size: str = typer.Option(None, help="S (default demo), M (10x S) or L (an enterprise year)."),
    seed: int = typer.Option(None, help="Random seed; the same seed writes the same files."),
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
    from orchestration.definitions import DELIVERY_JOB, build_definitions
    from orchestration.summary import print_summary, summarise

    settings = Settings.from_env()
    if not _has_exports(settings.exports_dir):
        console.print(f"No exports in {settings.exports_dir}: writing the demo organisation's.")
        demo(out=settings.exports_dir, size=settings.demo_size, seed=settings.demo_seed)
    ensure_dagster_home(settings.dagster_home)
    started = time.time()
    with console.status("Parsing the dbt project"):
        ensure_manifest(refresh=True)
    job = build_definitions(settings).get_job_def(DELIVERY_JOB)
    with DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        with console.status("Running the delivery job (load raw tables, build and test models)"):
            result = job.execute_in_process(instance=instance, raise_on_error=False)
    print_summary(summarise(settings.warehouse_path, since_epoch=started), console)
    console.print(f"Run {result.run_id}: {'succeeded' if result.success else 'FAILED'} in {time.time() - started:.0f} s.")
    if not result.success:
        raise typer.Exit(code=1)


if __name__ == "__main__":
    app()
