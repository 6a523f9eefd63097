"""Flow models on the demo organisation and on the real Jira sample.

The demo's planted story: team payments drags from 2026-05-15 until its release on 2026-06-30, so the
flow time of its items done in the six weeks before the release is about double the rest of the year's.
The weekly flow mart must show it. The real Jira sample must build status intervals without errors, with
every status mapped (or reported in int_mappings__gaps).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from demo.generate import build_team_specs, generate_demo_exports
from demo.people import build_rosters
from ingestion.pipelines import load_all, load_tool
from tests.conftest import query
from tests.models.dbt_runner import dbt_build

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("flow_demo")
    generated = root / "generated"
    generate_demo_exports(generated, size="S", seed=7)
    # The flow models read every planning tool and code host (work items, pull requests, and commits and
    # deployments for delivery lead time): the demo's whole mixed toolchain.
    warehouse = (root / "delivery.duckdb").resolve()
    load_all(generated, warehouse)
    # Seeds and models only: the data tests run on the fixture.
    dbt_build(root, warehouse, "+marts.flow", "--resource-type", "seed", "--resource-type", "model")
    return warehouse


def test_payments_flow_time_rises_before_its_release(demo_warehouse: Path) -> None:
    # Items-weighted mean of the weekly median flow time: the six weeks before 2026-06-30 (weeks starting
    # 2026-05-18 to 2026-06-29) against the rest of the year outside the slowdown and its July recovery.
    rows = query(
        demo_warehouse,
        """
        with windows as (
            select
                team,
                case
                    when week_start between date '2026-05-18' and date '2026-06-29' then 'before_release'
                    when week_start < date '2026-05-11' or week_start >= date '2026-08-03' then 'rest'
                end as window_name,
                items_done,
                flow_time_median_hours
            from marts.mart_flow__weekly
            where items_done > 0
        )
        select
            team,
            sum(case when window_name = 'before_release' then items_done * flow_time_median_hours end)
                / sum(case when window_name = 'before_release' then items_done end)
            / (sum(case when window_name = 'rest' then items_done * flow_time_median_hours end)
                / sum(case when window_name = 'rest' then items_done end)) as ratio
        from windows
        group by team
        order by ratio desc
    """,
    )
    ratios = dict(rows)
    assert rows[0][0] == "payments"
    assert ratios["payments"] >= 1.6
    assert all(ratio < 1.5 for team, ratio in ratios.items() if team != "payments")


def test_demo_handoffs_include_cross_team_moves_and_bounce_backs(demo_warehouse: Path) -> None:
    [(handoffs, team_changes, backward, gated, unmet)] = query(
        demo_warehouse,
        """
        select count(*), sum(case when is_team_change then 1 else 0 end),
               sum(case when is_backward then 1 else 0 end), count(gate_rule),
               sum(case when not is_entry_criteria_met then 1 else 0 end)
        from marts.fct_handoffs
    """,
    )
    assert handoffs > 1000 and team_changes > 0 and backward > 0 and gated > 0
    assert unmet < gated


def test_demo_items_reach_production(demo_warehouse: Path) -> None:
    [(with_merges, in_production, shipped_before_merge, start_after_creation_span)] = query(
        demo_warehouse,
        """
        select
            count(*) filter (where merged_pull_request_count > 0),
            count(*) filter (where is_in_production),
            count(*) filter (where delivered_at < last_merged_at),
            count(*) filter (where started_to_production_hours > created_to_production_hours)
        from marts.fct_work_item_deliveries
    """,
    )
    # The demo deploys what it merges, so nearly every item with merged pull requests is in production; a
    # deployment found by commit ancestry never precedes the merge, and work starts after creation.
    assert in_production >= 0.9 * with_merges > 0
    assert shipped_before_merge == 0 and start_after_creation_span == 0
    # The weekly mart counts every delivery with a lead time in the week it reached production.
    [(in_mart, expected)] = query(
        demo_warehouse,
        """
        select
            (select sum(items_delivered) from marts.mart_flow__weekly),
            (select count(*) from marts.fct_work_item_deliveries as d
             inner join marts.fct_work_items as w on d.issue_id = w.issue_id
             where d.created_to_production_hours is not null
               and cast(date_trunc('week', d.delivered_at) as date)
                   in (select week_start from marts.mart_flow__weekly where team = w.team))
    """,
    )
    assert in_mart == expected > 0


def test_real_jira_sample_builds_status_intervals(real_samples_exports: Path, tmp_path: Path) -> None:
    warehouse = (tmp_path / "delivery.duckdb").resolve()
    load_tool("jira", real_samples_exports, warehouse)
    # Work items of Azure Boards meet Jira's in the same models: its raw tables exist, empty.
    load_tool("azure_devops", real_samples_exports, warehouse)
    dbt_build(tmp_path, warehouse, "+int_flow__work_item_status_intervals")
    [(intervals, items, unmapped)] = query(
        warehouse,
        """
        select count(*), count(distinct issue_id), sum(case when delivery_phase is null then 1 else 0 end)
        from intermediate.int_flow__work_item_status_intervals
    """,
    )
    [(issues,)] = query(warehouse, "select count(*) from staging.stg_jira__issues")
    assert items == issues and intervals >= items
    # Every status of the sample is mapped; one that is not would be listed in int_mappings__gaps.
    assert unmapped == 0


def test_payments_is_flagged_weeks_before_its_release(demo_warehouse: Path) -> None:
    rows = query(
        demo_warehouse,
        """
        select week_start, signals_raised, flag_reasons
        from marts.mart_delivery_risk__weekly
        where team = 'payments' and is_flagged and week_start between date '2026-05-01' and date '2026-06-29'
        order by week_start
        """,
    )
    flagged_weeks = [str(week) for week, _, _ in rows]
    # Flagged every week from three weeks before the release (Tuesday 2026-06-30) on: the weeks starting
    # 8, 15 and 22 June, each with at least two signals and the numbers that raised them.
    assert {"2026-06-08", "2026-06-15", "2026-06-22"} <= set(flagged_weeks)
    assert all(signals >= 2 and reasons.count(";") == signals for _, signals, reasons in rows)
    assert any("cycle time" in reasons for _, _, reasons in rows)
    assert any("handoff wait" in reasons for _, _, reasons in rows)


def test_other_teams_are_rarely_flagged(demo_warehouse: Path) -> None:
    rows = query(
        demo_warehouse,
        """
        select team, count(*) filter (where is_flagged), count(*) filter (where has_full_baseline)
        from marts.mart_delivery_risk__weekly
        group by team
        order by team
        """,
    )
    # With a full baseline the demo has 36 weeks per team (2026-02-23 to 2026-10-26). Some signal reaches
    # 1.5x by chance on 9 to 19 of them in every other team; two together are rare. N = 5 weeks (one
    # in seven) is the budget of chance flags per team: enough to leave room for a team's real hiccups,
    # few enough that payments' run of flags before its release stands out.
    weeks = {team: baselined for team, _, baselined in rows}
    flagged = {team: count for team, count, _ in rows}
    assert weeks["payments"] == 36
    assert all(count <= 5 for team, count in flagged.items() if team != "payments"), flagged


def test_people_seed_matches_the_demo_rosters() -> None:
    specs = build_team_specs(1)
    rosters = build_rosters((spec.team.slug, spec.utc_offset_min) for spec in specs)
    expected = {
        (person.account_id, slug)
        for slug, roster in rosters.items()
        for person in (*roster.engineers, roster.product_manager)
    }
    seed = REPO_ROOT / "demo" / "config" / "mappings" / "flow_people_teams.csv"
    lines = seed.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "account_id,team"
    assert {tuple(line.split(",")) for line in lines[1:]} == expected


def test_epic_forecasts_flag_due_dates_their_throughput_cannot_meet(demo_warehouse: Path) -> None:
    """Each late forecast agrees with its own numbers, and the reason quotes them."""
    rows = query(
        demo_warehouse,
        """
        select epic_key, remaining_item_count, throughput_per_week, forecast_done_on, due_date,
               is_forecast_late, risk_reason
        from marts.mart_epic_forecast__weekly
        """,
    )
    late = [row for row in rows if row[5]]
    assert late, "the demo has epics with due dates their recent throughput cannot meet"
    for epic, remaining, rate, forecast, due, _, reason in late:
        assert due is not None and remaining > 0, epic
        assert forecast is None or forecast > due, epic
        left = "item left" if remaining == 1 else "items left"
        assert str(due) in reason and f"{remaining} {left}" in reason, (epic, reason)
        if forecast is None:
            assert rate == 0 and "none done" in reason, (epic, reason)
        else:
            assert str(forecast) in reason, (epic, reason)
    on_time = [row for row in rows if not row[5] and row[4] is not None and row[1] > 0]
    assert all(forecast is not None and forecast <= due for _, _, _, forecast, due, _, _ in on_time)


def test_payments_release_wait_is_commerce_growing_bottleneck_before_the_release(
    demo_warehouse: Path,
) -> None:
    """Payments (value stream Commerce) holds items ready for release until the train of 30 June: in the
    weeks of 15 and 22 June the release phase is Commerce's growing bottleneck, waiting well beyond its
    trailing share, and those are the release phase's two largest excesses among the weeks with a full
    12-week baseline."""
    rows = query(
        demo_warehouse,
        """
        select week_start, place, excess_waiting_hours, share_trend_ratio, is_growing_bottleneck
        from marts.mart_bottlenecks__weekly
        where value_stream = 'Commerce' and place_type = 'phase'
          and week_start >= (select min(week_start) + interval 12 week from marts.mart_bottlenecks__weekly)
        """,
    )
    growing = {str(week): place for week, place, _, _, is_growing in rows if is_growing}
    assert growing["2026-06-15"] == "release" and growing["2026-06-22"] == "release", growing
    release = sorted(
        ((excess, str(week), ratio) for week, place, excess, ratio, _ in rows if place == "release"),
        reverse=True,
    )
    assert {week for _, week, _ in release[:2]} == {"2026-06-15", "2026-06-22"}, release[:3]
    assert all(ratio >= 1.5 for _, _, ratio in release[:2])


def test_aging_wip_flags_items_older_than_their_team_p85(demo_warehouse: Path) -> None:
    rows = query(
        demo_warehouse,
        """
        select age_in_flow_hours, age_in_status_hours, team_flow_time_p50_hours, team_flow_time_p85_hours,
               team_flow_time_p95_hours, is_over_p85, is_over_p95
        from marts.mart_aging_wip
        """,
    )
    [(in_flow,)] = query(
        demo_warehouse,
        "select count(*) from marts.fct_work_items where current_flow_state in ('waiting', 'active')",
    )
    assert len(rows) == in_flow > 0
    for age, in_status, p50, p85, p95, over_p85, over_p95 in rows:
        assert 0 < in_status <= age + 1e-6
        assert p50 <= p85 <= p95
        assert over_p85 == (age > p85) and over_p95 == (age > p95)
