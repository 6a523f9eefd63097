"""One `delivery run` per warehouse at a time: an OS lock on a file beside the warehouse.

The lock is the operating system's (`flock`), held by the open file: it goes when the process ends, however
it ends, so a killed run never leaves a stale lock behind. The file also says who holds it (pid, start,
warehouse), for the run that finds it taken.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path


class RunInProgress(Exception):
    """The warehouse's run lock is held by another process, described by `holder` (pid, started_at)."""

    def __init__(self, warehouse: Path, holder: dict) -> None:
        super().__init__(warehouse, holder)
        self.warehouse, self.holder = warehouse, holder

    def who(self) -> str:
        return f"pid {self.holder.get('pid', 'unknown')}, since {self.holder.get('started_at', 'an unknown time')}"

    def __str__(self) -> str:
        return (
            f"Another `delivery run` is in progress on {self.warehouse} ({self.who()}). "
            "Wait for it to finish, or run again with --wait to start when it does."
        )


def lock_path(warehouse_path: Path) -> Path:
    return warehouse_path.with_name(warehouse_path.name + ".run.lock")


@contextmanager
def exclusive_run(warehouse_path: Path, wait: bool = False, on_wait=None) -> Iterator[None]:
    """Hold the warehouse's run lock for the block. Taken: raise RunInProgress, or with `wait` call
    `on_wait(holder)` once and block until the other run ends."""
    path = lock_path(warehouse_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Opened without truncating: the holder's description stays readable until the lock is ours.
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            if not wait:
                raise RunInProgress(warehouse_path, holder) from None
            if on_wait is not None:
                on_wait(RunInProgress(warehouse_path, holder))
            fcntl.flock(fd, fcntl.LOCK_EX)
        _write_holder(fd, warehouse_path)
        yield
    finally:
        os.close(fd)  # releases the lock


def _read_holder(fd: int) -> dict:
    os.lseek(fd, 0, os.SEEK_SET)
    try:
        return json.loads(os.read(fd, 4096).decode() or "{}")
    except ValueError:
        return {}


def _write_holder(fd: int, warehouse_path: Path) -> None:
    body = {"pid": os.getpid(), "started_at": f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC",
            "warehouse": str(warehouse_path)}
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, json.dumps(body).encode())
