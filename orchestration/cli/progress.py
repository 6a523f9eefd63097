"""Runs a job in this process with a progress bar over its steps; Dagster's own log goes to a file."""

from __future__ import annotations

import sys
import threading
import uuid
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy.exc import SQLAlchemyError

# The run's tag naming its log file, so that `delivery status` can point at it later.
LOG_TAG = "delivery/log"
# The Dagster runs of one `delivery run` (the load, then the build) share this tag; the last one records the
# command's whole time, so that `delivery status` reports the run as `delivery run` did, not its last job.
COMMAND_TAG = "delivery/command"
COMMAND_SECONDS_TAG = "delivery/command_seconds"
FINISHED_STEP = {dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE, dg.DagsterEventType.STEP_SKIPPED}
POLL_SECONDS = 0.5


@dataclass(frozen=True)
class RunOutcome:
    run_id: str
    success: bool
    log_path: Path
    failures: list[tuple[str, str]]


def run_with_progress(
    job: dg.JobDefinition,
    instance: dg.DagsterInstance,
    log_path: Path,
    label: str,
    console: Console,
    tags: dict[str, str] | None = None,
) -> RunOutcome:
    # Chosen before the run, so that the watcher can follow it; a uuid4, as Dagster makes its own.
    run_id = str(uuid.uuid4())
    # The bar writes to the real terminal: stdout and stderr are redirected to the log during the run.
    progress = Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=Console(file=sys.__stdout__, width=console.width),
        transient=not console.is_terminal,
    )
    task = progress.add_task(label, total=len(job.nodes))
    done = threading.Event()
    watcher = threading.Thread(target=_follow, args=(instance, run_id, progress, task, label, done), daemon=True)
    # Line-buffered, so that `tail -f` on the log follows the run as it goes.
    with progress, open(log_path, "w", buffering=1) as log, redirect_stdout(log), redirect_stderr(log):
        watcher.start()
        try:
            result = job.execute_in_process(
                instance=instance, raise_on_error=False, run_id=run_id, tags={LOG_TAG: str(log_path), **(tags or {})}
            )
        finally:
            done.set()
            watcher.join()
        progress.update(task, completed=len(job.nodes))
    failures = [(event.step_key, failure_text(event.step_failure_data)) for event in result.all_events
                if event.is_step_failure]
    return RunOutcome(result.run_id, result.success, log_path, failures)


def failure_text(data) -> str:
    """A failed step in its own words: the description the step gave (a dbt finding, a failed check),
    else the error's message."""
    if data is None:
        return ""
    if data.user_failure_data is not None and data.user_failure_data.description:
        return data.user_failure_data.description.strip()
    return data.error.message.strip() if data.error else ""


def _follow(
    instance: dg.DagsterInstance, run_id: str, progress: Progress, task, label: str, done: threading.Event
) -> None:
    """Counts finished steps and names the running one, from the run's step events. Each tick reads only the
    step events written since the last one: a run writes thousands of events, and reading them all again
    every half second cost the run a third of its own CPU time."""
    steps = StepProgress()
    while not done.wait(POLL_SECONDS):
        steps.read(instance, run_id)
        running = f": {steps.running[-1]}" if steps.running else ""
        progress.update(task, completed=len(steps.finished), description=f"{label}{running}")


STEP_EVENTS = {dg.DagsterEventType.STEP_START, *FINISHED_STEP}


@dataclass
class StepProgress:
    """The steps a run has started and finished so far, and where in its event log it was read up to."""

    finished: set[str] = field(default_factory=set)
    running: list[str] = field(default_factory=list)
    cursor: str | None = None

    def read(self, instance: dg.DagsterInstance, run_id: str) -> None:
        try:
            connection = instance.get_records_for_run(run_id, cursor=self.cursor, of_type=STEP_EVENTS)
        except SQLAlchemyError:  # the storage is busy writing: the next tick will see it
            return
        for record in connection.records:
            entry = record.event_log_entry
            if entry.dagster_event_type in FINISHED_STEP:
                self.finished.add(entry.step_key)
            else:
                self.running.append(entry.step_key)
        self.running = [step for step in self.running if step not in self.finished]
        self.cursor = connection.cursor if connection.records else self.cursor
