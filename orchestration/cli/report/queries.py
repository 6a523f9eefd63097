"""The rows the report shows, selected from the published marts as they are.

Metric logic lives in dbt: these queries only filter, order and pick periods; they compute nothing.
A period is complete once it ended on or before the day the snapshot was published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from orchestration.lib.reading import fetch_dicts, read_only_session

if TYPE_CHECKING:
    from orchestration.cli.report.forecasts import ForecastData

Row = dict[str, Any]

PUBLISHED_DAY = "(SELECT CAST(published_at AS DATE) FROM meta.snapshot)"
# The organisation, its value streams, then the teams by value stream, as the page lists them.
GRAIN_ORDER = (
    "CASE grain WHEN 'organisation' THEN 0 WHEN 'value_stream' THEN 1 ELSE 2 END, value_stream, grain_key"
)
# How many recent complete weeks the friction table looks back on, and how many handoffs it lists.
HANDOFF_WEEKS = 4
HANDOFF_LIMIT = 12

DORA_COLUMNS = """
    grain, grain_key, team, value_stream, period_start, period_end,
    deployment_count, deployments_per_day, deployment_frequency_tier,
    lead_time_change_count, lead_time_median_hours, lead_time_tier, time_to_merge_median_hours,
    failed_deployment_count, change_failure_rate, change_failure_rate_tier,
    recovery_time_median_hours, recovery_time_tier, recovery_time_deployment_count,
    unplanned_fix_count, rework_rate, is_few_data, is_few_data_recovery,
    change_failure_rate_delta_pp, rework_rate_delta_pp
"""


@dataclass(frozen=True)
class ReportData:
    snapshot: Row
    coverage: list[Row]
    mapping_gaps: list[Row]
    dora_month: list[Row]
    dora_weekly: list[Row]
    flow_week: list[Row]
    flow_weekly: list[Row]
    handoffs: list[Row]
    risk_weekly: list[Row]
    flagged_weeks: list[Row]
    late_epics_now: list[Row]
    late_epics_first_flagged: list[Row]
    forecasts: ForecastData


def read_report_data(serving_path: Path) -> ReportData:
    """Everything the page shows, read in one short read-only session on the serving file."""
    with read_only_session(serving_path) as con:
        return ReportData(
            snapshot=fetch_dicts(con, "SELECT * FROM meta.snapshot")[0],
            coverage=fetch_dicts(
                con,
                "SELECT fact_model, event_column, first_event_date, last_event_date, row_count "
                "FROM marts.mart_data_coverage WHERE source_tool = 'all' ORDER BY fact_model",
            ),
            mapping_gaps=fetch_dicts(
                con,
                "SELECT mapping_kind, unmapped_value, fallback_used, records_affected, mapping_file, "
                "source_tool FROM marts.mart_data_quality__mapping_gaps "
                "ORDER BY records_affected DESC, mapping_kind, unmapped_value",
            ),
            dora_month=_latest_complete_dora_month(con),
            dora_weekly=_dora_weekly(con),
            flow_week=_latest_complete_flow_week(con),
            flow_weekly=fetch_dicts(con, "SELECT * FROM marts.mart_flow__weekly ORDER BY team, week_start"),
            handoffs=_highest_friction_handoffs(con),
            risk_weekly=fetch_dicts(
                con,
                "SELECT team, week_start, signals_raised, is_flagged FROM marts.mart_delivery_risk__weekly "
                "ORDER BY team, week_start",
            ),
            flagged_weeks=fetch_dicts(
                con,
                "SELECT week_start, team, value_stream, signals_raised, flag_reasons "
                "FROM marts.mart_delivery_risk__weekly WHERE is_flagged ORDER BY week_start DESC, team",
            ),
            late_epics_now=_late_epics_now(con),
            late_epics_first_flagged=_late_epics_first_flagged(con),
            forecasts=_forecast_data(con),
        )


def _forecast_data(con: duckdb.DuckDBPyConnection) -> ForecastData:
    # Imported here: the forecasts module reaches this one through markup (Row).
    from orchestration.cli.report.forecasts import read_forecast_data

    return read_forecast_data(con)


# The latest month that ended by the publish day (the newest month if none did), as a CTE named `chosen`.
LATEST_COMPLETE_MONTH = f"""WITH chosen AS (
            SELECT coalesce(
                max(period_start) FILTER (WHERE period_end <= {PUBLISHED_DAY}), max(period_start)
            ) AS period_start
            FROM marts.mart_dora__monthly
        )"""


def latest_complete_week(weekly_mart: str) -> str:
    """The latest week of a weekly mart that ended by the publish day (the newest week if none did), as a
    CTE named `chosen`."""
    return f"""WITH chosen AS (
            SELECT coalesce(
                max(week_start) FILTER (WHERE week_start + INTERVAL 7 DAY <= {PUBLISHED_DAY}), max(week_start)
            ) AS week_start
            FROM {weekly_mart}
        )"""


def _latest_complete_dora_month(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """Each grain's row for the latest month that ended by the publish day (the newest month if none did)."""
    return fetch_dicts(
        con,
        f"""
        {LATEST_COMPLETE_MONTH}
        SELECT {DORA_COLUMNS}, period_end <= {PUBLISHED_DAY} AS is_complete
        FROM marts.mart_dora__monthly JOIN chosen USING (period_start)
        ORDER BY {GRAIN_ORDER}
        """,
    )


def _dora_weekly(con: duckdb.DuckDBPyConnection) -> list[Row]:
    return fetch_dicts(
        con, f"SELECT {DORA_COLUMNS} FROM marts.mart_dora__weekly ORDER BY {GRAIN_ORDER}, period_start"
    )


def _latest_complete_flow_week(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """Each team's row for the latest week that ended by the publish day (the newest week if none did)."""
    return fetch_dicts(
        con,
        f"""
        {latest_complete_week("marts.mart_flow__weekly")}
        SELECT * FROM marts.mart_flow__weekly JOIN chosen USING (week_start)
        ORDER BY value_stream, team
        """,
    )


def _highest_friction_handoffs(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """Rank-1 handoffs of the last complete weeks where work waited at all, longest total wait first."""
    return fetch_dicts(
        con,
        f"""
        WITH recent AS (
            SELECT DISTINCT week_start FROM marts.mart_handoffs__weekly
            WHERE week_start + INTERVAL 7 DAY <= {PUBLISHED_DAY}
            ORDER BY week_start DESC LIMIT ?
        )
        SELECT week_start, team, value_stream, pair_type, from_value, to_value, handoff_count,
               wait_median_hours, wait_p85_hours, wait_total_hours, bounce_back_rate, friction_rank
        FROM marts.mart_handoffs__weekly JOIN recent USING (week_start)
        WHERE is_highest_friction AND wait_total_hours > 0
        ORDER BY wait_total_hours DESC, week_start DESC, team
        LIMIT ?
        """,
        [HANDOFF_WEEKS, HANDOFF_LIMIT],
    )


def _late_epics_now(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """Epics whose forecast is late in the newest week of the forecast mart."""
    return fetch_dicts(
        con,
        """
        SELECT epic_key, team, value_stream, week_start, remaining_item_count, throughput_per_week,
               forecast_done_on, due_date, risk_reason
        FROM marts.mart_epic_forecast__weekly
        WHERE is_forecast_late AND week_start = (SELECT max(week_start) FROM marts.mart_epic_forecast__weekly)
        ORDER BY due_date, epic_key
        """,
    )


def _late_epics_first_flagged(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """For every epic ever forecast late, the row of the first week it was: how early the flag came."""
    return fetch_dicts(
        con,
        """
        SELECT epic_key, team, value_stream, week_start, due_date, risk_reason
        FROM marts.mart_epic_forecast__weekly
        WHERE is_forecast_late
        QUALIFY row_number() OVER (PARTITION BY epic_key ORDER BY week_start) = 1
        ORDER BY week_start DESC, epic_key
        """,
    )


def rows_of(rows: list[Row], **match: Any) -> list[Row]:
    """The rows whose columns equal the given values, in their order."""
    return [row for row in rows if all(row[key] == value for key, value in match.items())]


def teams(data: ReportData) -> list[str]:
    """The teams of the flow mart, by value stream, then name."""
    return [team for _, team in sorted({(r["value_stream"] or "", r["team"]) for r in data.flow_weekly})]


def flagged_weeks(data: ReportData, team: str) -> list[date]:
    """The weeks the risk mart flags the team."""
    return [row["week_start"] for row in rows_of(data.risk_weekly, team=team, is_flagged=True)]
