"""Forecasts and bottlenecks: when each backlog is done, each epic's chance of being on time, the stuck
items and where work waited.

The rows come from marts.mart_backlog_forecast, mart_epic_forecast__weekly, mart_aging_wip and
mart_bottlenecks__weekly as they are (docs/forecasting.md); nothing here computes a forecast.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

import duckdb

from orchestration.cli.report import charts
from orchestration.cli.report.markup import (
    Column,
    cell,
    column_cells,
    count,
    day,
    figure,
    hours,
    note,
    percent,
    section,
    table,
    text,
)
from orchestration.cli.report.queries import Row, latest_complete_week
from orchestration.lib.reading import fetch_dicts

# Epics drawn in the on-time chart (the report's line charts draw at most six series) and rows listed.
ON_TIME_EPICS = 6
STUCK_ITEMS_LIMIT = 20


def _growth(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}/week"


BACKLOG_COLUMNS = (
    Column("Items left", "remaining_item_count", count),
    Column("Growth", "scope_growth_per_week", _growth),
    Column("50 %", "p50_completion_date", day),
    Column("70 %", "p70_completion_date", day),
    Column("85 %", "p85_completion_date", day),
    Column("95 %", "p95_completion_date", day),
    Column("85 % by quarter end", "p85_items_by_quarter_end", count),
    Column("Next N items, 85 %", "p85_item_count_completion_date", day),
)
EPIC_COLUMNS = (
    Column("Due", "due_date", day),
    Column("Items left", "remaining_item_count", count),
    Column("On time", "probability_on_time", percent),
    Column("50 %", "p50_completion_date", day),
    Column("85 %", "p85_completion_date", day),
    Column("95 %", "p95_completion_date", day),
)
STUCK_COLUMNS = (
    Column("Flow item", "flow_item"),
    Column("Status", "current_status"),
    Column("Age in flow", "age_in_flow_hours", hours),
    Column("In status", "age_in_status_hours", hours),
    Column("Team 85th", "team_flow_time_p85_hours", hours),
)
BOTTLENECK_COLUMNS = (
    Column("Place", "place"),
    Column("Waiting", "waiting_hours", hours),
    Column("Share of flow time", "share_of_flow_time", percent),
    Column("Baseline share", "baseline_share_of_flow_time", percent),
    Column("Trend", "share_trend_ratio", lambda v: "—" if v is None else f"{v:.2f}×"),
)


@dataclass(frozen=True)
class ForecastData:
    backlogs: list[Row]
    open_epics: list[Row]
    on_time_weekly: list[Row]
    stuck_items: list[Row]
    bottlenecks: list[Row]


def read_forecast_data(con: duckdb.DuckDBPyConnection) -> ForecastData:
    """The section's rows, read in the report's read-only session."""
    return ForecastData(
        backlogs=fetch_dicts(
            con,
            "SELECT * FROM marts.mart_backlog_forecast "
            "ORDER BY CASE scope_type WHEN 'value_stream' THEN 0 ELSE 1 END, value_stream, scope_key",
        ),
        open_epics=fetch_dicts(
            con,
            """
            SELECT * FROM marts.mart_epic_forecast__weekly
            WHERE remaining_item_count > 0
              AND week_start = (SELECT max(week_start) FROM marts.mart_epic_forecast__weekly)
            ORDER BY due_date NULLS LAST, epic_key
            """,
        ),
        on_time_weekly=_on_time_weekly(con),
        stuck_items=fetch_dicts(
            con,
            "SELECT * FROM marts.mart_aging_wip WHERE is_over_p85 "
            "ORDER BY age_in_flow_hours DESC, issue_key LIMIT ?",
            [STUCK_ITEMS_LIMIT],
        ),
        bottlenecks=_latest_bottlenecks(con),
    )


def _on_time_weekly(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """probability_on_time week by week of the epics with the latest due dates that have one."""
    return fetch_dicts(
        con,
        """
        WITH chosen AS (
            SELECT epic_key, max(due_date) AS due_date FROM marts.mart_epic_forecast__weekly
            WHERE probability_on_time IS NOT NULL
            GROUP BY epic_key ORDER BY due_date DESC, epic_key LIMIT ?
        )
        SELECT epic_key, week_start, probability_on_time
        FROM marts.mart_epic_forecast__weekly JOIN chosen USING (epic_key)
        WHERE probability_on_time IS NOT NULL
        ORDER BY chosen.due_date, epic_key, week_start
        """,
        [ON_TIME_EPICS],
    )


def _latest_bottlenecks(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """Each value stream's largest and growing bottleneck in the latest week that ended by the publish
    day (the newest week if none did)."""
    return fetch_dicts(
        con,
        f"""
        {latest_complete_week("marts.mart_bottlenecks__weekly")}
        SELECT * FROM marts.mart_bottlenecks__weekly JOIN chosen USING (week_start)
        WHERE is_largest_bottleneck OR is_growing_bottleneck
        ORDER BY value_stream, is_largest_bottleneck DESC, place_type, place
        """,
    )


def forecasts_section(data: ForecastData) -> str:
    return section(
        "forecasts",
        "Forecasts and bottlenecks",
        note(
            "Monte Carlo forecasts from <code>marts.mart_backlog_forecast</code> and "
            "<code>marts.mart_epic_forecast__weekly</code>: each trial samples the scope's weekly throughput "
            "of the last weeks and adds its scope growth; a date at 85 % is the date by which 85 % of the "
            "trials finished (docs/forecasting.md)."
        ),
        "<h3>When each backlog is done</h3>",
        _backlog_table(data.backlogs),
        "<h3>Open epics, newest week</h3>",
        _epic_table(data.open_epics),
        figure(_on_time_chart(data.on_time_weekly), "Probability of finishing by the due date, week by week"),
        "<h3>Stuck items: older in flow than their team's 85th percentile</h3>",
        note("From <code>marts.mart_aging_wip</code>, oldest first."),
        _stuck_table(data.stuck_items),
        "<h3>Where work waited, latest complete week</h3>",
        note(
            "From <code>marts.mart_bottlenecks__weekly</code>: per value stream, the place with the most "
            "waiting hours and the one waiting most beyond its trailing share."
        ),
        _bottleneck_table(data.bottlenecks),
    )


def _scope_label(row: Row) -> str:
    if row["scope_type"] == "value_stream":
        return f"<strong>{escape(row['scope_key'])}</strong>"
    return f'{escape(row["scope_key"])} <span class="muted">{escape(row["value_stream"] or "")}</span>'


def _backlog_table(rows: list[Row]) -> str:
    item_count = rows[0]["forecast_item_count"] if rows else None
    body = [
        f'<tr data-scope="{escape(row["scope_type"])}:{escape(row["scope_key"])}">'
        + cell(_scope_label(row), row["scope_key"], column="scope_key")
        + column_cells(row, BACKLOG_COLUMNS)
        + "</tr>"
        for row in rows
    ]
    headings = [c.heading for c in BACKLOG_COLUMNS]
    if item_count is not None:
        headings[-1] = f"Next {item_count} items, 85 %"
    return table(["Team or value stream", *headings], body, "backlog-forecasts")


def _epic_table(rows: list[Row]) -> str:
    return _team_item_table(rows, "epic_key", "epic", "Epic", EPIC_COLUMNS, "epic-forecasts")


def _on_time_chart(rows: list[Row]) -> str:
    epics = list(dict.fromkeys(row["epic_key"] for row in rows))
    series = [
        charts.Series(
            epic,
            [(row["week_start"], row["probability_on_time"]) for row in rows if row["epic_key"] == epic],
            charts.PALETTE[index % len(charts.PALETTE)],
        )
        for index, epic in enumerate(epics)
    ]
    return charts.line_chart(
        series, label="Probability of finishing by the due date", value_format=_percent_tick, value_max=1.0
    )


def _percent_tick(value: float) -> str:
    return f"{value * 100:g} %"


def _stuck_table(rows: list[Row]) -> str:
    return _team_item_table(rows, "issue_key", "issue", "Item", STUCK_COLUMNS, "stuck-items")


def _team_item_table(rows: list[Row], key: str, data_name: str, heading: str, columns, table_class: str) -> str:
    """One row per work item: its key, its team, then `columns`."""
    body = [
        f'<tr data-{data_name}="{escape(row[key])}">'
        + cell(f"<code>{escape(row[key])}</code>", row[key], column=key)
        + cell(escape(text(row["team"])), row["team"], column="team")
        + column_cells(row, columns)
        + "</tr>"
        for row in rows
    ]
    return table([heading, "Team", *(c.heading for c in columns)], body, table_class)


def _bottleneck_table(rows: list[Row]) -> str:
    body = [
        f'<tr data-value-stream="{escape(row["value_stream"] or "")}" data-week="{_iso(row["week_start"])}">'
        + cell(escape(text(row["value_stream"])), row["value_stream"], column="value_stream")
        + cell(escape(_why(row)), column="why")
        + cell(escape(row["place_type"]), row["place_type"], column="place_type")
        + column_cells(row, BOTTLENECK_COLUMNS)
        + "</tr>"
        for row in rows
    ]
    headings = ["Value stream", "Bottleneck", "Kind", *(c.heading for c in BOTTLENECK_COLUMNS)]
    return table(headings, body, "bottlenecks")


def _why(row: Row) -> str:
    flags = (("largest", "is_largest_bottleneck"), ("growing", "is_growing_bottleneck"))
    return " and ".join(kind for kind, flag in flags if row[flag])


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""
