"""The serving file can be written in an older DuckDB storage format, for BI drivers built on an older
DuckDB (Metabase's DuckDB driver); its content is the same."""

from __future__ import annotations

import duckdb

from orchestration.lib.serving import publish
from tests.conftest import DemoServing, query


def storage_version(path) -> str:
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{path}' AS served (READ_ONLY)")
        [(tags,)] = con.execute("SELECT tags FROM duckdb_databases() WHERE database_name = 'served'").fetchall()
        return tags["storage_version"]


def test_a_serving_file_in_an_older_storage_format_holds_the_same_tables(demo_serving: DemoServing, tmp_path):
    older = tmp_path / "serving-v1.2.duckdb"
    publish(demo_serving.warehouse, older, "older-format", storage_version="v1.2.0")

    assert storage_version(older) == "v1.2.0+"
    assert storage_version(demo_serving.serving) != "v1.2.0+"
    count = "SELECT table_name, row_count FROM meta.tables ORDER BY table_name"
    assert query(older, count) == query(demo_serving.serving, count)
    weekly = "SELECT * FROM marts.mart_dora__weekly ORDER BY period_key"
    assert query(older, weekly) == query(demo_serving.serving, weekly)
