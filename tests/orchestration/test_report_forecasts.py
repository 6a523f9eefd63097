"""The report's forecasts and bottlenecks section on the session's demo serving file: every row is a mart
row as it is (the forecast marts, mart_aging_wip, mart_bottlenecks__weekly)."""

from __future__ import annotations

from pathlib import Path

from orchestration.cli.report.forecasts import STUCK_ITEMS_LIMIT
from tests.orchestration.test_report import PUBLISHED_DAY, cells_by_column, exact, mart_rows, table_rows


def test_backlog_forecasts_show_every_team_and_value_stream_row(serving: Path, page: str) -> None:
    rows = mart_rows(serving, "SELECT * FROM marts.mart_backlog_forecast")
    assert rows, "the demo has backlogs with items left"
    shown = {row.attrs["data-scope"]: cells_by_column(row) for row in table_rows(page, "backlog-forecasts")}
    assert set(shown) == {f"{row['scope_type']}:{row['scope_key']}" for row in rows}
    for row in rows:
        cells = shown[f"{row['scope_type']}:{row['scope_key']}"]
        for column in ("remaining_item_count", "p50_completion_date", "p95_completion_date",
                       "p85_item_count_completion_date"):
            if row[column] is not None:
                assert cells[column].attrs["data-value"] == exact(row[column]), column


def test_open_epics_show_their_chance_of_being_on_time(serving: Path, page: str) -> None:
    rows = mart_rows(
        serving,
        "SELECT * FROM marts.mart_epic_forecast__weekly WHERE remaining_item_count > 0 "
        "AND week_start = (SELECT max(week_start) FROM marts.mart_epic_forecast__weekly)",
    )
    shown = {row.attrs["data-epic"]: cells_by_column(row) for row in table_rows(page, "epic-forecasts")}
    assert set(shown) == {row["epic_key"] for row in rows}
    for row in rows:
        cell = shown[row["epic_key"]]["probability_on_time"]
        assert cell.attrs.get("data-value") == (None if row["probability_on_time"] is None
                                                else exact(row["probability_on_time"]))


def test_stuck_items_are_the_oldest_over_their_team_p85(serving: Path, page: str) -> None:
    rows = mart_rows(
        serving,
        "SELECT issue_key FROM marts.mart_aging_wip WHERE is_over_p85 "
        "ORDER BY age_in_flow_hours DESC, issue_key LIMIT ?",
        [STUCK_ITEMS_LIMIT],
    )
    assert rows, "the demo has items older than their team's 85th percentile"
    assert [row.attrs["data-issue"] for row in table_rows(page, "stuck-items")] == [r["issue_key"] for r in rows]


def test_bottlenecks_of_the_latest_complete_week(serving: Path, page: str) -> None:
    rows = mart_rows(
        serving,
        f"""
        SELECT value_stream, place, waiting_hours FROM marts.mart_bottlenecks__weekly
        WHERE (is_largest_bottleneck OR is_growing_bottleneck) AND week_start = (
            SELECT max(week_start) FROM marts.mart_bottlenecks__weekly
            WHERE week_start + INTERVAL 7 DAY <= {PUBLISHED_DAY})
        """,
    )
    assert rows
    shown = [cells_by_column(row) for row in table_rows(page, "bottlenecks")]
    assert sorted((c["value_stream"].attrs["data-value"], c["place"].attrs["data-value"]) for c in shown) == sorted(
        (row["value_stream"], row["place"]) for row in rows
    )
