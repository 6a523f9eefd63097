"""Shared fixtures: paths to the real API samples, and helpers to write and read export trees."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REAL_SAMPLES = FIXTURES / "real_samples"


@pytest.fixture
def real_samples_exports(tmp_path: Path) -> Path:
    """A copy of the real Jira and GitHub response bodies, in the landing layout."""
    exports = tmp_path / "exports"
    shutil.copytree(REAL_SAMPLES, exports, ignore=shutil.ignore_patterns("*.md"))
    return exports


def write_json(path: Path, body: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body))
    return path


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        return con.execute(sql, params or []).fetchall()
