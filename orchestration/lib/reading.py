"""Reading the marts: how the report and `delivery explain` open a serving file and fetch rows.

Only DuckDB is imported here, so the commands that read stay quick to start.
"""

from __future__ import annotations

from pathlib import Path

import duckdb


def read_only_session(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a serving (or warehouse) file, with session times in UTC: how the readers
    of the marts (the report, `delivery explain`) open it."""
    con = duckdb.connect(str(path), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    return con


def fetch_dicts(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None) -> list[dict]:
    """The query's rows as dicts keyed by column name."""
    cursor = con.execute(sql, params or [])
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
