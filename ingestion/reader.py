"""Reads a batch of export files with DuckDB and splits it into typed Arrow tables and quarantine rows.

Why DuckDB and Arrow: API bodies are large and deeply nested. Parsing them in DuckDB and handing dlt
Arrow tables is an order of magnitude faster than yielding Python dicts for dlt to normalise row by row.

A batch is parsed in one statement. If that fails (a file that is not JSON, or truncated), each file
is read on its own, so one bad file is quarantined and the rest of its batch still loads.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from ingestion.records import QUARANTINE, Column, ExportFolder, RawTable, quarantine_schema

# Largest single response body DuckDB will parse. Real pages are a few MB; this leaves ample room.
MAX_BODY_BYTES = 512 * 1024 * 1024
EXCERPT_CHARS = 2000

TYPE_NAMES = {
    "BIGINT": "an integer",
    "BOOLEAN": "true or false",
    "TIMESTAMPTZ": "an ISO 8601 timestamp",
    "DATE": "a date (YYYY-MM-DD)",
}


@dataclass(frozen=True)
class ExportFile:
    path: Path  # absolute path on disk
    source_file: str  # path relative to the exports folder, as recorded in lineage columns
    modified_at: datetime


@dataclass
class BatchResult:
    tables: dict[str, pa.Table]
    quarantine: pa.Table


def read_batch(folder: ExportFolder, files: Sequence[ExportFile]) -> BatchResult:
    """Parse `files` (all of `folder`'s kind) into one Arrow table per raw table, plus quarantine rows."""
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        quarantined: list[pa.Table] = [_load_documents(con, folder, files)]
        quarantined.append(_reject_wrong_shapes(con, folder))
        _explode_records(con, folder)
        con.execute("CREATE TEMP TABLE rejected (source_file VARCHAR, record_index BIGINT)")
        tables: dict[str, pa.Table] = {}
        for table in folder.tables:
            good, bad = _extract_table(con, folder, table)
            tables[table.name] = good
            quarantined.append(bad)
        return BatchResult(tables=tables, quarantine=pa.concat_tables(quarantined))
    finally:
        con.close()


def _load_documents(
    con: duckdb.DuckDBPyConnection, folder: ExportFolder, files: Sequence[ExportFile]
) -> pa.Table:
    """Load each file's JSON document into `docs`; files DuckDB cannot parse become quarantine rows."""
    con.register(
        "batch_files_arrow",
        pa.table(
            {
                "path": [str(f.path) for f in files],
                "source_file": [f.source_file for f in files],
                "file_modified_at": pa.array([f.modified_at for f in files], pa.timestamp("us", tz="UTC")),
            }
        ),
    )
    con.execute("CREATE TEMP TABLE batch_files AS SELECT * FROM batch_files_arrow")
    con.execute(
        "CREATE TEMP TABLE docs (source_file VARCHAR, file_modified_at TIMESTAMPTZ, doc JSON)"
    )
    try:
        _insert_documents(con, files)
        return quarantine_schema().empty_table()
    except duckdb.Error:
        pass  # one or more files in the batch do not parse: fall back to reading them one by one
    rows = []
    for export_file in files:
        try:
            _insert_documents(con, [export_file])
        except duckdb.Error as error:
            con.execute("DELETE FROM batch_files WHERE source_file = ?", [export_file.source_file])
            reason = f"not valid JSON ({_first_line(error)}): expected {folder.expected_body}"
            rows.append(_file_row(export_file, reason, _file_excerpt(export_file)))
    return _quarantine_table(rows, entity=folder.tables[0].name)


def _insert_documents(con: duckdb.DuckDBPyConnection, files: Sequence[ExportFile]) -> None:
    paths = "[" + ", ".join(_sql_string(str(f.path)) for f in files) + "]"
    con.execute(
        f"""
        INSERT INTO docs
        SELECT f.source_file, f.file_modified_at, j.json
        FROM read_json_objects({paths}, format = 'unstructured', filename = true,
                               maximum_object_size = {MAX_BODY_BYTES}) AS j
        JOIN batch_files AS f ON f.path = j.filename
        """
    )


def _reject_wrong_shapes(con: duckdb.DuckDBPyConnection, folder: ExportFolder) -> pa.Table:
    """Quarantine files whose body is empty, several documents, or not the envelope the folder expects."""
    list_type = "json_type(json_extract(d.doc, '$.' || ?))" if folder.records_key else "json_type(d.doc)"
    params = [folder.records_key] if folder.records_key else []
    con.execute(
        f"""
        CREATE TEMP TABLE bad_files AS
        SELECT f.source_file, f.file_modified_at, f.path,
               count(d.doc) AS documents,
               min(json_type(d.doc)) AS body_type,
               min({list_type}) AS list_type
        FROM batch_files AS f LEFT JOIN docs AS d USING (source_file)
        GROUP BY ALL
        HAVING count(d.doc) <> 1 OR coalesce(min({list_type}), '') <> 'ARRAY'
        """,
        params + params,
    )
    rows = []
    for source_file, modified_at, path, documents, body_type, _ in con.execute(
        "SELECT * FROM bad_files ORDER BY source_file"
    ).fetchall():
        export_file = ExportFile(Path(path), source_file, modified_at)
        if documents == 0:
            reason = f"empty file: expected {folder.expected_body}"
        elif documents > 1:
            reason = f"holds {documents} JSON documents: expected one, {folder.expected_body}"
        elif folder.records_key and body_type == "OBJECT":
            reason = f"the body has no '{folder.records_key}' array: expected {folder.expected_body}"
        else:
            reason = f"the body is a JSON {body_type.lower()}: expected {folder.expected_body}"
        rows.append(_file_row(export_file, reason, _file_excerpt(export_file)))
    con.execute("DELETE FROM docs WHERE source_file IN (SELECT source_file FROM bad_files)")
    return _quarantine_table(rows, entity=folder.tables[0].name)


def _explode_records(con: duckdb.DuckDBPyConnection, folder: ExportFolder) -> None:
    """One row per record of every good document: `records(source_file, record_index, record_key, rec)`."""
    list_path = f"$.{folder.records_key}[*]" if folder.records_key else "$[*]"
    con.execute(
        f"""
        CREATE TEMP TABLE records AS
        WITH lists AS (
            SELECT source_file, file_modified_at, json_extract(doc, {_sql_string(list_path)}) AS recs FROM docs
        ),
        exploded AS (
            SELECT source_file, file_modified_at,
                   unnest(recs) AS rec,
                   unnest(range(len(recs))) AS record_index
            FROM lists
        )
        SELECT source_file, file_modified_at, record_index::BIGINT AS record_index,
               json_extract_string(rec, {_sql_string('$.' + folder.record_key_path)}) AS record_key,
               rec
        FROM exploded
        """
    )


def _extract_table(
    con: duckdb.DuckDBPyConnection, folder: ExportFolder, table: RawTable
) -> tuple[pa.Table, pa.Table]:
    """Extract, type and validate one raw table; return (good rows, quarantine rows)."""
    validated = _validated_sql(table)
    con.execute(f"CREATE OR REPLACE TEMP TABLE validated AS {validated}")
    names = ", ".join(f'"{c.name}"' for c in table.columns)
    key = ", ".join(f'"{k}"' for k in table.primary_key)
    good = con.sql(
        f"""
        SELECT {names}, source_file AS _source_file, record_index AS _record_index
        FROM validated WHERE len(reasons) = 0
        -- Overlapping pages deliver the same record version twice: keep one, from the latest file.
        QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY source_file DESC, record_index DESC) = 1
        """
    ).to_arrow_table()
    bad = con.sql(
        f"""
        SELECT v.source_file, {_sql_string(table.name)} AS entity, v.record_index, v.record_key,
               coalesce(v.row_label || ': ', '') || array_to_string(v.reasons, '; ') AS reason,
               left(r.rec::VARCHAR, {EXCERPT_CHARS}) AS record_excerpt, v.file_modified_at
        FROM validated AS v
        LEFT JOIN records AS r USING (source_file, record_index)
        WHERE len(v.reasons) > 0
        """
    ).to_arrow_table()
    con.execute(
        "INSERT INTO rejected SELECT DISTINCT source_file, record_index FROM validated WHERE len(reasons) > 0"
    )
    return good.cast(table.arrow_schema()), bad.cast(quarantine_schema())


def _validated_sql(table: RawTable) -> str:
    """SQL for `table`'s rows, typed, with a `reasons` list that is empty for a valid row."""
    base = table.explode_sql or _records_base_sql(table)
    raw_columns = ",\n".join(f'{_raw_expression(c)} AS "{c.name}__raw"' for c in table.columns)
    typed_columns = ",\n".join(_typed_expression(c) for c in table.columns)
    fallbacks = [f'coalesce("{c.name}", {c.fallback}) AS "{c.name}"' for c in table.columns if c.fallback]
    filled = f"SELECT * REPLACE ({', '.join(fallbacks)}) FROM typed" if fallbacks else "SELECT * FROM typed"
    return f"""
        WITH base AS ({base}),
        unrejected AS (
            SELECT * FROM base
            WHERE NOT EXISTS (
                SELECT 1 FROM rejected AS r
                WHERE r.source_file = base.source_file AND r.record_index = base.record_index
            )
        ),
        raw AS (SELECT *, {raw_columns} FROM unrejected),
        typed AS (
            SELECT *, {typed_columns},
                   list_filter([{", ".join(_parse_checks(table))}], lambda reason: reason IS NOT NULL) AS parse_reasons
            FROM raw
        ),
        filled AS ({filled})
        SELECT *,
               list_concat(parse_reasons,
                           list_filter([{", ".join(_required_checks(table))}], lambda reason: reason IS NOT NULL)
               ) AS reasons
        FROM filled
    """


def _records_base_sql(table: RawTable) -> str:
    structure = _json_structure([c for c in table.columns if c.path])
    return f"""
        SELECT source_file, file_modified_at, record_index, record_key, NULL::VARCHAR AS row_label, rec,
               json_transform(rec, {_sql_string(json.dumps(structure))}) AS t
        FROM records
    """


def _json_structure(columns: Sequence[Column]) -> dict:
    """The json_transform structure that pulls every path column out of a record in one parse."""
    structure: dict = {}
    for column in columns:
        head, _, list_tail = column.path.partition("[*].")
        *parents, leaf = head.split(".")
        node = structure
        for part in parents:
            node = node.setdefault(part, {})
        if list_tail:
            # Several columns may read fields of the same list's elements: merge them into one element.
            element = node.setdefault(leaf, [{}])[0]
            *element_parents, element_leaf = list_tail.split(".")
            for part in element_parents:
                element = element.setdefault(part, {})
            element[element_leaf] = "VARCHAR"
        else:
            node[leaf] = "JSON" if column.type == "JSON" else "VARCHAR"
    return structure


def _raw_expression(column: Column) -> str:
    if column.sql is not None:
        return f"({column.sql})::VARCHAR"
    head, _, list_tail = column.path.partition("[*].")
    accessor = "t" + "".join(f'."{p}"' for p in head.split("."))
    if list_tail:
        element = "e" + "".join(f'."{p}"' for p in list_tail.split("."))
        return f"to_json(list_transform({accessor}, lambda e: {element}))::VARCHAR"
    return f"{accessor}::VARCHAR"


def _typed_expression(column: Column) -> str:
    raw = f'"{column.name}__raw"'
    if column.type in ("VARCHAR", "JSON"):
        return f'{raw} AS "{column.name}"'
    return f'TRY_CAST({raw} AS {column.type}) AS "{column.name}"'


def _parse_checks(table: RawTable) -> list[str]:
    checks = ["NULL::VARCHAR"]
    for column in table.columns:
        if column.type in TYPE_NAMES:
            raw = f'"{column.name}__raw"'
            message = _sql_string(f"{column.path or column.name}: expected {TYPE_NAMES[column.type]}, got ")
            checks.append(
                f"CASE WHEN {raw} IS NOT NULL AND TRY_CAST({raw} AS {column.type}) IS NULL "
                f"THEN {message} || left({raw}, 80) END"
            )
    return checks


def _required_checks(table: RawTable) -> list[str]:
    checks = ["NULL::VARCHAR"]
    for column in table.columns:
        if column.required or column.name in table.primary_key:
            message = _sql_string(f"missing required field {column.path or column.name}")
            checks.append(f'CASE WHEN "{column.name}" IS NULL AND "{column.name}__raw" IS NULL THEN {message} END')
    return checks


def _file_row(export_file: ExportFile, reason: str, excerpt: str) -> dict:
    return {
        "source_file": export_file.source_file,
        "entity": None,
        "record_index": -1,
        "record_key": None,
        "reason": reason,
        "record_excerpt": excerpt,
        "file_modified_at": export_file.modified_at,
    }


def _quarantine_table(rows: list[dict], entity: str | None = None) -> pa.Table:
    for row in rows:
        row["entity"] = row["entity"] or entity
    return pa.Table.from_pylist(rows, schema=quarantine_schema())


def _file_excerpt(export_file: ExportFile) -> str:
    with open(export_file.path, "rb") as handle:
        return handle.read(EXCERPT_CHARS * 2).decode("utf-8", errors="replace")[:EXCERPT_CHARS]


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0][:300]


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def iter_tables(result: BatchResult) -> Iterator[tuple[str, pa.Table]]:
    """Every non-empty output of a batch, quarantine included, as (table name, rows)."""
    for name, rows in result.tables.items():
        if rows.num_rows:
            yield name, rows
    if result.quarantine.num_rows:
        yield QUARANTINE.name, result.quarantine
