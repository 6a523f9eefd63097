"""Declarations of raw tables: which columns a record yields, where they sit in the API body, their types.

A raw table is declared once, as a `RawTable`; `reader.py` turns the declaration into DuckDB SQL that
extracts, types and validates records in bulk, and into the Arrow schema dlt loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

ARROW_TYPES: dict[str, pa.DataType] = {
    "VARCHAR": pa.string(),
    "BIGINT": pa.int64(),
    "BOOLEAN": pa.bool_(),
    "TIMESTAMPTZ": pa.timestamp("us", tz="UTC"),
    "DATE": pa.date32(),
    # JSON text: kept as a string so every engine downstream can read it.
    "JSON": pa.string(),
}

LINEAGE_COLUMNS = ("_source_file", "_record_index")


@dataclass(frozen=True)
class Column:
    """One column of a raw table.

    `path` is a dotted JSON path inside the record (`fields.status.name`); a single `[*]` segment
    collects a list (`fields.components[*].name` becomes a JSON array of names). `sql` instead computes
    the column from the row being read: `source_file` (the folder carries request context), `rec` (the
    record's JSON) or the columns an `explode_sql` produced.
    """

    name: str
    type: str = "VARCHAR"
    path: str | None = None
    sql: str | None = None
    required: bool = False
    # SQL over the other typed columns, used when the record has no value (e.g. updated_at -> created_at).
    fallback: str | None = None

    def __post_init__(self) -> None:
        if self.type not in ARROW_TYPES:
            raise ValueError(f"column {self.name}: unknown type {self.type}")
        if (self.path is None) == (self.sql is None):
            raise ValueError(f"column {self.name}: give exactly one of path or sql")


@dataclass(frozen=True)
class RawTable:
    """A raw table: its columns, primary key, and (for nested rows) how records explode into rows."""

    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    # SQL producing one row per output row from the `records` relation, with columns
    # source_file, record_index, record_key and one VARCHAR/JSON column per path column.
    # None means one row per record, extracted from the paths declared on the columns.
    explode_sql: str | None = None
    description: str = ""

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def arrow_schema(self) -> pa.Schema:
        fields = [
            pa.field(c.name, ARROW_TYPES[c.type], nullable=c.name not in self.primary_key) for c in self.columns
        ]
        fields += [pa.field("_source_file", pa.string(), nullable=False), pa.field("_record_index", pa.int64())]
        return pa.schema(fields)


@dataclass(frozen=True)
class ExportFolder:
    """One folder of the landing layout, read by one dlt resource into one or more raw tables."""

    resource: str
    glob: str
    # Key of the record list in the response envelope; None when the body is a bare JSON array.
    records_key: str | None
    # What a file must be, for the quarantine reason: "a JSON array of pull requests (GET .../pulls)".
    expected_body: str
    # The JSON path of a record's id, used to name records in quarantine.
    record_key_path: str
    tables: tuple[RawTable, ...] = field(default_factory=tuple)
    # Other keys the same record list may come under (Jenkins: `allBuilds` as well as `builds`), preferred
    # to `records_key` in this order when a body has several.
    other_records_keys: tuple[str, ...] = ()

    def records_keys(self) -> tuple[str, ...]:
        """Every key the record list may come under, preferred first; empty for a bare JSON array."""
        return (*self.other_records_keys, self.records_key) if self.records_key else ()


QUARANTINE = RawTable(
    name="quarantine",
    columns=(
        Column("source_file", "VARCHAR", sql="source_file", required=True),
        Column("entity", "VARCHAR", sql="entity"),
        Column("record_index", "BIGINT", sql="record_index", required=True),
        Column("record_key", "VARCHAR", sql="record_key"),
        Column("reason", "VARCHAR", sql="reason", required=True),
        Column("record_excerpt", "VARCHAR", sql="record_excerpt"),
        Column("file_modified_at", "TIMESTAMPTZ", sql="file_modified_at"),
    ),
    primary_key=("source_file", "record_index", "reason"),
    description="One row per rejected file (record_index -1) or record, with the reason.",
)


def quarantine_schema() -> pa.Schema:
    return pa.schema(
        [
            pa.field(c.name, ARROW_TYPES[c.type], nullable=c.name not in QUARANTINE.primary_key)
            for c in QUARANTINE.columns
        ]
    )
