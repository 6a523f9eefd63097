"""The forecast fixture organisation of tests/models/test_forecasts.py, built on Apache Spark: the same Jira
exports, loaded by the real ingestion, `dbt build --target spark` of the forecast marts with their data tests,
and the DuckDB tests' closed-form cases (constant throughput, the binomial history, scope growth, the team's
number of items, the coverage mart) run against the Spark tables: the Monte Carlo trials draw on Spark."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import write_json
from tests.models import test_forecasts as forecasts
from tests.spark.spark_warehouse import SparkWarehouse, built_on_spark

pytestmark = pytest.mark.spark

# The tests that read the fixture's warehouse only: the others rebuild a copy of the DuckDB file or run
# `delivery explain`, which reads DuckDB.
SHARED_TESTS = (
    "test_constant_throughput_finishes_in_exactly_remaining_over_rate_weeks",
    "test_two_valued_history_follows_the_binomial",
    "test_scope_growth_delays_the_forecast",
    "test_a_number_of_items_the_user_sets",
    "test_an_empty_mart_says_why",
)


@pytest.fixture(scope="module")
def spark_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkWarehouse]:
    work = tmp_path_factory.mktemp("forecasts_on_spark")
    write_json(work / "exports" / "jira" / "issues" / "page-1.json", {"issues": forecasts.ISSUES})
    yield built_on_spark(work, forecasts.FORECAST_MARTS, "--vars", f"{{flow_as_of_at: '{forecasts.AS_OF}'}}")


def with_parameters(sql: str, params: list | None) -> str:
    """The DuckDB tests' `?` parameters written into the query as literals (dates and text only here)."""
    for value in params or []:
        literal = f"date '{value}'" if isinstance(value, dt.date) else f"'{value}'"
        sql = sql.replace("?", literal, 1)
    return sql


@pytest.mark.parametrize("name", SHARED_TESTS)
def test_the_forecasts_hold_the_closed_form_cases_on_spark(
    name: str, spark_warehouse: SparkWarehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        forecasts, "query", lambda _warehouse, sql, params=None: spark_warehouse.rows(with_parameters(sql, params))
    )
    getattr(forecasts, name)(Path(spark_warehouse.root))
