"""`delivery explain` for a Monte Carlo forecast: the throughput weeks a forecast row sampled.

A forecast is not a sum of rows: each trial draws its weeks ahead from the scope's history weeks, every week
with the same chance. What explains a forecast row is that history, which dbt publishes in
`marts.mart_forecast__history_weeks`; this module only selects and prints it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

import duckdb
from rich.console import Console
from rich.table import Table

from orchestration.cli.explain import ExplainError
from orchestration.lib.reading import fetch_dicts

# The forecast columns of mart_epic_forecast__weekly and mart_backlog_forecast.
FORECAST_METRIC = re.compile(
    r"p(50|70|85|95)_(completion_date|items_by_due_date|items_by_quarter_end|item_count_completion_date)"
    r"|probability_on_time|scope_growth_per_week|history_weeks"
)
WEEK_COLUMNS = ("history_week_start", "history_position", "items_done", "items_added", "history_key")


def is_forecast_metric(metric: str) -> bool:
    return FORECAST_METRIC.fullmatch(metric) is not None


@dataclass(frozen=True)
class ForecastRow:
    """One forecast row: a metric of an epic's, team's or value stream's forecast made in a week."""

    metric: str
    scope_type: str  # epic, team or value_stream
    scope_key: str
    week_start: date | None  # None: the newest week of the mart


@dataclass
class ForecastExplanation:
    row: ForecastRow
    mart: str
    week_start: date
    value: object
    forecast_trials: int
    forecast_seed: int
    weeks: list[dict] = field(default_factory=list)


def explain_forecast(con: duckdb.DuckDBPyConnection, row: ForecastRow) -> ForecastExplanation:
    """The forecast's value as its mart shows it and the history weeks its trials drew from."""
    mart, where, params = _mart_row(row)
    found = fetch_dicts(
        con,
        f"select week_start, {row.metric} as value, forecast_trials, forecast_seed from marts.{mart} "
        f"where {where} order by week_start desc limit 1",
        params,
    )
    if not found:
        raise ExplainError(f"{mart} has no forecast for {row.scope_type} {row.scope_key!r}{_in_week(row)}")
    if found[0]["forecast_trials"] is None:
        raise ExplainError(
            f"{row.scope_type} {row.scope_key!r} has no Monte Carlo forecast{_in_week(row)}: no due date or no "
            "items left (docs/forecasting.md)"
        )
    week_start = found[0]["week_start"]
    weeks = fetch_dicts(
        con,
        f"select {', '.join(WEEK_COLUMNS)} from marts.mart_forecast__history_weeks "
        "where scope_type = ? and scope_key = ? and week_start = ? order by history_week_start",
        [row.scope_type, row.scope_key, week_start],
    )
    return ForecastExplanation(
        row, mart, week_start, found[0]["value"], found[0]["forecast_trials"], found[0]["forecast_seed"], weeks
    )


def _mart_row(row: ForecastRow) -> tuple[str, str, list]:
    week = [] if row.week_start is None else [row.week_start]
    week_filter = "" if row.week_start is None else " and week_start = ?"
    if row.scope_type == "epic":
        return "mart_epic_forecast__weekly", "epic_key = ?" + week_filter, [row.scope_key, *week]
    return (
        "mart_backlog_forecast",
        "scope_type = ? and scope_key = ?" + week_filter,
        [row.scope_type, row.scope_key, *week],
    )


def _in_week(row: ForecastRow) -> str:
    return "" if row.week_start is None else f" in the week of {row.week_start}"


def render_forecast(explanation: ForecastExplanation, console: Console) -> None:
    row = explanation.row
    count = len(explanation.weeks)
    console.print(
        f"[bold]{row.metric}[/bold] of {row.scope_type.replace('_', ' ')} [bold]{row.scope_key}[/bold], "
        f"forecast in the week of {explanation.week_start} ({explanation.mart}): "
        f"[bold]{explanation.value}[/bold]"
    )
    console.print(
        f"{explanation.forecast_trials} trials (seed {explanation.forecast_seed}); each week ahead of a trial "
        f"does what one of these {count} history weeks did, each drawn with chance 1/{count}."
    )
    table = Table("History week", "Items done", "Items added")
    for week in explanation.weeks:
        table.add_row(str(week["history_week_start"]), str(week["items_done"]), str(week["items_added"]))
    console.print(table)


def forecast_csv(explanation: ForecastExplanation) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=WEEK_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for week in explanation.weeks:
        writer.writerow({name: "" if week[name] is None else str(week[name]) for name in WEEK_COLUMNS})
    return out.getvalue()
