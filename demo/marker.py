"""Writing the demo's marker (`ingestion.landing_marker` reads it): `.delivery-demo.json` in a landing folder
the demo wrote, listing what it wrote.

It lets the demo tell its own files from anybody else's (it refuses to write over a folder that holds
other exports) and leave an unchanged demo alone (no file rewritten, so nothing is read again).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from ingestion.landing_marker import MARKER_NAME, DemoMarker, landing_files, read_marker

# The generator's own code: a change there may change the files the same size and seed write.
GENERATOR_DIR = Path(__file__).resolve().parent


def generator_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted(GENERATOR_DIR.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def write_marker(folder: Path, size: str, seed: int, demo_folders: Iterable[str]) -> DemoMarker:
    """List the files under `demo_folders` as the demo's: call it right after the demo replaced those
    folders, so that they hold its files only (a file elsewhere in the folder stays foreign)."""
    roots = tuple(f"{name}/" for name in demo_folders)
    files = {
        relative: [stat.st_size, stat.st_mtime_ns]
        for relative, stat in landing_files(folder) if relative.startswith(roots)
    }
    marker = DemoMarker(size, seed, generator_fingerprint(), files)
    aside = folder / f"{MARKER_NAME}.tmp"
    aside.write_text(marker.to_json())
    os.replace(aside, folder / MARKER_NAME)
    return marker


def foreign_files(folder: Path) -> list[str]:
    """The folder's files that the demo did not write (every file, when it has no marker)."""
    marker = read_marker(folder)
    listed = marker.files if marker else {}
    return [relative for relative, _ in landing_files(folder) if relative not in listed]


def is_unchanged_demo(folder: Path, size: str, seed: int) -> bool:
    """The folder holds exactly the demo of this size and seed, by this generator, untouched since written."""
    marker = read_marker(folder)
    if marker is None or (marker.size, marker.seed, marker.generator) != (size, seed, generator_fingerprint()):
        return False
    present = {relative: [stat.st_size, stat.st_mtime_ns] for relative, stat in landing_files(folder)}
    return present == marker.files


class ForeignFilesError(Exception):
    """The folder holds files the demo did not write: writing the demo there could replace them."""

    def __init__(self, folder: Path, files: list[str]) -> None:
        self.folder, self.files = folder, files
        shown = ", ".join(files[:5]) + (f" and {len(files) - 5} more" if len(files) > 5 else "")
        unmarked = "" if read_marker(folder) else (
            " If they are a demo written before the demo marked its folders, remove the folder first."
        )
        super().__init__(
            f"{folder} holds {len(files)} file(s) the demo did not write ({shown}): the demo writes only into "
            "an empty folder or over its own demo. Choose another folder (--out), or pass --force to write "
            "it there anyway (its jira/, github/... folders are replaced; other files stay, and the snapshot "
            f"is then not marked as demo data).{unmarked}"
        )


def write_demo(folder: Path, size: str, seed: int, force: bool = False) -> dict[str, int] | None:
    """Write the demo into `folder` and mark it; None when the folder already holds exactly this demo,
    untouched (nothing is rewritten, so the next load reads nothing again).

    Raises ForeignFilesError when the folder holds any file the demo did not write, unless `force`."""
    from .generate import LAYOUT_FOLDERS, generate_demo_exports

    folder = Path(folder)
    if is_unchanged_demo(folder, str(size), seed):
        return None
    foreign = foreign_files(folder)
    if foreign and not force:
        raise ForeignFilesError(folder, foreign)
    counts = generate_demo_exports(folder, size=size, seed=seed)
    write_marker(folder, str(size), seed, LAYOUT_FOLDERS)
    return counts
