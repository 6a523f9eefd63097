"""The demo's planted story as the forecasts and the bottleneck finder tell it, on the session's demo build.

Team payments drags from 2026-05-15 until its release of 2026-06-30, and its items ready for release wait
for the release train of 30 June. The team's first epic is due with the release (demo/work.py). From the
week of 11 May the epic finishes nothing until the release itself: its chance of being on time falls weeks
before the release, and the release phase, where its work waited, is Commerce's bottleneck.
"""

from __future__ import annotations

import math
from datetime import date

from tests.conftest import DemoServing, query

RELEASE_DATE = date(2026, 6, 30)
TRIALS = 10_000


def monte_carlo_tolerance(share: float) -> float:
    """Four standard errors of a share estimated from 10,000 trials."""
    return 4 * math.sqrt(share * (1 - share) / TRIALS)


def binomial_at_least(successes: int, trials: int, p: float) -> float:
    return sum(math.comb(trials, k) * p**k * (1 - p) ** (trials - k) for k in range(successes, trials + 1))


def test_payments_release_epic_loses_its_chance_of_being_on_time_weeks_before_the_release(
    demo_serving: DemoServing,
) -> None:
    rows = query(
        demo_serving.serving,
        """
        select epic_key, week_start, remaining_item_count, scope_growth_per_week, probability_on_time,
               throughput_per_week
        from marts.mart_epic_forecast__weekly
        where team = 'payments' and due_date = ? and probability_on_time is not null
        order by week_start
        """,
        [RELEASE_DATE],
    )
    assert len({epic for epic, *_ in rows}) == 1, "one payments epic is due with the release"
    weeks = {str(week): (left, growth, chance, rate) for _, week, left, growth, chance, rate in rows}

    # Each chance by hand: the epic's 12 history weeks did 1 item in four of them and none in the others
    # (a week does 1 with p = 1/3); it has 1 item left and grows by the added items / 12 a week. A trial
    # finishes at week k when its items done reach 1 + growth × k; the chance of being on time is the
    # largest share finished at a week ending by 30 June.
    # Week of 27 April (8 weeks to the due date, growth 1/3): best at k = 6, 3 done of 6: 233/729.
    left, growth, chance, _ = weeks["2026-04-27"]
    assert (left, growth) == (1, 1 / 3)
    assert binomial_at_least(3, 6, 1 / 3) == 233 / 729
    assert abs(chance - 233 / 729) <= monte_carlo_tolerance(233 / 729)
    # Week of 8 June (2 weeks left, growth 1/3): both weeks must do an item: 1/9. Nothing done for 4 weeks.
    left, growth, chance, rate = weeks["2026-06-08"]
    assert (left, growth, rate) == (1, 1 / 3, 0)
    assert abs(chance - 1 / 9) <= monte_carlo_tolerance(1 / 9)
    # Week of 15 June, two weeks before the release: one whole week is left and 1 + 1/4 items need 2 in a
    # week, which no history week did: exactly 0.
    left, growth, chance, rate = weeks["2026-06-15"]
    assert (left, growth, rate, chance) == (1, 0.25, 0, 0)

    # From the slowdown on, the chance only falls.
    during = [
        chance for week, (_, _, chance, _) in sorted(weeks.items()) if "2026-05-11" <= week <= "2026-06-29"
    ]
    assert during == sorted(during, reverse=True) and during[-1] == 0, during


def test_payments_release_wait_is_commerce_bottleneck_in_the_weeks_before_the_release(
    demo_serving: DemoServing,
) -> None:
    """Where payments' finished work waited: the release phase is Commerce's largest and growing
    bottleneck in the weeks of 15 and 22 June, and in no week of the month before."""
    rows = query(
        demo_serving.serving,
        """
        select week_start, place, is_largest_bottleneck, is_growing_bottleneck, share_trend_ratio
        from marts.mart_bottlenecks__weekly
        where value_stream = 'Commerce' and place_type = 'phase'
          and week_start between date '2026-05-11' and date '2026-06-22'
          and (is_largest_bottleneck or is_growing_bottleneck)
        """,
    )
    largest = {str(week): place for week, place, is_largest, _, _ in rows if is_largest}
    growing = {str(week): (place, ratio) for week, place, _, is_growing, ratio in rows if is_growing}
    release_weeks = {"2026-06-15", "2026-06-22"}
    assert {week for week, place in largest.items() if place == "release"} == release_weeks, largest
    assert all(growing[week][0] == "release" and growing[week][1] >= 1.5 for week in release_weeks), growing
