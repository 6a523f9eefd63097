"""Which raw tables the warehouse holds, and how far their loads have come: read by the run summary,
the checks and the serving fingerprint alike."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from ingestion.records import QUARANTINE
from ingestion.sources import RAW_DATASETS


def raw_tables(
    con: duckdb.DuckDBPyConnection,
    datasets: Sequence[str] = RAW_DATASETS,
    catalog: str | None = None,
    with_quarantine: bool = True,
) -> list[tuple[str, str]]:
    """(dataset, table) of every table dlt loaded, its own `_dlt_*` bookkeeping aside, sorted."""
    rows = con.execute(
        """
        SELECT table_schema, table_name FROM information_schema.tables
        WHERE table_schema IN ? AND table_name NOT LIKE '\\_dlt%' ESCAPE '\\'
          AND (CAST(? AS VARCHAR) IS NULL OR table_catalog = ?)
        ORDER BY 1, 2
        """,
        [list(datasets), catalog, catalog],
    ).fetchall()
    return [(dataset, table) for dataset, table in rows if with_quarantine or table != QUARANTINE.name]


def table_state(con: duckdb.DuckDBPyConnection, qualified_name: str) -> tuple[int, str | None]:
    """Rows and newest load id of one raw table: they change when, and only when, a load brought rows."""
    return con.execute(f"SELECT count(*), max(_dlt_load_id) FROM {qualified_name}").fetchone()
