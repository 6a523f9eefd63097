"""Every DuckDB connection of the pipeline that writes keeps the memory budget: the setting
`duckdb_memory_limit` (3GB unless settings.yaml or DELIVERY_DUCKDB_MEMORY_LIMIT say otherwise), read once by
the settings and passed to the loads and publish. DuckDB's own default is 80 % of the machine. dbt's is
checked in tests/models/test_dbt_build.py, the profile's fallback in tests/test_configuration.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingestion.pipelines import tool_pipeline
from orchestration.config import ConfigError
from orchestration.lib.serving import snapshot_connection
from orchestration.lib.settings import Settings

# What Settings.export_to_environment sets.
EXPORTED = ("DELIVERY_WAREHOUSE_PATH", "DELIVERY_EXPORTS_DIR", "DELIVERY_SERVING_PATH", "DELIVERY_CONFIG_DIR",
            "DELIVERY_MAPPINGS_DIR", "DELIVERY_DBT_VARS")
BUDGETS = [(None, "2.7 GiB"), ("500MB", "476.8 MiB")]  # DuckDB shows a GB budget in GiB


def _settings(monkeypatch: pytest.MonkeyPatch, budget: str | None) -> Settings:
    """The demo configuration's settings, the budget overridden from the environment as any setting is."""
    monkeypatch.delenv("DELIVERY_CONFIG_DIR", raising=False)
    if budget is None:
        monkeypatch.delenv("DELIVERY_DUCKDB_MEMORY_LIMIT", raising=False)
    else:
        monkeypatch.setenv("DELIVERY_DUCKDB_MEMORY_LIMIT", budget)
    return Settings.from_env()


@pytest.mark.parametrize(("budget", "shown"), BUDGETS)
def test_the_loads_keep_the_budget(budget, shown, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    settings = _settings(monkeypatch, budget)
    monkeypatch.delenv("DELIVERY_DUCKDB_MEMORY_LIMIT", raising=False)  # the pipeline reads no environment

    pipeline = tool_pipeline("pagerduty", tmp_path / "w.duckdb", settings.duckdb_memory_limit)

    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT current_setting('memory_limit')") == [(shown,)]


@pytest.mark.parametrize(("budget", "shown"), BUDGETS)
def test_publish_keeps_the_budget(budget, shown, monkeypatch: pytest.MonkeyPatch):
    settings = _settings(monkeypatch, budget)
    monkeypatch.delenv("DELIVERY_DUCKDB_MEMORY_LIMIT", raising=False)

    with snapshot_connection(settings.duckdb_memory_limit) as con:
        assert con.execute("SELECT current_setting('memory_limit')").fetchall() == [(shown,)]


def test_the_settings_export_the_budget_for_dbt(monkeypatch: pytest.MonkeyPatch):
    settings = _settings(monkeypatch, "750MB")
    for name in EXPORTED:  # put back as they were after the test
        monkeypatch.setenv(name, os.environ.get(name, ""))
    monkeypatch.delenv("DELIVERY_DUCKDB_MEMORY_LIMIT", raising=False)

    settings.export_to_environment()

    assert os.environ["DELIVERY_DUCKDB_MEMORY_LIMIT"] == "750MB"


def test_a_budget_duckdb_would_refuse_stops_before_any_work(monkeypatch: pytest.MonkeyPatch):
    with pytest.raises(ConfigError, match="duckdb_memory_limit: expected a memory size"):
        _settings(monkeypatch, "lots")
