"""The DORA layer, built for real on a hand-made organisation whose every mart value is worked out below.

The exports are written as API response bodies (docs/exports.md), loaded by the real ingestion into a
DuckDB file, and `dbt build` runs the DORA models and their data and unit tests on it. Nothing is mocked.

The organisation (times UTC, March 2026; week 1 = Mon 2026-03-02, week 2 = Mon 2026-03-09):

acme/checkout-api (team checkout, Commerce; squash merges; GitHub deployments, production = `production`)
    a0 root (pushed 2026-02-20)
    PR 1  squash a1 <- a0   first commit 02-25 10:00, opened 02-26 10:00, review 02-26 12:00, merged 02-27 10:00
    A1  deployment 3100000001  production  a1  success 03-02 09:00   first known: ships a0, PR 1 (baseline)
    PR 2  squash a2 <- a1   branch feature/CHK-3-step (a story): first commit 03-02 08:00, opened 10:00,
          review 12:00, merged 14:00
    PR 3  squash a3 <- a2   renovate[bot]: first commit 03-02 15:00, opened 15:00, review 16:00, merged 17:00
    A2  deployment 3100000002  production  a3  success 03-03 10:00   ships PR 2 (26 h), PR 3 (bot)
    PR 4  squash a4 <- a3   branch bugfix/CHK-1-rounding (bug raised 03-03 08:00): first commit 03-03 09:00,
          opened 11:00, review 12:00, merged 13:00
    A3  deployment 3100000003  staging     a4  success 03-03 14:00   not production
    A4  deployment 3100000004  production  a4  failure 03-03 15:00   a failed attempt, not a deployment
    A5  deployment 3100000005  production  a4  success 03-03 18:00   ships PR 4 (9 h)
    PR 5  squash a5 <- a4   branch hotfix/totals: first commit 03-04 08:00, opened 08:30, review 09:00,
          merged 09:30
    A6  deployment 3100000006  production  a5  success 03-04 10:00   ships PR 5 (2 h): unplanned fix
    A7  deployment 3100000007  production  a4  success 03-04 12:00   rollback to A5's commit: A6 fails
          (rollback), restored 12:00, recovery 2 h; A7 is an unplanned fix
    PR 6  squash a6 <- a5   branch bugfix/CHK-2-cart (bug raised 03-04 16:00): first commit 03-05 12:00
          (after opening: coding span negative -> NULL), opened 10:00, review 11:00, merged 13:00
    A8  deployment 3100000008  production  a6  success 03-05 14:00   ships PR 6 (2 h), the fix of a bug raised
          after A7: unplanned fix (PR 4's bug predates A2, the deployment before A5: A5 is no rework)

acme/payments-service (team payments, Commerce; merge commits; GitHub deployments)
    b0 root (pushed 2026-02-01)
    B1  deployment 3200000001  production  b0  success 03-02 08:00   first known: ships b0 (baseline)
    PR 10 commits p10c1 <- b0 (03-02 09:00), p10c2 <- p10c1 (11:00); opened 12:00; own-author comment 12:30
          (ignored); review by another 13:00; merged 15:00 as b1 = merge(b0, p10c2)
    b2 <- b1 direct push 03-02 16:00
    PR 11 commit p11c1 <- b1 (03-03 08:00); opened 09:00, review 10:00, merged 11:00 as b3 = merge(b2, p11c1)
    B2  deployment 3200000002  production  b3  success 03-04 08:00   ships PR 10 (47 h), b2 (40 h), PR 11 (24 h)
    B3  deployment 3200000003  production  b3  in_progress only      unfinished attempt
    PR 12 closed without merging (not a change)
    PR 13 commit p13c1 <- b3 (03-09 09:00), opened 10:00, merged 11:00 as b4: never deployed

acme/infra-tooling (team infra, Platform; squash; deploys by runs of .github/workflows/deploy.yml)
    c0 root (pushed 2026-02-10)
    PR 20 squash c1 <- c0   first commit 03-09 08:00, opened 09:00, review 09:30, merged 10:00
    R1   run 17000000001 attempt 1  deploy.yml  c1  success, updated 03-09 10:30  first known: c0, PR 20 baseline
    c2 <- c1 direct push 03-09 11:00
    R2/1 run 17000000002 attempt 1  deploy.yml  c2  failure, updated 03-09 12:00  failed attempt
    R2/2 run 17000000002 attempt 2  deploy.yml  c2  success, updated 03-09 12:30  ships c2 (1.5 h)
    R3   run 17000000003            ci.yml      c2  success                       not a deployment

Incidents (service -> team by mappings/pagerduty_service_teams.csv):
    I1 Checkout API  03-03 20:00 - 22:00  names "deployment 3100000002": explicit -> A2 (the window alone would
                                          pick A5: the explicit link wins). A2 recovery 22:00 - 10:00 = 12 h
    I2 Checkout API  03-04 13:00 - 15:00  no link; window: latest checkout deployment in [03-03 13:00, 13:00]
                                          = A7 (12:00). A7 recovery 3 h
    I3 Payments      03-04 09:00 - 11:30  names sha p11c1: explicit -> B2, the deployment that first shipped
                                          it. B2 recovery 11:30 - 08:00 = 3.5 h
    I4 Payments      03-06 12:00 - 13:00  no link; nothing deployed in the 24 h before: unattributed
    I5 Edge Gateway  03-09 13:00 - 14:00  no link; window: R2/2 (12:30). Recovery 1.5 h
    I6 Checkout API  03-05 20:00 - 21:00  names "acme/checkout-api#6": explicit -> A8 (PR 6). Recovery 7 h
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest

from ingestion.pipelines import load_all
from tests.conftest import query, write_json
from tests.models.dbt_runner import dbt_build

REPO_ROOT = Path(__file__).resolve().parents[2]

A, B, C = "acme/checkout-api", "acme/payments-service", "acme/infra-tooling"


def sha(name: str) -> str:
    """A stable 40-hex sha for a commit's name in the story above."""
    return hashlib.sha1(name.encode()).hexdigest()


def ts(day: int, hour: float, month: int = 3) -> str:
    minutes = round(hour * 60)
    return f"2026-{month:02d}-{day:02d}T{minutes // 60:02d}:{minutes % 60:02d}:00Z"


def commit_body(name: str, parents: list[str], at: str, author: str = "dev-a") -> dict:
    return {
        "sha": sha(name),
        "commit": {
            "author": {"name": author, "email": f"{author}@acme.example.com", "date": at},
            "committer": {"name": author, "email": f"{author}@acme.example.com", "date": at},
            "message": f"commit {name}",
        },
        "author": {"login": author, "type": "User"},
        "committer": {"login": author, "type": "User"},
        "parents": [{"sha": sha(p)} for p in parents],
    }


def pr_body(
    repo: str,
    number: int,
    merge: str | None,
    opened: str,
    merged: str | None,
    *,
    author: str = "dev-a",
    head_ref: str = "feature/x",
    labels: tuple[str, ...] = (),
    title: str | None = None,
) -> dict:
    return {
        "id": 1_000_000 + number + (0 if repo == A else 100_000 if repo == B else 200_000),
        "node_id": f"PR_{repo}_{number}",
        "number": number,
        "state": "closed",
        "draft": False,
        "title": title or f"Change {number}",
        "user": {"login": author, "type": "Bot" if author.endswith("[bot]") else "User"},
        "head": {"ref": head_ref, "sha": sha(f"{repo}-head-{number}")},
        "base": {"ref": "main", "repo": {"full_name": repo}},
        "merge_commit_sha": sha(merge) if merge else None,
        "labels": [{"name": label} for label in labels],
        "created_at": opened,
        "updated_at": merged or opened,
        "closed_at": merged or opened,
        "merged_at": merged,
    }


def review_body(review_id: int, reviewer: str, at: str, state: str = "APPROVED") -> dict:
    return {
        "id": review_id,
        "node_id": f"R_{review_id}",
        "user": {"login": reviewer, "type": "User"},
        "state": state,
        "submitted_at": at,
        "commit_id": sha(f"review-{review_id}"),
    }


def deployment_body(deployment_id: int, commit: str, environment: str, created: str) -> dict:
    return {
        "id": deployment_id,
        "node_id": f"D_{deployment_id}",
        "sha": sha(commit),
        "ref": "main",
        "task": "deploy",
        "environment": environment,
        "original_environment": environment,
        "creator": {"login": "dev-a"},
        "description": f"Deploy {commit}",
        "created_at": created,
        "updated_at": created,
    }


def status_body(status_id: int, state: str, environment: str, at: str) -> dict:
    return {
        "id": status_id,
        "state": state,
        "environment": environment,
        "description": state,
        "creator": {"login": "github-actions[bot]"},
        "created_at": at,
        "updated_at": at,
    }


def run_body(run_id: int, attempt: int, path: str, commit: str, conclusion: str, updated: str) -> dict:
    return {
        "id": run_id,
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "run_number": run_id % 1000,
        "run_attempt": attempt,
        "workflow_id": 600 if path.endswith("deploy.yml") else 601,
        "event": "push",
        "status": "completed",
        "conclusion": conclusion,
        "head_branch": "main",
        "head_sha": sha(commit),
        "actor": {"login": "dev-c"},
        "created_at": updated,
        "run_started_at": updated,
        "updated_at": updated,
    }


def incident_body(
    number: int, service: tuple[str, str], title: str, description: str, created: str, resolved: str
) -> dict:
    return {
        "id": f"QINC{number}",
        "incident_number": number,
        "title": title,
        "description": description,
        "status": "resolved",
        "urgency": "high",
        "service": {"id": service[0], "summary": service[1]},
        "escalation_policy": {"id": "PESC1"},
        "teams": [],
        "incident_key": f"key-{number}",
        "html_url": f"https://acme.pagerduty.com/incidents/QINC{number}",
        "created_at": created,
        "last_status_change_at": resolved,
        "resolved_at": resolved,
        "updated_at": resolved,
    }


def jira_issue(issue_id: int, key: str, issue_type: str, created: str) -> dict:
    return {
        "id": str(issue_id),
        "key": key,
        "fields": {
            "issuetype": {"id": "1", "name": issue_type, "subtask": False, "hierarchyLevel": 0},
            "project": {"id": "10000", "key": "CHK", "name": "Checkout"},
            "status": {
                "id": "10009",
                "name": "Done",
                "statusCategory": {"id": 3, "key": "done", "name": "Done"},
            },
            "created": created,
            "updated": created,
            "summary": f"{issue_type} {key}",
            "labels": [],
            "components": [],
            "fixVersions": [],
            "priority": {"name": "Medium"},
            "resolution": None,
            "resolutiondate": None,
        },
        "changelog": {"startAt": 0, "maxResults": 0, "total": 0, "histories": []},
    }


def write_fixture_exports(root: Path) -> None:
    gh = root / "github"

    # ---- acme/checkout-api: squash merges --------------------------------------------------------------
    a = gh / A
    write_json(
        a / "commits" / "page-1.json",
        [
            commit_body("a0", [], ts(20, 0, 2)),
            commit_body("a1", ["a0"], ts(27, 10, 2)),
            commit_body("a2", ["a1"], ts(2, 14)),
            commit_body("a3", ["a2"], ts(2, 17), author="renovate[bot]"),
            commit_body("a4", ["a3"], ts(3, 13)),
            commit_body("a5", ["a4"], ts(4, 9.5)),
            commit_body("a6", ["a5"], ts(5, 13)),
        ],
    )
    prs_a = [
        # number, merge commit, first commit, opened, first review, merged, author, head ref, labels
        (1, "a1", ts(25, 10, 2), ts(26, 10, 2), ts(26, 12, 2), ts(27, 10, 2), "dev-a", "feature/one", ()),
        (2, "a2", ts(2, 8), ts(2, 10), ts(2, 12), ts(2, 14), "dev-a", "feature/CHK-3-step", ()),
        (3, "a3", ts(2, 15), ts(2, 15), ts(2, 16), ts(2, 17), "renovate[bot]", "renovate/lib", ()),
        (4, "a4", ts(3, 9), ts(3, 11), ts(3, 12), ts(3, 13), "dev-a", "bugfix/CHK-1-rounding", ()),
        (5, "a5", ts(4, 8), ts(4, 8.5), ts(4, 9), ts(4, 9.5), "dev-a", "hotfix/totals", ()),
        (6, "a6", ts(5, 12), ts(5, 10), ts(5, 11), ts(5, 13), "dev-a", "bugfix/CHK-2-cart", ()),
    ]
    write_json(
        a / "pulls" / "page-1.json",
        [
            pr_body(A, n, m, opened, merged, author=who, head_ref=ref, labels=labels)
            for n, m, _, opened, _, merged, who, ref, labels in prs_a
        ],
    )
    for n, m, first, _, review, _, who, _, _ in prs_a:
        write_json(a / "pull_commits" / f"{n}.json", [commit_body(f"a-pr{n}-c1", ["a0"], first, author=who)])
        write_json(a / "pull_reviews" / f"{n}.json", [review_body(2000 + n, "reviewer-r", review)])
    deployments_a = [
        # id, commit, environment, statuses
        (3100000001, "a1", "production", [("success", ts(2, 9))]),
        (3100000002, "a3", "production", [("success", ts(3, 10))]),
        (3100000003, "a4", "staging", [("success", ts(3, 14))]),
        (3100000004, "a4", "production", [("in_progress", ts(3, 14.5)), ("failure", ts(3, 15))]),
        (3100000005, "a4", "production", [("in_progress", ts(3, 17.5)), ("success", ts(3, 18))]),
        (3100000006, "a5", "production", [("success", ts(4, 10))]),
        (3100000007, "a4", "production", [("success", ts(4, 12))]),
        (3100000008, "a6", "production", [("success", ts(5, 14)), ("inactive", ts(6, 0))]),
    ]
    write_deployments(a, deployments_a)

    # ---- acme/payments-service: merge commits, one direct push -----------------------------------------
    b = gh / B
    write_json(
        b / "commits" / "page-1.json",
        [
            commit_body("b0", [], ts(1, 0, 2)),
            commit_body("p10c1", ["b0"], ts(2, 9)),
            commit_body("p10c2", ["p10c1"], ts(2, 11)),
            commit_body("b1", ["b0", "p10c2"], ts(2, 15)),
            commit_body("b2", ["b1"], ts(2, 16), author="dev-b"),
            commit_body("p11c1", ["b1"], ts(3, 8)),
            commit_body("b3", ["b2", "p11c1"], ts(3, 11)),
            commit_body("p13c1", ["b3"], ts(9, 9)),
            commit_body("b4", ["b3", "p13c1"], ts(9, 11)),
        ],
    )
    write_json(
        b / "pulls" / "page-1.json",
        [
            pr_body(B, 10, "b1", ts(2, 12), ts(2, 15)),
            pr_body(B, 11, "b3", ts(3, 9), ts(3, 11)),
            pr_body(B, 12, None, ts(3, 9), None),
            pr_body(B, 13, "b4", ts(9, 10), ts(9, 11)),
        ],
    )
    write_json(
        b / "pull_commits" / "10.json",
        [commit_body("p10c1", ["b0"], ts(2, 9)), commit_body("p10c2", ["p10c1"], ts(2, 11))],
    )
    write_json(b / "pull_commits" / "11.json", [commit_body("p11c1", ["b1"], ts(3, 8))])
    write_json(b / "pull_commits" / "13.json", [commit_body("p13c1", ["b3"], ts(9, 9))])
    write_json(
        b / "pull_reviews" / "10.json",
        [review_body(3010, "dev-a", ts(2, 12.5), "COMMENTED"), review_body(3011, "reviewer-r", ts(2, 13))],
    )
    write_json(b / "pull_reviews" / "11.json", [review_body(3012, "reviewer-r", ts(3, 10))])
    write_deployments(
        b,
        [
            (3200000001, "b0", "production", [("success", ts(2, 8))]),
            (3200000002, "b3", "production", [("success", ts(4, 8))]),
            (3200000003, "b3", "production", [("in_progress", ts(5, 9))]),
        ],
    )

    # ---- acme/infra-tooling: deploys by workflow runs ------------------------------------------------------
    c = gh / C
    write_json(
        c / "commits" / "page-1.json",
        [
            commit_body("c0", [], ts(10, 0, 2)),
            commit_body("c1", ["c0"], ts(9, 10)),
            commit_body("c2", ["c1"], ts(9, 11), author="dev-c"),
        ],
    )
    write_json(c / "pulls" / "page-1.json", [pr_body(C, 20, "c1", ts(9, 9), ts(9, 10))])
    write_json(c / "pull_commits" / "20.json", [commit_body("c-pr20-c1", ["c0"], ts(9, 8))])
    write_json(c / "pull_reviews" / "20.json", [review_body(4020, "reviewer-r", ts(9, 9.5))])
    deploy, ci = ".github/workflows/deploy.yml", ".github/workflows/ci.yml"
    write_json(
        c / "workflow_runs" / "page-1.json",
        {
            "total_count": 4,
            "workflow_runs": [
                run_body(17000000001, 1, deploy, "c1", "success", ts(9, 10.5)),
                run_body(17000000002, 1, deploy, "c2", "failure", ts(9, 12)),
                run_body(17000000002, 2, deploy, "c2", "success", ts(9, 12.5)),
                run_body(17000000003, 1, ci, "c2", "success", ts(9, 11.2)),
            ],
        },
    )

    # ---- Jira: the work items pull requests name in their branch ----------------------------------------
    write_json(
        root / "jira" / "issues" / "page-1.json",
        {
            "issues": [
                jira_issue(10001, "CHK-1", "Bug", "2026-03-03T08:00:00.000+0000"),
                jira_issue(10002, "CHK-2", "Bug", "2026-03-04T16:00:00.000+0000"),
                jira_issue(10003, "CHK-3", "Story", "2026-03-01T08:00:00.000+0000"),
            ],
            "isLast": True,
        },
    )

    # ---- PagerDuty --------------------------------------------------------------------------------------
    checkout, payments, edge = (
        ("PCHK7Q1", "Checkout API"),
        ("PPAY3M8", "Payments"),
        ("PINF2B5", "Edge Gateway"),
    )
    write_json(
        root / "pagerduty" / "incidents" / "page-1.json",
        {
            "incidents": [
                incident_body(
                    1,
                    checkout,
                    "Checkout errors",
                    "Alerts fired after deployment 3100000002 to production.",
                    ts(3, 20),
                    ts(3, 22),
                ),
                incident_body(
                    2,
                    checkout,
                    "Checkout latency",
                    "Customers report errors; investigating.",
                    ts(4, 13),
                    ts(4, 15),
                ),
                incident_body(
                    3,
                    payments,
                    "Payments errors",
                    f"Errors started right after the rollout of sha {sha('p11c1')}.",
                    ts(4, 9),
                    ts(4, 11.5),
                ),
                incident_body(4, payments, "Payments disk", "Alert from monitoring.", ts(6, 12), ts(6, 13)),
                incident_body(5, edge, "Edge Gateway 5xx", "Alert from monitoring.", ts(9, 13), ts(9, 14)),
                incident_body(
                    6,
                    checkout,
                    "Checkout cart",
                    "Suspected change: acme/checkout-api#6. Investigating.",
                    ts(5, 20),
                    ts(5, 21),
                ),
            ],
            "limit": 100,
            "offset": 0,
            "more": False,
        },
    )


def write_deployments(repo_dir: Path, deployments: list) -> None:
    write_json(
        repo_dir / "deployments" / "page-1.json",
        [deployment_body(d_id, commit, env, statuses[0][1]) for d_id, commit, env, statuses in deployments],
    )
    for d_id, _, env, statuses in deployments:
        write_json(
            repo_dir / "deployment_statuses" / f"{d_id}.json",
            [status_body(d_id * 10 + i, state, env, at) for i, (state, at) in enumerate(reversed(statuses))],
        )


def build_warehouse(exports: Path, work: Path, select: str) -> tuple[Path, float]:
    """Load the exports with the real ingestion and run `dbt build` on the selection; returns the
    warehouse path and the dbt build's wall time."""
    warehouse = work / "delivery.duckdb"
    load_all(exports, warehouse)
    started = time.monotonic()
    dbt_build(work, warehouse, select)
    elapsed = time.monotonic() - started
    return warehouse, elapsed


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("dora_fixture")
    exports = work / "exports"
    write_fixture_exports(exports)
    path, _ = build_warehouse(exports, work, "+marts.dora")
    return path


def rows(warehouse: Path, sql: str) -> list[tuple]:
    return query(warehouse, sql)


def approx(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def test_deployment_attempts_and_outcomes(warehouse: Path) -> None:
    got = {
        r[0]: r[1:]
        for r in rows(
            warehouse,
            """
        select deployment_key, is_production, is_success, is_production_deployment, repository_sequence,
               is_failure, failure_source, rolled_back_by_deployment_key, recovery_time_hours,
               is_rollback, is_unplanned_fix, change_count, is_deployed_at_approximate, team, value_stream
        from marts.fct_deployments""",
        )
    }
    g = "github_deployment:"
    w = "workflow_run:"
    # 8 + 3 GitHub deployments and 3 deploy workflow run attempts (the CI run is no deployment)
    assert len(got) == 14
    c, p, i = ("checkout", "Commerce"), ("payments", "Commerce"), ("infra", "Platform")
    expected = {
        # key: production, success, is deployment, sequence, failure, source, rolled back by, recovery,
        #      rollback, unplanned fix, changes shipped, approximate time, team, value stream
        g + "3100000001": (True, True, True, 1, False, None, None, None, False, False, 2, False, *c),
        g + "3100000002": (True, True, True, 2, True, "incident", None, 12.0, False, False, 2, False, *c),
        g + "3100000003": (False, True, False, None, False, None, None, None, False, False, 0, False, *c),
        g + "3100000004": (True, False, False, None, False, None, None, None, False, False, 0, False, *c),
        g + "3100000005": (True, True, True, 3, False, None, None, None, False, False, 1, False, *c),
        g + "3100000006": (
            True,
            True,
            True,
            4,
            True,
            "rollback",
            g + "3100000007",
            2.0,
            False,
            True,
            1,
            False,
            *c,
        ),
        g + "3100000007": (True, True, True, 5, True, "incident", None, 3.0, True, True, 0, False, *c),
        # A8 ships PR 6, which fixes bug CHK-2 raised (03-04 16:00) after A7 (03-04 12:00): rework
        g + "3100000008": (True, True, True, 6, True, "incident", None, 7.0, False, True, 1, False, *c),
        g + "3200000001": (True, True, True, 1, False, None, None, None, False, False, 1, False, *p),
        g + "3200000002": (True, True, True, 2, True, "incident", None, 3.5, False, False, 3, False, *p),
        g + "3200000003": (True, False, False, None, False, None, None, None, False, False, 0, False, *p),
        w + "17000000001-1": (True, True, True, 1, False, None, None, None, False, False, 2, True, *i),
        w + "17000000002-1": (True, False, False, None, False, None, None, None, False, False, 0, True, *i),
        w + "17000000002-2": (True, True, True, 2, True, "incident", None, 1.5, False, False, 1, True, *i),
    }
    assert got == expected
    # PR 4 fixes bug CHK-1, but CHK-1 (03-03 08:00) was raised before A2 (03-03 10:00), the deployment
    # before A5: not rework. PR 2 names a story. Only A8 ships the fix of a new defect.
    assert rows(warehouse, "select deployment_key from marts.fct_deployments where ships_defect_fix") == [
        (g + "3100000008",)
    ]
    assert rows(warehouse, "select deployment_key from marts.fct_deployments where ships_hotfix") == [
        (g + "3100000006",)
    ]


def test_changes_and_spans(warehouse: Path) -> None:
    got = {
        r[0]: r[1:]
        for r in rows(
            warehouse,
            """
        select change_key, change_type, deployment_key, is_baseline, is_bot, is_hotfix, coding_hours,
               pickup_hours, review_hours, deploy_hours, lead_time_hours, has_negative_span, is_in_lead_time
        from marts.fct_changes""",
        )
    }
    g = "github_deployment:"
    pr, push = "pull_request", "direct_push"
    expected = {
        # key: type, shipped by, baseline, bot, hotfix, coding, pickup, review, deploy, lead, negative, in lead
        # baseline rows keep their spans; only the lead time statistics leave them out.
        # a0: pushed 02-20 00:00, deployed 03-02 09:00 = 10 days + 9 h
        f"{A}@{sha('a0')}": (
            push,
            g + "3100000001",
            True,
            False,
            False,
            None,
            None,
            None,
            249.0,
            249.0,
            False,
            False,
        ),
        # PR 1: merged 02-27 10:00, deployed 03-02 09:00 (71 h); first commit 02-25 10:00 (119 h)
        f"{A}#1": (pr, g + "3100000001", True, False, False, 24.0, 2.0, 22.0, 71.0, 119.0, False, False),
        f"{A}#2": (pr, g + "3100000002", False, False, False, 2.0, 2.0, 2.0, 20.0, 26.0, False, True),
        f"{A}#3": (pr, g + "3100000002", False, True, False, 0.0, 1.0, 1.0, 17.0, 19.0, False, False),
        f"{A}#4": (pr, g + "3100000005", False, False, False, 2.0, 1.0, 1.0, 5.0, 9.0, False, True),
        f"{A}#5": (pr, g + "3100000006", False, False, True, 0.5, 0.5, 0.5, 0.5, 2.0, False, True),
        # the first commit was authored after the pull request was opened: coding is NULL, a finding
        f"{A}#6": (pr, g + "3100000008", False, False, False, None, 1.0, 2.0, 1.0, 2.0, True, True),
        # b0: pushed 02-01 00:00, deployed 03-02 08:00 = 29 days + 8 h
        f"{B}@{sha('b0')}": (
            push,
            g + "3200000001",
            True,
            False,
            False,
            None,
            None,
            None,
            704.0,
            704.0,
            False,
            False,
        ),
        f"{B}#10": (pr, g + "3200000002", False, False, False, 3.0, 1.0, 2.0, 41.0, 47.0, False, True),
        f"{B}@{sha('b2')}": (
            push,
            g + "3200000002",
            False,
            False,
            False,
            None,
            None,
            None,
            40.0,
            40.0,
            False,
            True,
        ),
        f"{B}#11": (pr, g + "3200000002", False, False, False, 1.0, 1.0, 1.0, 21.0, 24.0, False, True),
        f"{B}#13": (pr, None, False, False, False, 1.0, None, None, None, None, False, False),
        # c0: pushed 02-10 00:00, deployed 03-09 10:30 = 27 days + 10.5 h
        f"{C}@{sha('c0')}": (
            push,
            "workflow_run:17000000001-1",
            True,
            False,
            False,
            None,
            None,
            None,
            658.5,
            658.5,
            False,
            False,
        ),
        f"{C}#20": (
            pr,
            "workflow_run:17000000001-1",
            True,
            False,
            False,
            1.0,
            0.5,
            0.5,
            0.5,
            2.5,
            False,
            False,
        ),
        f"{C}@{sha('c2')}": (
            push,
            "workflow_run:17000000002-2",
            False,
            False,
            False,
            None,
            None,
            None,
            1.5,
            1.5,
            False,
            True,
        ),
    }
    assert {k: tuple(approx(x) if isinstance(x, float) else x for x in v) for k, v in got.items()} == expected


def test_time_to_merge(warehouse: Path) -> None:
    got = {
        r[0]: r[1:]
        for r in rows(
            warehouse, "select change_key, time_to_merge_hours, is_in_time_to_merge from marts.fct_changes"
        )
    }
    assert got == {
        # merged - first commit; a push is committed when authored (0 h) and is not a pull request
        f"{A}@{sha('a0')}": (0.0, False),
        # 02-25 10:00 -> 02-27 10:00 = 48 h, but baseline
        f"{A}#1": (48.0, False),
        f"{A}#2": (6.0, True),  # 08:00 -> 14:00
        f"{A}#3": (2.0, False),  # 15:00 -> 17:00, a bot's
        f"{A}#4": (4.0, True),  # 09:00 -> 13:00
        f"{A}#5": (1.5, True),  # 08:00 -> 09:30
        # coding is negative (first commit 12:00 after opening 10:00), merge - first commit is not: 1 h
        f"{A}#6": (1.0, True),
        f"{B}@{sha('b0')}": (0.0, False),
        f"{B}#10": (6.0, True),  # 09:00 -> 15:00
        f"{B}@{sha('b2')}": (0.0, False),
        f"{B}#11": (3.0, True),  # 08:00 -> 11:00
        # never deployed, so not baseline: counted from its merge
        f"{B}#13": (2.0, True),  # 09:00 -> 11:00
        f"{C}@{sha('c0')}": (0.0, False),
        f"{C}#20": (2.0, False),  # 08:00 -> 10:00, baseline
        f"{C}@{sha('c2')}": (0.0, False),
    }


def test_incident_attribution(warehouse: Path) -> None:
    got = {
        r[0]: r[1:]
        for r in rows(
            warehouse,
            """
        select incident_id, team, deployment_key, attribution_method, explicit_link_type, duration_hours,
               deployment_recovery_time_hours
        from marts.fct_incidents""",
        )
    }
    g = "github_deployment:"
    assert got == {
        "QINC1": ("checkout", g + "3100000002", "explicit_link", "deployment_id", 2.0, 12.0),
        "QINC2": ("checkout", g + "3100000007", "time_window", None, 2.0, 3.0),
        "QINC3": ("payments", g + "3200000002", "explicit_link", "commit_sha", 2.5, 3.5),
        "QINC4": ("payments", None, "unattributed", None, 1.0, None),
        "QINC5": ("infra", "workflow_run:17000000002-2", "time_window", None, 1.0, 1.5),
        "QINC6": ("checkout", g + "3100000008", "explicit_link", "pull_request", 1.0, 7.0),
    }


TEAM_VALUE_STREAMS = {
    # mappings/teams.csv
    "checkout": "Commerce",
    "payments": "Commerce",
    "catalog": "Commerce",
    "identity": "Platform",
    "infra": "Platform",
    "data-platform": "Platform",
    "growth-web": "Growth",
    "mobile": "Growth",
    "billing": "Commerce",
    "search": "Growth",
    "fulfilment": "Commerce",
}
GRAINS = [
    *(("team", team) for team in TEAM_VALUE_STREAMS),
    *(("value_stream", vs) for vs in ("Commerce", "Platform", "Growth")),
    ("organisation", "organisation"),
]
PERIOD_METRICS = [
    "deployment_count",
    "deployment_days",
    "deployments_per_day",
    "change_count",
    "lead_time_change_count",
    "lead_time_median_hours",
    "lead_time_p75_hours",
    "lead_time_p90_hours",
    "merged_pull_request_count",
    "time_to_merge_median_hours",
    "failed_deployment_count",
    "change_failure_rate",
    "recovery_time_median_hours",
    "incident_count",
    "incident_duration_median_hours",
    "unplanned_fix_count",
    "rework_rate",
    "report_year",
    "lead_time_tier",
    "deployment_frequency_tier",
    "change_failure_rate_tier",
    "recovery_time_tier",
    "recovery_time_deployment_count",
    "is_few_data",
    "is_few_data_recovery",
    "change_failure_rate_delta_pp",
    "rework_rate_delta_pp",
    "is_few_data_lead_time",
    "is_few_data_time_to_merge",
]
# A period where nothing happened: zero counts, no rates or medians. 0 deployments a day is in the 2023 'low'
# deployment frequency band (lower bound 0, no upper bound); the other tiers have no value to rank.
ZERO = {
    "deployment_count": 0,
    "deployment_days": 0,
    "deployments_per_day": 0.0,
    "change_count": 0,
    "lead_time_change_count": 0,
    "lead_time_median_hours": None,
    "lead_time_p75_hours": None,
    "lead_time_p90_hours": None,
    "merged_pull_request_count": 0,
    "time_to_merge_median_hours": None,
    "failed_deployment_count": 0,
    "change_failure_rate": None,
    "recovery_time_median_hours": None,
    "incident_count": 0,
    "incident_duration_median_hours": None,
    "unplanned_fix_count": 0,
    "rework_rate": None,
    "report_year": 2023,
    "lead_time_tier": None,
    "deployment_frequency_tier": "low",
    "change_failure_rate_tier": None,
    "recovery_time_tier": None,
    # 0 deployments, 0 recovered failures: both under the minimum (few_data_minimum, 5)
    "recovery_time_deployment_count": 0,
    "is_few_data": True,
    "is_few_data_recovery": True,
    # no rate this period (nor, in the first period, a previous one): no change in percentage points
    "change_failure_rate_delta_pp": None,
    "rework_rate_delta_pp": None,
    # 0 changes with a lead time, 0 pull requests merged
    "is_few_data_lead_time": True,
    "is_few_data_time_to_merge": True,
}


def period_mart(warehouse: Path, table: str) -> dict[tuple[str, str, str], dict]:
    """Every row of a period mart: (grain, grain key, period start) -> its columns, doubles to 4 places."""
    got = {}
    for key, grain, grain_key, start, team, value_stream, end, *metrics in rows(
        warehouse,
        f"""select period_key, grain, grain_key, cast(period_start as varchar), team, value_stream,
                   cast(period_end as varchar), {", ".join(PERIOD_METRICS)}
            from marts.{table}""",
    ):
        assert key == f"{grain}:{grain_key}:{start}"
        got[(grain, grain_key, start)] = {
            "team": team,
            "value_stream": value_stream,
            "period_end": end,
            **{
                name: approx(v) if isinstance(v, float) else v
                for name, v in zip(PERIOD_METRICS, metrics, strict=True)
            },
        }
    return got


def expected_mart(periods: dict[str, str], active: dict[tuple[str, str, str], dict]) -> dict:
    """Every grain in every period (start -> end): ZERO, overlaid with the hand-computed `active` values."""
    expected = {}
    for grain, grain_key in GRAINS:
        for start, end in periods.items():
            expected[(grain, grain_key, start)] = {
                "team": grain_key if grain == "team" else None,
                "value_stream": (
                    TEAM_VALUE_STREAMS[grain_key]
                    if grain == "team"
                    else grain_key
                    if grain == "value_stream"
                    else None
                ),
                "period_end": end,
                **ZERO,
                **active.get((grain, grain_key, start), {}),
            }
    return expected


# Hand values shared by the weekly and the monthly marts (the same events fall in week 1 and in March).
#
# checkout, week 1 / March
#   deployments A1 (03-02) A2 (03-03) A5 (03-03) A6 (03-04) A7 (03-04) A8 (03-05): 6, on 4 distinct days
#   changes first shipped, baseline (a0, PR 1) left out: PR 2, 3, 4, 5, 6 = 5
#   lead time, the bot's PR 3 left out: PR 2 26, PR 4 9, PR 5 2, PR 6 2 -> sorted [2, 2, 9, 26], n = 4
#     median: position 0.5 * 3 = 1.5 -> 2 + 0.5 * (9 - 2) = 5.5          (< 24: elite)
#     p75:    position 0.75 * 3 = 2.25 -> 9 + 0.25 * (26 - 9) = 13.25
#     p90:    position 0.9 * 3 = 2.7 -> 9 + 0.7 * (26 - 9) = 20.9
#   time to merge (first commit -> merged) of the non-bot, non-baseline pull requests merged:
#     PR 2 08:00 -> 14:00 = 6, PR 4 09:00 -> 13:00 = 4, PR 5 08:00 -> 09:30 = 1.5, PR 6 12:00 -> 13:00 = 1
#     sorted [1, 1.5, 4, 6] -> median (1.5 + 4) / 2 = 2.75; PR 3 is a bot's, PR 1 baseline (and February)
#   failed: A2 (I1), A6 (rolled back by A7), A7 (I2), A8 (I6) = 4 -> 4 / 6 = 0.6667   (>= 0.15: low)
#   recovery: A2 12, A6 2, A7 3, A8 7 -> sorted [2, 3, 7, 12] -> (3 + 7) / 2 = 5   ([1, 24): high)
#   incidents started: I1 2 h, I2 2 h, I6 1 h -> 3, median 2
#   unplanned fixes: A6 (hotfix), A7 (rollback), A8 (fixes CHK-2, raised after A7) = 3 -> 3 / 6 = 0.5
CHECKOUT = {
    "deployment_count": 6,
    "deployment_days": 4,
    "change_count": 5,
    "lead_time_change_count": 4,
    "lead_time_median_hours": 5.5,
    "lead_time_p75_hours": 13.25,
    "lead_time_p90_hours": 20.9,
    "merged_pull_request_count": 4,
    "time_to_merge_median_hours": 2.75,
    "failed_deployment_count": 4,
    "change_failure_rate": 0.6667,
    "recovery_time_median_hours": 5.0,
    "incident_count": 3,
    "incident_duration_median_hours": 2.0,
    "unplanned_fix_count": 3,
    "rework_rate": 0.5,
    "lead_time_tier": "elite",
    "change_failure_rate_tier": "low",
    "recovery_time_tier": "high",
    # 6 deployments >= 5: enough; 4 recovered failures (A2, A6, A7, A8) < 5: few data for recovery time
    "recovery_time_deployment_count": 4,
    "is_few_data": False,
    "is_few_data_recovery": True,
    # 4 changes with a lead time, 4 pull requests merged: under 5
    "is_few_data_lead_time": True,
    "is_few_data_time_to_merge": True,
}
# payments, week 1 / March
#   deployments B1 (03-02), B2 (03-04): 2 on 2 days (B3 never finished)
#   changes: PR 10, b2, PR 11 = 3 (b0 is baseline); lead PR 10 47, b2 40, PR 11 24 -> sorted [24, 40, 47]
#     median 40 ([24, 168): high); p75 position 1.5 -> 40 + 0.5 * 7 = 43.5; p90 1.8 -> 40 + 0.8 * 7 = 45.6
#   time to merge: PR 10 09:00 -> 15:00 = 6, PR 11 08:00 -> 11:00 = 3 -> [3, 6], median 4.5
#     (PR 13, 03-09 09:00 -> 11:00 = 2, is merged in week 2 but never deployed: week 2 and March only)
#   failed: B2 (I3) = 1 -> 1 / 2 = 0.5 (low); recovery B2 3.5 (high)
#   incidents: I3 2.5 h, I4 1 h (unattributed, still an incident of payments) -> median 1.75
#   unplanned fixes: none -> 0 / 2 = 0
PAYMENTS = {
    "deployment_count": 2,
    "deployment_days": 2,
    "change_count": 3,
    "lead_time_change_count": 3,
    "lead_time_median_hours": 40.0,
    "lead_time_p75_hours": 43.5,
    "lead_time_p90_hours": 45.6,
    "failed_deployment_count": 1,
    "change_failure_rate": 0.5,
    "recovery_time_median_hours": 3.5,
    "incident_count": 2,
    "incident_duration_median_hours": 1.75,
    "unplanned_fix_count": 0,
    "rework_rate": 0.0,
    "lead_time_tier": "high",
    "change_failure_rate_tier": "low",
    "recovery_time_tier": "high",
    # 2 deployments, 1 recovered failure (B2): both under 5
    "recovery_time_deployment_count": 1,
    "is_few_data": True,
    "is_few_data_recovery": True,
}
# infra, week 2 / March
#   deployments R1 (03-09 10:30), R2/2 (03-09 12:30): 2 on 1 day (R2/1 failed, R3 is CI)
#   changes: c2 only (c0 and PR 20 are baseline) -> lead 1.5 (elite); PR 20 is baseline: no time to merge
#   failed: R2/2 (I5) = 1 -> 0.5 (low); recovery 14:00 - 12:30 = 1.5 ([1, 24): high); I5 1 h
INFRA = {
    "deployment_count": 2,
    "deployment_days": 1,
    "change_count": 1,
    "lead_time_change_count": 1,
    "lead_time_median_hours": 1.5,
    "lead_time_p75_hours": 1.5,
    "lead_time_p90_hours": 1.5,
    "failed_deployment_count": 1,
    "change_failure_rate": 0.5,
    "recovery_time_median_hours": 1.5,
    "incident_count": 1,
    "incident_duration_median_hours": 1.0,
    "unplanned_fix_count": 0,
    "rework_rate": 0.0,
    "lead_time_tier": "elite",
    "change_failure_rate_tier": "low",
    "recovery_time_tier": "high",
    # 2 deployments, 1 recovered failure (R2/2): both under 5
    "recovery_time_deployment_count": 1,
    "is_few_data": True,
    "is_few_data_recovery": True,
}
# Commerce (checkout + payments; catalog did nothing), week 1 / March
#   deployments 6 + 2 = 8, on days {03-02, 03-03, 03-04, 03-05} and {03-02, 03-04}: 4 distinct
#   changes 5 + 3 = 8; lead [2, 2, 9, 26] + [24, 40, 47] -> sorted [2, 2, 9, 24, 26, 40, 47], n = 7
#     median: position 3 -> 24, not < 24 h: high, not elite
#     p75: position 4.5 -> 26 + 0.5 * (40 - 26) = 33; p90: position 5.4 -> 40 + 0.4 * (47 - 40) = 42.8
#   failed 4 + 1 = 5 -> 5 / 8 = 0.625 (low); recovery [2, 3, 7, 12] + [3.5] -> [2, 3, 3.5, 7, 12] -> 3.5
#   incidents 3 + 2 = 5, durations [2, 2, 1] + [2.5, 1] -> [1, 1, 2, 2, 2.5] -> 2
#   unplanned 3 + 0 = 3 -> 3 / 8 = 0.375
COMMERCE = {
    "deployment_count": 8,
    "deployment_days": 4,
    "change_count": 8,
    "lead_time_change_count": 7,
    "lead_time_median_hours": 24.0,
    "lead_time_p75_hours": 33.0,
    "lead_time_p90_hours": 42.8,
    "failed_deployment_count": 5,
    "change_failure_rate": 0.625,
    "recovery_time_median_hours": 3.5,
    "incident_count": 5,
    "incident_duration_median_hours": 2.0,
    "unplanned_fix_count": 3,
    "rework_rate": 0.375,
    "lead_time_tier": "high",
    "change_failure_rate_tier": "low",
    "recovery_time_tier": "high",
    # 8 deployments and 5 recovered failures (4 + 1): neither under 5, the minimum itself is enough
    "recovery_time_deployment_count": 5,
    "is_few_data": False,
    "is_few_data_recovery": False,
    # 7 changes with a lead time; 6 pull requests merged in week 1, 7 in March (set below): enough
    "is_few_data_lead_time": False,
    "is_few_data_time_to_merge": False,
}


def test_weekly_mart(warehouse: Path) -> None:
    got = period_mart(warehouse, "mart_dora__weekly")
    # the first event (A1, B1 on Mon 03-02) and the last (infra on Mon 03-09) give two weeks
    w1, w2 = "2026-03-02", "2026-03-09"
    # 11 teams + 3 value streams + the organisation, 2 weeks each
    assert len(got) == 30
    # 7 days a week: 6 / 7 = 0.8571 a day ([1/7, 1): high), 2 / 7 = 0.2857 (high), 8 / 7 = 1.1429 (>= 1: elite)
    checkout = {**CHECKOUT, "deployments_per_day": 0.8571, "deployment_frequency_tier": "high"}
    payments = {
        **PAYMENTS,
        "deployments_per_day": 0.2857,
        "deployment_frequency_tier": "high",
        "merged_pull_request_count": 2,
        "time_to_merge_median_hours": 4.5,
    }
    infra = {**INFRA, "deployments_per_day": 0.2857, "deployment_frequency_tier": "high"}
    # Commerce time to merge, week 1: checkout [1, 1.5, 4, 6] + payments [3, 6] -> [1, 1.5, 3, 4, 6, 6]:
    # (3 + 4) / 2 = 3.5
    commerce = {
        **COMMERCE,
        "deployments_per_day": 1.1429,
        "deployment_frequency_tier": "elite",
        "merged_pull_request_count": 6,
        "time_to_merge_median_hours": 3.5,
    }
    # payments, week 2: PR 13 merged (2 h) but never deployed; nothing else happened
    payments_w2 = {"merged_pull_request_count": 1, "time_to_merge_median_hours": 2.0}
    expected = expected_mart(
        {w1: "2026-03-09", w2: "2026-03-16"},
        {
            ("team", "checkout", w1): checkout,
            ("team", "payments", w1): payments,
            ("team", "payments", w2): payments_w2,
            ("team", "infra", w2): infra,
            ("value_stream", "Commerce", w1): commerce,
            ("value_stream", "Commerce", w2): payments_w2,
            ("value_stream", "Platform", w2): infra,
            # the organisation, week 1: Commerce's (infra, Platform and Growth did nothing)
            ("organisation", "organisation", w1): commerce,
            # the organisation, week 2: infra's, plus PR 13's merge (infra's PR 20 is baseline). Its rates
            # change from week 1's (Commerce's) in percentage points: change failure 0.5 - 0.625 = -12.5 pp,
            # rework 0 - 0.375 = -37.5 pp. Every other grain lacks a rate in week 1 or in week 2: no change.
            ("organisation", "organisation", w2): {
                **infra, **payments_w2, "change_failure_rate_delta_pp": -12.5, "rework_rate_delta_pp": -37.5,
            },
        },
    )
    assert got == expected


def test_monthly_mart(warehouse: Path) -> None:
    got = period_mart(warehouse, "mart_dora__monthly")
    m = "2026-03-01"
    # every event is in March: one month for each of the 15 grains (11 teams, 3 value streams, the organisation)
    assert len(got) == 15
    # March has 31 days: 6 / 31 = 0.1935 a day ([1/7, 1): high); 2 / 31 = 0.0645 ([1/30, 1/7): medium);
    # 8 / 31 = 0.2581 (high); 10 / 31 = 0.3226 (high)
    # payments time to merge: PR 10 6, PR 11 3, PR 13 2 -> [2, 3, 6] -> 3
    payments = {
        **PAYMENTS,
        "deployments_per_day": 0.0645,
        "deployment_frequency_tier": "medium",
        "merged_pull_request_count": 3,
        "time_to_merge_median_hours": 3.0,
    }
    infra = {**INFRA, "deployments_per_day": 0.0645, "deployment_frequency_tier": "medium"}
    # Commerce time to merge: [1, 1.5, 4, 6] + [2, 3, 6] -> [1, 1.5, 2, 3, 4, 6, 6] -> position 3: 3
    commerce = {
        **COMMERCE,
        "deployments_per_day": 0.2581,
        "deployment_frequency_tier": "high",
        "merged_pull_request_count": 7,
        "time_to_merge_median_hours": 3.0,
    }
    # the organisation: Commerce plus infra
    #   10 deployments on days {03-02, 03-03, 03-04, 03-05, 03-09} = 5
    #   changes 8 + 1 = 9; lead [2, 2, 9, 24, 26, 40, 47] + [1.5] -> [1.5, 2, 2, 9, 24, 26, 40, 47], n = 8
    #     median: position 3.5 -> (9 + 24) / 2 = 16.5 (elite); p75: 5.25 -> 26 + 0.25 * 14 = 29.5;
    #     p90: 6.3 -> 40 + 0.3 * 7 = 42.1
    #   time to merge: Commerce's 7 pull requests (infra's PR 20 is baseline) -> 3
    #   failed 5 + 1 = 6 -> 6 / 10 = 0.6 (low); recovery [2, 3, 3.5, 7, 12] + [1.5] -> (3 + 3.5) / 2 = 3.25
    #   incidents 5 + 1 = 6: [1, 1, 2, 2, 2.5] + [1] -> [1, 1, 1, 2, 2, 2.5] -> (1 + 2) / 2 = 1.5
    #   unplanned 3 -> 3 / 10 = 0.3
    organisation = {
        **commerce,
        "deployment_count": 10,
        "deployment_days": 5,
        "deployments_per_day": 0.3226,
        "change_count": 9,
        "lead_time_change_count": 8,
        "lead_time_median_hours": 16.5,
        "lead_time_p75_hours": 29.5,
        "lead_time_p90_hours": 42.1,
        "failed_deployment_count": 6,
        "change_failure_rate": 0.6,
        "recovery_time_median_hours": 3.25,
        "incident_count": 6,
        "incident_duration_median_hours": 1.5,
        "rework_rate": 0.3,
        "lead_time_tier": "elite",
        # recovered failures 5 + 1 = 6
        "recovery_time_deployment_count": 6,
    }
    expected = expected_mart(
        {m: "2026-04-01"},
        {
            ("team", "checkout", m): {
                **CHECKOUT,
                "deployments_per_day": 0.1935,
                "deployment_frequency_tier": "high",
            },
            ("team", "payments", m): payments,
            ("team", "infra", m): infra,
            ("value_stream", "Commerce", m): commerce,
            ("value_stream", "Platform", m): infra,
            ("organisation", "organisation", m): organisation,
        },
    )
    assert got == expected


def test_deployment_frequency_profile(warehouse: Path) -> None:
    got = {
        r[0]: r[1:]
        for r in rows(
            warehouse,
            """
        select team, value_stream, cast(window_start as varchar), cast(window_end as varchar), deployment_count,
               deployment_days, round(deployments_per_day, 4), round(weeks_with_deployment_share, 4),
               frequency_bucket
        from marts.mart_dora__deployment_frequency_profile""",
        )
    }
    # 91 days ending the day after the newest deployment (R2/2, 03-09): 2026-03-10 - 91 days = 2025-12-09
    # (22 days of December + 31 + 28 + 10 = 91). ceil(91 / 7) = 13 weeks counted from 12-09.
    # checkout: A1 A2 A5 A6 A7 A8 = 6, on 4 days; 6 / 91 = 0.0659 a day ([1/30, 1/7): weekly to monthly);
    #   03-02 is day 83 (week 83 // 7 = 11), 03-05 is day 86 (week 12): 2 weeks of 13 = 0.1538
    # payments: B1 (day 83, week 11), B2 (day 85, week 12): 2 on 2 days, 2 / 91 = 0.022 (< 1/30: less often),
    #   2 / 13 = 0.1538
    # infra: R1 and R2/2 on 03-09 (day 90, week 12): 2 on 1 day, 0.022, 1 / 13 = 0.0769
    # the five other teams deployed nothing: 0, less often
    window = ("2025-12-09", "2026-03-10")
    nothing = (*window, 0, 0, 0.0, 0.0, "less_often")
    assert got == {
        "checkout": ("Commerce", *window, 6, 4, 0.0659, 0.1538, "weekly_to_monthly"),
        "payments": ("Commerce", *window, 2, 2, 0.022, 0.1538, "less_often"),
        "catalog": ("Commerce", *nothing),
        "identity": ("Platform", *nothing),
        "infra": ("Platform", *window, 2, 1, 0.022, 0.0769, "less_often"),
        "data-platform": ("Platform", *nothing),
        "growth-web": ("Growth", *nothing),
        "mobile": ("Growth", *nothing),
        "billing": ("Commerce", *nothing),
        "search": ("Growth", *nothing),
        "fulfilment": ("Commerce", *nothing),
    }


def test_data_coverage(warehouse: Path) -> None:
    """The dates each fact covers, per tool and for every tool together ('all'), from the fixture above.
    The flow facts are built too (the coverage reads fct_work_items and fct_handoffs)."""
    dbt_build(warehouse.parent, warehouse, "+mart_data_coverage")
    got = rows(
        warehouse,
        """select source_tool, fact_model, event_column, cast(first_event_date as varchar),
                  cast(last_event_date as varchar), row_count
           from marts.mart_data_coverage order by fact_model, source_tool""",
    )
    # changes by merge (a push: its commit): a0 (02-20), PR 1..6; b0 (02-01), PR 10, b2, PR 11, PR 13 (03-09);
    #   c0 (02-10), PR 20, c2 (03-09): 7 + 5 + 3 = 15, from 02-01 (b0) to 03-09 (PR 13, PR 20, c2)
    changes = ("fct_changes", "merged_at", "2026-02-01", "2026-03-09", 15)
    # attempts by start: A1..A8, B1..B3 and the deploy runs R1, R2/1, R2/2 (R3 is CI): 8 + 3 + 3 = 14,
    #   from 03-02 (A1, B1) to 03-09 (the runs)
    deployments = ("fct_deployments", "started_at", "2026-03-02", "2026-03-09", 14)
    # incidents by start: I1 (03-03) .. I5 (03-09): 6
    incidents = ("fct_incidents", "started_at", "2026-03-03", "2026-03-09", 6)
    # the Jira items by creation: CHK-3 (03-01), CHK-1 (03-03), CHK-2 (03-04); one status each: no handoff
    work_items = ("fct_work_items", "created_at", "2026-03-01", "2026-03-04", 3)
    assert got == [
        ("all", *changes),
        ("github", *changes),
        ("all", *deployments),
        ("github", *deployments),
        ("all", *incidents),
        ("pagerduty", *incidents),
        ("all", *work_items),
        ("jira", *work_items),
    ]
