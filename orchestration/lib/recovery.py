"""Runs whose process died (killed, machine lost power) still hold their pool slot in the instance.

The Dagster daemon's run monitoring frees them when the UI runs; a headless `delivery run` has no
daemon, so it does the same before it starts: a run still marked in progress whose process is gone is
marked failed, and its slots are freed, so the next run is not blocked by a ghost.
"""

from __future__ import annotations

import os

import dagster as dg

IN_PROGRESS = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]


def release_abandoned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Fail and free every in-progress run whose process no longer exists; returns their ids."""
    released = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=IN_PROGRESS)):
        pid = _run_pid(instance, run.run_id)
        if pid is not None and not _alive(pid):
            instance.report_run_failed(run, message=f"The run's process ({pid}) ended without finishing the run.")
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
            released.append(run.run_id)
    return released


def _run_pid(instance: dg.DagsterInstance, run_id: str) -> int | None:
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.RUN_START).records
    return records[0].event_log_entry.dagster_event.pid if records else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
