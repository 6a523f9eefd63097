"""The landing folder's files, listed for dlt's incremental cursor on when each file last changed.

A file's cursor is the later of its content's modification time and its inode's change time. Exports
copied in with their original modification times (`rsync -a`, `cp -p`, an unpacked archive) keep an old
modification time, older than files already read, and a cursor on that time alone skipped them for good;
the inode changes when a file is created or replaced in the landing folder, whatever time it carries.
The cursor keeps dlt's listing name, `modification_date`, so that a warehouse loaded before keeps its state.

dlt's `filesystem` resource lists through fsspec, asks for each file's details and resolves each path on
its own: listing the 56,728 files of the size-M exports took it 8.7 s, against 1.8 s here, and a run with
nothing new pays that every time (L has ~860k files). The landing folder is a local path, so it is listed
here with one `stat` per file. dlt still owns the cursor: its state, the filter, and the deduplication
of files at the boundary by `file_url`, which is written as dlt's listing writes it, so a warehouse
loaded before keeps its state.

Nothing outside the landing folder is ever opened: a symbolic link whose target leaves it (or a file under
a linked folder that leaves it) is listed with its own details and a reason not to read it, as are
directories, pipes and broken links that match the glob; the reader quarantines them unread.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from stat import S_ISDIR, S_ISLNK, S_ISREG
from typing import Any
from urllib.parse import quote_from_bytes

import dlt
from dlt.extract.resource import DltResource


def list_files(exports_dir: Path, pattern: str) -> Iterator[dict[str, Any]]:
    """Every file matching the glob, sorted by path so that batches are the same from run to run.

    Paths are joined and quoted as strings: at ~860k files, building a `Path` per file cost more than the
    glob and the `stat` calls together. `file_url` is spelled exactly as `Path.as_uri()` spells it.
    `not_read_because` is None for a file to read, else why it must not be opened."""
    resolved = exports_dir.resolve()
    root, root_url = os.fspath(resolved), resolved.as_uri()
    matched = sorted(glob.glob(pattern, root_dir=root, recursive=True))
    landing = _Landing(root, set(matched))
    for relative_path in matched:
        try:
            stat, not_read_because = landing.inspect(relative_path)
        except FileNotFoundError:
            continue  # gone since the glob saw it: a later run lists it if it comes back
        posix_path = relative_path.replace(os.sep, "/")
        yield {
            "file_url": f"{root_url}/{quote_from_bytes(os.fsencode(posix_path))}",
            "file_name": posix_path.rpartition("/")[2],
            "relative_path": posix_path,
            "modification_date": datetime.fromtimestamp(max(stat.st_mtime, stat.st_ctime), UTC),
            "content_modified_at": datetime.fromtimestamp(stat.st_mtime, UTC),
            "size_in_bytes": stat.st_size,
            "not_read_because": not_read_because,
        }


class _Landing:
    """Judges each listed path by where it really leads, without opening it: out of the landing folder
    (never followed), to nothing, to something other than a file, or to a file the listing also holds
    under its own path (a link loop would list it once per turn, as jobs or repositories that do not
    exist)."""

    def __init__(self, root: str, matched: set[str]) -> None:
        self.root = root
        self.matched = matched
        # Listed folder -> its real path, relative to the landing folder; None when outside it.
        self.real_folders: dict[str, str | None] = {}

    def inspect(self, relative_path: str) -> tuple[os.stat_result, str | None]:
        """The file's details and why it must not be read (None: read it). A link leaving the landing
        folder is described by its own details only."""
        folder, name = os.path.split(relative_path)
        if folder not in self.real_folders:
            self.real_folders[folder] = self._relative(os.path.realpath(os.path.join(self.root, folder)))
        path = os.path.join(self.root, relative_path)
        own = os.lstat(path)
        real_folder = self.real_folders[folder]
        if real_folder is None:
            return own, "under a symbolic link to a folder outside the landing folder: not followed"
        stat, real = own, os.path.join(real_folder, name)
        if S_ISLNK(own.st_mode):
            real = self._relative(os.path.realpath(path))
            if real is None:
                return own, "a symbolic link to a file outside the landing folder: not followed"
            try:
                stat = os.stat(path)
            except FileNotFoundError:
                return own, "a symbolic link to a file that does not exist"
        if S_ISDIR(stat.st_mode):
            return stat, "a directory, not a file"
        if not S_ISREG(stat.st_mode):
            return stat, "not a regular file (a pipe, socket or device): not read"
        if real != relative_path and real in self.matched:
            return stat, f"a link to {real.replace(os.sep, '/')}, which is read under its own path"
        return stat, None

    def _relative(self, real_path: str) -> str | None:
        """The real path relative to the landing folder ('' for the folder itself); None when outside."""
        if real_path == self.root:
            return ""
        if real_path.startswith(self.root + os.sep):
            return real_path[len(self.root) + 1 :]
        return None


def pages(files: Iterator[dict[str, Any]], page_size: int) -> Iterator[list[dict[str, Any]]]:
    page: list[dict[str, Any]] = []
    for file in files:
        page.append(file)
        if len(page) == page_size:
            yield page
            page = []
    if page:
        yield page


def export_files(exports_dir: Path, pattern: str, name: str, page_size: int) -> DltResource:
    """A dlt resource of the matching files in pages, incremental on when each file last changed."""

    def new_or_changed_files(
        modified: dlt.sources.incremental[Any] = dlt.sources.incremental("modification_date"),  # noqa: B008 (dlt's idiom)
    ) -> Iterator[list[dict[str, Any]]]:
        yield from pages(list_files(exports_dir, pattern), page_size)

    return dlt.resource(new_or_changed_files, name=name, primary_key="file_url")()
