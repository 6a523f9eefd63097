"""`delivery explain`: the fact rows behind one cell of a period mart, with the raw records and loads behind them.

Which rows make a cell is decided in dbt (`fct_metric_members`, built by the same macros as the marts) and
which member sets make a mart column is the seed `metric_cells`; this module only selects and prints them.
"""

from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from orchestration.lib.reading import fetch_dicts, read_only_session

GRAINS = ("team", "value_stream", "organisation")

# The marts behind each mart family of the metric_cells seed, by period.
FAMILY_MARTS = {
    ("dora_period", "week"): "mart_dora__weekly",
    ("dora_period", "month"): "mart_dora__monthly",
    ("flow_weekly", "week"): "mart_flow__weekly",
}

MEMBER_COLUMNS = (
    "role",
    "member_set",
    "fact_model",
    "fact_key",
    "event_at",
    "value_hours",
    "classification",
    "source_tool",
    "source_record_id",
    "source_file",
    "record_index",
    "dlt_load_id",
    "loaded_at",
)


class ExplainError(ValueError):
    """The cell asked for cannot be explained: unknown metric, grain, period or cell."""


@dataclass(frozen=True)
class Cell:
    """One cell of a period mart: a metric (mart column) of a team, value stream or the organisation in a period."""

    metric: str
    grain: str
    grain_key: str
    period: str  # "week" or "month"
    period_start: date


@dataclass
class Explanation:
    cell: Cell
    mart: str
    cell_value: object
    how_it_adds_up: str
    members: list[dict] = field(default_factory=list)

    def counts_by_role(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for member in self.members:
            counts[member["role"]] = counts.get(member["role"], 0) + 1
        return counts


def period_start_of(period: str, day: date) -> date:
    """The first day of the week (Monday) or month holding `day`, as the marts date their periods."""
    if period == "week":
        return date.fromordinal(day.toordinal() - day.weekday())
    if period == "month":
        return day.replace(day=1)
    raise ExplainError(f"period must be week or month, not {period!r}")


def explain(con: duckdb.DuckDBPyConnection, cell: Cell) -> Explanation:
    """The cell's value as the mart shows it and every member row behind it."""
    if cell.grain not in GRAINS:
        raise ExplainError(f"grain must be one of {', '.join(GRAINS)}, not {cell.grain!r}")
    definitions = _cell_definitions(con, cell.metric)
    family = definitions[0]["mart_family"]
    mart = FAMILY_MARTS.get((family, cell.period))
    if mart is None:
        raise ExplainError(f"{cell.metric} is a weekly measure of mart_flow__weekly: ask for a week")
    if family == "flow_weekly" and cell.grain != "team":
        raise ExplainError("mart_flow__weekly has one row per team and week: ask for a team")
    return Explanation(
        cell=cell,
        mart=mart,
        cell_value=_cell_value(con, mart, cell),
        how_it_adds_up=definitions[0]["how_it_adds_up"],
        members=_members(con, cell, definitions),
    )


def _cell_definitions(con: duckdb.DuckDBPyConnection, metric: str) -> list[dict]:
    rows = fetch_dicts(
        con,
        "select mart_family, member_set, role, member_filter, how_it_adds_up "
        "from mappings.metric_cells where mart_column = ? order by role",
        [metric],
    )
    if not rows:
        known = [r[0] for r in con.execute("select distinct mart_column from mappings.metric_cells order by 1").fetchall()]
        raise ExplainError(f"{metric!r} cannot be explained; these can: {', '.join(known)}")
    return rows


def _cell_value(con: duckdb.DuckDBPyConnection, mart: str, cell: Cell) -> object:
    if mart == "mart_flow__weekly":
        where, params = "team = ? and week_start = ?", [cell.grain_key, cell.period_start]
    else:
        where, params = "grain = ? and grain_key = ? and period_start = ?", [
            cell.grain,
            cell.grain_key,
            cell.period_start,
        ]
    rows = con.execute(f"select {cell.metric} from marts.{mart} where {where}", params).fetchall()
    if not rows:
        _unknown_grain_key(con, mart, cell)
        raise ExplainError(
            f"{mart} has no row for {cell.grain} {cell.grain_key!r} in the {cell.period} of {cell.period_start}"
        )
    return rows[0][0]


def _unknown_grain_key(con: duckdb.DuckDBPyConnection, mart: str, cell: Cell) -> None:
    """A team or value stream the mart never names at all: say which ones it knows (a slug, not a display
    name: `payments`, not `Payments`)."""
    if cell.grain == "organisation":
        return
    if mart == "mart_flow__weekly":
        sql = f"select distinct team from marts.{mart} order by 1"
    else:
        sql = f"select distinct grain_key from marts.{mart} where grain = ? order by 1"
    known = [key for (key,) in con.execute(sql, [] if mart == "mart_flow__weekly" else [cell.grain]).fetchall()]
    if cell.grain_key in known:
        return
    noun = cell.grain.replace("_", " ")
    close = difflib.get_close_matches(cell.grain_key.lower(), known, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ExplainError(f"{mart} has no {noun} {cell.grain_key!r}.{hint} Its {noun}s: {', '.join(known)}")


def _members(con: duckdb.DuckDBPyConnection, cell: Cell, definitions: list[dict]) -> list[dict]:
    period_column = "week_start" if cell.period == "week" else "month_start"
    grain_filter = {
        "team": "m.team = $grain_key",
        "value_stream": "m.value_stream = $grain_key",
        "organisation": "$grain_key = $grain_key",
    }[cell.grain]
    sql = f"""
        with loads as ({_loads_sql(con)})
        select
            c.role, m.member_set, m.fact_model, m.fact_key, m.event_at, m.value_hours, m.classification,
            m.source_tool, m.source_record_id, m._source_file as source_file, m._record_index as record_index,
            m._dlt_load_id as dlt_load_id, loads.inserted_at as loaded_at
        from marts.fct_metric_members as m
        inner join mappings.metric_cells as c
            on c.member_set = m.member_set
            and (c.member_filter is null or c.member_filter = m.classification)
        left join loads on loads.load_id = m._dlt_load_id
        where c.mart_family = $family and c.mart_column = $metric
            and m.{period_column} = $period_start
            and {grain_filter}
        order by case c.role when 'numerator' then 1 when 'denominator' then 2 else 0 end, m.event_at, m.fact_key
    """
    params = {
        "family": definitions[0]["mart_family"],
        "metric": cell.metric,
        "period_start": cell.period_start,
        "grain_key": cell.grain_key,
    }
    return fetch_dicts(con, sql, params)


def _loads_sql(con: duckdb.DuckDBPyConnection) -> str:
    """Every raw dataset's `_dlt_loads`, so each member shows when the load that brought it ran."""
    schemas = [
        r[0]
        for r in con.execute(
            "select table_schema from information_schema.tables "
            "where table_name = '_dlt_loads' and table_schema like 'raw\\_%' escape '\\' "
            "and table_catalog = current_database() order by 1"
        ).fetchall()
    ]
    if not schemas:
        return "select cast(null as varchar) as load_id, cast(null as timestamp) as inserted_at where false"
    return " union all ".join(f'select load_id, inserted_at from "{schema}"._dlt_loads' for schema in schemas)


def open_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    if not path.exists():
        raise ExplainError(f"{path} does not exist: run `delivery run` first")
    return read_only_session(path)


def to_csv(explanation: Explanation) -> str:
    """The member rows as CSV, one line per row, headed by the column names."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=MEMBER_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for member in explanation.members:
        writer.writerow({name: _text(member[name]) for name in MEMBER_COLUMNS})
    return out.getvalue()


def _text(value: object) -> str:
    return "" if value is None else str(value)
