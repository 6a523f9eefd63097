"""The DORA overview: the latest complete month of every grain with its tiers, and the weekly trends."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from orchestration.cli.report import charts
from orchestration.cli.report.charts import PALETTE, Series
from orchestration.cli.report.markup import (
    axis_format,
    cell,
    explain_command,
    explain_details,
    few_data_mark,
    figure,
    grid,
    hours,
    note,
    per_day,
    percent,
    plural,
    points,
    section,
    signed_points,
    table,
    tier_badge,
)
from orchestration.cli.report.queries import ReportData, Row, flagged_weeks, rows_of, teams

ORGANISATION_COLOR = "#1f2937"
# The lines of each team's small chart: mart column, legend name, colour.
TEAM_LINES = (
    ("lead_time_median_hours", "lead time", PALETTE[0]),
    ("time_to_merge_median_hours", "time to merge", PALETTE[1]),
)


@dataclass(frozen=True)
class Metric:
    """A DORA metric as the overview shows it: its mart column, its tier column and how to print it."""

    key: str
    title: str
    column: str
    tier_column: str | None
    fmt: Callable[[float | None], str]
    detail: Callable[[Row], str]
    # The mart's flag that the value rests on fewer events than few_data_minimum, if the metric has one.
    few_data_column: str | None = None
    # A rate (a fraction): the mart's change from the month before, in percentage points.
    delta_column: str | None = None


DORA_METRICS = (
    Metric(
        "deployment_frequency", "Deployment frequency", "deployments_per_day", "deployment_frequency_tier",
        per_day, lambda r: plural(r["deployment_count"], "deployment"), "is_few_data",
    ),
    Metric(
        "lead_time", "Lead time, median", "lead_time_median_hours", "lead_time_tier",
        hours, lambda r: plural(r["lead_time_change_count"], "change"),
    ),
    # Rates with their numerator and denominator: "2 of 3 deployments failed" reads differently from 67 %.
    Metric(
        "change_failure_rate", "Change failure rate", "change_failure_rate", "change_failure_rate_tier",
        percent,
        lambda r: f"{r['failed_deployment_count']:,} of {plural(r['deployment_count'], 'deployment')} failed",
        "is_few_data", delta_column="change_failure_rate_delta_pp",
    ),
    Metric(
        "recovery_time", "Recovery time, median", "recovery_time_median_hours", "recovery_time_tier",
        hours, lambda r: plural(r["recovery_time_deployment_count"], "recovered failure"),
        "is_few_data_recovery",
    ),
    # The mart gives rework rate no tier: DORA publishes no thresholds for it.
    Metric(
        "rework_rate", "Rework rate", "rework_rate", None,
        percent,
        lambda r: f"{plural(r['unplanned_fix_count'], 'unplanned fix', 'unplanned fixes')} of "
                  f"{plural(r['deployment_count'], 'deployment')}",
        "is_few_data", delta_column="rework_rate_delta_pp",
    ),
)  # fmt: skip


def dora_section(data: ReportData) -> str:
    if not data.dora_month:
        return section("dora", "DORA overview", '<p class="none">No DORA rows published.</p>')
    month: date = data.dora_month[0]["period_start"]
    in_progress = "" if data.dora_month[0]["is_complete"] else " (in progress: no month had ended at publish)"
    return section(
        "dora",
        f"DORA overview: {month:%B %Y}{in_progress}",
        f'<p class="note" id="dora-month" data-period-start="{month.isoformat()}">'
        "The latest complete month of <code>marts.mart_dora__monthly</code>, for the organisation, "
        "each value stream and each team. Tiers are the mart's (DORA report thresholds).</p>",
        note(
            "<strong>Organisation (total)</strong> counts every deployment, change and incident, those of "
            "records no mapping assigns to a team (<code>unmapped</code>) included: it is the total, not an "
            "average of the teams. <mark class=\"few-data\">few data</mark>: fewer deployments (recovery "
            "time: recovered failures) than the setting <code>few_data_minimum</code>; read it with care. "
            "Rates change from the month before in percentage points (pp). Open <em>rows</em> under a "
            "value for the <code>delivery explain</code> command that lists the rows behind it."
        ),
        _month_table(data.dora_month),
        "<h3>Weekly trends: organisation and value streams</h3>",
        note("From <code>marts.mart_dora__weekly</code>; a gap is a week without a value."),
        _trend_charts(data),
        "<h3>Lead time and time to merge by team, weekly medians</h3>",
        note("Shaded: the weeks <code>marts.mart_delivery_risk__weekly</code> flags the team."),
        _team_lead_time_charts(data),
    )


def _month_table(rows: list[Row]) -> str:
    body = []
    for row in rows:
        grain, key = row["grain"], row["grain_key"]
        stream = f' <span class="muted">{escape(row["value_stream"])}</span>' if grain == "team" else ""
        name = "Organisation (total)" if grain == "organisation" else key
        heading = f'<th scope="row" class="grain-{escape(grain)}">{escape(name)}{stream}</th>'
        cells = "".join(_metric_cell(row, metric) for metric in DORA_METRICS)
        body.append(f'<tr data-grain="{escape(grain)}" data-key="{escape(key)}">{heading}{cells}</tr>')
    return table(["", *(m.title for m in DORA_METRICS)], body, "dora")


def _metric_cell(row: Row, metric: Metric) -> str:
    value = row[metric.column]
    tier = tier_badge(row[metric.tier_column]) if metric.tier_column else ""
    # a cell without a value has nothing to read with care
    is_few_data = bool(metric.few_data_column and row[metric.few_data_column]) and value is not None
    command = explain_command(metric.column, row["grain"], row["grain_key"], "month", row["period_start"])
    html = (
        f'<span class="value">{escape(metric.fmt(value))}</span> {tier}{few_data_mark(is_few_data)}'
        f'<span class="detail">{escape(metric.detail(row))}</span>'
        f"{_rate_change(metric, row)}{explain_details(command)}"
    )
    return cell(html, value, css_class="few-data-cell" if is_few_data else "", metric=metric.key,
                explain=command)


def _rate_change(metric: Metric, row: Row) -> str:
    """A rate's change from the month before, in percentage points (never a relative change of a rate), as
    the mart computes it."""
    delta = row[metric.delta_column] if metric.delta_column else None
    if delta is None:
        return ""
    month = f"{(row['period_start'] - timedelta(days=1)):%b %Y}"
    return (
        f'<span class="detail delta" data-delta-points="{delta!r}">{escape(signed_points(delta))} '
        f"vs {escape(month)}</span>"
    )


def _trend_charts(data: ReportData) -> str:
    """One chart per metric, a line for the organisation and one per value stream."""
    grains = [row for row in data.dora_month if row["grain"] != "team"]
    figures = []
    for metric in DORA_METRICS:
        series = [_grain_series(data, grain, metric, index) for index, grain in enumerate(grains)]
        label = f"{metric.title}, weekly"
        svg = charts.line_chart(series, label=label, value_format=axis_format(metric.fmt))
        figures.append(figure(svg, label))
    return grid(figures, 2)


def _grain_series(data: ReportData, grain: Row, metric: Metric, index: int) -> Series:
    weeks = rows_of(data.dora_weekly, grain=grain["grain"], grain_key=grain["grain_key"])
    is_organisation = grain["grain"] == "organisation"
    return Series(
        "Organisation" if is_organisation else grain["grain_key"],
        points(weeks, metric.column, "period_start"),
        ORGANISATION_COLOR if is_organisation else PALETTE[(index - 1) % len(PALETTE)],
    )


def _team_lead_time_charts(data: ReportData) -> str:
    """Per team, lead time and the part of it before merge (dated by merge, it moves first)."""
    by_team = {team: rows_of(data.dora_weekly, grain="team", grain_key=team) for team in teams(data)}
    # One scale for every team, so the small charts compare at a glance.
    values = [r[column] for rows in by_team.values() for r in rows for column, _, _ in TEAM_LINES]
    top = max((v for v in values if v is not None), default=None)
    figures = []
    for team, rows in by_team.items():
        label = f"{team}: lead time and time to merge, medians, weekly"
        series = [
            Series(name, points(rows, column, "period_start"), color) for column, name, color in TEAM_LINES
        ]
        svg = charts.line_chart(
            series, label=label, value_format=axis_format(hours), width=360, height=170,
            highlight_weeks=flagged_weeks(data, team), value_max=top,
        )  # fmt: skip
        figures.append(figure(svg, team))
    return grid(figures, 3)
