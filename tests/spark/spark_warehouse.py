"""The dbt project on Apache Spark in local mode, for tests: raw tables as Parquet registered in Spark's Hive
metastore, `dbt build --target spark` in this process (dbt-spark `method: session` picks up this process's
Spark session), and queries through the same session.

The raw rows are the real ingestion's: the exports are loaded into a DuckDB file as for the DuckDB tests, and
each raw table is written to Parquet from there (dlt's filesystem destination is not wired to Spark yet).
One Spark session per test process: Derby, the bundled metastore, admits one process at a time, and a
session's metastore and table folder are fixed when it starts. A later warehouse of the same process (the next
fixture organisation) reuses the session, emptied of the earlier one's schemas and tables.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import yaml

from ingestion.pipelines import load_all
from tests.models.dbt_runner import DBT_PROJECT_DIR, DEMO_MAPPINGS_SEED_PATH

pyspark_sql = pytest.importorskip("pyspark.sql", reason="the `spark` extra (make test-spark)")


def spark_profile_settings(root: Path) -> dict[str, str]:
    """The Spark settings of the profile's `spark` output for a warehouse at `root`, rendered as dbt renders
    them (env_var only)."""
    import jinja2

    text = (DBT_PROJECT_DIR / "profiles.yml").read_text()
    variables = {**os.environ, "DELIVERY_SPARK_WAREHOUSE": str(root)}
    environment = jinja2.Environment()
    environment.globals["env_var"] = lambda name, default=None: variables.get(name, default)
    rendered = yaml.safe_load(environment.from_string(text).render())
    return rendered["delivery_warehouse"]["outputs"]["spark"]["server_side_parameters"]


@dataclass
class SparkWarehouse:
    root: Path
    session: object

    @classmethod
    def start(cls, root: Path) -> SparkWarehouse:
        """The session the profile describes, its tables and metastore under `root`; or this process's
        session, emptied, when one runs already (dbt's target and logs are under `root` all the same)."""
        root.mkdir(parents=True, exist_ok=True)
        running = pyspark_sql.SparkSession.getActiveSession()
        if running is not None:
            _drop_every_schema(running)
            return cls(root, running)
        builder = pyspark_sql.SparkSession.builder.enableHiveSupport()
        for name, value in spark_profile_settings(root).items():
            builder = builder.config(name, value)
        return cls(root, builder.getOrCreate())

    def register_raw_tables(self, duckdb_warehouse: Path) -> list[str]:
        """Every table of the DuckDB file's raw_* schemas, as a Parquet table of the same schema and name."""
        registered = []
        with duckdb.connect(str(duckdb_warehouse), read_only=True) as con:
            tables = con.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_schema like 'raw_%' and table_type = 'BASE TABLE' order by 1, 2"
            ).fetchall()
            for schema, table in tables:
                folder = self.root / "raw" / schema / table
                folder.mkdir(parents=True, exist_ok=True)
                con.execute(f"copy {schema}.{table} to '{folder / 'data.parquet'}' (format parquet)")
                self.session.sql(f"create schema if not exists {schema}")
                self.session.sql(f"drop table if exists {schema}.{table}")
                self.session.sql(f"create table {schema}.{table} using parquet location '{folder}'")
                registered.append(f"{schema}.{table}")
        return registered

    def dbt(self, *command: str) -> object:
        """`dbt <command> --target spark` in this process, with its target and logs under the root."""
        from dbt.cli.main import dbtRunner

        environment = {
            "DELIVERY_ENGINE": "spark",
            "DELIVERY_SPARK_WAREHOUSE": str(self.root),
            "DELIVERY_WAREHOUSE_PATH": str(self.root / "unused.duckdb"),
            "DELIVERY_MAPPINGS_DIR": DEMO_MAPPINGS_SEED_PATH,
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
        }
        with _environment(environment):
            return dbtRunner().invoke([
                *command, "--target", "spark", "--project-dir", str(DBT_PROJECT_DIR),
                "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(self.root / "target"),
                "--log-path", str(self.root / "logs"),
            ])

    def rows(self, sql: str) -> list[tuple]:
        """The rows of a query as DuckDB's Python client gives them (times without time zone, in UTC). The
        tests' queries are DuckDB's: a cast to varchar is a cast to Spark's string."""
        spark_sql = re.sub(r"\bas varchar\)", "as string)", sql, flags=re.IGNORECASE)
        return [tuple(_as_duckdb_value(value) for value in row) for row in self.session.sql(spark_sql).collect()]


def built_on_spark(work: Path, select: str, *dbt_options: str) -> SparkWarehouse:
    """The fixture organisation whose exports are under `work/exports`, loaded by the real ingestion, its raw
    tables registered in Spark, and `dbt build --target spark` of `select` (dbt's selection syntax) with the
    data tests of what it builds and `dbt_options`: every model and test must pass."""
    load_all(work / "exports", work / "delivery.duckdb")
    warehouse = SparkWarehouse.start(work / "spark")
    warehouse.register_raw_tables(work / "delivery.duckdb")
    result = warehouse.dbt("build", "--select", *select.split(), "--indirect-selection", "cautious",
                           "--exclude-resource-type", "unit_test", *dbt_options)
    failed = [f"{r.node.name}: {r.message}" for r in (result.result or []) if r.status not in ("success", "pass")]
    assert result.success and not failed, failed or result.exception
    return warehouse


def _drop_every_schema(session: object) -> None:
    """Every schema but Spark's `default`, with its tables: raw tables an earlier organisation registered
    must not be read as this one's sources."""
    for (name,) in session.sql("show schemas").collect():
        if name != "default":
            session.sql(f"drop schema {name} cascade")


@contextmanager
def _environment(variables: dict[str, str]) -> Iterator[None]:
    """The variables set for dbt's run only: DELIVERY_ENGINE=spark must not leak into other tests."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _as_duckdb_value(value: object) -> object:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value
