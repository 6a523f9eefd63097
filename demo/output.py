"""Writing response bodies: compact JSON, one file per page, with the counts the generator reports."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def paginate(records: list[T], size: int, rng: random.Random, drift: float = 0.25) -> list[list[T]]:
    """Pages of `size`; now and then a page repeats the previous page's last record, as when the listing
    shifts between two requests (a new record arrived at the top)."""
    pages: list[list[T]] = []
    start = 0
    while start < len(records):
        pages.append(records[start : start + size])
        start += size
        if start < len(records) and rng.random() < drift:
            start -= 1
    return pages


class ExportWriter:
    """Writes files under the exports folder and counts files and records per folder kind."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.counts: Counter[str] = Counter()
        self._folders: set[Path] = set()
        self._pages: Counter[str] = Counter()

    def write(self, relative: str, body: object, kind: str, records: int) -> None:
        path = self.root / relative
        if path.parent not in self._folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(path.parent)
        path.write_text(json.dumps(body, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")
        self.counts[f"{kind}:files"] += 1
        self.counts[f"{kind}:records"] += records

    def next_page(self, folder: str) -> str:
        """The next `page-0001.json` name in a folder shared by several listings."""
        self._pages[folder] += 1
        return f"{folder}/page-{self._pages[folder]:04d}.json"
