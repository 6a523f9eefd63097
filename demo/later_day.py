"""Split a demo export tree into a first delivery and a later day's delivery, for incremental runs.

The later day holds a sample of new files (one in `share`, chosen by a hash of the path so every run
picks the same ones) and every re-export, whose records are newer versions of records delivered the day
before. Moving the later day's files back gives them a modification time after the first load's files,
as a real export arriving the next day would have.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path

DEFAULT_SHARE = 20
# File names of the generator's re-exports (newer versions of records exported earlier).
RE_EXPORT_MARKERS = ("page-update-", "-update-0001.json")


def is_later_day(relative: str, share: int = DEFAULT_SHARE) -> bool:
    if any(marker in relative for marker in RE_EXPORT_MARKERS):
        return True
    return int(hashlib.sha256(relative.encode()).hexdigest(), 16) % share == 0


def withhold_later_day(exports: Path, held: Path, share: int = DEFAULT_SHARE) -> list[str]:
    """Move the later day's files from `exports` to `held`; returns their paths relative to both."""
    moved = []
    for path in sorted(exports.rglob("*.json")):
        relative = path.relative_to(exports).as_posix()
        if is_later_day(relative, share):
            target = held / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, target)
            moved.append(relative)
    return moved


def deliver_later_day(held: Path, exports: Path, relatives: list[str]) -> None:
    """Move the held files back, modified after every file already there."""
    later = time.time() + 60
    for relative in relatives:
        target = exports / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(held / relative, target)
        os.utime(target, (later, later))
