"""What the data covers and what it misses: the dates of `marts.mart_data_coverage` and the mapping gaps of
`marts.mart_data_quality__mapping_gaps`, in the header and in a section of their own."""

from __future__ import annotations

from datetime import date
from html import escape

from orchestration.cli.report.markup import count, day, note, plural, section, table
from orchestration.cli.report.queries import ReportData


def covered_dates(data: ReportData) -> tuple[date | None, date | None]:
    """The first and last event date of any fact, every tool together."""
    firsts = [row["first_event_date"] for row in data.coverage if row["first_event_date"]]
    lasts = [row["last_event_date"] for row in data.coverage if row["last_event_date"]]
    return min(firsts, default=None), max(lasts, default=None)


def covered_text(data: ReportData) -> str:
    first, last = covered_dates(data)
    return "no events" if first is None else f"{day(first)} to {day(last)}"


def gaps_summary(data: ReportData) -> str:
    """The header's line on the mapping gaps: how many, and what their records count under meanwhile."""
    if not data.mapping_gaps:
        return '<p class="gaps" id="mapping-gaps">Mapping gaps: none. Every record counts under its team.</p>'
    records = sum(row["records_affected"] for row in data.mapping_gaps)
    return (
        f'<p class="gaps has-gaps" id="mapping-gaps" data-gaps="{len(data.mapping_gaps)}" '
        f'data-records="{records}"><strong>{escape(plural(len(data.mapping_gaps), "mapping gap"))}</strong> '
        f"affecting {escape(plural(records, 'record'))}: they count in the organisation's totals but in no "
        'team or value stream (under <code>unmapped</code>, or a fallback). <a href="#data">See which</a>, '
        "and <code>delivery mappings gaps</code> to fill them in.</p>"
    )


def data_section(data: ReportData) -> str:
    return section(
        "data",
        "Data coverage and mapping gaps",
        note("The dates each fact covers, every tool together (<code>marts.mart_data_coverage</code>)."),
        _coverage_table(data),
        note(
            "Values no mapping covers (<code>marts.mart_data_quality__mapping_gaps</code>), most records "
            "first: add a row for each to the mapping file named."
        ),
        _gaps_table(data),
    )


def _coverage_table(data: ReportData) -> str:
    body = [
        f'<tr data-fact="{escape(row["fact_model"])}"><th scope="row">{escape(row["fact_model"])} '
        f'<span class="muted">{escape(row["event_column"])}</span></th>'
        f'<td data-column="first_event_date">{day(row["first_event_date"])}</td>'
        f'<td data-column="last_event_date">{day(row["last_event_date"])}</td>'
        f'<td data-column="row_count">{count(row["row_count"])}</td></tr>'
        for row in data.coverage
    ]
    return table(["Fact (dated by)", "First", "Last", "Rows"], body, "coverage")


def _gaps_table(data: ReportData) -> str:
    body = [
        f'<tr data-kind="{escape(row["mapping_kind"])}">'
        f'<td>{escape(row["mapping_kind"])}</td><td><code>{escape(row["unmapped_value"] or "")}</code></td>'
        f'<td data-column="records_affected">{count(row["records_affected"])}</td>'
        f'<td>{escape(row["fallback_used"] or "")}</td><td>{escape(row["mapping_file"] or "")}</td></tr>'
        for row in data.mapping_gaps
    ]
    return table(["Kind", "Value", "Records affected", "Counted under", "Mapping file"], body, "gaps")
