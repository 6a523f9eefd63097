"""Phase, handoff and flow facts on a hand-built organisation, checked against values worked out by hand.

The fixture is written as Jira and GitHub export files, loaded with dlt and built with dbt into a real
DuckDB file. Every time is an hour offset from T0 = Monday 2026-03-02 00:00 UTC; open intervals run to
the as-of time T0 + 200 h. All items are in project PAY (team payments), statuses as in `status_phases`:
Backlog (discovery, new), Selected for Development (planning, waiting), In Progress (development, active),
Blocked (development, waiting), Reopened (development, waiting), Ready for QA (release_readiness, waiting),
In Testing (release_readiness, active), Done (done), Won't Do (canceled).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ingestion.pipelines import load_all
from tests.conftest import query, write_json
from tests.models.dbt_runner import dbt_build

REPO_ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 3, 2, tzinfo=UTC)
AS_OF_HOURS = 200
PAYMENTS_ENGINEER = "1b128fd8441dfab5a4bc478a"  # flow_people_teams: payments
CHECKOUT_ENGINEER = "369ec82f39077f926cf17933"  # flow_people_teams: checkout

STATUS_IDS = {
    "Backlog": "10000",
    "Selected for Development": "10003",
    "In Progress": "3",
    "Blocked": "10004",
    "Reopened": "4",
    "Ready for QA": "10006",
    "In Testing": "10007",
    "Done": "10009",
}


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def jira_time(hours: float) -> str:
    return at(hours).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def github_time(hours: float) -> str:
    return at(hours).strftime("%Y-%m-%dT%H:%M:%SZ")


def status_item(old: str, new: str) -> dict:
    return {
        "field": "status",
        "fieldtype": "jira",
        "fieldId": "status",
        "from": STATUS_IDS[old],
        "fromString": old,
        "to": STATUS_IDS[new],
        "toString": new,
    }


def assignee_item(old: str | None, new: str | None) -> dict:
    return {
        "field": "assignee",
        "fieldtype": "jira",
        "fieldId": "assignee",
        "from": old,
        "fromString": old,
        "to": new,
        "toString": new,
    }


def issue(
    number: int,
    issue_type: str,
    status: str,
    histories: list[tuple[float, list[dict]]],
    assignee: str | None = None,
) -> dict:
    updated = max([hours for hours, _ in histories], default=0)
    return {
        "id": str(10000 + number),
        "key": f"PAY-{number}",
        "fields": {
            "project": {"key": "PAY", "name": "Payments"},
            "issuetype": {"name": issue_type, "subtask": False, "hierarchyLevel": 0},
            "status": {
                "id": STATUS_IDS[status],
                "name": status,
                "statusCategory": {"key": "done" if status == "Done" else "indeterminate"},
            },
            "summary": f"Item {number}",
            "assignee": {"accountId": assignee} if assignee else None,
            "labels": [],
            "components": [],
            "fixVersions": [],
            "created": jira_time(0),
            "updated": jira_time(updated),
        },
        "changelog": {
            "startAt": 0,
            "maxResults": len(histories),
            "total": len(histories),
            "histories": [
                {"id": f"{number}{index:02d}", "created": jira_time(hours), "items": items}
                for index, (hours, items) in enumerate(histories)
            ],
        },
    }


def moves(*steps: tuple[float, str, str]) -> list[tuple[float, list[dict]]]:
    return [(hours, [status_item(old, new)]) for hours, old, new in steps]


ISSUES = [
    # PAY-1: blocked time, a bounce-back from testing, two pull requests.
    issue(
        1,
        "Story",
        "Done",
        moves(
            (24, "Backlog", "In Progress"),
            (48, "In Progress", "Blocked"),
            (72, "Blocked", "In Progress"),
            (96, "In Progress", "Ready for QA"),
            (120, "Ready for QA", "In Testing"),
            (132, "In Testing", "In Progress"),
            (144, "In Progress", "Ready for QA"),
            (150, "Ready for QA", "In Testing"),
            (156, "In Testing", "Done"),
        ),
    ),
    # PAY-2: created in Selected for Development (known only from the first change), done, reopened, done.
    issue(
        2,
        "Bug",
        "Done",
        moves(
            (10, "Selected for Development", "In Progress"),
            (20, "In Progress", "Done"),
            (30, "Done", "Reopened"),
            (40, "Reopened", "In Progress"),
            (50, "In Progress", "Done"),
        ),
    ),
    # PAY-3: skips planning and release readiness.
    issue(3, "Task", "Done", moves((5, "Backlog", "In Progress"), (15, "In Progress", "Done"))),
    # PAY-4: created straight in Done, no status history.
    issue(4, "Task", "Done", []),
    # PAY-5: handed from a payments engineer to a checkout engineer on the move to QA.
    issue(
        5,
        "Story",
        "Done",
        [
            (10, [status_item("Backlog", "In Progress")]),
            (
                20,
                [
                    status_item("In Progress", "Ready for QA"),
                    assignee_item(PAYMENTS_ENGINEER, CHECKOUT_ENGINEER),
                ],
            ),
            (30, [status_item("Ready for QA", "In Testing")]),
            (40, [status_item("In Testing", "Done")]),
        ],
        assignee=CHECKOUT_ENGINEER,
    ),
    # PAY-6: still in progress at the as-of time.
    issue(6, "Story", "In Progress", moves((100, "Backlog", "In Progress"))),
    # PAY-7: reassigned from payments to checkout in the middle of In Progress.
    issue(
        7,
        "Story",
        "Done",
        [
            (10, [status_item("Backlog", "In Progress")]),
            (30, [assignee_item(PAYMENTS_ENGINEER, CHECKOUT_ENGINEER)]),
            (50, [status_item("In Progress", "Done")]),
        ],
        assignee=CHECKOUT_ENGINEER,
    ),
]


def pull_request(number: int, title: str, branch: str, merged_hours: float | None) -> dict:
    return {
        "id": 5000 + number,
        "node_id": f"PR{number}",
        "number": number,
        "state": "closed" if merged_hours is not None else "open",
        "draft": False,
        "title": title,
        "user": {"login": "dev", "type": "User"},
        "head": {"ref": branch, "sha": f"h{number}"},
        "base": {"ref": "main", "repo": {"full_name": "acme/payments-service"}},
        "merge_commit_sha": f"m{number}" if merged_hours is not None else None,
        "labels": [],
        "created_at": github_time(0),
        "updated_at": github_time(merged_hours or 0),
        "closed_at": github_time(merged_hours) if merged_hours is not None else None,
        "merged_at": github_time(merged_hours) if merged_hours is not None else None,
    }


PULL_REQUESTS = [
    pull_request(1, "PAY-1 Add refunds", "feature/refunds", 90),
    pull_request(2, "More refund work", "feature/PAY-1-more", 100),
    # Names PAY-10, which must not link to PAY-1.
    pull_request(3, "PAY-10 Unrelated", "feature/pay-10", 50),
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("flow")
    exports = root / "exports"
    write_json(exports / "jira" / "issues" / "page-1.json", {"issues": ISSUES})
    write_json(exports / "github" / "acme" / "payments-service" / "pulls" / "page-1.json", PULL_REQUESTS)
    warehouse_path = (root / "warehouse.duckdb").resolve()
    load_all(exports, warehouse_path)
    as_of = at(AS_OF_HOURS).strftime("%Y-%m-%d %H:%M:%S")
    dbt_build(root, warehouse_path, "+marts.flow", "--vars", f"{{flow_as_of_at: '{as_of}'}}")
    return warehouse_path


def naive(hours: float) -> datetime:
    return at(hours).replace(tzinfo=None)


def test_status_intervals(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """
        select issue_key, interval_index, status_name, status_source, team, valid_from, duration_hours
        from intermediate.int_work_item_status_intervals order by issue_key, interval_index
    """,
    )
    by_key: dict[str, list[tuple]] = {}
    for key, index, status, source, team, valid_from, hours in rows:
        by_key.setdefault(key, []).append((index, status, source, team, valid_from, hours))
    # PAY-1: Backlog 0-24, In Progress 24-48, Blocked 48-72, In Progress 72-96, Ready for QA 96-120,
    # In Testing 120-132, In Progress 132-144, Ready for QA 144-150, In Testing 150-156, Done from 156.
    assert [(s, h) for _, s, _, _, _, h in by_key["PAY-1"]] == [
        ("Backlog", 24),
        ("In Progress", 24),
        ("Blocked", 24),
        ("In Progress", 24),
        ("Ready for QA", 24),
        ("In Testing", 12),
        ("In Progress", 12),
        ("Ready for QA", 6),
        ("In Testing", 6),
        ("Done", None),
    ]
    assert by_key["PAY-1"][0][2] == "first_change"
    # PAY-2: the creation status comes from the first change's from-side; the closed Done interval
    # (20-30) is measured, the final one is not.
    assert [(s, h) for _, s, _, _, _, h in by_key["PAY-2"]] == [
        ("Selected for Development", 10),
        ("In Progress", 10),
        ("Done", 10),
        ("Reopened", 10),
        ("In Progress", 10),
        ("Done", None),
    ]
    # PAY-4: created in Done, no history: one interval from creation, from the current status.
    assert by_key["PAY-4"] == [(0, "Done", "current_status", "payments", naive(0), None)]
    # PAY-5: payments until the reassignment at 20, checkout after.
    assert [t for _, _, _, t, _, _ in by_key["PAY-5"]] == [
        "payments",
        "payments",
        "checkout",
        "checkout",
        "checkout",
    ]
    # PAY-6: In Progress since 100, open until the as-of time 200: 100 h.
    assert by_key["PAY-6"][-1][1:] == ("In Progress", "changelog", "payments", naive(100), 100)


def test_work_item_phases(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """
        select issue_key, delivery_phase, first_entered_at, last_exited_at, times_entered,
               total_hours, active_hours, waiting_hours
        from marts.fct_work_item_phases where issue_key in ('PAY-1', 'PAY-2') order by 1, 3
    """,
    )
    assert rows == [
        # PAY-1 discovery: Backlog 0-24, all waiting (new).
        ("PAY-1", "discovery", naive(0), naive(24), 1, 24, 0, 24),
        # development: entered at 24 and again at 132 (the bounce-back); 24+24+24+12 = 84 h, active
        # 24+24+12 = 60, waiting (Blocked) 24.
        ("PAY-1", "development", naive(24), naive(144), 2, 84, 60, 24),
        # release readiness: entered at 96 and 144; 24+12+6+6 = 48 h, active (In Testing) 12+6 = 18.
        ("PAY-1", "release_readiness", naive(96), naive(156), 2, 48, 18, 30),
        ("PAY-1", "done", naive(156), None, 1, 0, 0, 0),
        # PAY-2 planning 0-10 waiting.
        ("PAY-2", "planning", naive(0), naive(10), 1, 10, 0, 10),
        # development: 10-20 active, then reopened 30-40 waiting and 40-50 active: 30 h, 20 active.
        ("PAY-2", "development", naive(10), naive(50), 2, 30, 20, 10),
        # done: 20-30 before the reopen (10 h), then resting since 50 (not measured).
        ("PAY-2", "done", naive(20), None, 2, 10, 0, 10),
    ]


def test_handoffs(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """
        select issue_key, handoff_index, handoff_at, from_phase, to_phase, from_team, to_team,
               is_team_change, is_backward, wait_hours, is_entry_criteria_met
        from marts.fct_handoffs order by issue_key, handoff_index
    """,
    )
    by_key: dict[str, list[tuple]] = {}
    for row in rows:
        by_key.setdefault(row[0], []).append(row[1:])
    p = "payments"
    assert by_key["PAY-1"] == [
        # Straight into In Progress: no wait.
        (1, naive(24), "discovery", "development", p, p, False, False, 0, None),
        # Ready for QA at 96, testing starts at 120: 24 h. A PR was merged at 90: gate met.
        (2, naive(96), "development", "release_readiness", p, p, False, False, 24, True),
        # Bounce-back from testing to In Progress: backward, no wait.
        (3, naive(132), "release_readiness", "development", p, p, False, True, 0, None),
        # Ready for QA at 144, testing at 150: 6 h.
        (4, naive(144), "development", "release_readiness", p, p, False, False, 6, True),
        # Into Done: never active there.
        (5, naive(156), "release_readiness", "done", p, p, False, False, None, None),
    ]
    # PAY-2: the reopen (done -> development at 30) is backward; work restarts at 40: 10 h.
    assert by_key["PAY-2"][2] == (3, naive(30), "done", "development", p, p, False, True, 10, None)
    # PAY-3 skips phases: discovery -> development -> done.
    assert [(r[2], r[3]) for r in by_key["PAY-3"]] == [("discovery", "development"), ("development", "done")]
    assert "PAY-4" not in by_key
    # PAY-5: payments development -> checkout release readiness at 20; testing starts at 30: 10 h;
    # no linked pull request: the gate is not met.
    assert by_key["PAY-5"][1] == (
        2,
        naive(20),
        "development",
        "release_readiness",
        p,
        "checkout",
        True,
        False,
        10,
        False,
    )
    # PAY-7: a team handoff without a status change at 30; work goes on at once: no wait.
    assert by_key["PAY-7"] == [
        (1, naive(10), "discovery", "development", p, p, False, False, 0, None),
        (2, naive(30), "development", "development", p, "checkout", True, False, 0, None),
        (3, naive(50), "development", "done", "checkout", "checkout", False, False, None, None),
    ]


def test_work_items(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """
        select issue_key, flow_item, team, value_stream, started_at, done_at, flow_time_hours, active_hours,
               round(flow_efficiency, 6), linked_pull_request_count, last_merged_at
        from marts.fct_work_items order by 1
    """,
    )
    assert rows == [
        # Started at 24 (Backlog is new), done at 156: 132 h; active 24+24+12+12+6 = 78; 78/132.
        (
            "PAY-1",
            "feature",
            "payments",
            "Commerce",
            naive(24),
            naive(156),
            132,
            78,
            round(78 / 132, 6),
            2,
            naive(100),
        ),
        # Started at creation (Selected for Development is waiting), done last at 50; active 10+10.
        ("PAY-2", "defect", "payments", "Commerce", naive(0), naive(50), 50, 20, 0.4, 0, None),
        ("PAY-3", "feature", "payments", "Commerce", naive(5), naive(15), 10, 10, 1.0, 0, None),
        # Never started: no flow time.
        ("PAY-4", "feature", "payments", "Commerce", None, naive(0), None, 0, None, 0, None),
        # Active 10-20 and 30-40 of 30 h; now with the checkout engineer.
        (
            "PAY-5",
            "feature",
            "checkout",
            "Commerce",
            naive(10),
            naive(40),
            30,
            20,
            round(20 / 30, 6),
            0,
            None,
        ),
        ("PAY-6", "feature", "payments", "Commerce", naive(100), None, None, None, None, 0, None),
        # In Progress 10-50, all active; counted under checkout, who holds it now.
        ("PAY-7", "feature", "checkout", "Commerce", naive(10), naive(50), 40, 40, 1.0, 0, None),
    ]


def test_weekly_flow_mart(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """
        select team, week_start, items_done, features_done, defects_done, flow_time_median_hours,
               round(flow_time_p85_hours, 6), round(flow_efficiency, 6), flow_load,
               round(feature_share, 6), round(defect_share, 6)
        from marts.mart_flow__weekly where team in ('payments', 'checkout') order by 1, 2
    """,
    )
    week, next_week = naive(0).date(), naive(168).date()
    assert rows == [
        # Checkout, week of 2 March: PAY-5 (30 h) and PAY-7 (40 h). Median 35; p85 30 + 0.85 * 10 = 38.5;
        # efficiency (20 + 40) / (30 + 40).
        ("checkout", week, 2, 2, 0, 35, 38.5, round(60 / 70, 6), 0, 1.0, 0.0),
        ("checkout", next_week, 0, 0, 0, None, None, None, 0, None, None),
        # Payments: PAY-3 (10 h), PAY-2 (50 h, defect), PAY-1 (132 h); PAY-4 never started. Median 50;
        # p85 50 + 0.7 * (132 - 50) = 107.4; efficiency (10 + 20 + 78) / (10 + 50 + 132) = 108 / 192.
        # At the week's end (hour 168) only PAY-6 (started at 100) is in progress.
        ("payments", week, 3, 2, 1, 50, 107.4, 0.5625, 1, round(2 / 3, 6), round(1 / 3, 6)),
        ("payments", next_week, 0, 0, 0, None, None, None, 1, None, None),
    ]
    # Every team gets both weeks, the first holding the earliest start, the last the as-of time.
    assert query(warehouse, "select count(*) from marts.mart_flow__weekly") == [(16,)]


def test_weekly_handoffs_mart(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """
        select team, pair_type, from_value, to_value, handoff_count, handoffs_worked, wait_median_hours,
               round(wait_p85_hours, 6), wait_total_hours, bounce_back_rate, friction_rank
        from marts.mart_handoffs__weekly order by team, pair_type, friction_rank
    """,
    )
    assert rows == [
        # Checkout receives PAY-5 into release readiness (testing starts 10 h later) and both PAY-5 and
        # PAY-7 from payments (waits 10 and 0).
        ("checkout", "phase", "development", "release_readiness", 1, 1, 10, 10, 10, 0, 1),
        ("checkout", "phase", "development", "done", 1, 0, None, None, 0, 0, 2),
        ("checkout", "phase", "release_readiness", "done", 1, 0, None, None, 0, 0, 3),
        ("checkout", "team", "payments", "checkout", 2, 2, 5, 8.5, 10, 0, 1),
        # Payments: PAY-1 waited 24 h and 6 h for testing (median 15, p85 6 + 0.85 * 18 = 21.3, total 30):
        # the highest-friction handoff. Then PAY-2's reopen (10 h, a bounce-back).
        ("payments", "phase", "development", "release_readiness", 2, 2, 15, 21.3, 30, 0, 1),
        ("payments", "phase", "done", "development", 1, 1, 10, 10, 10, 1, 2),
        # Ties on zero wait rank by count, then by name.
        ("payments", "phase", "discovery", "development", 5, 5, 0, 0, 0, 0, 3),
        ("payments", "phase", "development", "done", 3, 0, None, None, 0, 0, 4),
        ("payments", "phase", "planning", "development", 1, 1, 0, 0, 0, 0, 5),
        ("payments", "phase", "release_readiness", "development", 1, 1, 0, 0, 0, 1, 6),
        ("payments", "phase", "release_readiness", "done", 1, 0, None, None, 0, 0, 7),
    ]


def test_delivery_risk_needs_a_baseline(warehouse: Path) -> None:
    # Two weeks of history: no baseline, so no ratio and no flag; WIP is reported as is.
    rows = query(
        warehouse,
        """
        select team, week_start, cycle_time_recent_items, cycle_time_ratio, handoff_wait_ratio, flow_load,
               is_flagged, flag_reasons
        from marts.mart_delivery_risk__weekly where team = 'payments' order by week_start
        """,
    )
    assert rows == [
        # PAY-1, PAY-2 and PAY-3 done in the first week.
        ("payments", naive(0).date(), 3, None, None, 1, False, None),
        ("payments", naive(168).date(), 3, None, None, 1, False, None),
    ]
