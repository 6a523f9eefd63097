"""The DORA marts on the demo organisation (scale 0.2): the planted story shows, and the build is quick.

The demo plants a slowdown of team `payments` before its release of 2026-06-30: from 2026-05-15 coding
stretches by 1.8 and review waits by 1.4 (ingestion/demo_org/generate.py). Its changes merged in that
stretch must show it in `fct_changes`: a longer median lead time, and a pre-deployment part (coding, pickup
and review) that roughly doubles, against the rest of the year.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingestion.demo_org.generate import generate_demo_exports
from tests.conftest import query
from tests.models.test_dora_marts import build_warehouse

SLOW = "merged_at >= timestamp '2026-05-15' and merged_at < timestamp '2026-07-01'"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    work = tmp_path_factory.mktemp("dora_demo")
    generate_demo_exports(work / "exports", size="0.2")
    return build_warehouse(work / "exports", work, "+marts.dora")


def test_payments_lead_time_rises_before_the_release(demo: tuple[Path, float]) -> None:
    warehouse, _ = demo
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


def test_demo_marts_are_consistent(demo: tuple[Path, float]) -> None:
    warehouse, _ = demo
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
