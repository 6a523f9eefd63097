"""What only Dagster knows and the serving file publishes beside the marts (`meta.runs`, `meta.checks`): the
last runs, and the latest evaluation of every check. Read from the Dagster instance by the publish step."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import dagster as dg

from orchestration.lib.dagster_internals import AssetCheckExecutionRecordStatus

# Runs published in meta.runs, newest first: enough for a "last runs" table, small enough to read at publish.
PUBLISHED_RUNS = 20
EVALUATED = {AssetCheckExecutionRecordStatus.SUCCEEDED, AssetCheckExecutionRecordStatus.FAILED}


@dataclass(frozen=True)
class RunRow:
    run_id: str
    job_name: str
    status: str
    started_at: datetime | None
    ended_at: datetime | None


@dataclass(frozen=True)
class CheckEvaluationRow:
    asset: str
    check_name: str
    passed: bool
    severity: str
    description: str
    run_id: str
    evaluated_at: datetime


@dataclass(frozen=True)
class RunHistory:
    runs: list[RunRow] = field(default_factory=list)
    checks: list[CheckEvaluationRow] = field(default_factory=list)


def read_run_history(instance: dg.DagsterInstance, check_keys: Iterable[dg.AssetCheckKey]) -> RunHistory:
    return RunHistory(recent_runs(instance), latest_check_evaluations(instance, list(check_keys)))


def recent_runs(instance: dg.DagsterInstance, limit: int = PUBLISHED_RUNS) -> list[RunRow]:
    """The newest runs, with their times (a run still going, the publishing one, has no end yet)."""
    return [
        RunRow(record.dagster_run.run_id, record.dagster_run.job_name, record.dagster_run.status.value,
               _utc(record.start_time), _utc(record.end_time))
        for record in instance.get_run_records(limit=limit)
    ]


def latest_check_evaluations(
    instance: dg.DagsterInstance, check_keys: Sequence[dg.AssetCheckKey]
) -> list[CheckEvaluationRow]:
    """The latest evaluation of every check, whichever run made it. A run that skipped a check (nothing new
    to build) leaves its previous evaluation standing: only those checks are looked up one by one."""
    storage = instance.event_log_storage
    latest = storage.get_latest_asset_check_execution_by_key(check_keys)
    rows = []
    for key in check_keys:
        record = latest.get(key)
        if record is None or record.status not in EVALUATED:
            history = storage.get_asset_check_execution_history(key, limit=1, status=EVALUATED)
            record = history[0] if history else None
        if record is not None and record.event is not None:
            rows.append(_evaluation_row(record))
    return sorted(rows, key=lambda row: (row.asset, row.check_name))


def _evaluation_row(record) -> CheckEvaluationRow:
    evaluation = record.event.dagster_event.event_specific_data
    return CheckEvaluationRow(
        evaluation.asset_key.to_user_string(),
        evaluation.check_name,
        evaluation.passed,
        evaluation.severity.value,
        evaluation.description or "",
        record.run_id,
        datetime.fromtimestamp(record.event.timestamp, UTC),
    )


def _utc(epoch: float | None) -> datetime | None:
    return datetime.fromtimestamp(epoch, UTC) if epoch is not None else None
