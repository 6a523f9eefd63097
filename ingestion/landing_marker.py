"""Reading the demo's marker: `.delivery-demo.json` in a landing folder the demo wrote, listing what it wrote.

The product only reads it (to leave it out of the exports, and to record whether a snapshot was built from
demo data only); the demo (`demo.marker`) writes it. Kept here so that no run of the product imports the demo.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MARKER_NAME = ".delivery-demo.json"


@dataclass(frozen=True)
class DemoMarker:
    size: str
    seed: int
    generator: str
    # Every file the demo wrote, relative to the landing folder: [size in bytes, modification time in ns].
    files: dict[str, list[int]]

    def to_json(self) -> str:
        return json.dumps(
            {"size": self.size, "seed": self.seed, "generator": self.generator, "files": self.files},
            sort_keys=True, indent=1,
        )


def landing_files(folder: Path) -> Iterator[tuple[str, os.stat_result]]:
    """Every file under the folder (links as themselves, not followed), but the marker, relative and sorted."""
    if not folder.is_dir():
        return
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            path = Path(root) / name
            relative = path.relative_to(folder).as_posix()
            if relative != MARKER_NAME:
                yield relative, path.lstat()


def read_marker(folder: Path) -> DemoMarker | None:
    """The marker of the folder, or None when it has none (or one that is not the demo's)."""
    try:
        body = json.loads((folder / MARKER_NAME).read_text())
        return DemoMarker(str(body["size"]), int(body["seed"]), str(body["generator"]), dict(body["files"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def holds_only_demo_data(folder: Path) -> bool:
    """The landing folder holds the demo's marker and only files the demo wrote, as it wrote them (size)."""
    marker = read_marker(folder)
    if marker is None:
        return False
    present = {relative: stat.st_size for relative, stat in landing_files(folder)}
    return present == {relative: size for relative, (size, _) in marker.files.items()}
