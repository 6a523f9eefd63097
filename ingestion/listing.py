"""The landing folder's files, listed for dlt's incremental cursor on their modification time.

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
    folders_inside: dict[str, bool] = {}
    for relative_path in sorted(glob.glob(pattern, root_dir=root, recursive=True)):
        try:
            stat, not_read_because = _inspect(root, relative_path, folders_inside)
        except FileNotFoundError:
            continue  # gone since the glob saw it: a later run lists it if it comes back
        posix_path = relative_path.replace(os.sep, "/")
        yield {
            "file_url": f"{root_url}/{quote_from_bytes(os.fsencode(posix_path))}",
            "file_name": posix_path.rpartition("/")[2],
            "relative_path": posix_path,
            "modification_date": datetime.fromtimestamp(stat.st_mtime, UTC),
            "size_in_bytes": stat.st_size,
            "not_read_because": not_read_because,
        }


def _inspect(
    root: str, relative_path: str, folders_inside: dict[str, bool]
) -> tuple[os.stat_result, str | None]:
    """The file's details and why it must not be read (None: read it). A link is judged by its target
    without opening it; a link leaving the landing folder is described by its own details only.
    `folders_inside` caches, per folder, whether its real path stays in the landing folder."""
    folder = os.path.dirname(relative_path)
    if folder not in folders_inside:
        folders_inside[folder] = _is_inside(root, os.path.realpath(os.path.join(root, folder)))
    path = os.path.join(root, relative_path)
    own = os.lstat(path)
    if not folders_inside[folder]:
        return own, "under a symbolic link to a folder outside the landing folder: not followed"
    stat = own
    if S_ISLNK(own.st_mode):
        if not _is_inside(root, os.path.realpath(path)):
            return own, "a symbolic link to a file outside the landing folder: not followed"
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            return own, "a symbolic link to a file that does not exist"
    if S_ISDIR(stat.st_mode):
        return stat, "a directory, not a file"
    if not S_ISREG(stat.st_mode):
        return stat, "not a regular file (a pipe, socket or device): not read"
    return stat, None


def _is_inside(root: str, real_path: str) -> bool:
    return real_path == root or real_path.startswith(root + os.sep)


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
    """A dlt resource of the matching files in pages, incremental on their modification time."""

    def new_or_changed_files(
        modified: dlt.sources.incremental[Any] = dlt.sources.incremental("modification_date"),  # noqa: B008 (dlt's idiom)
    ) -> Iterator[list[dict[str, Any]]]:
        yield from pages(list_files(exports_dir, pattern), page_size)

    return dlt.resource(new_or_changed_files, name=name, primary_key="file_url")()
