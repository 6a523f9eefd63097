"""Risk flags: signals by team and week, the flagged team-weeks with their reasons, and late epics."""

from __future__ import annotations

from html import escape

from orchestration.cli.report import charts
from orchestration.cli.report.markup import (
    Column,
    cell,
    column_cells,
    count,
    day,
    figure,
    note,
    section,
    table,
)
from orchestration.cli.report.queries import ReportData, Row, teams

# Cells of the strip: no signal raised, signals raised but not flagged, flagged.
RISK_LEVELS = (
    (0, "#e8ebf0", "no signal"),
    (1, "#f6c26b", "signal raised, not flagged"),
    (2, "#d93025", "flagged"),
)
EPIC_COLUMNS = (
    Column("Week", "week_start", day),
    Column("Due", "due_date", day),
    Column("Why", "risk_reason"),
)


def risk_section(data: ReportData) -> str:
    return section(
        "risk",
        "Risk flags",
        note(
            "From <code>marts.mart_delivery_risk__weekly</code>: each team-week compares its last 4 weeks "
            "with the 12 before (flow time, handoff wait, flow load); the mart flags a team-week when enough "
            "signals are raised together."
        ),
        figure(_signal_strip(data), "Risk signals by team and week"),
        "<h3>Flagged team-weeks, newest first</h3>",
        _flagged_table(data.flagged_weeks),
        "<h3>Late epic forecasts</h3>",
        note("From <code>marts.mart_epic_forecast__weekly</code>: the epics late in its newest week."),
        _epic_table(data.late_epics_now, "late-now"),
        "<h3>When each late epic was first flagged</h3>",
        note("Every epic ever forecast late, at the first week it was: how early the warning came."),
        _epic_table(data.late_epics_first_flagged, "late-first"),
    )


def _signal_strip(data: ReportData) -> str:
    cells = {(row["team"], row["week_start"]): _level(row) for row in data.risk_weekly}
    return charts.week_strip(teams(data), cells, label="Risk signals by team and week", levels=RISK_LEVELS)


def _level(row: Row) -> int:
    if row["is_flagged"]:
        return 2
    return 1 if row["signals_raised"] else 0


def _flagged_table(rows: list[Row]) -> str:
    body = [
        f'<tr data-team="{escape(row["team"])}" data-week="{row["week_start"].isoformat()}">'
        + cell(day(row["week_start"]), row["week_start"], column="week_start")
        + cell(
            f'{escape(row["team"])} <span class="muted">{escape(row["value_stream"] or "")}</span>',
            column="team",
        )
        + cell(count(row["signals_raised"]), row["signals_raised"], column="signals_raised")
        + cell(_reasons(row["flag_reasons"]), row["flag_reasons"], column="flag_reasons")
        + "</tr>"
        for row in rows
    ]
    return table(["Week", "Team", "Signals raised", "Reasons"], body, "flagged")


def _reasons(flag_reasons: str | None) -> str:
    """The mart's reasons, one per line: it separates them with semicolons."""
    reasons = [reason.strip() for reason in (flag_reasons or "").split(";") if reason.strip()]
    return "<ul>" + "".join(f"<li>{escape(reason)}</li>" for reason in reasons) + "</ul>"


def _epic_table(rows: list[Row], css_class: str) -> str:
    body = [
        f'<tr data-epic="{escape(row["epic_key"])}">'
        + cell(f"<code>{escape(row['epic_key'])}</code>", row["epic_key"], column="epic_key")
        + cell(escape(row["team"] or ""), row["team"], column="team")
        + column_cells(row, EPIC_COLUMNS)
        + "</tr>"
        for row in rows
    ]
    return table(["Epic", "Team", *(c.heading for c in EPIC_COLUMNS)], body, f"epics {css_class}")
