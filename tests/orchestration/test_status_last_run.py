"""`delivery status` reports the last `delivery run` whole: both of its Dagster runs (the load, then the
build) and the time the command took, not the time of its last job alone."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from rich.console import Console

from orchestration.cli.progress import COMMAND_TAG, LOG_TAG
from orchestration.cli.status import _print_last_run, record_command_seconds
from orchestration.lib.settings import Settings


@dg.op
def step() -> None:
    pass


@dg.job
def ingest_job() -> None:
    step()


@dg.job
def build_job() -> None:
    step()


def _settings(dagster_home: Path) -> Settings:
    return Settings(config_dir=dagster_home, exports_dir=dagster_home, warehouse_path=dagster_home / "w.duckdb",
                    serving_path=dagster_home / "s.duckdb", dagster_home=dagster_home, demo_size="S", demo_seed=7,
                    files_per_batch=50)


def _status(dagster_home: Path) -> str:
    console = Console(record=True, width=300)
    _print_last_run(_settings(dagster_home), console)
    return " ".join(console.export_text().split())


def test_both_jobs_of_a_delivery_run_and_the_commands_time(tmp_path: Path) -> None:
    command = {COMMAND_TAG: "run-20261207T051000-4242"}
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        ingest = ingest_job.execute_in_process(instance=instance, tags={**command, LOG_TAG: "ingest.log"})
        build = build_job.execute_in_process(instance=instance, tags={**command, LOG_TAG: "build.log"})
    # What `delivery run` records once it has printed its summary: 420 s here, chosen by the test.
    record_command_seconds(tmp_path, build.run_id, 420.0)

    status = _status(tmp_path)

    assert f"Last run: ingest_job {ingest.run_id} then build_job {build.run_id} SUCCESS" in status
    assert ", 420 s in all; build_job " in status
    assert "Log: build.log" in status


def test_a_job_run_outside_delivery_run_is_reported_alone(tmp_path: Path) -> None:
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        ingest_job.execute_in_process(instance=instance, tags={COMMAND_TAG: "run-earlier"})
        checks = build_job.execute_in_process(instance=instance)

    status = _status(tmp_path)

    assert f"Last run: build_job {checks.run_id} SUCCESS" in status
    assert "ingest_job" not in status and "in all" not in status
