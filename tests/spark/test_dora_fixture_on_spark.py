"""The DORA fixture organisation of tests/models/test_dora_marts.py, built on Apache Spark: the same exports,
loaded by the real ingestion, the raw tables as Parquet in Spark's metastore, `dbt build --target spark` of
every model the DORA marts need with their data tests, and the same hand-computed assertions: each test below
runs the DuckDB test's own function against the Spark tables, so the expected values live in one place."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.models import test_dora_marts as dora
from tests.spark.spark_warehouse import SparkWarehouse, built_on_spark

pytestmark = pytest.mark.spark

# The DORA marts built on Spark, and the DuckDB tests that read them (test_data_coverage builds on DuckDB
# itself).
SPARK_MARTS = (
    "+fct_deployments +fct_changes +fct_incidents +mart_dora__deployment_frequency_profile"
    " +mart_dora__weekly +mart_dora__monthly"
)
SHARED_TESTS = (
    "test_deployment_attempts_and_outcomes",
    "test_changes_and_spans",
    "test_time_to_merge",
    "test_incident_attribution",
    "test_weekly_mart",
    "test_monthly_mart",
    "test_deployment_frequency_profile",
)


@pytest.fixture(scope="module")
def spark_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkWarehouse]:
    work = tmp_path_factory.mktemp("dora_fixture_on_spark")
    dora.write_fixture_exports(work / "exports")
    yield built_on_spark(work, SPARK_MARTS)


@pytest.mark.parametrize("name", SHARED_TESTS)
def test_the_dora_marts_hold_the_hand_computed_values_on_spark(
    name: str, spark_warehouse: SparkWarehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dora, "rows", lambda _warehouse, sql: spark_warehouse.rows(sql))
    getattr(dora, name)(Path(spark_warehouse.root))


def test_an_incremental_staging_run_on_parquet_keeps_the_same_rows(spark_warehouse: SparkWarehouse) -> None:
    """Parquet has no merge: a staging model's incremental run overwrites it whole (insert_overwrite) with
    every record ranked again. Run again on the same raw rows, it holds exactly the rows it held: the 11 GitHub
    deployments of the fixture (8 checkout-api, 3 payments-service), each in its newest version once."""
    table = "staging.stg_github__deployments"
    before = sorted(spark_warehouse.rows(f"select * from {table}"))
    result = spark_warehouse.dbt("run", "--select", "stg_github__deployments")
    assert result.success, result.exception
    assert [r.status for r in result.result] == ["success"]
    after = sorted(spark_warehouse.rows(f"select * from {table}"))
    assert len(after) == 11 and after == before
    assert len(spark_warehouse.rows(f"select distinct deployment_id from {table}")) == 11
