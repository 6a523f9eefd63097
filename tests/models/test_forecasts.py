"""Monte Carlo forecasts on hand-built throughput histories whose answers are known in closed form.

The fixture is written as Jira export files, loaded with dlt and built with dbt into a real DuckDB file.
Weeks start on Monday T0 = 2026-01-05 (week 0); the as-of time is the end of week 11, so the forecasts of the
newest week (Monday 2026-03-23) sample weeks 0 to 11 (12 weeks) and run from Monday 2026-03-30 (week_end):
trial week k ends on Sunday week_end + 7k - 1. Each epic's due date, Sunday 2026-05-24, is the end of week 8.
Items created before their epic count from its first week but are not scope growth.

- PAY-100 does exactly 3 items every week and has 12 left, no growth: every percentile is 4 weeks.
- PAY-200 does 2 items in six of the weeks and none in the other six, 10 left: a trial does 2 × Bin(k, 1/2)
  items in k weeks, so P(done within k weeks) = P(Bin(k, 1/2) >= 5).
- PAY-300 does 3 a week while one item a week is added (12 in the window, all still open): net 2 a week
  against 12 left, every percentile is 6 weeks (4 without the growth).
- The team (all three epics' items) does 8 items in the even weeks and 6 in the odd ones: the next N items
  (var `forecast_item_count`) take the first week whose sum of draws of 6 or 8 reaches N.
"""

from __future__ import annotations

import math
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingestion.pipelines import load_all
from orchestration.cli import app
from tests.conftest import query, write_json
from tests.models.dbt_runner import dbt_build
from tests.models.test_flow_fixture import STATUS_IDS, status_item

T0 = datetime(2026, 1, 5, tzinfo=UTC)
WEEK = 168
AS_OF = "2026-03-29 23:00:00"
NEWEST_WEEK = date(2026, 3, 23)
DUE = "2026-05-24"
TRIALS = 10_000
CONFIDENCES = (50, 70, 85, 95)
# Four standard errors of a share estimated from 10,000 trials, at its largest (p = 1/2).
MONTE_CARLO_TOLERANCE = 4 * math.sqrt(0.25 / TRIALS)


def jira_time(hours: float) -> str:
    return (T0 + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def jira_issue(
    number: int,
    issue_type: str,
    created: float,
    done: float | None = None,
    epic: str | None = None,
    due: str | None = None,
) -> dict:
    """A PAY issue created at `created` hours after T0; when `done` is set, started an hour after creation
    and done then; otherwise still in Backlog."""
    histories = []
    if done is not None:
        histories = [
            (created + 1, status_item("Backlog", "In Progress")),
            (done, status_item("In Progress", "Done")),
        ]
    status = "Done" if done is not None else "Backlog"
    return {
        "id": str(10000 + number),
        "key": f"PAY-{number}",
        "fields": {
            "project": {"key": "PAY", "name": "PAY"},
            "issuetype": {
                "name": issue_type,
                "subtask": False,
                "hierarchyLevel": 1 if issue_type == "Epic" else 0,
            },
            "status": {
                "id": STATUS_IDS[status],
                "name": status,
                "statusCategory": {"key": "done" if done is not None else "new"},
            },
            "summary": f"Item {number}",
            "assignee": None,
            "labels": [],
            "components": [],
            "fixVersions": [],
            "customfield_10014": epic,
            "duedate": due,
            "created": jira_time(created),
            "updated": jira_time(max([created, *(hours for hours, _ in histories)])),
        },
        "changelog": {
            "startAt": 0,
            "maxResults": len(histories),
            "total": len(histories),
            "histories": [
                {"id": f"{number}{index:02d}", "created": jira_time(hours), "items": [item]}
                for index, (hours, item) in enumerate(histories)
            ],
        },
    }


def epic_with_children(
    epic_number: int, done_per_week: list[int], left_before: int, added_per_week: int
) -> list:
    """An epic created at T0 + 1 h; its done items created the week before (not growth) and done on
    Tuesdays; `left_before` open items created the week before; `added_per_week` open items created on each
    Wednesday of weeks 0-11 (growth)."""
    epic = f"PAY-{epic_number}"
    issues = [jira_issue(epic_number, "Epic", 1, due=DUE)]
    number = epic_number
    for week, count in enumerate(done_per_week):
        for index in range(count):
            number += 1
            issues.append(jira_issue(number, "Story", -48, done=week * WEEK + 24 + index, epic=epic))
    for _ in range(left_before):
        number += 1
        issues.append(jira_issue(number, "Story", -48, epic=epic))
    for week in range(12):
        for _ in range(added_per_week):
            number += 1
            issues.append(jira_issue(number, "Story", week * WEEK + 48, epic=epic))
    return issues


ISSUES = [
    *epic_with_children(100, [3] * 12, left_before=12, added_per_week=0),
    *epic_with_children(200, [2, 0] * 6, left_before=10, added_per_week=0),
    *epic_with_children(300, [3] * 12, left_before=0, added_per_week=1),
]


FORECAST_MARTS = (
    "+mart_epic_forecast__weekly +mart_backlog_forecast +mart_forecast__history_weeks +mart_forecast__coverage"
)


def build(root: Path, warehouse: Path, *extra_vars: str, select: str = FORECAST_MARTS) -> None:
    variables = ", ".join([f"flow_as_of_at: '{AS_OF}'", *extra_vars])
    dbt_build(root, warehouse, select, "--vars", f"{{{variables}}}")


def rebuild_forecasts(root: Path, warehouse: Path, *extra_vars: str) -> None:
    build(root, warehouse, *extra_vars, select="int_forecast__scope_weeks+ int_forecast__draws+")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("forecast")
    exports = root / "exports"
    write_json(exports / "jira" / "issues" / "page-1.json", {"issues": ISSUES})
    warehouse_path = (root / "delivery.duckdb").resolve()
    load_all(exports, warehouse_path)
    build(root, warehouse_path)
    return warehouse_path


def newest_forecast(warehouse: Path, epic: str) -> dict:
    columns = [
        "remaining_item_count",
        "history_weeks",
        "scope_growth_per_week",
        "probability_on_time",
        *(f"p{c}_completion_date" for c in CONFIDENCES),
        *(f"p{c}_items_by_due_date" for c in CONFIDENCES),
        "forecast_trials",
        "forecast_seed",
    ]
    [row] = query(
        warehouse,
        f"select {', '.join(columns)} from marts.mart_epic_forecast__weekly "
        "where epic_key = ? and week_start = ?",
        [epic, NEWEST_WEEK],
    )
    return dict(zip(columns, row, strict=True))


def completion_date(weeks: int) -> date:
    """The Sunday ending trial week `weeks` after the newest week's end (Monday 2026-03-30)."""
    return date(2026, 3, 30) + timedelta(days=7 * weeks - 1)


def test_constant_throughput_finishes_in_exactly_remaining_over_rate_weeks(warehouse: Path) -> None:
    forecast = newest_forecast(warehouse, "PAY-100")
    # 12 left at 3 a week, every trial: 4 weeks, at every confidence; by the due date (8 weeks) 24 items.
    assert forecast["remaining_item_count"] == 12 and forecast["history_weeks"] == 12
    assert forecast["scope_growth_per_week"] == 0
    assert {forecast[f"p{c}_completion_date"] for c in CONFIDENCES} == {completion_date(4)}
    assert {forecast[f"p{c}_items_by_due_date"] for c in CONFIDENCES} == {24}
    assert forecast["probability_on_time"] == 1.0
    assert (forecast["forecast_trials"], forecast["forecast_seed"]) == (TRIALS, 1)


def binomial_at_least(successes: int, trials: int) -> float:
    return sum(math.comb(trials, k) for k in range(successes, trials + 1)) / 2**trials


def weeks_within_monte_carlo_error(confidence: float, finished_by: list[float]) -> set[int]:
    """The weeks a Monte Carlo percentile may land on: the first week whose exact chance reaches the
    confidence, or a neighbour when the exact chance lies within the Monte Carlo error of it."""
    return {
        week
        for week in range(1, len(finished_by))
        if finished_by[week] >= confidence - MONTE_CARLO_TOLERANCE
        and finished_by[week - 1] < confidence + MONTE_CARLO_TOLERANCE
    }


def test_two_valued_history_follows_the_binomial(warehouse: Path) -> None:
    forecast = newest_forecast(warehouse, "PAY-200")
    # 10 left; a week does 2 items with probability 1/2 (six of the twelve weeks), else 0: done within k
    # weeks when Bin(k, 1/2) >= 5. By the due date (8 weeks): 93/256.
    finished_by = [binomial_at_least(5, weeks) for weeks in range(53)]
    assert finished_by[8] == 93 / 256
    assert abs(forecast["probability_on_time"] - 93 / 256) <= MONTE_CARLO_TOLERANCE
    for confidence in CONFIDENCES:
        allowed = weeks_within_monte_carlo_error(confidence / 100, finished_by)
        assert forecast[f"p{confidence}_completion_date"] in {completion_date(w) for w in allowed}, confidence
        # Items by the due date: 2 × Bin(8, 1/2); the most items reached in at least that share of trials.
        items_allowed = {
            2 * successes
            for successes in range(9)
            if binomial_at_least(successes, 8) >= confidence / 100 - MONTE_CARLO_TOLERANCE
            and binomial_at_least(successes + 1, 8) < confidence / 100 + MONTE_CARLO_TOLERANCE
        }
        assert forecast[f"p{confidence}_items_by_due_date"] in items_allowed, confidence


def test_scope_growth_delays_the_forecast(warehouse: Path) -> None:
    forecast = newest_forecast(warehouse, "PAY-300")
    # 12 left, 12 added in the 12 history weeks (1 a week), 3 done a week: 3k >= 12 + k at k = 6.
    assert forecast["remaining_item_count"] == 12 and forecast["scope_growth_per_week"] == 1.0
    assert {forecast[f"p{c}_completion_date"] for c in CONFIDENCES} == {completion_date(6)}


def test_scope_growth_off_and_the_seed(warehouse: Path, tmp_path: Path) -> None:
    """A rebuild with the same seed gives identical rows; another seed moves the two-valued forecast by
    less than the Monte Carlo error; without scope growth PAY-300 finishes in 4 weeks (12 at 3 a week)."""
    copy = tmp_path / "delivery.duckdb"
    shutil.copy(warehouse, copy)
    outcomes = "select * from intermediate.int_forecast__outcomes order by all"
    before = query(copy, outcomes)
    rebuild_forecasts(tmp_path, copy)
    assert query(copy, outcomes) == before

    rebuild_forecasts(tmp_path, copy, "forecast_seed: 2")
    seed_1 = newest_forecast(warehouse, "PAY-200")
    seed_2 = newest_forecast(copy, "PAY-200")
    assert seed_2["forecast_seed"] == 2
    assert (
        abs(seed_2["probability_on_time"] - seed_1["probability_on_time"])
        <= math.sqrt(2) * MONTE_CARLO_TOLERANCE
    )

    rebuild_forecasts(tmp_path, copy, "forecast_scope_growth: false", "forecast_item_count: 20")
    without_growth = newest_forecast(copy, "PAY-300")
    assert without_growth["scope_growth_per_week"] == 0
    assert {without_growth[f"p{c}_completion_date"] for c in CONFIDENCES} == {completion_date(4)}

    # 20 items at 6 or 8 a week (each with p = 1/2): 2 weeks do at most 16; 3 weeks reach 20 unless all
    # three do 6: 7/8 of the trials, short of 95 %; 4 weeks do at least 24.
    item_count, *dates = team_item_count_forecast(copy)
    assert item_count == 20
    assert dates == [completion_date(3), completion_date(3), completion_date(3), completion_date(4)]


def team_item_count_forecast(warehouse: Path) -> tuple:
    [row] = query(
        warehouse,
        "select forecast_item_count, "
        + ", ".join(f"p{c}_item_count_completion_date" for c in CONFIDENCES)
        + " from marts.mart_backlog_forecast where scope_type = 'team'",
    )
    return row


def test_a_number_of_items_the_user_sets(warehouse: Path) -> None:
    """The default 10 items: one week does 6 or 8, two weeks at least 12: 2 weeks at every confidence."""
    item_count, *dates = team_item_count_forecast(warehouse)
    assert item_count == 10
    assert dates == [completion_date(2)] * len(CONFIDENCES)


def test_explain_lists_the_throughput_weeks_a_forecast_sampled(warehouse: Path) -> None:
    """PAY-200's newest forecast sampled weeks 0 to 11 (Mondays from T0): 2 done in the even weeks, none in
    the odd ones, nothing added; the value is the mart's own."""
    result = CliRunner().invoke(
        app,
        ["explain", "p85_completion_date", "--epic", "PAY-200", "--week", str(NEWEST_WEEK), "--format", "csv",
         "--warehouse", str(warehouse)],
    )
    assert result.exit_code == 0, result.output
    header, *lines = result.output.strip().splitlines()
    assert header == "history_week_start,history_position,items_done,items_added,history_key"
    weeks = [line.split(",")[0] for line in lines]
    assert weeks == [str((T0 + timedelta(weeks=week)).date()) for week in range(12)]
    assert [int(line.split(",")[2]) for line in lines] == [2, 0] * 6
    assert {line.split(",")[3] for line in lines} == {"0"}

    shown = CliRunner().invoke(
        app, ["explain", "p85_completion_date", "--epic", "PAY-200", "--week", str(NEWEST_WEEK),
              "--warehouse", str(warehouse)],
    )
    assert shown.exit_code == 0, shown.output
    assert str(newest_forecast(warehouse, "PAY-200")["p85_completion_date"]) in shown.output
    assert "chance 1/12" in shown.output

    team = CliRunner().invoke(app, ["explain", "p50_item_count_completion_date", "--team", "payments",
                                    "--format", "csv", "--warehouse", str(warehouse)])
    assert team.exit_code == 0, team.output
    # The team's items: 8 done in the even weeks, 6 in the odd ones.
    assert [int(line.split(",")[2]) for line in team.output.strip().splitlines()[1:]] == [8, 6] * 6


def test_an_empty_mart_says_why(warehouse: Path) -> None:
    """No item of the fixture is in flow now (each is in Backlog or Done): aging WIP is empty, and says so.
    Work items: 3 epics; PAY-100 36 done + 12 left; PAY-200 12 done + 10 left; PAY-300 36 done + 12 added."""
    rows = {
        mart: (count, reason)
        for mart, count, reason in query(
            warehouse, "select mart_name, row_count, empty_reason from marts.mart_forecast__coverage"
        )
    }
    assert rows["mart_aging_wip"] == (0, "none of the 121 work items is in a waiting or active status now")
    for mart in ("mart_backlog_forecast", "mart_epic_forecast__weekly", "mart_bottlenecks__weekly"):
        count, reason = rows[mart]
        assert count > 0 and reason is None, mart
