"""The flow fixture organisation of tests/models/test_flow_fixture.py, built on Apache Spark: the same Jira and
GitHub exports, loaded by the real ingestion, the raw tables as Parquet in Spark's metastore, `dbt build
--target spark` of the flow models and marts with their data tests, and the same hand-computed assertions:
each test below runs the DuckDB test's own function against the Spark tables."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import write_json
from tests.models import test_flow_fixture as flow
from tests.spark.spark_warehouse import SparkWarehouse, built_on_spark

pytestmark = pytest.mark.spark

# The flow models and marts, the forecasts aside (tests/spark/test_forecasts_on_spark.py).
FLOW_MARTS = (
    "+fct_work_items +fct_work_item_phases +fct_handoffs +fct_work_item_deliveries +mart_flow__weekly"
    " +mart_handoffs__weekly +mart_delivery_risk__weekly +mart_aging_wip +mart_bottlenecks__weekly"
)
# Every test of the DuckDB module that reads its fixture's warehouse.
SHARED_TESTS = tuple(
    name
    for name, function in inspect.getmembers(flow, inspect.isfunction)
    if name.startswith("test_") and list(inspect.signature(function).parameters) == ["warehouse"]
)


@pytest.fixture(scope="module")
def spark_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkWarehouse]:
    work = tmp_path_factory.mktemp("flow_fixture_on_spark")
    exports = work / "exports"
    write_json(exports / "jira" / "issues" / "page-1.json", {"issues": flow.ISSUES})
    flow.write_github_exports(exports / "github" / "acme" / "payments-service")
    as_of = flow.at(flow.AS_OF_HOURS).strftime("%Y-%m-%d %H:%M:%S")
    yield built_on_spark(work, FLOW_MARTS, "--vars", f"{{flow_as_of_at: '{as_of}'}}")


def test_every_shared_test_is_found() -> None:
    assert len(SHARED_TESTS) >= 10, SHARED_TESTS


@pytest.mark.parametrize("name", SHARED_TESTS)
def test_the_flow_models_hold_the_hand_computed_values_on_spark(
    name: str, spark_warehouse: SparkWarehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(flow, "query", lambda _warehouse, sql, params=None: spark_warehouse.rows(sql))
    getattr(flow, name)(Path(spark_warehouse.root))
