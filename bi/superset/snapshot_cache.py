"""Superset's chart-result cache, keyed by the published snapshot.

The serving file never changes in place: each publish renames a new file over it, with a new snapshot id in
`meta.snapshot`. So a chart result computed from one snapshot stays right until the next publish, and a key
that starts with the snapshot id can never serve a result of an older file. When the file is replaced, the
first request that notices empties the cache (the old snapshot's entries can no longer be read anyway).

The serving file is named by SUPERSET_SERVING_PATH (`make bi` and the test set it). Without it, or when the
file cannot be read, nothing is cached.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from flask_caching.backends.filesystemcache import FileSystemCache

_lock = threading.Lock()
_seen: dict[tuple[int, int, int], str] = {}


def serving_path() -> Path | None:
    path = os.environ.get("SUPERSET_SERVING_PATH")
    return Path(path) if path else None


def current_snapshot_id() -> str | None:
    """The snapshot id of the file now at the serving path, read once per file (inode, mtime, size)."""
    path = serving_path()
    if path is None:
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    identity = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    with _lock:
        if identity not in _seen:
            _seen.clear()
            _seen[identity] = _read_snapshot_id(path)
        return _seen[identity]


def _read_snapshot_id(path: Path) -> str | None:
    import duckdb

    try:
        with duckdb.connect(str(path), read_only=True) as con:
            row = con.execute("select snapshot_id from meta.snapshot").fetchone()
    except duckdb.Error:
        return None
    return str(row[0]) if row else None


class SnapshotCache(FileSystemCache):
    """A file-system cache (shared by the web server's workers) whose keys start with the snapshot id."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._snapshot_id: str | None = None

    def _key(self, key: str) -> str | None:
        snapshot_id = current_snapshot_id()
        if snapshot_id is None:
            return None
        if snapshot_id != self._snapshot_id:
            if self._snapshot_id is not None:
                self.clear()  # a publish replaced the file: drop the old snapshot's results
            self._snapshot_id = snapshot_id
        return f"{snapshot_id}:{key}"

    def get(self, key):
        scoped = self._key(key)
        return None if scoped is None else super().get(scoped)

    def has(self, key):
        scoped = self._key(key)
        return False if scoped is None else super().has(scoped)

    def set(self, key, value, timeout=None, mgmt_element=False):
        if mgmt_element:  # the cache's own bookkeeping (its item count), not a chart result
            return super().set(key, value, timeout, mgmt_element=True)
        scoped = self._key(key)
        return False if scoped is None else super().set(scoped, value, timeout)

    def add(self, key, value, timeout=None):
        scoped = self._key(key)
        return False if scoped is None else super().add(scoped, value, timeout)

    def delete(self, key, mgmt_element=False):
        if mgmt_element:
            return super().delete(key, mgmt_element=True)
        scoped = self._key(key)
        return False if scoped is None else super().delete(scoped)
