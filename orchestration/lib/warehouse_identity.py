"""Each warehouse file's identity, stored in the warehouse itself when its first load creates it.

The checks' history lives in Dagster's instance (DAGSTER_HOME), which several warehouses may share (a new
warehouse beside an old one, a test warehouse, a rebuilt one). A check compares a table only with earlier
evaluations of the same warehouse, recognised by this identity: a new warehouse starts its own history
instead of failing every "never shrinks" check against another warehouse's row counts.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import duckdb

SCHEMA = "warehouse_meta"
TABLE = f"{SCHEMA}.identity"


def ensure_warehouse_id(warehouse_path: Path) -> str:
    """The warehouse's identity, created with the warehouse file (or on its first load since this version)."""
    existing = warehouse_id(warehouse_path)
    if existing is not None:
        return existing
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse_path)) as con:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        con.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (warehouse_id VARCHAR NOT NULL, created_at TIMESTAMPTZ)")
        if con.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0] == 0:
            con.execute(f"INSERT INTO {TABLE} VALUES (?, now())", [uuid.uuid4().hex])
        return con.execute(f"SELECT warehouse_id FROM {TABLE}").fetchone()[0]


def warehouse_id(warehouse_path: Path) -> str | None:
    """The warehouse's identity, or None for a warehouse without one (not created yet, or older)."""
    if not warehouse_path.exists():
        return None
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        found = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = 'identity'",
            [SCHEMA],
        ).fetchone()[0]
        if not found:
            return None
        row = con.execute(f"SELECT warehouse_id FROM {TABLE}").fetchone()
    return row[0] if row else None
