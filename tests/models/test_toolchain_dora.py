"""A mixed organisation end to end: Billing on Azure Boards, Repos and Pipelines (its items also named by a pull
request of Checkout's GitHub code), Search on GitLab, Fulfilment on GitLab with Jenkins deployments, incidents in
Opsgenie. Small exports of the demo organisation's identifiers, loaded by the real pipelines and built with dbt up
to the monthly DORA and weekly flow marts, against the product's own mapping seeds.

The bodies are the hand-written API shapes of tests/fixtures/{gitlab,azure_devops,jenkins,opsgenie} and a real
GitHub pull request body (tests/fixtures/real_samples), copied and given new identifiers and times. Tools without
exports (Jira, PagerDuty) get empty raw tables. Every expected value is worked out by hand in a comment beside it.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ingestion.pipelines import load_tool
from tests.conftest import FIXTURES
from tests.models.dbt_runner import dbt_build
from tests.toolchain_exports import raw_ddl

SEARCH_API = "acme/search/search-api"  # repository_teams: search
SEARCH_INDEXER = "acme/search/search-indexer"  # not in repository_teams: group acme/search gives search
FULFILMENT = "acme/fulfilment/fulfilment-service"  # repository_teams: fulfilment; deployed by Jenkins
BILLING = "acme/Billing/billing-engine"  # Azure DevOps organization acme, project Billing
CONTROLLER = "ci.acme.example"
OPSGENIE_BILLING = "5b0e6a52-1f3c-4c8e-9d7a-2e6f0b4c1a01"
OPSGENIE_SEARCH = "9c3d2f17-6a4b-4e21-8f5c-7d1e3a9b2c02"

# search-api: root commit, the merge request's two branch commits and its squash commit
R0, H0, H1, S1 = "a0" * 20, "a1" * 20, "a2" * 20, "a3" * 20
I0 = "b0" * 20  # search-indexer: a direct push
F0, B5, M5 = "c0" * 20, "c1" * 20, "c2" * 20  # fulfilment: root, branch commit, merge commit
D0, D1, D2 = "d0" * 20, "d1" * 20, "d2" * 20  # billing-engine: deployed before, PR 31's merge, PR 31's commit

TOOLS = ("github", "gitlab", "azure_devops", "jenkins", "opsgenie")


def _fixture(path: str) -> Any:
    return json.loads((FIXTURES / path).read_text(encoding="utf-8"))


def _write(exports: Path, relative: str, body: Any) -> None:
    path = exports / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body, indent=1), encoding="utf-8")


def _ms(moment: str) -> int:
    return int(datetime.fromisoformat(moment).replace(tzinfo=UTC).timestamp() * 1000)


# GitLab ----------------------------------------------------------------------------------------------------

GITLAB = "gitlab/acme/platform/checkout"


def _gitlab_user(username: str, user_id: int) -> dict:
    user = copy.deepcopy(_fixture(f"{GITLAB}/merge_requests/page-0001.json")[0]["author"])
    return {**user, "id": user_id, "username": username, "name": username.title(),
            "web_url": f"https://gitlab.acme.example/{username}"}


def _merge_request(project: str, mr_id: int, iid: int, *, created: str, merged: str, head: str,
                   merge_commit: str | None, squash_commit: str | None, branch: str, author: dict) -> dict:
    body = copy.deepcopy(next(m for m in _fixture(f"{GITLAB}/merge_requests/page-0001.json") if m["id"] == 9101))
    body.update(
        id=mr_id, iid=iid, project_id=mr_id // 100, title=f"Change !{iid}", state="merged", created_at=created,
        updated_at=merged, merged_at=merged, closed_at=None, source_branch=branch, target_branch="main",
        author=author, sha=head, merge_commit_sha=merge_commit, squash_commit_sha=squash_commit,
        squash=squash_commit is not None, labels=[], reference=f"!{iid}",
        references={"short": f"!{iid}", "relative": f"!{iid}", "full": f"{project}!{iid}"},
        web_url=f"https://gitlab.acme.example/{project}/-/merge_requests/{iid}",
    )
    return body


def _gitlab_commit(project: str, sha: str, authored: str, committed: str, parents: list[str] | None) -> dict:
    body = copy.deepcopy(_fixture(f"{GITLAB}/commits/page-0001.json")[0])
    body.update(id=sha, short_id=sha[:8], created_at=committed, authored_date=authored, committed_date=committed,
                title=f"Commit {sha[:4]}", message=f"Commit {sha[:4]}\n",
                web_url=f"https://gitlab.acme.example/{project}/-/commit/{sha}")
    if parents is None:
        body.pop("parent_ids")  # merge request commits come without parents
    else:
        body["parent_ids"] = parents
    return body


def _note(note_id: int, mr_id: int, iid: int, author: dict, body: str, created: str, system: bool) -> dict:
    note = copy.deepcopy(_fixture(f"{GITLAB}/merge_request_notes/7.json")[0])
    note.update(id=note_id, body=body, author=author, created_at=created, updated_at=created, system=system,
                noteable_id=mr_id, noteable_iid=iid, project_id=mr_id // 100)
    return note


def _gitlab_deployment(project: str, deployment_id: int, sha: str, environment: str, tier: str, status: str,
                       created: str, finished: str) -> dict:
    body = copy.deepcopy(next(d for d in _fixture(f"{GITLAB}/deployments/page-0001.json") if d["id"] == 8001))
    body.update(id=deployment_id, iid=deployment_id % 100, sha=sha, status=status, created_at=created,
                updated_at=finished, finished_at=finished)
    body["environment"].update(id=deployment_id * 10, name=environment, slug=environment, tier=tier)
    body["deployable"].update(id=deployment_id * 10, status=status, created_at=created, started_at=created,
                              finished_at=finished, commit={"id": sha, "short_id": sha[:8]})
    body["deployable"]["pipeline"].update(sha=sha,
                                          web_url=f"https://gitlab.acme.example/{project}/-/pipelines/1")
    return body


def _write_gitlab(exports: Path) -> None:
    dana, eli, fay = _gitlab_user("dana", 21), _gitlab_user("eli", 22), _gitlab_user("fay", 23)
    # search-api !3: squash-merged; its squash commit S1 (parent R0) is deployed by production deployment 9402.
    _write(exports, f"gitlab/{SEARCH_API}/merge_requests/page-0001.json", [
        _merge_request(SEARCH_API, 9301, 3, created="2026-03-02T09:00:00Z", merged="2026-03-03T15:00:00Z",
                       head=H1, merge_commit=None, squash_commit=S1, branch="feature/faster-ranking",
                       author=dana),
    ])
    _write(exports, f"gitlab/{SEARCH_API}/merge_request_commits/3.json", [
        _gitlab_commit(SEARCH_API, H1, "2026-03-02T10:00:00Z", "2026-03-02T10:00:00Z", None),
        _gitlab_commit(SEARCH_API, H0, "2026-03-02T08:00:00Z", "2026-03-02T08:00:00Z", None),
    ])
    _write(exports, f"gitlab/{SEARCH_API}/merge_request_notes/3.json", [
        # the author's own approval and a reviewer's comment are not the first review; eli's approval is
        _note(901, 9301, 3, dana, "approved this merge request", "2026-03-02T11:00:00Z", True),
        _note(902, 9301, 3, eli, "Why not cache the ranking?", "2026-03-02T12:00:00Z", False),
        _note(903, 9301, 3, eli, "approved this merge request", "2026-03-03T11:00:00Z", True),
    ])
    _write(exports, f"gitlab/{SEARCH_API}/commits/page-0001.json", [
        _gitlab_commit(SEARCH_API, S1, "2026-03-02T10:00:00Z", "2026-03-03T15:00:00Z", [R0]),
        _gitlab_commit(SEARCH_API, R0, "2026-03-01T08:00:00Z", "2026-03-01T08:00:00Z", []),
    ])
    _write(exports, f"gitlab/{SEARCH_API}/deployments/page-0001.json", [
        _gitlab_deployment(SEARCH_API, 9401, R0, "production", "production", "success",
                           "2026-03-01T09:50:00Z", "2026-03-01T10:00:00Z"),
        _gitlab_deployment(SEARCH_API, 9403, S1, "staging", "staging", "success",
                           "2026-03-03T15:20:00Z", "2026-03-03T15:30:00Z"),
        _gitlab_deployment(SEARCH_API, 9402, S1, "production", "production", "success",
                           "2026-03-03T16:00:00Z", "2026-03-03T16:30:00Z"),
    ])
    # search-indexer: not in repository_teams; one commit pushed to main
    _write(exports, f"gitlab/{SEARCH_INDEXER}/commits/page-0001.json", [
        _gitlab_commit(SEARCH_INDEXER, I0, "2026-03-02T14:00:00Z", "2026-03-02T14:00:00Z", []),
    ])
    # fulfilment-service !5: merged with a merge commit M5 (parents F0, B5); Jenkins deploys it
    _write(exports, f"gitlab/{FULFILMENT}/merge_requests/page-0001.json", [
        _merge_request(FULFILMENT, 9501, 5, created="2026-03-04T10:00:00Z", merged="2026-03-04T16:00:00Z",
                       head=B5, merge_commit=M5, squash_commit=None, branch="feature/split-parcels", author=fay),
    ])
    _write(exports, f"gitlab/{FULFILMENT}/merge_request_commits/5.json", [
        _gitlab_commit(FULFILMENT, B5, "2026-03-04T09:00:00Z", "2026-03-04T09:00:00Z", None),
    ])
    _write(exports, f"gitlab/{FULFILMENT}/commits/page-0001.json", [
        _gitlab_commit(FULFILMENT, M5, "2026-03-04T16:00:00Z", "2026-03-04T16:00:00Z", [F0, B5]),
        _gitlab_commit(FULFILMENT, F0, "2026-02-28T12:00:00Z", "2026-02-28T12:00:00Z", []),
    ])


# Jenkins ---------------------------------------------------------------------------------------------------


def _jenkins_build(number: int, target_env: str, sha: str, started: str, duration_ms: int) -> dict:
    job = _fixture("jenkins/ci.acme.example/payments/checkout-deploy/builds.json")
    body = copy.deepcopy(next(b for b in job["builds"] if b["number"] == 41))
    for action in body["actions"]:
        if action.get("_class") == "hudson.model.ParametersAction":
            action["parameters"] = [
                {"_class": "hudson.model.StringParameterValue", "name": "TARGET_ENV", "value": target_env},
            ]
        if action.get("_class") == "hudson.plugins.git.util.BuildData":
            action["lastBuiltRevision"] = {"SHA1": sha, "branch": [{"SHA1": sha, "name": "refs/remotes/origin/main"}]}
            action["remoteUrls"] = [f"https://gitlab.acme.example/{FULFILMENT}.git"]
    body.update(number=number, id=str(number), displayName=f"#{number}", result="SUCCESS", building=False,
                timestamp=_ms(started), duration=duration_ms,
                url=f"https://{CONTROLLER}/job/fulfilment/job/deploy/{number}/")
    return body


def _write_jenkins(exports: Path) -> None:
    job = _fixture("jenkins/ci.acme.example/payments/checkout-deploy/builds.json")
    _write(exports, f"jenkins/{CONTROLLER}/fulfilment/deploy/builds.json", {
        "_class": job["_class"],
        "builds": [
            # #9 production of F0, finished 09:02 (the first known production deployment)
            _jenkins_build(9, "production", F0, "2026-03-01T09:00:00", 120_000),
            # #10 staging of M5: a deployment attempt, not production
            _jenkins_build(10, "staging", M5, "2026-03-05T10:00:00", 60_000),
            # #11 production of M5: 11:00:00 + 180 s = finished 11:03:00
            _jenkins_build(11, "production", M5, "2026-03-05T11:00:00", 180_000),
        ],
    })
    # a deploy job no rule covers: no deployment attempt, listed as a mapping gap
    _write(exports, f"jenkins/{CONTROLLER}/billing/deploy-reports/builds.json", {
        "_class": job["_class"],
        "builds": [_jenkins_build(1, "production", D0, "2026-03-02T09:00:00", 60_000)],
    })


# Azure DevOps ----------------------------------------------------------------------------------------------

ADO = "azure_devops/azure_devops/fabrikam/Fabrikam-Fiber"
ADO_OUT = "azure_devops/acme/Billing"


def _ado_repository(body: dict) -> None:
    body["repository"].update(name="billing-engine")
    body["repository"]["project"].update(name="Billing")


def _write_azure_devops(exports: Path) -> None:
    pr = copy.deepcopy(_fixture(f"{ADO}/pull_requests/fabrikam-web-0001.json")["value"][0])
    _ado_repository(pr)
    # PR 31 completed 03-03 12:00; its merge commit D1 is what build 701 built and record 51 deployed
    pr.update(pullRequestId=31, codeReviewId=31, status="completed", creationDate="2026-03-02T09:00:00Z",
              closedDate="2026-03-03T12:00:00Z", title="Invoice rounding", sourceRefName="refs/heads/fix/rounding",
              workItemRefs=[{"id": "4101", "url": "https://dev.azure.com/acme/_apis/wit/workItems/4101"}])
    pr["lastMergeCommit"].update(commitId=D1)
    _write(exports, f"{ADO_OUT}/pull_requests/billing-engine-0001.json", {"count": 1, "value": [pr]})

    commits = _fixture(f"{ADO}/pull_request_commits/21.json")
    commit = copy.deepcopy(commits["value"][0])
    commit.update(commitId=D2)
    commit["author"]["date"] = commit["committer"]["date"] = "2026-03-02T07:00:00Z"
    _write(exports, f"{ADO_OUT}/pull_request_commits/31.json", {"count": 1, "value": [commit]})

    build_template = _fixture(f"{ADO}/builds/page-0001.json")["value"][0]
    builds = []
    for build_id, sha, finished in ((700, D0, "2026-03-01T09:50:00Z"), (701, D1, "2026-03-03T13:50:00Z")):
        build = copy.deepcopy(build_template)
        build.update(id=build_id, buildNumber=f"2026.{build_id}", sourceVersion=sha, finishTime=finished,
                     lastChangedDate=finished, result="succeeded", status="completed")
        build["repository"].update(name="billing-engine")
        build["project"].update(name="Billing")
        build["triggerInfo"]["ci.sourceSha"] = sha
        builds.append(build)
    _write(exports, f"{ADO_OUT}/builds/page-0001.json", {"count": len(builds), "value": builds})

    record_template = _fixture(f"{ADO}/environment_deployments/production/page-0001.json")["value"][0]
    records = []
    for record_id, build_id, started, finished in (
        (50, 700, "2026-03-01T09:55:00Z", "2026-03-01T10:00:00Z"),
        (51, 701, "2026-03-03T13:55:00Z", "2026-03-03T14:00:00Z"),
    ):
        record = copy.deepcopy(record_template)
        record.update(id=record_id, requestIdentifier=f"{build_id}-DeployProd-1", result="succeeded",
                      queueTime=started, startTime=started, finishTime=finished)
        record["owner"].update(id=build_id, name=f"2026.{build_id}")
        records.append(record)
    # the folder names the environment: `Production` matches ^prod(uction)?$ ignoring case
    _write(exports, f"{ADO_OUT}/environment_deployments/Production/page-0001.json",
           {"count": len(records), "value": records})


# GitHub ----------------------------------------------------------------------------------------------------

CHECKOUT_WEB = "acme/checkout-web"  # repository_teams: checkout


def _write_github(exports: Path) -> None:
    """An open pull request of Checkout's GitHub code naming Billing's Azure Boards item 4102 (`AB#4102`)."""
    pull = copy.deepcopy(_fixture("real_samples/github/panjf2000/ants/pulls/page-1.json")[0])
    pull.update(id=7701, node_id="PR_7701", number=77, state="open", title="AB#4102 Dunning letter template",
                created_at="2026-03-04T10:00:00Z", updated_at="2026-03-04T10:00:00Z", closed_at=None,
                merged_at=None, merge_commit_sha=None, body=None)
    pull["head"].update(ref="feature/dunning-letters")
    _write(exports, f"github/{CHECKOUT_WEB}/pulls/page-0001.json", [pull])


# Azure Boards ----------------------------------------------------------------------------------------------

# The fixture's work item 101 and its updates, moved to Billing with whole-second times of this story.
BOARDS_TIMES = {
    "2026-03-02T09:15:22.347Z": "2026-03-02T08:00:00Z",  # created, New
    "2026-03-03T08:00:00.2Z": "2026-03-02T10:00:00Z",  # Active
    "2026-03-04T10:30:00Z": "2026-03-02T11:00:00Z",  # parent set
    "2026-03-05T14:00:00.1234567Z": "2026-03-03T09:00:00Z",  # reassigned
    "2026-03-06T09:00:00Z": "2026-03-03T12:00:00Z",  # Resolved, as PR 31 completes
    "2026-03-06T11:15:00Z": "2026-03-03T13:00:00Z",  # a comment
    "2026-03-06T16:40:05.1234567Z": "2026-03-03T15:00:00Z",  # Closed
}


def _on_billing(body: Any, work_item_id: int) -> Any:
    text = json.dumps(body)
    for old, new in BOARDS_TIMES.items():
        text = text.replace(old, new)
    text = text.replace("Fabrikam-Fiber\\\\Checkout", "Billing").replace("Fabrikam-Fiber\\\\Sprint 12", "Billing")
    text = text.replace('"Fabrikam-Fiber"', '"Billing"')
    moved = json.loads(text)
    for item in moved if isinstance(moved, list) else [moved]:
        fields = item["fields"]
        if "System.Id" in fields:
            fields["System.Id"] = {"newValue": work_item_id} if isinstance(fields["System.Id"], dict) else work_item_id
        fields.pop("System.Parent", None)
        item["workItemId" if "workItemId" in item else "id"] = work_item_id
    return moved


def _write_boards(exports: Path) -> None:
    story = _on_billing(_fixture(f"{ADO}/work_items/page-0001.json")["value"][0], 4101)
    updates = _on_billing(_fixture(f"{ADO}/work_item_updates/101.json")["value"], 4101)
    # 4102: the same story's first two revisions only: started 03-02 10:00, still Active
    open_story = copy.deepcopy(story)
    open_story.update(id=4102, rev=2)
    open_story["fields"].update({
        "System.Id": 4102, "System.State": "Active", "System.Reason": "Implementation started",
        "System.Title": "Dunning letters", "System.BoardColumn": "Active", "System.ChangedDate": "2026-03-02T10:00:00Z",
        "Microsoft.VSTS.Common.StateChangeDate": "2026-03-02T10:00:00Z",
    })
    for closing in ("Microsoft.VSTS.Common.ResolvedDate", "Microsoft.VSTS.Common.ClosedDate"):
        open_story["fields"].pop(closing)
    open_updates = _on_billing(_fixture(f"{ADO}/work_item_updates/101.json")["value"][:2], 4102)
    open_updates[1]["revisedDate"] = "9999-01-01T00:00:00Z"
    _write(exports, f"{ADO_OUT}/work_items/page-0001.json", {"count": 2, "value": [story, open_story]})
    _write(exports, f"{ADO_OUT}/work_item_updates/4101.json", {"count": len(updates), "value": updates})
    _write(exports, f"{ADO_OUT}/work_item_updates/4102.json", {"count": 2, "value": open_updates})


# Opsgenie --------------------------------------------------------------------------------------------------


def _write_opsgenie(exports: Path) -> None:
    incidents = _fixture("opsgenie/incidents/page-0001.json")
    template = incidents["data"][0]
    billing = copy.deepcopy(template)
    # an hour after record 51 deployed billing-engine (14:00), resolved at 17:00; no link: the time window
    billing.update(id="7a1b2c3d-0000-4000-8000-000000000031", tinyId="31", message="Invoices off by a cent",
                   status="resolved", createdAt="2026-03-03T15:00:00Z", updatedAt="2026-03-03T17:00:00Z",
                   ownerTeam=OPSGENIE_BILLING, responders=[{"type": "team", "id": OPSGENIE_BILLING}],
                   extraProperties={}, impactedServices=["svc-billing"])
    search = copy.deepcopy(template)
    # days after deployment 9402 (outside the 24-hour window), naming it in the extra properties
    search.update(id="7a1b2c3d-0000-4000-8000-000000000032", tinyId="32", message="Search results stale",
                  status="open", createdAt="2026-03-06T09:00:00Z", updatedAt="2026-03-06T09:10:00Z",
                  ownerTeam=OPSGENIE_SEARCH, responders=[{"type": "team", "id": OPSGENIE_SEARCH}],
                  extraProperties={"deployment": "9402"}, impactedServices=["svc-search"])
    _write(exports, "opsgenie/incidents/page-0001.json", {**incidents, "data": [billing, search]})

    alerts = _fixture("opsgenie/alerts/page-0001.json")
    alert = copy.deepcopy(alerts["data"][0])
    # an alert of the billing team in the same hour: alerts are not incidents
    alert.update(id="alert-billing-1", tinyId="3101", createdAt="2026-03-03T14:55:00Z",
                 ownerTeamId=OPSGENIE_BILLING, responders=[{"type": "team", "id": OPSGENIE_BILLING}])
    _write(exports, "opsgenie/alerts/page-0001.json", {**alerts, "data": [alert]})


# Build -----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ingestion.sources import TOOLS as ALL_TOOLS

    root = tmp_path_factory.mktemp("toolchain_dora")
    exports, warehouse = root / "exports", root / "delivery.duckdb"
    _write_gitlab(exports)
    _write_jenkins(exports)
    _write_azure_devops(exports)
    _write_boards(exports)
    _write_github(exports)
    _write_opsgenie(exports)
    for tool in TOOLS:
        load_tool(tool, exports, warehouse)
    # every raw table the exports did not create (other tools, folders without files), empty
    con = duckdb.connect(str(warehouse))
    con.execute(raw_ddl(tuple(ALL_TOOLS)).replace("create table ", "create table if not exists "))
    con.close()
    dbt_build(root, warehouse, "+mart_dora__monthly +mart_flow__weekly +int_mappings__gaps")
    return warehouse


@pytest.fixture()
def con(warehouse: Path):
    connection = duckdb.connect(str(warehouse), read_only=True)
    yield connection
    connection.close()


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_pull_requests_of_every_tool_in_one_shape(con):
    assert _rows(
        con,
        """
        select source_tool, pull_request_id, repository, pull_number, head_ref, author_login, state, merged_at,
               landed_sha, work_item_refs_json
        from intermediate.int_dora__pull_requests order by source_tool, pull_request_id
        """,
    ) == [
        ("azure_devops", 31, BILLING, 31, "fix/rounding", "ana.silva@fabrikam.com", "completed",
         datetime(2026, 3, 3, 12, 0), D1, '["4101"]'),
        # open: no merge time and no landed commit
        ("github", 7701, CHECKOUT_WEB, 77, "feature/dunning-letters", "barryz", "open", None, None, None),
        ("gitlab", 9301, SEARCH_API, 3, "feature/faster-ranking", "dana", "merged", datetime(2026, 3, 3, 15, 0),
         S1, None),
        ("gitlab", 9501, FULFILMENT, 5, "feature/split-parcels", "fay", "merged", datetime(2026, 3, 4, 16, 0),
         M5, None),
    ]


def test_gitlab_project_takes_the_team_of_its_group_when_not_seeded(con):
    assert _rows(
        con,
        """
        select repository, team, team_source, gitlab_group_path from intermediate.int_dora__repository_teams
        where repository_key in ('acme/search/search-api', 'acme/search/search-indexer') order by 1
        """,
    ) == [
        # seeded: repository_teams wins; the deepest group holding it is still shown
        (SEARCH_API, "search", "repository_teams", "acme/search"),
        # not seeded: the longest group path prefixing it, acme/search
        (SEARCH_INDEXER, "search", "gitlab_group_teams", "acme/search"),
    ]
    assert _rows(con, f"select team from marts.fct_changes where change_key = '{SEARCH_INDEXER}@{I0}'") == [
        ("search",)
    ]
    # every demo identifier is mapped; only the Jenkins deploy job without a rule is listed, and the two
    # Azure Boards assignees of the fixture, whom flow_people_teams does not name: Ana Silva held 4101 and
    # 4102 (assigned at their revision 2), Ben Okafor 4101 (from its revision 4)
    assert _rows(con, "select mapping_kind, unmapped_value, records_affected, display_name "
                      "from intermediate.int_mappings__gaps order by mapping_kind, unmapped_value") == [
        ("jenkins_deployment_rule", f"{CONTROLLER}/billing/deploy-reports", 1, None),
        ("person_team", "5c2e7f0a-3b1d-4e8a-9f21-6d0b7a4c1e93", 2, "Ana Silva"),
        ("person_team", "9a41c6d2-7e05-4b3f-8c18-2f6e0d9b5a70", 1, "Ben Okafor"),
    ]


def test_gitlab_merge_request_deployed_by_a_gitlab_production_deployment(con):
    assert _rows(
        con,
        f"""
        select change_type, team, change_sha, first_commit_at, opened_at, first_review_at, merged_at,
               deployment_key, deployed_at, is_baseline, coding_hours, pickup_hours, review_hours, deploy_hours,
               lead_time_hours, is_in_lead_time, source_tool, source_record_id
        from marts.fct_changes where change_key = '{SEARCH_API}!3'
        """,
    ) == [(
        "pull_request", "search", S1,
        datetime(2026, 3, 2, 8, 0),  # the earlier of its commits H0 (08:00) and H1 (10:00)
        datetime(2026, 3, 2, 9, 0),
        # eli's approval; dana's own approval (03-02 11:00) and eli's comment (03-02 12:00) do not count
        datetime(2026, 3, 3, 11, 0),
        datetime(2026, 3, 3, 15, 0),
        # 9402 deployed S1 to production (tier production), finished 16:30; staging 9403 does not count
        "gitlab_deployment:9402", datetime(2026, 3, 3, 16, 30),
        False,  # 9401 (R0) came first
        1.0,  # 08:00 -> 09:00
        26.0,  # 03-02 09:00 -> 03-03 11:00
        4.0,  # 11:00 -> 15:00
        1.5,  # 15:00 -> 16:30
        32.5,  # 03-02 08:00 -> 03-03 16:30
        True, "gitlab", "9301",
    )]
    # R0, pushed without a merge request, is a direct push shipped by the first known deployment
    assert _rows(
        con,
        f"select change_type, deployment_key, is_baseline from marts.fct_changes where change_key = '{SEARCH_API}@{R0}'",
    ) == [("direct_push", "gitlab_deployment:9401", True)]


def test_jenkins_production_build_counts_and_the_staging_one_does_not(con):
    assert _rows(
        con,
        """
        select deployment_key, repository, team, environment, deployed_sha, deployed_at, is_production,
               is_production_deployment, repository_sequence
        from marts.fct_deployments where deployment_source = 'jenkins_build' order by deployment_key
        """,
    ) == [
        (f"jenkins_build:{CONTROLLER}/fulfilment/deploy#10", FULFILMENT, "fulfilment", "staging", M5,
         datetime(2026, 3, 5, 10, 1), False, False, None),
        (f"jenkins_build:{CONTROLLER}/fulfilment/deploy#11", FULFILMENT, "fulfilment", "production", M5,
         datetime(2026, 3, 5, 11, 3), True, True, 2),
        (f"jenkins_build:{CONTROLLER}/fulfilment/deploy#9", FULFILMENT, "fulfilment", "production", F0,
         datetime(2026, 3, 1, 9, 2), True, True, 1),
    ]
    assert _rows(
        con,
        f"""
        select deployment_key, lead_time_hours from marts.fct_changes where change_key = '{FULFILMENT}!5'
        """,
    ) == [
        # the merge commit M5 shipped with #11; first commit B5 03-04 09:00 -> 03-05 11:03 = 26.05 hours
        (f"jenkins_build:{CONTROLLER}/fulfilment/deploy#11", 26.05),
    ]
    # the branch commit B5 is shipped by #11 through the merge commit's second parent
    assert _rows(
        con, f"select deployment_key from intermediate.int_dora__commit_deployments where sha = '{B5}'"
    ) == [(f"jenkins_build:{CONTROLLER}/fulfilment/deploy#11",)]


def test_azure_devops_pull_request_shipped_by_an_environment_deployment_record(con):
    assert _rows(
        con,
        """
        select deployment_key, repository, team, environment, deployed_sha, deployed_at, is_production_deployment
        from marts.fct_deployments where deployment_source = 'azure_devops_deployment' order by deployment_key
        """,
    ) == [
        ("azure_devops_deployment:acme:50", BILLING, "billing", "Production", D0, datetime(2026, 3, 1, 10, 0), True),
        ("azure_devops_deployment:acme:51", BILLING, "billing", "Production", D1, datetime(2026, 3, 3, 14, 0), True),
    ]
    assert _rows(
        con,
        f"""
        select team, change_sha, first_commit_at, first_review_at, merged_at, deployment_key, lead_time_hours
        from marts.fct_changes where change_key = '{BILLING}!31'
        """,
    ) == [(
        "billing", D1,
        datetime(2026, 3, 2, 7, 0),
        None,  # reviewer votes carry no time
        datetime(2026, 3, 3, 12, 0),
        "azure_devops_deployment:acme:51",
        31.0,  # 03-02 07:00 -> 03-03 14:00
    )]


def test_opsgenie_incidents_are_attributed_and_alerts_do_not_count(con):
    assert _rows(
        con,
        """
        select incident_id, incident_number, team, status, started_at, resolved_at, duration_hours, deployment_key,
               attribution_method, explicit_link_type, deployment_recovery_time_hours, source_tool
        from marts.fct_incidents order by incident_number
        """,
    ) == [
        # billing's latest production deployment within 24 hours before 15:00 is record 51 (14:00)
        ("7a1b2c3d-0000-4000-8000-000000000031", 31, "billing", "resolved", datetime(2026, 3, 3, 15, 0),
         datetime(2026, 3, 3, 17, 0), 2.0, "azure_devops_deployment:acme:51", "time_window", None,
         3.0,  # deployed 14:00, restored when the incident resolved at 17:00
         "opsgenie"),
        # named in the extra properties ("deployment": "9402"), though 2.7 days after it
        ("7a1b2c3d-0000-4000-8000-000000000032", 32, "search", "open", datetime(2026, 3, 6, 9, 0), None, None,
         "gitlab_deployment:9402", "explicit_link", "deployment_id", None, "opsgenie"),
    ]
    assert _rows(
        con,
        "select deployment_key, is_failure, failure_source from marts.fct_deployments where is_failure "
        "order by deployment_key",
    ) == [("azure_devops_deployment:acme:51", True, "incident"), ("gitlab_deployment:9402", True, "incident")]


# The mixed organisation's marts ----------------------------------------------------------------------------


def test_the_monthly_dora_mart_of_the_mixed_organisation(con):
    rows = _rows(
        con,
        """
        select grain, grain_key, deployment_count, deployment_days, deployments_per_day, failed_deployment_count,
               change_failure_rate, recovery_time_median_hours, change_count, lead_time_change_count,
               lead_time_median_hours, merged_pull_request_count, time_to_merge_median_hours, incident_count,
               incident_duration_median_hours
        from marts.mart_dora__monthly
        where period_start = date '2026-03-01'
          and grain_key in ('billing', 'search', 'fulfilment', 'Commerce', 'Growth', 'organisation')
        order by grain, grain_key
        """,
    )
    assert [row[:2] for row in rows] == [
        ("organisation", "organisation"),
        ("team", "billing"), ("team", "fulfilment"), ("team", "search"),
        ("value_stream", "Commerce"), ("value_stream", "Growth"),
    ]
    by_key = {row[1]: row[2:] for row in rows}
    # billing: records 50 (03-01) and 51 (03-03) in production, 51 failed (Opsgenie 31, restored after 3.0 h);
    # PR 31 is its one change (lead time 31.0 h; 03-02 07:00 -> merged 03-03 12:00 = 29.0 h to merge);
    # incident 31 lasted 2.0 h. The first deployments' commits (D0, F0, R0) are baselines.
    assert by_key["billing"] == (2, 2, 2 / 31, 1, 0.5, 3.0, 1, 1, 31.0, 1, 29.0, 1, 2.0)
    # fulfilment: Jenkins #9 (03-01) and #11 (03-05; #10 went to staging), no failure; !5 lead time 26.05 h,
    # 03-04 09:00 -> merged 16:00 = 7.0 h to merge
    assert by_key["fulfilment"] == (2, 2, 2 / 31, 0, 0.0, None, 1, 1, 26.05, 1, 7.0, 0, None)
    # search: GitLab 9401 (03-01) and 9402 (03-03), 9402 failed (incident 32, still open: no recovery);
    # !3 lead time 32.5 h, 03-02 08:00 -> merged 03-03 15:00 = 31.0 h to merge
    assert by_key["search"] == (2, 2, 2 / 31, 1, 0.5, None, 1, 1, 32.5, 1, 31.0, 1, None)
    # Commerce is billing and fulfilment: days 03-01, 03-03, 03-05; medians of (31.0, 26.05) and (29.0, 7.0)
    assert by_key["Commerce"] == (4, 3, 4 / 31, 1, 0.25, 3.0, 2, 2, 28.525, 2, 18.0, 1, 2.0)
    assert by_key["Growth"] == by_key["search"]
    # deployment days 03-01, 03-03 and 03-05; medians of (32.5, 26.05, 31.0) and (31.0, 7.0, 29.0)
    assert by_key["organisation"] == (6, 3, 6 / 31, 2, 2 / 6, 3.0, 3, 3, 31.0, 3, 29.0, 2, 2.0)


def test_azure_boards_items_flow_with_their_azure_repos_and_github_pull_requests(con):
    assert _rows(
        con,
        """
        select issue_id, issue_key, issue_type, flow_item, team, current_phase, created_at, started_at, done_at,
               flow_time_hours, active_hours, flow_efficiency, linked_pull_request_count,
               merged_pull_request_count, last_merged_at, source_tool
        from marts.fct_work_items order by issue_id
        """,
    ) == [
        ("azure_devops:acme:4101", "Billing#4101", "User Story", "feature", "billing", "done",
         datetime(2026, 3, 2, 8, 0), datetime(2026, 3, 2, 10, 0), datetime(2026, 3, 3, 15, 0),
         29.0,  # Active 03-02 10:00 -> Closed 03-03 15:00
         26.0,  # Active until Resolved at 03-03 12:00; Resolved is a waiting state
         26 / 29,
         1, 1, datetime(2026, 3, 3, 12, 0),  # PR 31 names it in its work item refs
         "azure_devops"),
        ("azure_devops:acme:4102", "Billing#4102", "User Story", "feature", "billing", "development",
         datetime(2026, 3, 2, 8, 0), datetime(2026, 3, 2, 10, 0), None, None, None, None,
         1, 0, None,  # Checkout's open GitHub pull request 77 names it: `AB#4102` in its title, organization acme
         "azure_devops"),
    ]


def test_the_weekly_flow_mart_of_the_mixed_organisation(con):
    assert _rows(
        con,
        """
        select items_done, features_done, defects_done, flow_time_median_hours, flow_time_p85_hours,
               flow_efficiency, flow_load, feature_share, items_delivered, delivery_lead_time_median_hours,
               started_to_production_median_hours
        from marts.mart_flow__weekly where team = 'billing' and week_start = date '2026-03-02'
        """,
    ) == [(
        1, 1, 0, 29.0, 29.0, 26 / 29,
        1,  # 4102 started on 03-02 and is not done at the week's end
        1.0,
        # 4101 reached production with record 51 (03-03 14:00): 30.0 h after it was created (03-02 08:00),
        # 28.0 h after it started (10:00)
        1, 30.0, 28.0,
    )]
