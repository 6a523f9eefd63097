"""The flow overview: each team's latest complete week, its weekly charts, the highest-friction handoffs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

from orchestration.cli.report import charts
from orchestration.cli.report.charts import PALETTE, Series
from orchestration.cli.report.markup import (
    DASH,
    Column,
    axis_format,
    cell,
    column_cells,
    count,
    day,
    explain_command,
    explain_details,
    few_data_mark,
    figure,
    grid,
    hours,
    note,
    percent,
    points,
    section,
    table,
    team_heading,
)
from orchestration.cli.report.queries import HANDOFF_WEEKS, ReportData, Row, flagged_weeks, rows_of, teams

FLOW_ITEM_COLORS = {"feature": "#2f6fdf", "defect": "#d93025", "risk": "#f9ab00", "debt": "#7e57c2"}
SMALL_CHART = {"width": 360, "height": 170}

WEEK_COLUMNS = (
    Column("Items done", "items_done", count),
    Column("Flow time median", "flow_time_median_hours", hours),
    Column("Flow time p85", "flow_time_p85_hours", hours),
    Column("Flow load", "flow_load", count),
    Column("Flow efficiency", "flow_efficiency", percent),
)
DELIVERY_COLUMNS = (
    Column("Delivery lead time median", "delivery_lead_time_median_hours", hours),
    Column("Items delivered", "items_delivered", count),
)


@dataclass(frozen=True)
class TeamChart:
    """A line chart of each team's weeks: (legend name, mart column, colour) per line, in one format."""

    caption: str
    lines: tuple[tuple[str, str, str], ...]
    fmt: Callable[[Any], str]


TEAM_LINE_CHARTS = (
    TeamChart(
        "Flow time of items done (median, p85)",
        (("median", "flow_time_median_hours", PALETTE[0]), ("p85", "flow_time_p85_hours", PALETTE[1])),
        hours,
    ),
    TeamChart("Flow load (work in progress at week end)", (("flow load", "flow_load", PALETTE[3]),), count),
    TeamChart("Flow efficiency", (("flow efficiency", "flow_efficiency", PALETTE[2]),), percent),
    TeamChart(
        "Product delivery lead time, median (created to production)",
        (("median", "delivery_lead_time_median_hours", PALETTE[5]),),
        hours,
    ),
)
# The week's values that rest on its items done: marked "few data" when the mart's is_few_data is true.
FEW_DATA_COLUMNS = frozenset(
    {"flow_time_median_hours", "flow_time_p85_hours", "flow_efficiency", "flow_distribution"}
)
HANDOFF_COLUMNS = (
    Column("Handoffs", "handoff_count", count),
    Column("Wait median", "wait_median_hours", hours),
    Column("Wait p85", "wait_p85_hours", hours),
    Column("Wait total", "wait_total_hours", hours),
    Column("Bounce-back rate", "bounce_back_rate", percent),
)


def flow_section(data: ReportData) -> str:
    if not data.flow_week:
        return section("flow", "Flow overview", '<p class="none">No flow rows published.</p>')
    week: date = data.flow_week[0]["week_start"]
    return section(
        "flow",
        f"Flow overview: week of {week:%Y-%m-%d}",
        f'<p class="note" id="flow-week" data-week-start="{week.isoformat()}">The latest complete week of '
        "<code>marts.mart_flow__weekly</code>, team by team. "
        '<mark class="few-data">few data</mark>: fewer items done than the setting '
        "<code>few_data_minimum</code>. Open <em>rows</em> for the <code>delivery explain</code> "
        "command.</p>",
        _week_table(data.flow_week),
        "<h3>Team by team, weekly</h3>",
        note("Shaded: the weeks <code>marts.mart_delivery_risk__weekly</code> flags the team."),
        *(_team_card(data, team) for team in teams(data)),
        f"<h3>Highest-friction handoffs, last {HANDOFF_WEEKS} complete weeks</h3>",
        note(
            "Rank 1 of its receiving team, week and pair type in <code>marts.mart_handoffs__weekly</code> "
            "(where work waited longest in total), longest first; pairs where nothing waited are left out."
        ),
        _handoff_table(data.handoffs),
    )


def _week_table(rows: list[Row]) -> str:
    headings = [
        "Team",
        *(c.heading for c in WEEK_COLUMNS),
        "Flow distribution",
        *(c.heading for c in DELIVERY_COLUMNS),
    ]
    body = [
        f'<tr data-team="{escape(row["team"])}">{team_heading(row["team"], row["value_stream"])}'
        f"{_week_cells(row, WEEK_COLUMNS)}{_distribution_cell(row)}"
        f"{_week_cells(row, DELIVERY_COLUMNS)}</tr>"
        for row in rows
    ]
    return table(headings, body, "flow")


def _week_cells(row: Row, columns: tuple[Column, ...]) -> str:
    """Each value of the team's week, marked when it rests on few items, with its explain command."""
    cells = []
    for column in columns:
        value = row[column.name]
        is_few_data = column.name in FEW_DATA_COLUMNS and row["is_few_data"]
        command = explain_command(column.name, "team", row["team"], "week", row["week_start"])
        html = f"{escape(column.fmt(value))}{few_data_mark(is_few_data)}{_efficiency_parts(row, column)}"
        css_class = "few-data-cell" if is_few_data else ""
        html += explain_details(command)
        cells.append(cell(html, value, css_class, column=column.name, explain=command))
    return "".join(cells)


def _efficiency_parts(row: Row, column: Column) -> str:
    """Flow efficiency's numerator and denominator, as the mart gives them."""
    if column.name != "flow_efficiency" or row["flow_efficiency"] is None:
        return ""
    active, flow = row["flow_efficiency_active_hours"], row["flow_efficiency_flow_time_hours"]
    return f'<span class="detail">{escape(hours(active))} active of {escape(hours(flow))}</span>'


def _distribution_cell(row: Row) -> str:
    is_few_data = bool(row["is_few_data"] and row["items_done"])
    return cell(f"{_distribution(row)}{few_data_mark(is_few_data)}", column="flow_distribution",
                css_class="few-data-cell" if is_few_data else "")


def _distribution(row: Row) -> str:
    """The shares of the four flow items among the items done, as the mart gives them."""
    shares = [
        f'<span class="share" data-item="{item}" data-value="{row[f"{item}_share"]!r}">'
        f'<i style="background:{color}"></i>{item} {percent(row[f"{item}_share"])}</span>'
        for item, color in FLOW_ITEM_COLORS.items()
        if row[f"{item}_share"]
    ]
    return " ".join(shares) or DASH


def _team_card(data: ReportData, team: str) -> str:
    rows = rows_of(data.flow_weekly, team=team)
    flagged = flagged_weeks(data, team)
    throughput = figure(_throughput_chart(team, rows, flagged), "Throughput: items done by flow item")
    lines = [figure(_line_chart(team, spec, rows, flagged), spec.caption) for spec in TEAM_LINE_CHARTS]
    flags = f' <span class="flag-count">{len(flagged)} flagged weeks</span>' if flagged else ""
    stream = escape(rows[0]["value_stream"] or "") if rows else ""
    return (
        f'<div class="team-card" data-team="{escape(team)}">'
        f'<h4>{escape(team)} <span class="muted">{stream}</span>{flags}</h4>'
        f"{grid([throughput, *lines], 3)}</div>"
    )


def _throughput_chart(team: str, rows: list[Row], flagged: list[date]) -> str:
    layers = [Series(item, points(rows, f"{item}s_done"), color) for item, color in FLOW_ITEM_COLORS.items()]
    return charts.stacked_bar_chart(
        layers, label=f"{team}: items done by flow item", value_format=axis_format(count),
        highlight_weeks=flagged, **SMALL_CHART,
    )  # fmt: skip


def _line_chart(team: str, spec: TeamChart, rows: list[Row], flagged: list[date]) -> str:
    series = [Series(name, points(rows, column), color) for name, column, color in spec.lines]
    return charts.line_chart(
        series, label=f"{team}: {spec.caption}", value_format=axis_format(spec.fmt), highlight_weeks=flagged,
        **SMALL_CHART,
    )  # fmt: skip


def _handoff_table(rows: list[Row]) -> str:
    headings = ["Week", "Receiving team", "Handoff", *(c.heading for c in HANDOFF_COLUMNS)]
    body = [
        "<tr>"
        + cell(day(row["week_start"]), row["week_start"], column="week_start")
        + cell(escape(row["team"]), row["team"], column="team")
        + cell(_handoff_pair(row), column="handoff")
        + column_cells(row, HANDOFF_COLUMNS)
        + "</tr>"
        for row in rows
    ]
    return table(headings, body, "handoffs")


def _handoff_pair(row: Row) -> str:
    pair = f"{escape(row['from_value'])} → {escape(row['to_value'])}"
    return f'{pair} <span class="muted">{escape(row["pair_type"])}</span>'
