"""The serving file: what a snapshot holds, and the same content in an older DuckDB storage format, for BI
drivers built on an older DuckDB (Metabase's DuckDB driver)."""

from __future__ import annotations

import duckdb

from orchestration.lib.serving import PUBLISHED_SCHEMAS, publish
from tests.conftest import DemoServing, query


def storage_version(path) -> str:
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{path}' AS served (READ_ONLY)")
        [(tags,)] = con.execute(
            "SELECT tags FROM duckdb_databases() WHERE database_name = 'served'"
        ).fetchall()
        return tags["storage_version"]


def relations(path) -> dict[str, str]:
    rows = query(path, "SELECT table_schema || '.' || table_name, table_type FROM information_schema.tables")
    return dict(rows)


def test_the_snapshot_holds_the_published_schemas_as_tables_and_no_raw_record(demo_serving: DemoServing):
    working = relations(demo_serving.warehouse)
    expected = {
        name
        for name in working
        if name.split(".")[0] in PUBLISHED_SCHEMAS
        or (name.startswith("raw_") and name.endswith("._dlt_loads"))
    }
    served = relations(demo_serving.serving)

    meta = {"meta.snapshot", "meta.tables", "meta.freshness", "meta.runs", "meta.checks"}
    assert set(served) == expected | meta
    assert set(served.values()) == {"BASE TABLE"}
    # The warehouse's staging views are tables of the snapshot, with the rows the views return.
    views = sorted(name for name, kind in working.items() if kind == "VIEW" and name in expected)
    assert views
    for name in views:
        assert query(demo_serving.serving, f"SELECT count(*) FROM {name}") == query(
            demo_serving.warehouse, f"SELECT count(*) FROM {name}"
        )
    # Raw records, dlt's state and its merge tables are not published.
    assert any(name.startswith("raw_github.") and name != "raw_github._dlt_loads" for name in working)
    assert not any(name.startswith("_dlt_merge_") for name in served)


def test_a_serving_file_in_an_older_storage_format_holds_the_same_tables(demo_serving: DemoServing, tmp_path):
    older = tmp_path / "serving-v1.2.duckdb"
    publish(demo_serving.warehouse, older, "older-format", storage_version="v1.2.0")

    assert storage_version(older) == "v1.2.0+"
    assert storage_version(demo_serving.serving) != "v1.2.0+"
    count = "SELECT table_name, row_count FROM meta.tables ORDER BY table_name"
    assert query(older, count) == query(demo_serving.serving, count)
    # Every published table holds the same rows, written either way.
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{older}' AS older (READ_ONLY)")
        con.execute(f"ATTACH '{demo_serving.serving}' AS current (READ_ONLY)")
        for (name,) in con.execute("SELECT table_name FROM current.meta.tables").fetchall():
            schema, table = name.split(".")
            for a, b in (("older", "current"), ("current", "older")):
                differing = (
                    f'SELECT * FROM {a}.{schema}."{table}" EXCEPT ALL SELECT * FROM {b}.{schema}."{table}"'
                )
                assert con.execute(f"SELECT count(*) FROM ({differing})").fetchone() == (0,), (name, a)
