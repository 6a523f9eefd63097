"""Where each scope's collection stands, in one JSON file per tool beside the landing folder.

Per scope of the tool: the end of the last successful collection (`collected_until`, the next run asks from there less
the overlap), and the run in progress, if any: its window, each stream's pages written and next request,
and the child requests done. A killed run resumes from it; the file is replaced atomically after every page,
so it is never half-written."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path


def state_path(exports_dir: Path, tool: str) -> Path:
    """One file per tool, so that tools collected by separate processes (Dagster runs each asset in its own)
    never overwrite each other's state."""
    exports_dir = exports_dir.resolve()
    return exports_dir.parent / f".{exports_dir.name}.collect-state" / f"{tool}.json"


class CollectState:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._body: dict = {"version": 1, "scopes": {}, "running": {}}
        if path.is_file():
            self._body = json.loads(path.read_text(encoding="utf-8"))

    def collected_until(self, scope: str) -> str | None:
        return self._body["scopes"].get(scope, {}).get("collected_until")

    def scope_extra(self, scope: str) -> dict:
        return dict(self._body["scopes"].get(scope, {}).get("extra", {}))

    def running(self, scope: str) -> dict | None:
        return self._body["running"].get(scope)

    def start(self, scope: str, run: dict) -> None:
        with self._lock:
            self._body["running"][scope] = run
            self._save()

    def update_running(self, scope: str) -> None:
        """The running entry was changed in place: write it."""
        with self._lock:
            self._save()

    def finish(self, scope: str, until: str, extra: dict | None = None) -> None:
        with self._lock:
            self._body["running"].pop(scope, None)
            entry = {"collected_until": until}
            if extra:
                entry["extra"] = extra
            self._body["scopes"][scope] = entry
            self._save()

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(f"{self.path.name}.{os.getpid()}.{threading.get_ident()}.partial")
        with open(partial, "w", encoding="utf-8") as handle:
            json.dump(self._body, handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, self.path)
