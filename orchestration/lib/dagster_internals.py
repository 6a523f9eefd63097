"""The only place that imports Dagster's private `dagster._core`: what its public API (`import dagster`,
checked for Dagster 1.13) does not offer. A Dagster upgrade that moves one of these breaks here, at import,
not in the middle of a run.
"""

# What `dg.define_asset_job` returns, and what the schedule and sensor are given to start. Dagster does not
# export the class (its own `ScheduleDefinition` signature names this private path); only type hints use it.
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

# The status filter of `event_log_storage.get_asset_check_execution_history`, the one call that lists a
# check's earlier evaluations by outcome. The public
# `DagsterInstance.get_latest_asset_check_evaluation_record` returns only the newest evaluation, whatever
# its status or warehouse, which is not enough: the checks look back for this warehouse's last passed
# evaluation, and `delivery status` passes over a check's skipped runs to its last evaluated one.
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

# The instance's default SQLite storage (what `storage: sqlite` in dagster.yaml builds) and its event log, which
# orchestration/lib/event_log.py extends to reuse one SQLAlchemy engine per database file: Dagster exports
# neither, nor the busy timeout its own connections wait on a locked file.
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage

__all__ = [
    "SQLITE_BUSY_TIMEOUT_SECONDS",
    "AssetCheckExecutionRecordStatus",
    "DagsterSqliteStorage",
    "SqliteEventLogStorage",
    "UnresolvedAssetJobDefinition",
]
