"""Phase, handoff and flow facts on a hand-built organisation, checked against values worked out by hand.

The fixture is written as Jira and GitHub export files, loaded with dlt and built with dbt into a real
DuckDB file. Every time is an hour offset from T0 = Monday 2026-03-02 00:00 UTC; open intervals run to
the as-of time T0 + 200 h. Items PAY-* are in project PAY (team payments), CAT-* in CAT (team catalog),
OPS-* in OPS, which no seed maps (team `unmapped`). Statuses as in `status_phases`: Backlog (discovery,
new), Selected for Development (planning, waiting), In Progress (development, active), Blocked
(development, waiting), Reopened (development, waiting), Ready for QA (release_readiness, waiting), In
Testing (release_readiness, active), Done, Resolved and Closed (done), Won't Do (canceled); Delivered, a
done status no seed names, maps to done through its Jira status category.

An item belongs to its owning team (its project's) in every flow mart; the team of its assignee holds it
(the holding team, which drives handoffs).

The code, in acme/payments-service (squash merges, GitHub deployments to `production`):

    b0 root commit (T0 - 48 h)
    PR 5  "PAY-3 Fee rounding"   squash m5 <- b0  merged 0.5
    D1    deployment 3300000001  m5  success 1      first known: ships b0 and PR 5 (baseline)
    PR 3  "PAY-10 Unrelated"     squash m3 <- m5  merged 50   (links to no item)
    PR 1  "PAY-1 Add refunds"    squash m1 <- m3  merged 90
    D2    deployment 3300000002  m1  in_progress 94, success 95: ships PR 3 and PR 1
    PR 2  branch feature/PAY-1-more  squash m2 <- m1  merged 100
    D3    deployment 3300000003  m2  failure 170: an attempt, not a deployment
    D4    deployment 3300000004  m2  success 180: ships PR 2, the last of PAY-1's merged pull requests
    PR 4  "PAY-5 Receipts"       squash m4 <- m2  merged 190, never deployed
    PR 6  "PAY-1 Follow-up"      open, never merged
    PR 7  "PAY-6 and PAY-7: shared config", branch feature/PAY-2-config   open: names three items
"""

from __future__ import annotations

import hashlib
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
CATALOG_ENGINEER = "f1372c8027e65dd836ba0938"  # flow_people_teams: catalog
IDENTITY_QA_ENGINEER = "73b9892b87edc9d37d83a7a7"  # flow_people_teams: identity
UNKNOWN_PERSON = "0000000000000000000000ff"  # in no seed
A_YEAR = 365 * 24

STATUS_IDS = {
    "Backlog": "10000",
    "Selected for Development": "10003",
    "In Progress": "3",
    "Blocked": "10004",
    "Reopened": "4",
    "Ready for QA": "10006",
    "In Testing": "10007",
    "Done": "10009",
    "Won't Do": "10010",
    "Resolved": "5",
    "Closed": "6",
    "Delivered": "10100",
}
DONE_STATUSES = {"Done", "Resolved", "Closed", "Delivered"}
PROJECT_ISSUE_IDS = {"PAY": 10000, "CAT": 10100, "OPS": 10200}


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def jira_time(hours: float) -> str:
    return at(hours).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def github_time(hours: float) -> str:
    return at(hours).strftime("%Y-%m-%dT%H:%M:%SZ")


def sha(name: str) -> str:
    """A stable 40-hex sha for a commit's name in the story above."""
    return hashlib.sha1(name.encode()).hexdigest()


def commit_body(name: str, parents: list[str], at: str) -> dict:
    person = {"name": "dev", "email": "dev@acme.example.com", "date": at}
    return {
        "sha": sha(name),
        "commit": {"author": person, "committer": person, "message": f"commit {name}"},
        "author": {"login": "dev", "type": "User"},
        "committer": {"login": "dev", "type": "User"},
        "parents": [{"sha": sha(parent)} for parent in parents],
    }


def write_deployments(repo_dir: Path, deployments: list) -> None:
    """GitHub deployments and, per deployment, its statuses (the API lists them newest first)."""
    write_json(
        repo_dir / "deployments" / "page-1.json",
        [
            {
                "id": deployment_id,
                "node_id": f"D_{deployment_id}",
                "sha": sha(commit),
                "ref": "main",
                "task": "deploy",
                "environment": environment,
                "original_environment": environment,
                "creator": {"login": "dev"},
                "description": f"Deploy {commit}",
                "created_at": statuses[0][1],
                "updated_at": statuses[0][1],
            }
            for deployment_id, commit, environment, statuses in deployments
        ],
    )
    for deployment_id, _, environment, statuses in deployments:
        write_json(
            repo_dir / "deployment_statuses" / f"{deployment_id}.json",
            [
                {
                    "id": deployment_id * 10 + index,
                    "state": state,
                    "environment": environment,
                    "description": state,
                    "creator": {"login": "github-actions[bot]"},
                    "created_at": at,
                    "updated_at": at,
                }
                for index, (state, at) in enumerate(reversed(statuses))
            ],
        )


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


def issue_type_item(old: str, new: str) -> dict:
    return {
        "field": "issuetype",
        "fieldtype": "jira",
        "fieldId": "issuetype",
        "from": None,
        "fromString": old,
        "to": None,
        "toString": new,
    }


def issue(
    number: int,
    issue_type: str,
    status: str,
    histories: list[tuple[float, list[dict]]],
    assignee: str | None = None,
    project: str = "PAY",
) -> dict:
    updated = max([hours for hours, _ in histories], default=0)
    return {
        "id": str(PROJECT_ISSUE_IDS[project] + number),
        "key": f"{project}-{number}",
        "fields": {
            "project": {"key": project, "name": project},
            "issuetype": {"name": issue_type, "subtask": False, "hierarchyLevel": 0},
            "status": {
                "id": STATUS_IDS[status],
                "name": status,
                "statusCategory": {"key": "done" if status in DONE_STATUSES else "indeterminate"},
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
                {"id": f"{project}{number}{index:02d}", "created": jira_time(hours), "items": items}
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
    # PAY-3: skips planning and release readiness. Closed at 15 as an unassigned Task (payments, the
    # project's team); at 60, after closing, re-typed as a Bug and assigned to a checkout engineer.
    issue(
        3,
        "Bug",
        "Done",
        [
            *moves((5, "Backlog", "In Progress"), (15, "In Progress", "Done")),
            (60, [issue_type_item("Task", "Bug"), assignee_item(None, CHECKOUT_ENGINEER)]),
        ],
        assignee=CHECKOUT_ENGINEER,
    ),
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
    # PAY-8: canceled at 20, reopened at 50: the 30 h canceled are neither active nor waiting.
    issue(
        8,
        "Story",
        "Done",
        moves(
            (10, "Backlog", "In Progress"),
            (20, "In Progress", "Won't Do"),
            (50, "Won't Do", "Reopened"),
            (60, "Reopened", "In Progress"),
            (70, "In Progress", "Done"),
        ),
    ),
    # CAT-1, the QA closer: developed by a catalog engineer; on the move to QA at 30 a QA engineer of
    # identity takes it, tests it and closes it at 50. It stays catalog's item.
    issue(
        1,
        "Story",
        "Done",
        [
            (10, [status_item("Backlog", "In Progress")]),
            (
                30,
                [
                    status_item("In Progress", "Ready for QA"),
                    assignee_item(CATALOG_ENGINEER, IDENTITY_QA_ENGINEER),
                ],
            ),
            (40, [status_item("Ready for QA", "In Testing")]),
            (50, [status_item("In Testing", "Done")]),
        ],
        assignee=IDENTITY_QA_ENGINEER,
        project="CAT",
    ),
    # CAT-2: resolved at 30, closed at 100: done since 30.
    issue(
        2,
        "Task",
        "Closed",
        moves((10, "Backlog", "In Progress"), (30, "In Progress", "Resolved"), (100, "Resolved", "Closed")),
        project="CAT",
    ),
    # CAT-3: closed at 17; a year later a workflow migration moves it to the renamed done status
    # Delivered: still done since 17.
    issue(
        3,
        "Task",
        "Delivered",
        moves(
            (10, "Backlog", "In Progress"),
            (17, "In Progress", "Closed"),
            (17 + A_YEAR, "Closed", "Delivered"),
        ),
        project="CAT",
    ),
    # OPS-1 and OPS-2: a project no seed maps, nobody of a team: counted under `unmapped`.
    issue(
        1, "Story", "Done", moves((10, "Backlog", "In Progress"), (30, "In Progress", "Done")), project="OPS"
    ),
    issue(
        2,
        "Story",
        "Done",
        moves((20, "Backlog", "In Progress"), (60, "In Progress", "Done")),
        assignee=UNKNOWN_PERSON,
        project="OPS",
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
        "merge_commit_sha": sha(f"m{number}") if merged_hours is not None else None,
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
    pull_request(4, "PAY-5 Receipts", "feature/receipts", 190),
    pull_request(5, "PAY-3 Fee rounding", "feature/fees", 0.5),
    pull_request(6, "PAY-1 Follow-up", "feature/refunds-2", None),
    pull_request(7, "PAY-6 and PAY-7: shared config", "feature/PAY-2-config", None),
]

# The default branch, one squash commit per merged pull request (see the module docstring).
COMMITS = [
    commit_body("b0", [], github_time(-48)),
    commit_body("m5", ["b0"], github_time(0.5)),
    commit_body("m3", ["m5"], github_time(50)),
    commit_body("m1", ["m3"], github_time(90)),
    commit_body("m2", ["m1"], github_time(100)),
    commit_body("m4", ["m2"], github_time(190)),
]

DEPLOYMENTS = [
    # id, deployed commit, environment, statuses (newest last)
    (3300000001, "m5", "production", [("success", github_time(1))]),
    (3300000002, "m1", "production", [("in_progress", github_time(94)), ("success", github_time(95))]),
    (3300000003, "m2", "production", [("failure", github_time(170))]),
    (3300000004, "m2", "production", [("success", github_time(180))]),
]


def write_github_exports(repo_dir: Path) -> None:
    write_json(repo_dir / "pulls" / "page-1.json", PULL_REQUESTS)
    write_json(repo_dir / "commits" / "page-1.json", COMMITS)
    for pr in PULL_REQUESTS:
        if pr["merged_at"] is not None:
            first = commit_body(f"pr{pr['number']}-c1", ["b0"], pr["merged_at"])
            write_json(repo_dir / "pull_commits" / f"{pr['number']}.json", [first])
    review = {
        "id": 9001,
        "node_id": "R_9001",
        "user": {"login": "reviewer-r", "type": "User"},
        "state": "APPROVED",
        "submitted_at": github_time(80),
        "commit_id": sha("m1"),
    }
    write_json(repo_dir / "pull_reviews" / "1.json", [review])
    write_deployments(repo_dir, DEPLOYMENTS)
    # A CI run (not a deploy workflow): the repository deploys through GitHub deployments.
    write_json(
        repo_dir / "workflow_runs" / "page-1.json",
        {
            "total_count": 1,
            "workflow_runs": [
                {
                    "id": 18000000001,
                    "name": "ci.yml",
                    "path": ".github/workflows/ci.yml",
                    "run_number": 1,
                    "run_attempt": 1,
                    "workflow_id": 700,
                    "event": "push",
                    "status": "completed",
                    "conclusion": "success",
                    "head_branch": "main",
                    "head_sha": sha("m1"),
                    "actor": {"login": "dev"},
                    "created_at": github_time(91),
                    "run_started_at": github_time(91),
                    "updated_at": github_time(92),
                }
            ],
        },
    )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("flow")
    exports = root / "exports"
    write_json(exports / "jira" / "issues" / "page-1.json", {"issues": ISSUES})
    write_github_exports(exports / "github" / "acme" / "payments-service")
    warehouse_path = (root / "delivery.duckdb").resolve()
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
        from intermediate.int_flow__work_item_status_intervals order by issue_key, interval_index
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
    # PAY-8: the 30 h canceled (20-50) before the reopen are measured; the final Done is not.
    assert [(s, h) for _, s, _, _, _, h in by_key["PAY-8"]] == [
        ("Backlog", 10),
        ("In Progress", 10),
        ("Won't Do", 30),
        ("Reopened", 10),
        ("In Progress", 10),
        ("Done", None),
    ]
    # CAT-2 and CAT-3 rest in done from 30 and 17: moving between done statuses (Resolved -> Closed,
    # Closed -> Delivered a year later) is resting, not measured.
    assert [(s, h) for _, s, _, _, _, h in by_key["CAT-2"]] == [
        ("Backlog", 10),
        ("In Progress", 20),
        ("Resolved", None),
        ("Closed", None),
    ]
    assert [(s, h) for _, s, _, _, _, h in by_key["CAT-3"]] == [
        ("Backlog", 10),
        ("In Progress", 7),
        ("Closed", None),
        ("Delivered", None),
    ]
    # CAT-1: held by the catalog engineer until the move to QA at 30, by identity's QA engineer after.
    assert [(s, t) for _, s, _, t, _, _ in by_key["CAT-1"]] == [
        ("Backlog", "catalog"),
        ("In Progress", "catalog"),
        ("Ready for QA", "identity"),
        ("In Testing", "identity"),
        ("Done", "identity"),
    ]


def test_work_item_phases(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """
        select issue_key, delivery_phase, first_entered_at, last_exited_at, times_entered,
               total_hours, active_hours, waiting_hours, closed_hours
        from marts.fct_work_item_phases where issue_key in ('PAY-1', 'PAY-2', 'PAY-8', 'CAT-2') order by 1, 3
    """,
    )
    assert rows == [
        # CAT-2: done since 30 (Resolved, then Closed at 100): resting, not measured.
        ("CAT-2", "discovery", naive(0), naive(10), 1, 10, 0, 10, 0),
        ("CAT-2", "development", naive(10), naive(30), 1, 20, 20, 0, 0),
        ("CAT-2", "done", naive(30), None, 1, 0, 0, 0, 0),
        # PAY-1 discovery: Backlog 0-24, all waiting (new).
        ("PAY-1", "discovery", naive(0), naive(24), 1, 24, 0, 24, 0),
        # development: entered at 24 and again at 132 (the bounce-back); 24+24+24+12 = 84 h, active
        # 24+24+12 = 60, waiting (Blocked) 24.
        ("PAY-1", "development", naive(24), naive(144), 2, 84, 60, 24, 0),
        # release readiness: entered at 96 and 144; 24+12+6+6 = 48 h, active (In Testing) 12+6 = 18.
        ("PAY-1", "release_readiness", naive(96), naive(156), 2, 48, 18, 30, 0),
        ("PAY-1", "done", naive(156), None, 1, 0, 0, 0, 0),
        # PAY-2 planning 0-10 waiting.
        ("PAY-2", "planning", naive(0), naive(10), 1, 10, 0, 10, 0),
        # development: 10-20 active, then reopened 30-40 waiting and 40-50 active: 30 h, 20 active.
        ("PAY-2", "development", naive(10), naive(50), 2, 30, 20, 10, 0),
        # done: 20-30 before the reopen (10 h, closed: neither active nor waiting), then resting since
        # 50 (not measured).
        ("PAY-2", "done", naive(20), None, 2, 10, 0, 0, 10),
        # PAY-8: Backlog 0-10; development 10-20 active, Reopened 50-60 waiting, 60-70 active; canceled
        # 20-50 (30 h closed); done since 70.
        ("PAY-8", "discovery", naive(0), naive(10), 1, 10, 0, 10, 0),
        ("PAY-8", "development", naive(10), naive(70), 2, 30, 20, 10, 0),
        ("PAY-8", "canceled", naive(20), naive(50), 1, 30, 0, 0, 30),
        ("PAY-8", "done", naive(70), None, 1, 0, 0, 0, 0),
    ]


def test_work_item_phases_count_under_the_owning_team_beside_the_holding_team(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """
        select issue_key, delivery_phase, team, value_stream, holding_team
        from marts.fct_work_item_phases where issue_key in ('CAT-1', 'PAY-3', 'PAY-7') order by 1, 2
    """,
    )
    assert rows == [
        # CAT-1, the QA closer: every phase is catalog's. Catalog held it in discovery (0-10) and
        # development (10-30); identity's QA engineer in release readiness (30-50) and at the close (50).
        ("CAT-1", "development", "catalog", "Commerce", "catalog"),
        ("CAT-1", "discovery", "catalog", "Commerce", "catalog"),
        ("CAT-1", "done", "catalog", "Commerce", "identity"),
        ("CAT-1", "release_readiness", "catalog", "Commerce", "identity"),
        # PAY-3 closed at 15, unassigned (held by payments, the project's team); assigned to a checkout
        # engineer at 60, after closing: resting in done is not measured, so done stays with payments,
        # who held it when it entered done.
        ("PAY-3", "development", "payments", "Commerce", "payments"),
        ("PAY-3", "discovery", "payments", "Commerce", "payments"),
        ("PAY-3", "done", "payments", "Commerce", "payments"),
        # PAY-7 changed hands to checkout at 30, in the middle of development: payments held it 10-30 and
        # checkout 30-50, 20 h each; the tie goes to the team that held it when it entered development
        # (payments). Checkout closed it at 50. The item stays payments' throughout.
        ("PAY-7", "development", "payments", "Commerce", "payments"),
        ("PAY-7", "discovery", "payments", "Commerce", "payments"),
        ("PAY-7", "done", "payments", "Commerce", "checkout"),
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
    # PAY-3 skips phases: discovery -> development -> done. Its reassignment to checkout at 60, while
    # done, hands no work over: no third handoff.
    assert [(r[2], r[3]) for r in by_key["PAY-3"]] == [("discovery", "development"), ("development", "done")]
    assert "PAY-4" not in by_key
    # PAY-5: payments development -> checkout release readiness at 20; testing starts at 30: 10 h;
    # its pull request merges only at 190: the gate is not met.
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
    # CAT-1, the QA closer: catalog hands it to identity's QA engineer on the move to QA at 30 (a team
    # handoff), testing starts at 40: 10 h; no linked merged pull request: the gate is not met.
    assert by_key["CAT-1"] == [
        (1, naive(10), "discovery", "development", "catalog", "catalog", False, False, 0, None),
        (2, naive(30), "development", "release_readiness", "catalog", "identity", True, False, 10, False),
        (3, naive(50), "release_readiness", "done", "identity", "identity", False, False, None, None),
    ]
    # CAT-2 and CAT-3 move between done statuses after closing: no handoff there.
    assert [(r[2], r[3]) for r in by_key["CAT-2"]] == [("discovery", "development"), ("development", "done")]
    assert [(r[2], r[3]) for r in by_key["CAT-3"]] == [("discovery", "development"), ("development", "done")]
    # OPS-2's assignee is in no seed and OPS in no project seed: held by `unmapped`.
    assert [(r[4], r[5]) for r in by_key["OPS-2"]] == [("unmapped", "unmapped"), ("unmapped", "unmapped")]
    # Each handoff also carries the item's owning team: CAT-1's stays catalog though identity closed it.
    owning = query(
        warehouse,
        "select issue_key, team, value_stream, count(*) from marts.fct_handoffs "
        "where issue_key in ('CAT-1', 'OPS-1', 'PAY-5') group by 1, 2, 3 order by 1",
    )
    assert owning == [
        ("CAT-1", "catalog", "Commerce", 3),
        ("OPS-1", "unmapped", "unmapped", 2),
        ("PAY-5", "payments", "Commerce", 3),
    ]


def test_work_items(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """
        select issue_key, flow_item, team, value_stream, team_source, holding_team, started_at, done_at,
               flow_time_hours, active_hours, round(flow_efficiency, 6), linked_pull_request_count,
               last_merged_at
        from marts.fct_work_items order by 1
    """,
    )
    c, p = "catalog", "payments"
    assert rows == [
        # CAT-1, the QA closer: catalog's item (project CAT), held by identity when it closed at 50.
        # Started 10, done 50: 40 h; active In Progress 10-30 and In Testing 40-50: 30 h; 30 / 40.
        (
            "CAT-1",
            "feature",
            c,
            "Commerce",
            "project",
            "identity",
            naive(10),
            naive(50),
            40,
            30,
            0.75,
            0,
            None,
        ),
        # CAT-2: Resolved at 30, Closed at 100: done_at stays 30; 10 -> 30 = 20 h, all active.
        ("CAT-2", "feature", c, "Commerce", "project", c, naive(10), naive(30), 20, 20, 1.0, 0, None),
        # CAT-3: Closed at 17, migrated to Delivered a year later: done_at stays 17; 10 -> 17 = 7 h (not
        # 8767 h).
        ("CAT-3", "feature", c, "Commerce", "project", c, naive(10), naive(17), 7, 7, 1.0, 0, None),
        # OPS: no seed maps the project nor the assignee: `unmapped`, counted all the same.
        (
            "OPS-1",
            "feature",
            "unmapped",
            "unmapped",
            "unmapped",
            "unmapped",
            naive(10),
            naive(30),
            20,
            20,
            1.0,
            0,
            None,
        ),
        (
            "OPS-2",
            "feature",
            "unmapped",
            "unmapped",
            "unmapped",
            "unmapped",
            naive(20),
            naive(60),
            40,
            40,
            1.0,
            0,
            None,
        ),
        # Started at 24 (Backlog is new), done at 156: 132 h; active 24+24+12+12+6 = 78; 78/132.
        # PR 1, PR 2 and the open PR 6; the last merge is PR 2's at 100.
        (
            "PAY-1",
            "feature",
            p,
            "Commerce",
            "project",
            p,
            naive(24),
            naive(156),
            132,
            78,
            round(78 / 132, 6),
            3,
            naive(100),
        ),
        # Started at creation (Selected for Development is waiting), done last at 50: 50 h less the 10 h
        # done before the reopen (20-30) = 40 h; active 10-20 and 40-50 = 20 h; 20 / 40.
        # PAY-2, PAY-6 and PAY-7 are each named by the open PR 7 (one pull request, three keys).
        ("PAY-2", "defect", p, "Commerce", "project", p, naive(0), naive(50), 40, 20, 0.5, 1, None),
        # Classified as at its close at 15: a Task (feature), not the Bug it is now; assigned to a checkout
        # engineer after closing, it was held by payments (unassigned) when it closed.
        ("PAY-3", "feature", p, "Commerce", "project", p, naive(5), naive(15), 10, 10, 1.0, 1, naive(0.5)),
        # Never started: no flow time.
        ("PAY-4", "feature", p, "Commerce", "project", p, None, naive(0), None, 0, None, 0, None),
        # Active 10-20 and 30-40 of 30 h; payments' item, held by the checkout engineer who closed it.
        (
            "PAY-5",
            "feature",
            p,
            "Commerce",
            "project",
            "checkout",
            naive(10),
            naive(40),
            30,
            20,
            round(20 / 30, 6),
            1,
            naive(190),
        ),
        ("PAY-6", "feature", p, "Commerce", "project", p, naive(100), None, None, None, None, 1, None),
        # In Progress 10-50, all active; payments' item, closed by checkout (who held it since 30).
        (
            "PAY-7",
            "feature",
            p,
            "Commerce",
            "project",
            "checkout",
            naive(10),
            naive(50),
            40,
            40,
            1.0,
            1,
            None,
        ),
        # Started 10, done 70: 60 h less the 30 h canceled before the reopen (20-50) = 30 h; active 10-20
        # and 60-70 = 20 h (Reopened 50-60 waits); 20 / 30.
        (
            "PAY-8",
            "feature",
            p,
            "Commerce",
            "project",
            p,
            naive(10),
            naive(70),
            30,
            20,
            round(20 / 30, 6),
            0,
            None,
        ),
    ]
    # PAY-3's type periods: Task from creation (the first change's from-side) until 60, Bug since.
    periods = query(
        warehouse,
        """
        select issue_type, held_from, held_to from intermediate.int_flow__work_item_issue_types
        where issue_id = '10003' order by held_from nulls first
        """,
    )
    assert periods == [("Task", None, naive(60)), ("Bug", naive(60), None)]
    assert query(warehouse, "select issue_type from marts.fct_work_items where issue_key = 'PAY-3'") == [
        ("Task",)
    ]


def test_pull_request_links(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """
        select pull_number, issue_key, is_linked_by_title, is_linked_by_branch
        from intermediate.int_flow__work_item_pull_requests_linked order by pull_number, issue_key
    """,
    )
    assert rows == [
        (1, "PAY-1", True, False),
        (2, "PAY-1", False, True),
        # PR 3 names PAY-10, which is not an item (and must not link to PAY-1).
        (4, "PAY-5", True, False),
        (5, "PAY-3", True, False),
        (6, "PAY-1", True, False),
        # PR 7: two keys in the title, a third in the branch.
        (7, "PAY-2", False, True),
        (7, "PAY-6", True, False),
        (7, "PAY-7", True, False),
    ]


def test_work_item_deliveries(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """
        select issue_key, linked_pull_request_count, merged_pull_request_count, deployed_pull_request_count,
               last_merged_at, is_in_production, delivery_deployment_key, delivery_repository, delivered_at,
               is_baseline_delivery, created_to_production_hours, started_to_production_hours
        from marts.fct_work_item_deliveries order by issue_key
    """,
    )
    repo = "acme/payments-service"
    assert rows == [
        # PAY-1: PR 1 (merged 90) shipped by D2 at 95, PR 2 (merged 100) by D4 at 180 (D3 at 170 failed);
        # the open PR 6 does not hold it back. In production with D4: created 0 -> 180 = 180 h, started
        # 24 -> 180 = 156 h.
        (
            "PAY-1",
            3,
            2,
            2,
            naive(100),
            True,
            "github_deployment:3300000004",
            repo,
            naive(180),
            False,
            180,
            156,
        ),
        # PAY-2: only the open PR 7, nothing merged: not in production.
        ("PAY-2", 1, 0, 0, None, False, None, None, None, False, None, None),
        # PAY-3: PR 5 shipped by D1, the repository's first known deployment, at 1: a baseline, so no lead
        # time (the real shipping time is unknown).
        (
            "PAY-3",
            1,
            1,
            1,
            naive(0.5),
            True,
            "github_deployment:3300000001",
            repo,
            naive(1),
            True,
            None,
            None,
        ),
        # PAY-5: PR 4 merged at 190 and not deployed: not in production yet.
        ("PAY-5", 1, 1, 0, naive(190), False, None, None, None, False, None, None),
        # PAY-6 and PAY-7: only the open PR 7, nothing merged: not in production.
        ("PAY-6", 1, 0, 0, None, False, None, None, None, False, None, None),
        ("PAY-7", 1, 0, 0, None, False, None, None, None, False, None, None),
    ]


def test_weekly_flow_mart(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """
        select team, week_start, items_done, features_done, defects_done, flow_time_median_hours,
               round(flow_time_p85_hours, 6), round(flow_efficiency, 6), flow_load,
               round(feature_share, 6), round(defect_share, 6)
        from marts.mart_flow__weekly where team in ('payments', 'checkout', 'catalog', 'identity', 'unmapped')
        order by 1, 2
    """,
    )
    week, next_week = naive(0).date(), naive(168).date()
    empty_week = (0, 0, 0, None, None, None, 0, None, None)
    assert rows == [
        # Catalog, week of 2 March: CAT-3 (7 h), CAT-2 (20 h), CAT-1 (40 h; closed by identity, still
        # catalog's). Median 20; p85 at position 0.85 * 2 = 1.7: 20 + 0.7 * (40 - 20) = 34; efficiency
        # (7 + 20 + 30) / (7 + 20 + 40) = 57 / 67.
        ("catalog", week, 3, 3, 0, 20, 34, round(57 / 67, 6), 0, 1.0, 0.0),
        ("catalog", next_week, *empty_week),
        # Checkout owns no item: PAY-5 and PAY-7, which its engineers closed, are payments' items.
        ("checkout", week, *empty_week),
        ("checkout", next_week, *empty_week),
        # Identity's QA engineer closed CAT-1: no velocity moves to identity.
        ("identity", week, *empty_week),
        ("identity", next_week, *empty_week),
        # Payments: PAY-3 (10 h), PAY-5 (30 h), PAY-8 (30 h), PAY-2 (40 h, defect), PAY-7 (40 h), PAY-1
        # (132 h); PAY-4 never started. Median (30 + 40) / 2 = 35; p85 at position 0.85 * 5 = 4.25:
        # 40 + 0.25 * (132 - 40) = 63; efficiency (10 + 20 + 20 + 20 + 40 + 78) / (10 + 30 + 30 + 40 + 40
        # + 132) = 188 / 282. At the week's end (hour 168) only PAY-6 (started at 100) is in progress.
        ("payments", week, 6, 5, 1, 35, 63, round(188 / 282, 6), 1, round(5 / 6, 6), round(1 / 6, 6)),
        ("payments", next_week, 0, 0, 0, None, None, None, 1, None, None),
        # OPS, a project no seed maps: OPS-1 (20 h) and OPS-2 (40 h) count under `unmapped`. Median 30;
        # p85 20 + 0.85 * 20 = 37; all active.
        ("unmapped", week, 2, 2, 0, 30, 37, 1.0, 0, 1.0, 0.0),
        ("unmapped", next_week, *empty_week),
    ]
    # Every team of the teams seed (11) and `unmapped` get both weeks, the first holding the earliest start,
    # the last the as-of time.
    assert query(warehouse, "select count(*) from marts.mart_flow__weekly") == [(24,)]
    # Product delivery lead time by the week the item reached production: only PAY-1 (payments, D4 at
    # 180 h = Monday 9 March 12:00, the second week) has one; PAY-3's baseline delivery is left out. One
    # item: median = p85 = 180 h from creation, 156 h from start.
    deliveries = query(
        warehouse,
        """
        select team, week_start, items_delivered, delivery_lead_time_median_hours, delivery_lead_time_p85_hours,
               started_to_production_median_hours, started_to_production_p85_hours
        from marts.mart_flow__weekly where items_delivered > 0 or delivery_lead_time_median_hours is not null
        """,
    )
    assert deliveries == [("payments", next_week, 1, 180, 180, 156, 156)]


def test_weekly_flow_mart_shows_its_sample_sizes(warehouse: Path) -> None:
    """Flow efficiency's numerator and denominator beside it, and the weeks under few_data_minimum (5 items
    done, its default) marked: the hours and counts of test_weekly_flow_mart."""
    rows = query(
        warehouse,
        """
        select team, week_start, items_done, flow_efficiency_active_hours, flow_efficiency_flow_time_hours,
               is_few_data, is_few_data_delivery_lead_time, flow_efficiency_delta_pp
        from marts.mart_flow__weekly where team in ('payments', 'catalog', 'unmapped')
        order by 1, 2
    """,
    )
    week, next_week = naive(0).date(), naive(168).date()
    # Fewer than 5 items delivered every week; no team has a flow efficiency in both weeks, so no change in
    # percentage points (the unit test flow_efficiency_changes_in_percentage_points has one).
    no_delivery_no_change = (True, None)
    assert rows == [
        # catalog: 3 items < 5, active 7 + 20 + 30 = 57 of flow 7 + 20 + 40 = 67
        ("catalog", week, 3, 57, 67, True, *no_delivery_no_change),
        # a week with nothing done: no hours, and few data (0 < 5)
        ("catalog", next_week, 0, 0, 0, True, *no_delivery_no_change),
        # payments: 6 items >= 5, active 188 of flow 282
        ("payments", week, 6, 188, 282, False, *no_delivery_no_change),
        # PAY-1 is the one item delivered (1 < 5: few data for its lead time)
        ("payments", next_week, 0, 0, 0, True, *no_delivery_no_change),
        # unmapped: OPS-1 and OPS-2, 2 items, all active: 20 + 40 = 60 of 60
        ("unmapped", week, 2, 60, 60, True, *no_delivery_no_change),
        ("unmapped", next_week, 0, 0, 0, True, *no_delivery_no_change),
    ]


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
        # Catalog receives CAT-1, CAT-2 and CAT-3 into development (straight into In Progress), CAT-2 and
        # CAT-3 into done.
        ("catalog", "phase", "discovery", "development", 3, 3, 0, 0, 0, 0, 1),
        ("catalog", "phase", "development", "done", 2, 0, None, None, 0, 0, 2),
        # Checkout receives PAY-5 into release readiness (testing starts 10 h later) and both PAY-5 and
        # PAY-7 from payments (waits 10 and 0).
        ("checkout", "phase", "development", "release_readiness", 1, 1, 10, 10, 10, 0, 1),
        ("checkout", "phase", "development", "done", 1, 0, None, None, 0, 0, 2),
        ("checkout", "phase", "release_readiness", "done", 1, 0, None, None, 0, 0, 3),
        ("checkout", "team", "payments", "checkout", 2, 2, 5, 8.5, 10, 0, 1),
        # Identity's QA engineer receives CAT-1 from catalog at 30; testing starts at 40: 10 h.
        ("identity", "phase", "development", "release_readiness", 1, 1, 10, 10, 10, 0, 1),
        ("identity", "phase", "release_readiness", "done", 1, 0, None, None, 0, 0, 2),
        ("identity", "team", "catalog", "identity", 1, 1, 10, 10, 10, 0, 1),
        # Payments: PAY-1 waited 24 h and 6 h for testing (median 15, p85 6 + 0.85 * 18 = 21.3, total 30):
        # the highest-friction handoff. Then PAY-8's reopen from Won't Do (Reopened 50-60: 10 h) and
        # PAY-2's (10 h), both bounce-backs, tied on wait and count: by name, canceled before done.
        ("payments", "phase", "development", "release_readiness", 2, 2, 15, 21.3, 30, 0, 1),
        ("payments", "phase", "canceled", "development", 1, 1, 10, 10, 10, 1, 2),
        ("payments", "phase", "done", "development", 1, 1, 10, 10, 10, 1, 3),
        # Ties on zero wait rank by count, then by name. PAY-1, PAY-3, PAY-5, PAY-6, PAY-7 and PAY-8 start
        # from discovery; PAY-2 (twice), PAY-3 and PAY-8 close from development.
        ("payments", "phase", "discovery", "development", 6, 6, 0, 0, 0, 0, 4),
        ("payments", "phase", "development", "done", 4, 0, None, None, 0, 0, 5),
        ("payments", "phase", "development", "canceled", 1, 0, None, None, 0, 0, 6),
        ("payments", "phase", "planning", "development", 1, 1, 0, 0, 0, 0, 7),
        ("payments", "phase", "release_readiness", "development", 1, 1, 0, 0, 0, 1, 8),
        ("payments", "phase", "release_readiness", "done", 1, 0, None, None, 0, 0, 9),
        # OPS-1 and OPS-2, held by nobody of a team in a project no seed maps. A tie on wait and count:
        # by name, development before discovery.
        ("unmapped", "phase", "development", "done", 2, 0, None, None, 0, 0, 1),
        ("unmapped", "phase", "discovery", "development", 2, 2, 0, 0, 0, 0, 2),
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
        # PAY-1, PAY-2, PAY-3, PAY-5, PAY-7 and PAY-8 done in the first week (payments' items, whoever
        # closed them).
        ("payments", naive(0).date(), 6, None, None, 1, False, None),
        ("payments", naive(168).date(), 6, None, None, 1, False, None),
    ]


def test_items_of_an_unmapped_project_count_under_unmapped(warehouse: Path) -> None:
    """An organisation whose team seeds name none of its projects still sees its throughput: the Jira
    issues of OPS, which no seed maps, count under the team and value stream `unmapped`."""
    # OPS-1 done at 30 and OPS-2 at 60, both in the week of 2 March: throughput 2.
    weekly = query(
        warehouse,
        """
        select week_start, value_stream, items_done, features_done from marts.mart_flow__weekly
        where team = 'unmapped' order by week_start
        """,
    )
    assert weekly == [(naive(0).date(), "unmapped", 2, 2), (naive(168).date(), "unmapped", 0, 0)]
    # Every flow fact of the OPS items carries the unmapped team, none is dropped.
    teams = query(
        warehouse,
        """
        select 'fct_work_items', team, value_stream, count(*) from marts.fct_work_items
        where project_key = 'OPS' group by all
        union all
        select 'fct_work_item_phases', team, value_stream, count(*) from marts.fct_work_item_phases
        where issue_key like 'OPS-%' group by all
        union all
        select 'fct_handoffs', team, value_stream, count(*) from marts.fct_handoffs
        where issue_key like 'OPS-%' group by all
        order by 1
        """,
    )
    # Two items; each was in discovery, development and done (3 phase rows, 2 handoffs).
    assert teams == [
        ("fct_handoffs", "unmapped", "unmapped", 4),
        ("fct_work_item_phases", "unmapped", "unmapped", 6),
        ("fct_work_items", "unmapped", "unmapped", 2),
    ]


def test_aging_wip(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """
        select issue_key, team, flow_item, current_status, age_in_status_hours, age_in_flow_hours,
               team_items_done, team_flow_time_p50_hours, team_flow_time_p85_hours, team_flow_time_p95_hours,
               is_over_p85, is_over_p95
        from marts.mart_aging_wip
        """,
    )
    # Only PAY-6 is in flow at 200: In Progress since 100, 100 h in its status and in flow. Payments'
    # finished features and their flow times: PAY-3 10, PAY-5 30, PAY-8 30 (40 less 30 canceled), PAY-7 40,
    # PAY-1 132 (PAY-4 never started). Interpolated: p50 30; p85 at 0.85 x 4 = 3.4: 40 + 0.4 x 92 = 76.8;
    # p95 at 3.8: 40 + 0.8 x 92 = 113.6. 100 h is over the 85th, under the 95th.
    [row] = rows
    assert row[:7] == ("PAY-6", "payments", "feature", "In Progress", 100, 100, 5)
    assert [round(value, 6) for value in row[7:10]] == [30, 76.8, 113.6]
    assert row[10:] == (True, False)


def test_bottlenecks(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """
        select place_type, place, from_team, to_team, hours, waiting_hours, week_flow_hours, waiting_rank,
               is_largest_bottleneck
        from marts.mart_bottlenecks__weekly
        where value_stream = 'Commerce' and week_start = date '2026-03-02'
        """,
    )
    places = {(kind, place): rest for kind, place, *rest in rows}
    # Commerce's hours in flow in the week of T0 (hours 0-168), by item: CAT-1 40, CAT-2 20, CAT-3 7,
    # PAY-1 132, PAY-2 40 (Selected for Development 0-10, In Progress 10, Reopened 10, In Progress 10; done
    # 20-30 is not flow), PAY-3 10, PAY-5 30, PAY-6 68 (In Progress 100-168), PAY-7 40, PAY-8 30 (the 30 h
    # Won't Do are not flow): 417 h.
    assert {rest[4] for rest in places.values()} == {417}
    # Waiting: Ready for QA 50 (CAT-1 10, PAY-1 24 + 6, PAY-5 10), Blocked 24 (PAY-1), Reopened 20 (PAY-2,
    # PAY-8), Selected for Development 10 (PAY-2).
    assert places[("status", "Ready for QA")][:4] == [None, None, 50, 50]
    assert places[("status", "Blocked")][3] == 24 and places[("status", "Reopened")][3] == 20
    # Release readiness: Ready for QA 50 waiting + In Testing 38 active (CAT-1 10, PAY-1 12 + 6, PAY-5 10);
    # development waits 44 (Blocked, Reopened); planning 10. Most waiting: release readiness, rank 1.
    assert places[("phase", "release_readiness")][2:] == [88, 50, 417, 1, True]
    assert places[("phase", "development")][3] == 44 and places[("phase", "planning")][3] == 10
    # Cross-team handoffs received: PAY-5 payments -> checkout at 20, active at 30 (10 h) and PAY-7's
    # reassignment in the middle of In Progress (0 h); CAT-1 catalog -> identity at 30, active at 40 (10 h).
    assert places[("handoff", "payments -> checkout")][:4] == ["payments", "checkout", 10, 10]
    assert places[("handoff", "catalog -> identity")][:4] == ["catalog", "identity", 10, 10]
    assert sum(1 for rest in places.values() if rest[-1]) == 1
