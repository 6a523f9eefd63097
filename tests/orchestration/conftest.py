"""Fixtures of the report's tests: a copy of the session's demo serving file and the page `delivery report`
writes beside it, made once per test module."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orchestration.cli import app
from tests.conftest import DemoServing


@pytest.fixture(scope="module")
def serving(demo_serving: DemoServing, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's demo serving file, so the page can be written beside it, its default place."""
    copy = tmp_path_factory.mktemp("report") / "serving.duckdb"
    shutil.copyfile(demo_serving.serving, copy)
    return copy


@pytest.fixture(scope="module")
def page(serving: Path) -> str:
    """The page the command writes, at its default place beside the serving file."""
    result = CliRunner().invoke(app, ["report", "--serving", str(serving)])
    assert result.exit_code == 0, result.output
    written = serving.with_name("report.html")
    assert written.is_file(), result.output
    return written.read_text()
