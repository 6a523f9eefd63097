"""The DORA marts on the demo organisation (scale 0.2, the session's `demo_serving`): the planted story shows.

The demo plants a slowdown of team `payments` before its release of 2026-06-30: from 2026-05-15 coding
stretches by 1.8 and review waits by 1.4 (demo/generate.py). Its changes merged in that
stretch must show it in `fct_changes`: a longer median lead time, and a pre-deployment part (coding, pickup
and review) that roughly doubles, against the rest of the year. The monthly mart shows it too, in its time to
merge (that same pre-deployment part, dated by merge): lead time there is dated by the deployment that ships
the work, which for a team deploying every week or two mixes slow and normal months.
"""

from __future__ import annotations

import statistics
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import DemoServing, query

SLOW = "merged_at >= timestamp '2026-05-15' and merged_at < timestamp '2026-07-01'"


@pytest.fixture(scope="module")
def warehouse(demo_serving: DemoServing) -> Path:
    return demo_serving.warehouse


def test_payments_lead_time_rises_before_the_release(warehouse: Path) -> None:
    [(slow_lead, rest_lead, slow_before_deploy, rest_before_deploy)] = query(
        warehouse,
        f"""
        select
            median(lead_time_hours) filter (where {SLOW}),
            median(lead_time_hours) filter (where not ({SLOW})),
            median(coding_hours + coalesce(pickup_hours, 0) + coalesce(review_hours, 0)) filter (where {SLOW}),
            median(coding_hours + coalesce(pickup_hours, 0) + coalesce(review_hours, 0)) filter (where not ({SLOW}))
        from marts.fct_changes
        where team = 'payments' and is_in_lead_time
    """,
    )
    assert slow_lead > 1.3 * rest_lead
    assert slow_before_deploy > 1.5 * rest_before_deploy


def test_payments_time_to_merge_rises_on_the_monthly_mart(warehouse: Path) -> None:
    by_team: dict[str, dict[date, float]] = {}
    for team, month, hours in query(
        warehouse,
        """
        select grain_key, period_start, time_to_merge_median_hours
        from marts.mart_dora__monthly
        where grain = 'team' and time_to_merge_median_hours is not null
    """,
    ):
        by_team.setdefault(team, {})[month] = hours
    may, june, july = date(2026, 5, 1), date(2026, 6, 1), date(2026, 7, 1)
    # of all teams, only payments has May and June (the slowdown runs 05-15 to 06-30) as its two slowest months
    slowest_two = {team: set(sorted(months, key=months.get)[-2:]) for team, months in by_team.items()}
    assert [team for team, months in slowest_two.items() if months == {may, june}] == ["payments"]
    payments = by_team["payments"]
    earlier = statistics.median(hours for month, hours in payments.items() if month < may)
    # both months well above its own earlier months, and July recovers
    assert payments[may] > 1.5 * earlier and payments[june] > 1.5 * earlier
    assert payments[july] < payments[june] / 1.5


def test_demo_marts_are_consistent(warehouse: Path) -> None:
    # the organisation's rows add up from the teams' (every demo repository and service is mapped)
    [(mismatches,)] = query(
        warehouse,
        """
        select count(*) from (
            select period_start, sum(deployment_count) as teams_deployments,
                   sum(failed_deployment_count) as teams_failed
            from marts.mart_dora__monthly where grain = 'team' group by period_start
        ) as t
        inner join marts.mart_dora__monthly as o
            on o.grain = 'organisation' and o.period_start = t.period_start
        where o.deployment_count <> t.teams_deployments or o.failed_deployment_count <> t.teams_failed
    """,
    )
    assert mismatches == 0
    [(max_cfr, attributed, methods)] = query(
        warehouse,
        """
        select (select max(change_failure_rate) from marts.mart_dora__weekly),
               (select count(*) from marts.fct_incidents where deployment_key is not null),
               (select count(distinct attribution_method) from marts.fct_incidents)
    """,
    )
    assert max_cfr <= 1
    assert attributed > 0 and methods == 3
