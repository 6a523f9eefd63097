"""Reads a batch of export files with DuckDB and splits it into typed Arrow tables and quarantine rows.

Why DuckDB and Arrow: API bodies are large and deeply nested. Parsing them in DuckDB and handing dlt
Arrow tables is an order of magnitude faster than yielding Python dicts for dlt to normalise row by row.

A batch is parsed in one statement. If that fails (a file that is not JSON, or truncated), each file
is read on its own, so one bad file is quarantined and the rest of its batch still loads.
"""

from __future__ import annotations

import json
import re
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


# What a scalar column expects, in a reason; ids sent as numbers are fine for VARCHAR.
SCALAR_NAMES = {"VARCHAR": "a string", **TYPE_NAMES}
# json_type's answer, as a reason names it.
JSON_KINDS_SQL = """CASE {kind} WHEN 'OBJECT' THEN 'an object' WHEN 'ARRAY' THEN 'an array'
    WHEN 'VARCHAR' THEN 'a string' WHEN 'BOOLEAN' THEN 'a boolean' WHEN 'NULL' THEN 'null'
    ELSE 'a number' END"""


@dataclass(frozen=True)
class ShapeCheck:
    """A JSON value on a declared path and the kind it must have: a container the path goes through (or
    null), or a scalar where a scalar column reads it. Wrong kinds would otherwise become silent NULLs."""

    path: str  # as declared, for the reason: `user`, `labels`, `labels[*]`, `user.login`
    json_path: str  # DuckDB JSON path with quoted keys: `$."user"."login"`
    wants: str  # OBJECT, ARRAY or SCALAR
    expected: str  # for the reason: "an object"


@dataclass(frozen=True)
class ExportFile:
    path: Path  # absolute path on disk
    source_file: str  # path relative to the exports folder, as recorded in lineage columns
    modified_at: datetime
    size_bytes: int = 0
    # Why the listing refuses to have it opened (a link out of the landing folder, a directory...).
    not_read_because: str | None = None


@dataclass
class BatchResult:
    tables: dict[str, pa.Table]
    quarantine: pa.Table


def read_batch(folder: ExportFolder, files: Sequence[ExportFile]) -> BatchResult:
    """Parse `files` (all of `folder`'s kind) into one Arrow table per raw table, plus quarantine rows."""
    refused = [_refused_row(f, folder) for f in files if _refusal(f)]
    files = [f for f in files if not _refusal(f)]
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        quarantined: list[pa.Table] = [_quarantine_table(refused, entity=folder.tables[0].name)]
        quarantined.append(_load_documents(con, folder, files))
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
            rows.append(_unparsed_row(export_file, folder, error))
    return _quarantine_table(rows, entity=folder.tables[0].name)


def _refusal(export_file: ExportFile) -> str | None:
    """Why a file is not opened at all: the listing's reason, or a size no export page reaches."""
    if export_file.not_read_because:
        return export_file.not_read_because
    if export_file.size_bytes > MAX_BODY_BYTES:
        size = export_file.size_bytes
        return f"{size} bytes, more than the {MAX_BODY_BYTES} an export page may have: not read"
    return None


def _refused_row(export_file: ExportFile, folder: ExportFolder) -> dict:
    return _file_row(export_file, f"{_refusal(export_file)}: expected {folder.expected_body}", None)


def _unparsed_row(export_file: ExportFile, folder: ExportFolder, error: duckdb.Error) -> dict:
    """A file DuckDB could not read: gone or unreadable since it was listed, or not JSON (invalid UTF-8
    included). DuckDB's message names the file by its absolute path; the row names it relative."""
    try:
        excerpt = _file_excerpt(export_file)
    except OSError as os_error:
        reason = f"could not be read ({os_error.strerror or type(os_error).__name__})"
        return _file_row(export_file, f"{reason}: expected {folder.expected_body}", None)
    message = _first_line(error).replace(str(export_file.path), export_file.source_file)
    return _file_row(export_file, f"not valid JSON ({message}): expected {folder.expected_body}", excerpt)


def _insert_documents(con: duckdb.DuckDBPyConnection, files: Sequence[ExportFile]) -> None:
    if not files:
        return
    paths = "[" + ", ".join(_sql_string(_glob_literal(str(f.path))) for f in files) + "]"
    con.execute(
        f"""
        INSERT INTO docs
        SELECT f.source_file, f.file_modified_at, j.json
        FROM read_json_objects({paths}, format = 'unstructured', filename = true,
                               maximum_object_size = {MAX_BODY_BYTES}) AS j
        JOIN batch_files AS f ON f.path = j.filename
        """
    )


def _glob_literal(path: str) -> str:
    """The path as a DuckDB glob matching only itself. DuckDB globs every path it reads: a file named
    `page[1].json` would read `page1.json`, and one named `*.json` every page of its folder."""
    return re.sub(r"([\[*?])", r"[\1]", path)


def _records_list_sql(folder: ExportFolder, doc: str, suffix: str = "") -> str:
    """SQL for a document's record list (`suffix` `[*]`: its records, as a list): the body itself, or the
    first key of the envelope that holds an array."""
    keys = folder.records_keys()
    if not keys:
        return f"json_extract({doc}, '${suffix}')" if suffix else doc
    *preferred, last = keys
    last_path = f'$."{last}"{suffix}'
    expression = f"json_extract({doc}, {_sql_string(last_path)})"
    for key in reversed(preferred):
        path = f'$."{key}"'
        expression = (
            f"CASE WHEN json_type({doc}, {_sql_string(path)}) = 'ARRAY' "
            f"THEN json_extract({doc}, {_sql_string(path + suffix)}) ELSE {expression} END"
        )
    return expression


def _reject_wrong_shapes(con: duckdb.DuckDBPyConnection, folder: ExportFolder) -> pa.Table:
    """Quarantine files whose body is empty, several documents, or not the envelope the folder expects."""
    list_type = f"json_type({_records_list_sql(folder, 'd.doc')})"
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
        """
    )
    rows = []
    for source_file, modified_at, path, documents, body_type, _ in con.execute(
        "SELECT * FROM bad_files ORDER BY source_file"
    ).fetchall():
        export_file = ExportFile(Path(path), source_file, modified_at)
        excerpt = _excerpt_if_readable(export_file)
        if documents == 0:
            reason = f"empty file: expected {folder.expected_body}"
        elif documents > 1:
            reason = f"holds {documents} JSON documents: expected one, {folder.expected_body}"
        elif folder.records_key and body_type == "OBJECT":
            keys = " or ".join(f"'{key}'" for key in folder.records_keys())
            reason = f"the body has no {keys} array: expected {folder.expected_body}"
        else:
            reason = f"the body is a JSON {body_type.lower()}: expected {folder.expected_body}"
        rows.append(_file_row(export_file, reason, excerpt))
    con.execute("DELETE FROM docs WHERE source_file IN (SELECT source_file FROM bad_files)")
    return _quarantine_table(rows, entity=folder.tables[0].name)


def _explode_records(con: duckdb.DuckDBPyConnection, folder: ExportFolder) -> None:
    """One row per record of every good document: `records(source_file, record_index, record_key, rec)`."""
    con.execute(
        f"""
        CREATE TEMP TABLE records AS
        WITH lists AS (
            SELECT source_file, file_modified_at, {_records_list_sql(folder, "doc", "[*]")} AS recs
            FROM docs
        ),
        exploded AS (
            SELECT source_file, file_modified_at,
                   unnest(recs) AS rec,
                   unnest(range(len(recs))) AS record_index
            FROM lists
        )
        SELECT source_file, file_modified_at, record_index::BIGINT AS record_index,
               json_extract_string(rec, {_sql_string("$." + folder.record_key_path)}) AS record_key,
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
    plain, elements = ([], []) if table.explode_sql else _shape_checks(table)
    checks = _shape_check_sql(plain, elements) + _parse_checks(table, _container_leaves(plain))
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
                   list_filter([{", ".join(checks)}], lambda reason: reason IS NOT NULL) AS parse_reasons
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
        SELECT *{_shape_columns_sql(structure, *_shape_checks(table))}
        FROM (
            SELECT source_file, file_modified_at, record_index, record_key, NULL::VARCHAR AS row_label, rec,
                   json_transform(rec, {_sql_string(json.dumps(structure))}) AS t
            FROM records
        )
    """


def _shape_checks(table: RawTable) -> tuple[list[ShapeCheck], list[ShapeCheck]]:
    """The JSON kinds the declared paths need: (checks of plain paths, checks of list elements).

    `user.login` needs `user` to be an object; `labels[*].name` needs `labels` to be an array of objects;
    a scalar column (not JSON) needs a scalar. Null or absent is always fine: required fields say so."""
    # A record that is not an object (a page of strings) would read as all-NULL fields.
    plain: dict[str, ShapeCheck] = {"record": ShapeCheck("record", "$", "OBJECT", "an object")}
    elements: dict[str, ShapeCheck] = {}
    for column in table.columns:
        if not column.path:
            continue
        head, _, list_tail = column.path.partition("[*].")
        parts = head.split(".")
        for depth in range(1, len(parts)):
            _add_check(plain, parts[:depth], "", "OBJECT")
        if list_tail:
            _add_check(plain, parts, "", "ARRAY")
            _add_check(elements, parts, "[*]", "OBJECT")
        elif column.type != "JSON":
            _add_check(plain, parts, "", "SCALAR", SCALAR_NAMES[column.type])
    return list(plain.values()), list(elements.values())


def _add_check(
    checks: dict[str, ShapeCheck], parts: list[str], suffix: str, wants: str, expected: str = ""
) -> None:
    path = ".".join(parts) + suffix
    json_path = "$" + "".join(f'."{part}"' for part in parts) + suffix
    expected = expected or {"OBJECT": "an object", "ARRAY": "an array"}[wants]
    checks.setdefault(path, ShapeCheck(path, json_path, wants, expected))


def _shape_columns_sql(structure: dict, plain: list[ShapeCheck], elements: list[ShapeCheck]) -> str:
    """The JSON kinds of the checked values: plain paths in one parse (`_shapes`), each list in its own
    (DuckDB takes no wildcard among several paths). Parsing a record again costs as much as reading it, so
    kinds are asked only of records whose transformed values could hide a wrong kind (`_suspicions`)."""
    columns = []
    if plain:
        paths = ", ".join(_sql_string(check.json_path) for check in plain)
        suspected = " OR ".join(_suspicions(structure, "t"))
        columns.append(f"CASE WHEN {suspected} THEN json_type(rec, [{paths}]) END AS _shapes")
    for index, check in enumerate(elements):
        parts = check.path.removesuffix("[*]").split(".")
        element = _structure_node(structure, parts)[0]
        accessor = "t" + "".join(f'."{part}"' for part in parts)
        suspected = f"len(list_filter({accessor}, lambda e: {_all_fields_null(element, 'e')})) > 0"
        columns.append(f"CASE WHEN {suspected} THEN json_type(rec, {_sql_string(check.json_path)}) END "
                       f"AS _elements_{index}")
    return "".join(f",\n{column}" for column in columns)


def _suspicions(node: dict, accessor: str) -> list[str]:
    """Conditions under which json_transform's result may hide a wrong kind. It reads a non-object as an
    object whose fields are all null, a non-array as a null list, and a container as a string's JSON text;
    a null or absent value is a null struct, and needs no check."""
    conditions = [_all_fields_null(node, accessor)]
    for key, child in node.items():
        child_accessor = f'{accessor}."{key}"'
        if isinstance(child, dict):
            conditions += _suspicions(child, child_accessor)
        elif isinstance(child, list):
            conditions.append(f"{child_accessor} IS NULL")
        elif child == "VARCHAR":
            conditions.append(f"left({child_accessor}, 1) IN ('{{', '[')")
    return conditions


def _all_fields_null(node: dict, accessor: str) -> str:
    fields = " AND ".join(f'{accessor}."{key}" IS NULL' for key in node)
    return f"({accessor} IS NOT NULL AND {fields})"


def _structure_node(structure: dict, parts: list[str]) -> dict | list:
    node = structure
    for part in parts:
        node = node[part]
    return node


def _shape_check_sql(plain: list[ShapeCheck], elements: list[ShapeCheck]) -> list[str]:
    """One reason per value of the wrong kind: "user: expected an object, got a string"."""
    reasons = []
    for index, check in enumerate(plain, start=1):
        kind = f"_shapes[{index}]"
        wrong = (
            f"{kind} IN ('OBJECT', 'ARRAY')"
            if check.wants == "SCALAR"
            else f"{kind} NOT IN ('{check.wants}', 'NULL')"
        )
        reasons.append(_wrong_kind_reason(check, wrong, kind))
    for index, check in enumerate(elements):
        kind = f"list_filter(_elements_{index}, lambda k: k NOT IN ('OBJECT', 'NULL'))[1]"
        reasons.append(_wrong_kind_reason(check, f"{kind} IS NOT NULL", kind))
    return reasons


def _wrong_kind_reason(check: ShapeCheck, wrong: str, kind: str) -> str:
    message = _sql_string(f"{check.path}: expected {check.expected}, got ")
    return f"CASE WHEN {wrong} THEN {message} || {JSON_KINDS_SQL.format(kind=kind)} END"


def _container_leaves(plain: list[ShapeCheck]) -> dict[str, str]:
    """For each scalar path, SQL that is true when its value is an object or array (already reported)."""
    return {
        check.path: f"coalesce(_shapes[{index}] IN ('OBJECT', 'ARRAY'), false)"
        for index, check in enumerate(plain, start=1)
        if check.wants == "SCALAR"
    }


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


def _parse_checks(table: RawTable, container_leaves: dict[str, str]) -> list[str]:
    """A scalar that does not parse as its column's type; a container there has its own reason."""
    checks = ["NULL::VARCHAR"]
    for column in table.columns:
        if column.type in TYPE_NAMES:
            raw = f'"{column.name}__raw"'
            message = _sql_string(f"{column.path or column.name}: expected {TYPE_NAMES[column.type]}, got ")
            reported = f" AND NOT {container_leaves[column.path]}" if column.path in container_leaves else ""
            checks.append(
                f"CASE WHEN {raw} IS NOT NULL AND TRY_CAST({raw} AS {column.type}) IS NULL{reported} "
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


def _file_row(export_file: ExportFile, reason: str, excerpt: str | None) -> dict:
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
    """The file's first characters, for the data engineer (raw quarantine tables are never published)."""
    with open(export_file.path, "rb") as handle:
        return handle.read(EXCERPT_CHARS * 2).decode("utf-8", errors="replace")[:EXCERPT_CHARS]


def _excerpt_if_readable(export_file: ExportFile) -> str | None:
    try:
        return _file_excerpt(export_file)
    except OSError:
        return None  # parsed a moment ago, gone or unreadable now: the reason stands without it


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
