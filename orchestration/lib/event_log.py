"""The Dagster instance's SQLite storage, with an event log that opens its databases without rebuilding
an SQLAlchemy engine each time.

Dagster's SQLite event log creates a new engine for every event it stores and every table it looks for,
then throws it away: creating an engine and initialising its dialect costs milliseconds of CPU, and a
`delivery run` stores thousands of events (each dbt test is an asset check, planned then evaluated). Here
each database file keeps its engine. With `NullPool` an engine holds no connection between uses, so a
kept engine keeps no file open and no lock: other processes (the UI, a second run) see the same files
as before. The files and their layout are Dagster's own; `dagster.yaml` names this class (see
`orchestration/cli/commands.py`), and a home written without it keeps Dagster's default storage.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from orchestration.lib.dagster_internals import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    DagsterSqliteStorage,
    SqliteEventLogStorage,
)

# Engines kept at once: the index and the runs being written or read. A long-lived process (the UI) that
# reads hundreds of runs keeps only the newest few; an engine let go of holds nothing to release.
KEPT_ENGINES = 16


class EngineReusingSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's per-run SQLite event log, each database file reached through one engine kept for the
    process, and the tables known to exist remembered (Dagster asks before storing each check result)."""

    def __init__(self, base_dir: str, inst_data=None):
        # Before Dagster's own initialisation, which may already connect (a new home's index).
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._tables_found: set[str] = set()
        super().__init__(base_dir, inst_data=inst_data)

    def _engine(self, shard: str) -> Engine:
        """The shard's engine; called under Dagster's lock on the storage, as its own connections are."""
        engine = self._engines.pop(shard, None) or create_engine(
            self.conn_string_for_shard(shard),
            poolclass=NullPool,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
        )
        self._engines[shard] = engine  # the newest last
        while len(self._engines) > KEPT_ENGINES:
            self._engines.popitem(last=False)[1].dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        # As Dagster's `_connect`, but with the shard's kept engine instead of a new one disposed after use.
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        """Only a table found is remembered: one missing may be created by a migration meanwhile, and a
        table of the index is never dropped while the instance runs."""
        if table_name in self._tables_found:
            return True
        found = super().has_table(table_name)
        if found:
            self._tables_found.add(table_name)
        return found

    def dispose(self) -> None:
        super().dispose()
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()


class DeliverySqliteStorage(DagsterSqliteStorage):
    """Dagster's default SQLite storage (runs, event logs, schedules under the same folders), with the event
    log above. `storage: custom:` in dagster.yaml names it, with the home folder as `base_dir`."""

    def __init__(self, base_dir: str, inst_data=None):
        # Dagster's own constructor, then its event log replaced: the one it built has opened nothing yet
        # (0.02 ms), and the runs and schedules storages stay exactly as Dagster builds them.
        super().__init__(base_dir, inst_data=inst_data)
        self._event_log_storage = EngineReusingSqliteEventLogStorage(_event_logs_directory(base_dir))

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> DeliverySqliteStorage:
        return cls.from_local(inst_data=inst_data, **config_value)


def _event_logs_directory(base_dir: str) -> str:
    """Where Dagster's default storage keeps the event logs (its private `_event_logs_directory`)."""
    return os.path.join(base_dir, "history", "runs", "")
