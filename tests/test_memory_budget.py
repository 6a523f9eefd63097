"""Every DuckDB connection of the pipeline that writes keeps the memory budget (DELIVERY_DUCKDB_MEMORY_LIMIT,
3 GB unless set): DuckDB's own default is 80 % of the machine. dbt's is checked in tests/models/test_dbt_build.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingestion.pipelines import tool_pipeline
from orchestration.lib.serving import snapshot_connection

BUDGETS = [(None, "2.7 GiB"), ("500MB", "476.8 MiB")]  # DuckDB shows a GB budget in GiB


def _set_budget(monkeypatch: pytest.MonkeyPatch, budget: str | None) -> None:
    if budget is None:
        monkeypatch.delenv("DELIVERY_DUCKDB_MEMORY_LIMIT", raising=False)
    else:
        monkeypatch.setenv("DELIVERY_DUCKDB_MEMORY_LIMIT", budget)


@pytest.mark.parametrize(("budget", "shown"), BUDGETS)
def test_the_loads_keep_the_budget(budget, shown, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    _set_budget(monkeypatch, budget)
    pipeline = tool_pipeline("pagerduty", tmp_path / "w.duckdb")

    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT current_setting('memory_limit')") == [(shown,)]


@pytest.mark.parametrize(("budget", "shown"), BUDGETS)
def test_publish_keeps_the_budget(budget, shown, monkeypatch: pytest.MonkeyPatch):
    _set_budget(monkeypatch, budget)

    with snapshot_connection() as con:
        assert con.execute("SELECT current_setting('memory_limit')").fetchall() == [(shown,)]
