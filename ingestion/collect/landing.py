"""Writes response bodies into the landing folder: aside first, then renamed, so a killed run never leaves
a half-written file where the loader reads."""

from __future__ import annotations

import os
import threading
from pathlib import Path

PARTIAL_SUFFIX = ".partial"


def write_body(exports_dir: Path, relative: str, body: bytes) -> Path:
    """Writes `body` at `exports_dir/relative`, byte for byte, atomically."""
    target = exports_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    # A dot name that does not end in .json: never matched by the loader's patterns.
    partial = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}{PARTIAL_SUFFIX}")
    with open(partial, "wb") as handle:
        handle.write(body)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, target)
    return target


def remove_partials(folder: Path) -> int:
    """Removes the aside copies a killed run left behind; returns how many."""
    if not folder.is_dir():
        return 0
    removed = 0
    for partial in folder.rglob(f".*{PARTIAL_SUFFIX}"):
        partial.unlink(missing_ok=True)
        removed += 1
    return removed


def safe_segment(text: str) -> str:
    """A path segment from an API value (a job, an environment): no separators, no parent references."""
    cleaned = text.replace("/", "_").replace("\\", "_").strip()
    return "_" if cleaned in ("", ".", "..") else cleaned
