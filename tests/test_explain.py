"""`delivery explain` on the demo organisation's serving file: each explanation adds up to the mart cell it
explains, and each of its rows leads back to the raw record, the export file and the load that brought it."""

from __future__ import annotations

import csv
import io
import json
import statistics
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orchestration.cli import app
from tests.conftest import DemoServing, query


def explain_rows(serving: Path, *arguments: str) -> list[dict]:
    """Run `delivery explain ... --format csv` as a user would, and parse what it prints."""
    result = CliRunner().invoke(app, ["explain", *arguments, "--format", "csv", "--warehouse", str(serving)])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def by_role(rows: list[dict], role: str) -> list[dict]:
    return [row for row in rows if row["role"] == role]


def test_change_failure_rate_of_a_team_month_is_its_failed_over_its_deployments(demo_serving: DemoServing):
    # The first team-month with a failure: the cell to explain.
    [(team, month, rate, failed, deployed)] = query(
        demo_serving.serving,
        """
        select team, strftime(period_start, '%Y-%m'), change_failure_rate, failed_deployment_count,
            deployment_count
        from marts.mart_dora__monthly
        where grain = 'team' and failed_deployment_count > 0
        order by period_start, team
        limit 1
        """,
    )
    rows = explain_rows(demo_serving.serving, "change_failure_rate", "--team", team, "--month", month)

    numerator, denominator = by_role(rows, "numerator"), by_role(rows, "denominator")
    assert (len(numerator), len(denominator)) == (failed, deployed)
    assert len(numerator) / len(denominator) == pytest.approx(rate)
    # A failed deployment is one of the month's deployments, and says why it failed.
    assert {r["fact_key"] for r in numerator} <= {r["fact_key"] for r in denominator}
    assert all(r["classification"].startswith("failed: ") for r in numerator)
    assert all(r["event_at"].startswith(month) for r in rows)


def test_lead_time_median_of_a_value_stream_week_is_the_median_of_its_changes(demo_serving: DemoServing):
    # The value-stream week with the most changes in lead time (ties: the earliest).
    [(value_stream, week, median, changes)] = query(
        demo_serving.serving,
        """
        select grain_key, cast(period_start as varchar), lead_time_median_hours, lead_time_change_count
        from marts.mart_dora__weekly
        where grain = 'value_stream'
        order by lead_time_change_count desc, period_start
        limit 1
        """,
    )
    assert changes >= 4
    rows = explain_rows(demo_serving.serving, "lead_time_median_hours", "--value-stream", value_stream, "--week", week)

    assert len(rows) == changes
    assert statistics.median(float(r["value_hours"]) for r in rows) == pytest.approx(median)
    # Each change was found deployed through commit ancestry, by a deployment in that week.
    assert all(r["classification"].endswith("(commit ancestry)") for r in rows)
    monday = date.fromisoformat(week)
    assert all(monday <= date.fromisoformat(r["event_at"][:10]) < monday + timedelta(days=7) for r in rows)


def test_flow_load_of_a_team_week_is_the_items_in_progress_at_its_end(demo_serving: DemoServing):
    [(team, week, load)] = query(
        demo_serving.serving,
        """
        select team, cast(week_start as varchar), flow_load from marts.mart_flow__weekly
        where team = 'payments' order by flow_load desc, week_start limit 1
        """,
    )
    rows = explain_rows(demo_serving.serving, "flow_load", "--team", team, "--week", week)

    # By hand from the work items: the team's items started before the week's end and not done or
    # canceled by then.
    week_end = date.fromisoformat(week) + timedelta(days=7)
    in_progress = query(
        demo_serving.serving,
        """
        select issue_id from marts.fct_work_items
        where team = ? and started_at < ? and coalesce(done_at, canceled_at, ?) >= ?
        """,
        [team, week_end, week_end, week_end],
    )
    assert load > 0
    assert sorted(r["fact_key"] for r in rows) == sorted(issue_id for (issue_id,) in in_progress)
    assert len(rows) == load


def test_flow_efficiency_of_a_team_week_is_the_active_hours_over_the_flow_time_of_its_items_done(
    demo_serving: DemoServing,
):
    # The team-week with the most items done whose efficiency is under the cap of 1 (ties: the earliest).
    [(team, week, efficiency, done)] = query(
        demo_serving.serving,
        """
        select team, cast(week_start as varchar), flow_efficiency, items_done from marts.mart_flow__weekly
        where flow_efficiency < 1 order by items_done desc, week_start, team limit 1
        """,
    )
    rows = explain_rows(demo_serving.serving, "flow_efficiency", "--team", team, "--week", week)

    # By hand from the work items: the team's items started and last closed in that week.
    monday = date.fromisoformat(week)
    items = query(
        demo_serving.serving,
        """
        select issue_id, active_hours, flow_time_hours from marts.fct_work_items
        where team = ? and started_at is not null and done_at >= ? and done_at < ?
        """,
        [team, monday, monday + timedelta(days=7)],
    )
    numerator, denominator = by_role(rows, "numerator"), by_role(rows, "denominator")
    assert len(denominator) == len(items) == done >= 2
    with_active_hours = [issue_id for issue_id, active, _ in items if active is not None]
    assert sorted(r["fact_key"] for r in numerator) == sorted(with_active_hours)
    active = sum(float(r["value_hours"]) for r in numerator)
    flow_time = sum(float(r["value_hours"]) for r in denominator)
    assert active == pytest.approx(sum(a for _, a, _ in items if a is not None))
    assert flow_time == pytest.approx(sum(f for _, _, f in items if f is not None))
    assert min(active / flow_time, 1.0) == pytest.approx(efficiency)


def test_started_to_production_median_of_a_team_week_is_the_median_of_its_delivered_items(
    demo_serving: DemoServing,
):
    [(team, week, median, delivered)] = query(
        demo_serving.serving,
        """
        select team, cast(week_start as varchar), started_to_production_median_hours, items_delivered
        from marts.mart_flow__weekly
        where started_to_production_median_hours is not null
        order by items_delivered desc, week_start, team limit 1
        """,
    )
    metric = "started_to_production_median_hours"
    rows = explain_rows(demo_serving.serving, metric, "--team", team, "--week", week)

    # By hand: the team's items that reached production that week, with hours from their start.
    monday = date.fromisoformat(week)
    hours_by_item = dict(
        query(
            demo_serving.serving,
            """
            select d.issue_id, d.started_to_production_hours
            from marts.fct_work_item_deliveries as d
            inner join marts.fct_work_items as w on w.issue_id = d.issue_id
            where w.team = ? and d.delivered_at >= ? and d.delivered_at < ?
                and d.created_to_production_hours is not null and d.started_to_production_hours is not null
            """,
            [team, monday, monday + timedelta(days=7)],
        )
    )
    assert 2 <= len(rows) == len(hours_by_item) <= delivered
    assert {r["fact_key"]: pytest.approx(float(r["value_hours"])) for r in rows} == hours_by_item
    assert statistics.median(hours_by_item.values()) == pytest.approx(median)
    assert all(r["role"] == "value" and ", from its start" in r["classification"] for r in rows)


def test_every_row_leads_back_to_its_raw_record_export_file_and_load(demo_serving: DemoServing):
    [(team, month)] = query(
        demo_serving.serving,
        """
        select team, strftime(period_start, '%Y-%m') from marts.mart_dora__monthly
        where grain = 'team' and incident_count > 0 order by incident_count desc, period_start, team limit 1
        """,
    )
    rows = [
        *explain_rows(demo_serving.serving, "incident_count", "--team", team, "--month", month),
        *explain_rows(demo_serving.serving, "deployment_count", "--team", team, "--month", month),
        *explain_rows(demo_serving.serving, "change_count", "--team", team, "--month", month),
    ]
    # The team with the most incidents in a month is search: Opsgenie incidents, GitLab deployments and changes.
    assert {r["source_tool"] for r in rows} == {"opsgenie", "gitlab"}
    loads_by_tool = {
        tool: {load_id for (load_id,) in query(demo_serving.warehouse, f"select load_id from raw_{tool}._dlt_loads")}
        for tool in {r["source_tool"] for r in rows}
    }
    for row in rows:
        record = record_in_file(demo_serving.exports / row["source_file"], int(row["record_index"]))
        assert source_id_of(record) == row["source_record_id"], row
        # Each row's load is one its own tool's raw dataset recorded.
        assert row["dlt_load_id"] in loads_by_tool[row["source_tool"]] and row["loaded_at"], row


def test_an_unknown_metric_or_a_missing_cell_is_a_clear_error(demo_serving: DemoServing):
    unknown = CliRunner().invoke(app, ["explain", "flow_efficency", "--team", "payments", "--week", "2026-06-01",
                                       "--warehouse", str(demo_serving.serving)])
    assert unknown.exit_code == 2 and "cannot be explained" in unknown.output
    missing = CliRunner().invoke(app, ["explain", "items_done", "--team", "nobody", "--week", "2026-06-01",
                                       "--warehouse", str(demo_serving.serving)])
    said = " ".join(missing.output.split())
    assert missing.exit_code == 2 and "has no team 'nobody'" in said and "Its teams: " in said


def record_in_file(path: Path, index: int) -> dict:
    """The record at `index` of an export file's record list (a bare list, or the list inside an envelope)."""
    body = json.loads(path.read_text())
    if isinstance(body, dict):
        [records] = [value for value in body.values() if isinstance(value, list) and value and isinstance(value[0], dict)]
    else:
        records = body
    return records[index]


def source_id_of(record: dict) -> str:
    """The id a fact quotes for its source record: PagerDuty incident id, GitHub deployment id, PR node id, sha."""
    if "node_id" in record and "merged_at" in record:
        return record["node_id"]
    if "sha" in record and "commit" in record:
        return record["sha"]
    return str(record["id"])
