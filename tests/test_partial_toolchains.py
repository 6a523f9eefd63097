"""Organisations that export only some tools build and publish, and what no seed maps counts as `unmapped`.

Each organisation is a few records written here in the tools' real API shapes (docs/exports.md), under names
the product's seeds do not map (a new organisation that has not filled its seeds in), except where a test says
so. Jira only, GitHub only and PagerDuty only go through `delivery run` to the published serving file (the
three runs two at a time, each in its own folders); the organisation without a production deployment (GitHub, Azure Pipelines and Opsgenie, with one mapped team) is
loaded by the real pipelines and built with dbt directly, which costs a fraction of a run. Every expected value
is worked out by hand in a comment beside it.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.conftest import FIXTURES
from tests.limits import HANG_SECONDS
from tests.small_org_exports import (
    C0,
    LEAD_TIME_PR1,
    M1,
    ZETA_API,
    write,
    write_github_repository,
    write_jira_only,
)

REPO_ROOT = Path(__file__).parents[1]
WINDOW_DAYS = 91  # dbt_project.yml: dora_frequency_window_days
UNMAPPED = "unmapped"  # the team and value stream of what no seed maps (macros/unmapped.sql)


def _start_delivery_run(root: Path) -> subprocess.Popen:
    """`delivery run` on the organisation's exports under `root`, as tests/test_end_to_end.py runs it; its output
    goes to files under `root`, read when it ends."""
    env = {
        **os.environ,
        "DELIVERY_EXPORTS_DIR": str(root / "exports"),
        "DELIVERY_WAREHOUSE_PATH": str(root / "warehouse" / "delivery.duckdb"),
        "DELIVERY_SERVING_PATH": str(root / "warehouse" / "serving.duckdb"),
        "DAGSTER_HOME": str(root / "dagster"),
        "COLUMNS": "200",
    }
    (root / "dagster").mkdir(parents=True, exist_ok=True)
    with open(root / "run.out", "w") as stdout, open(root / "run.err", "w") as stderr:
        return subprocess.Popen([sys.executable, "-m", "orchestration.cli", "run"], env=env, stdout=stdout,
                                stderr=stderr, text=True, cwd=REPO_ROOT)


class DeliveryRuns:
    """The organisations' `delivery run`s, two at a time: each spends much of its time waiting on its own steps,
    so two side by side take well under two runs' time, while more would only queue for the machine's cores.
    A run starts when a test first needs it or when a slot frees, the one a test waits for first."""

    AT_ONCE = 2

    def __init__(self, roots: dict[str, Path]) -> None:
        self.roots = roots
        self.processes: dict[str, subprocess.Popen] = {}

    def finished(self, name: str) -> Path:
        """The organisation's root once its run has ended, which it must have done successfully."""
        deadline = time.monotonic() + HANG_SECONDS  # stops a hang only
        while not self._ended(name):
            assert time.monotonic() < deadline, f"the {name} run hangs"
            time.sleep(1)
        self.start_waiting()  # the slot this run freed goes to the next organisation
        root = self.roots[name]
        output = (root / "run.out").read_text()[-6000:] + (root / "run.err").read_text()[-3000:]
        assert self.processes[name].returncode == 0, output
        assert "Published " in output, output
        return root

    def _ended(self, name: str) -> bool:
        self.start_waiting(first=name)
        process = self.processes.get(name)
        return process is not None and process.poll() is not None

    def start_waiting(self, first: str | None = None) -> None:
        waiting = [n for n in self.roots if n not in self.processes]
        waiting.sort(key=lambda n: n != first)
        running = sum(process.poll() is None for process in self.processes.values())
        for name in waiting[: max(self.AT_ONCE - running, 0)]:
            self.processes[name] = _start_delivery_run(self.roots[name])

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()


@pytest.fixture(scope="module")
def delivery_runs(tmp_path_factory: pytest.TempPathFactory):
    roots = {}
    for name, write_exports in ORGANISATIONS.items():
        roots[name] = tmp_path_factory.mktemp(name)
        write_exports(roots[name] / "exports")
    runs = DeliveryRuns(roots)
    runs.start_waiting()
    yield runs
    runs.stop()


def _published(root: Path, sql: str) -> list[tuple]:
    """Rows of the published serving file."""
    with duckdb.connect(str(root / "warehouse" / "serving.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def _seed_teams() -> dict[str, str]:
    teams_csv = REPO_ROOT / "demo" / "config" / "mappings" / "teams.csv"
    lines = teams_csv.read_text(encoding="utf-8").splitlines()[1:]
    return {line.split(",")[0]: line.split(",")[2] for line in lines if line}


def _profile(root: Path) -> dict[str, tuple]:
    return {row[0]: row[1:] for row in _published(root, """
        select team, value_stream, window_start, window_end, deployment_count, deployment_days,
               deployments_per_day, weeks_with_deployment_share, frequency_bucket
        from marts.mart_dora__deployment_frequency_profile""")}


def _zero_profile(value_stream: str, window_end: date) -> tuple:
    return (value_stream, window_end - timedelta(days=WINDOW_DAYS), window_end, 0, 0, 0.0, 0.0, "less_often")


WEEKLY_COLUMNS = """grain, grain_key, team, value_stream, period_start, deployment_count, deployment_days,
    deployments_per_day, change_count, lead_time_change_count, lead_time_median_hours, merged_pull_request_count,
    time_to_merge_median_hours, failed_deployment_count, change_failure_rate, recovery_time_median_hours,
    incident_count, incident_duration_median_hours, unplanned_fix_count, rework_rate"""


def _weekly(root: Path) -> dict[tuple[str, str, date], tuple]:
    return {(row[0], row[1], row[4]): row[2:4] + row[5:]
            for row in _published(root, f"select {WEEKLY_COLUMNS} from marts.mart_dora__weekly")}


def _zero_week(team: str | None, value_stream: str | None) -> tuple:
    # no deployment, change, merge or incident: zeros, and NULL for every median and rate
    return (team, value_stream, 0, 0, 0.0, 0, 0, None, 0, None, 0, None, None, 0, None, 0, None)


def _assert_zero_rows_for_seed_teams(weekly: dict, weeks: list[date]) -> None:
    """Every default team and value stream has a row of zeros in every week (nothing of theirs was loaded)."""
    teams = _seed_teams()
    for week in weeks:
        for team, value_stream in teams.items():
            assert weekly[("team", team, week)] == _zero_week(team, value_stream)
        for value_stream in set(teams.values()):
            assert weekly[("value_stream", value_stream, week)] == _zero_week(None, value_stream)


# Jira only -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def jira_only(delivery_runs) -> tuple[Path, list[dict]]:
    root = delivery_runs.finished("jira_only")
    return root, json.loads((root / "exports" / "jira" / "issues" / "page-0001.json").read_text())["issues"]


def test_jira_only_publishes_empty_dora_marts_and_a_profile_of_zeros(jira_only):
    root, issues = jira_only
    # no deployment, change or incident: the DORA facts and period marts are empty, not a failed build
    for mart in ("fct_deployments", "fct_changes", "fct_incidents", "mart_dora__weekly", "mart_dora__monthly"):
        assert _published(root, f"select count(*) from marts.{mart}") == [(0,)], mart
    # the window ends the day after the newest record loaded: the latest `updated` of the four issues, in UTC
    newest = max(datetime.strptime(i["fields"]["updated"], "%Y-%m-%dT%H:%M:%S.%f%z") for i in issues)
    window_end = newest.astimezone(UTC).date() + timedelta(days=1)
    assert _profile(root) == {
        team: _zero_profile(value_stream, window_end) for team, value_stream in _seed_teams().items()
    }
    # the Jira project EE is listed as unmapped, with its four issues
    assert _published(root, """
        select unmapped_value, records_affected from intermediate.int_mappings__gaps
        where mapping_kind = 'jira_project_team'""") == [("EE", 4)]


# GitHub only -----------------------------------------------------------------------------------------------

def _write_github_only(exports: Path) -> None:
    write_github_repository(exports, ZETA_API, "production")


@pytest.fixture(scope="module")
def github_only(delivery_runs) -> Path:
    return delivery_runs.finished("github_only")


WEEK = date(2026, 3, 2)  # a Monday: every record of these organisations falls in its week, or the next


def test_github_only_counts_its_unmapped_repository_under_the_unmapped_team(github_only):
    root = github_only
    assert _published(root, """
        select deployment_key, repository, team, value_stream, is_production_deployment, is_first_known
        from marts.fct_deployments order by deployment_key""") == [
        ("github_deployment:100", ZETA_API, UNMAPPED, UNMAPPED, True, True),
        ("github_deployment:101", ZETA_API, UNMAPPED, UNMAPPED, True, False),
    ]
    assert _published(root, """
        select change_key, team, value_stream, is_baseline, lead_time_hours, time_to_merge_hours
        from marts.fct_changes order by change_key""") == [
        # C1 authored 03-02 10:00 -> deployed 03-03 12:10 = 26 h 10 min; -> merged 03-03 10:00 = 24 h
        (f"{ZETA_API}#1", UNMAPPED, UNMAPPED, False, LEAD_TIME_PR1, 24.0),
        # the root commit, pushed (merged) when committed 03-02 09:00, shipped by the first known deployment at
        # 09:35: baseline, 35 min of lead time that no metric counts
        (f"{ZETA_API}@{C0}", UNMAPPED, UNMAPPED, True, 35 / 60, 0.0),
    ]
    assert _published(root, "select count(*) from marts.fct_incidents") == [(0,)]
    assert _published(root, """
        select mapping_kind, unmapped_value from intermediate.int_mappings__gaps
        where mapping_kind = 'repository_team'""") == [("repository_team", ZETA_API)]


def test_github_only_weekly_mart_has_the_unmapped_team_and_unchanged_organisation_totals(github_only):
    weekly = _weekly(github_only)
    # deployments 03-02 and 03-03 (2 days, 2/7 a day); PR #1 the one change (C0 is baseline), lead time 26.17 h;
    # merged once, 24.0 h to merge; no failure (rate 0.0), no incident, no recovery
    unmapped = (2, 2, 2 / 7, 1, 1, LEAD_TIME_PR1, 1, 24.0, 0, 0.0, None, 0, None, 0, 0.0)
    assert weekly[("team", UNMAPPED, WEEK)] == (UNMAPPED, UNMAPPED, *unmapped)
    assert weekly[("value_stream", UNMAPPED, WEEK)] == (None, UNMAPPED, *unmapped)
    # the organisation counts what it always did: everything, the unmapped included
    assert weekly[("organisation", "organisation", WEEK)] == (None, None, *unmapped)
    _assert_zero_rows_for_seed_teams(weekly, [WEEK])
    # one week; every default team and value stream, the unmapped team and value stream, the organisation
    assert len(weekly) == len(_seed_teams()) + len(set(_seed_teams().values())) + 2 + 1


def test_github_only_profile_lists_the_unmapped_team(github_only):
    profile = _profile(github_only)
    # newest production deployment 03-03: the window ends 03-04 and starts 91 days before
    window_end = date(2026, 3, 4)
    assert profile[UNMAPPED] == (UNMAPPED, window_end - timedelta(days=WINDOW_DAYS), window_end, 2, 2, 2 / WINDOW_DAYS,
                                 1 / 13,  # one of the window's ceil(91 / 7) = 13 weeks
                                 "less_often")  # 2 / 91 a day: below one a month
    assert {team: row for team, row in profile.items() if team != UNMAPPED} == {
        team: _zero_profile(value_stream, window_end) for team, value_stream in _seed_teams().items()
    }


def test_github_only_metric_members_list_the_unmapped_rows(github_only):
    assert _published(github_only, """
        select member_set, fact_key, team, value_stream from marts.fct_metric_members
        where member_set in ('deployments', 'changes', 'merged_pull_requests', 'incidents')
        order by member_set, fact_key""") == [
        ("changes", f"{ZETA_API}#1", UNMAPPED, UNMAPPED),
        ("deployments", "github_deployment:100", UNMAPPED, UNMAPPED),
        ("deployments", "github_deployment:101", UNMAPPED, UNMAPPED),
        ("merged_pull_requests", f"{ZETA_API}#1", UNMAPPED, UNMAPPED),
    ]


# PagerDuty only --------------------------------------------------------------------------------------------

ZETA_SERVICE = "PZETA01"  # no seed maps it


def _pagerduty_incident(incident_id: str, number: int, created: str, status: str, last_change: str) -> dict:
    """A PagerDuty REST v2 incident as the list sends it: no `resolved_at` (exports.md)."""
    reference = {"id": ZETA_SERVICE, "type": "service_reference", "summary": "Zeta API",
                 "self": f"https://api.pagerduty.com/services/{ZETA_SERVICE}",
                 "html_url": f"https://zeta.pagerduty.com/service-directory/{ZETA_SERVICE}"}
    return {
        "id": incident_id, "type": "incident", "summary": f"[#{number}] Zeta API errors",
        "self": f"https://api.pagerduty.com/incidents/{incident_id}",
        "html_url": f"https://zeta.pagerduty.com/incidents/{incident_id}", "incident_number": number,
        "title": "Zeta API errors", "description": "Zeta API errors", "created_at": created, "status": status,
        "incident_key": f"key-{number}", "service": reference, "assignments": [], "acknowledgements": [],
        "last_status_change_at": last_change, "teams": [], "urgency": "high",
        "escalation_policy": {"id": "PEP0001", "type": "escalation_policy_reference", "summary": "Zeta"},
    }


def _write_pagerduty_only(exports: Path) -> None:
    write(exports, "pagerduty/incidents/page-0001.json", {
        "incidents": [
            # resolved: the last status change (10:30) stands for the resolution, 2.5 h after the start
            _pagerduty_incident("Q1ZETA", 1, "2026-03-04T08:00:00Z", "resolved", "2026-03-04T10:30:00.000000Z"),
            _pagerduty_incident("Q2ZETA", 2, "2026-03-10T12:00:00Z", "triggered", "2026-03-10T12:00:00Z"),
        ],
        "limit": 25, "offset": 0, "more": False, "total": None,
    })


@pytest.fixture(scope="module")
def pagerduty_only(delivery_runs) -> Path:
    return delivery_runs.finished("pagerduty_only")


# The organisations built by `delivery run`, each with its exports' writer.
ORGANISATIONS = {
    "jira_only": write_jira_only,
    "github_only": _write_github_only,
    "pagerduty_only": _write_pagerduty_only,
}


def test_pagerduty_only_counts_incidents_of_an_unmapped_service_and_no_deployment(pagerduty_only):
    root = pagerduty_only
    assert _published(root, """
        select incident_id, team, value_stream, duration_hours, attribution_method, deployment_key
        from marts.fct_incidents order by incident_id""") == [
        ("Q1ZETA", UNMAPPED, UNMAPPED, 2.5, "unattributed", None),
        ("Q2ZETA", UNMAPPED, UNMAPPED, None, "unattributed", None),
    ]
    weekly = _weekly(root)
    next_week = WEEK + timedelta(days=7)
    # week 03-02: incident 1 (2.5 h); week 03-09: incident 2, still open (no duration). No deployment: zeros,
    # and a change failure rate, rework rate and recovery time of NULL (nothing to divide by)
    first = (0, 0, 0.0, 0, 0, None, 0, None, 0, None, None, 1, 2.5, 0, None)
    second = (0, 0, 0.0, 0, 0, None, 0, None, 0, None, None, 1, None, 0, None)
    for grain, key, team, value_stream in [("team", UNMAPPED, UNMAPPED, UNMAPPED),
                                           ("value_stream", UNMAPPED, None, UNMAPPED),
                                           ("organisation", "organisation", None, None)]:
        assert weekly[(grain, key, WEEK)] == (team, value_stream, *first)
        assert weekly[(grain, key, next_week)] == (team, value_stream, *second)
    _assert_zero_rows_for_seed_teams(weekly, [WEEK, next_week])
    assert _published(root, """
        select unmapped_value, records_affected from intermediate.int_mappings__gaps
        where mapping_kind = 'pagerduty_service_team'""") == [(ZETA_SERVICE, 2)]



def test_pagerduty_only_run_and_status_name_the_mapping_gap(pagerduty_only):
    """The one gap, service PZETA01 with its two incidents, in the run's summary, its warning and `delivery status`."""
    root = pagerduty_only
    gap_lines = [
        "Mapping gaps: 1 unmapped value(s); their records count under `unmapped` or a fallback:",
        f"  PagerDuty services (pagerduty_service_teams): 1 value(s), 2 incidents; most: {ZETA_SERVICE} (2)",
        "  Run `delivery mappings gaps` to write them as rows ready to fill in.",
    ]
    run_output = (root / "run.out").read_text().splitlines()
    assert "\n".join(gap_lines) in "\n".join(run_output)
    assert (
        f"  intermediate/int_mappings__gaps assert_no_mapping_gaps: 1 unmapped value(s): PagerDuty services 1 "
        f"(2 incidents, most: {ZETA_SERVICE}). Run `delivery mappings gaps` to write them as rows ready to fill in."
    ) in run_output
    env = {**os.environ, "DELIVERY_WAREHOUSE_PATH": str(root / "warehouse" / "delivery.duckdb"),
           "DELIVERY_SERVING_PATH": str(root / "warehouse" / "serving.duckdb"), "DAGSTER_HOME": str(root / "dagster"),
           "COLUMNS": "200"}
    status = subprocess.run([sys.executable, "-m", "orchestration.cli", "status"], env=env, capture_output=True,
                            text=True, timeout=HANG_SECONDS, check=True, cwd=REPO_ROOT)
    assert "\n".join(gap_lines) in status.stdout

def test_pagerduty_only_profile_window_ends_after_the_newest_incident(pagerduty_only):
    # no production deployment: the window ends the day after the newest record, incident 2 (03-10)
    window_end = date(2026, 3, 11)
    assert _profile(pagerduty_only) == {
        team: _zero_profile(value_stream, window_end) for team, value_stream in _seed_teams().items()
    }


# No production deployment: GitHub, Azure Pipelines and Opsgenie, built with dbt ---------------------------

CHECKOUT_WEB = "acme/checkout-web"  # the default seeds map it to checkout (value stream Commerce)
ADO = "azure_devops/fabrikam/Fabrikam-Fiber"  # the hand-written Azure DevOps fixtures
OPSGENIE_BILLING = "5b0e6a52-1f3c-4c8e-9d7a-2e6f0b4c1a01"  # mappings/opsgenie_team_teams.csv: billing


def _fixture(path: str) -> Any:
    return json.loads((FIXTURES / path).read_text(encoding="utf-8"))


def _azure_build(build_id: int, repository: dict) -> dict:
    """The fixture's build, of a pipeline building `repository` (Azure Pipelines building GitHub code)."""
    build = copy.deepcopy(_fixture(f"azure_devops/{ADO}/builds/page-0001.json")["value"][0])
    build.update(id=build_id, buildNumber=f"20260304.{build_id}", sourceVersion=M1, sourceBranch="refs/heads/main",
                 result="succeeded", status="completed", queueTime="2026-03-04T09:00:00Z",
                 startTime="2026-03-04T09:01:00Z", finishTime="2026-03-04T09:05:00Z",
                 lastChangedDate="2026-03-04T09:05:00Z", triggerInfo={})
    build["repository"] = repository
    return build


def _azure_deployment(record_id: int, build_id: int, finished: str) -> dict:
    record = copy.deepcopy(_fixture(f"azure_devops/{ADO}/environment_deployments/production/page-0001.json")["value"][0])
    record.update(id=record_id, requestIdentifier=f"{build_id}-DeployStaging-1", stageName="DeployStaging",
                  result="succeeded", queueTime="2026-03-04T09:06:00Z", startTime="2026-03-04T09:07:00Z",
                  finishTime=finished)
    record["owner"].update(id=build_id, name=f"20260304.{build_id}")
    return record


def _write_azure_pipelines(exports: Path) -> None:
    """Three builds of the GitHub repository, each deployed to staging: one names it in `repository.name`, one
    only in `repository.id` (its name empty), one in neither."""
    github = {"type": "GitHub", "clean": None, "checkoutSubmodules": False,
              "url": f"https://github.com/{CHECKOUT_WEB}.git"}
    builds = [
        _azure_build(701, {**github, "id": CHECKOUT_WEB, "name": CHECKOUT_WEB}),
        _azure_build(702, {**github, "id": CHECKOUT_WEB, "name": ""}),
        _azure_build(703, {**github, "id": "", "name": ""}),
    ]
    out = "azure_devops/acme/Storefront"
    write(exports, f"{out}/builds/page-0001.json", {"count": len(builds), "value": builds})
    records = [_azure_deployment(61, 701, "2026-03-04T10:00:00Z"), _azure_deployment(62, 702, "2026-03-04T11:00:00Z"),
               _azure_deployment(63, 703, "2026-03-04T12:00:00Z")]
    write(exports, f"{out}/environment_deployments/staging/page-0001.json", {"count": 3, "value": records})


OPSGENIE_OWNED_BY_RESPONDER = "3f1e2d3c-0000-4000-8000-000000000041"
OPSGENIE_WITHOUT_TEAM = "3f1e2d3c-0000-4000-8000-000000000042"


def _write_opsgenie(exports: Path) -> None:
    """Two incidents with Opsgenie's real `ownerTeam: ""`: one whose team is among its responders and whose
    impact ended at 09:30 (`impactEndDate`), the other answered by a user alone, still open."""
    page = _fixture("opsgenie/incidents/page-0001.json")
    owned = copy.deepcopy(page["data"][0])
    owned.update(id=OPSGENIE_OWNED_BY_RESPONDER, tinyId="41", message="Invoices slow", status="resolved",
                 createdAt="2026-03-04T08:00:00.123Z", updatedAt="2026-03-06T09:00:00Z",
                 impactStartDate="2026-03-04T08:00:00.123Z", impactEndDate="2026-03-04T09:30:00.123Z",
                 ownerTeam="", extraProperties={}, impactedServices=["svc-billing"],
                 responders=[{"type": "user", "id": "u-1"}, {"type": "team", "id": OPSGENIE_BILLING}])
    unowned = copy.deepcopy(page["data"][0])
    unowned.update(id=OPSGENIE_WITHOUT_TEAM, tinyId="42", message="Cache warm-up stuck", status="open",
                   createdAt="2026-03-05T10:00:00Z", updatedAt="2026-03-05T10:05:00Z", ownerTeam="",
                   extraProperties={}, impactedServices=[], responders=[{"type": "user", "id": "u-2"}])
    write(exports, "opsgenie/incidents/page-0001.json", {**page, "data": [owned, unowned]})


@pytest.fixture(scope="module")
def no_production(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ingestion.pipelines import load_tool
    from ingestion.sources import TOOLS
    from tests.models.dbt_runner import dbt_build
    from tests.toolchain_exports import raw_ddl

    root = tmp_path_factory.mktemp("no_production")
    exports, warehouse = root / "exports", root / "delivery.duckdb"
    # the same history as the GitHub-only organisation, deployed to staging alone: no production deployment
    write_github_repository(exports, CHECKOUT_WEB, "staging")
    _write_azure_pipelines(exports)
    _write_opsgenie(exports)
    for tool in ("github", "azure_devops", "opsgenie"):
        load_tool(tool, exports, warehouse)
    with duckdb.connect(str(warehouse)) as con:  # the other tools' raw tables, empty
        con.execute(raw_ddl(tuple(TOOLS)).replace("create table ", "create table if not exists "))
    dbt_build(root, warehouse, "+mart_dora__weekly +mart_dora__deployment_frequency_profile +fct_metric_members "
                               "+int_mappings__gaps")
    return warehouse


def _built(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_azure_pipelines_builds_of_a_github_repository_deploy_it_and_a_build_naming_none_is_reported(
    no_production,
):
    # records 61 and 62 deploy the GitHub repository (named by `repository.name`, then by `repository.id`) and
    # count under its team; record 63's build names no repository: left out, and listed with its build
    assert _built(no_production, """
        select deployment_key, repository, team, value_stream, is_production_deployment
        from marts.fct_deployments where deployment_source = 'azure_devops_deployment'
        order by deployment_key""") == [
        ("azure_devops_deployment:acme:61", CHECKOUT_WEB, "checkout", "Commerce", False),
        ("azure_devops_deployment:acme:62", CHECKOUT_WEB, "checkout", "Commerce", False),
    ]
    assert _built(no_production, """
        select g.unmapped_value, g.unmapped_value_detail, g.records_affected, g.example_record_model, b.build_id
        from intermediate.int_mappings__gaps as g
        inner join staging.stg_azure_devops__builds as b on g.example_record_id = b.build_key
        where g.mapping_kind = 'repository_team'""") == [
        ("(none)", "the record names no repository (repository.name and repository.id empty)", 1,
         "stg_azure_devops__builds", 703),
    ]


def test_opsgenie_empty_owner_team_is_taken_from_its_team_responder_and_impact_end_resolves(no_production):
    assert _built(no_production, """
        select incident_id, owner_team_id, team_id, team_id_source, impact_ended_at, resolved_at, resolved_at_source
        from staging.stg_opsgenie__incidents order by incident_id""") == [
        (OPSGENIE_OWNED_BY_RESPONDER, None, OPSGENIE_BILLING, "responders", datetime(2026, 3, 4, 9, 30, 0, 123000),
         datetime(2026, 3, 4, 9, 30, 0, 123000), "impactEndDate"),
        (OPSGENIE_WITHOUT_TEAM, None, None, None, None, None, None),
    ]
    assert _built(no_production, """
        select incident_id, team, value_stream, duration_hours, attribution_method
        from marts.fct_incidents order by incident_id""") == [
        # 08:00:00.123 -> impact ended 09:30:00.123: 1.5 h (not the two days to its last update)
        (OPSGENIE_OWNED_BY_RESPONDER, "billing", "Commerce", 1.5, "unattributed"),
        (OPSGENIE_WITHOUT_TEAM, UNMAPPED, UNMAPPED, None, "unattributed"),
    ]
    assert _built(no_production, """
        select unmapped_value, unmapped_value_detail, records_affected, example_record_id
        from intermediate.int_mappings__gaps where mapping_kind = 'opsgenie_team_team'""") == [
        ("(none)", "the incident has no ownerTeam and no responder of type team", 1, OPSGENIE_WITHOUT_TEAM),
    ]


def test_without_a_production_deployment_the_marts_hold_zeros_and_nulls(no_production):
    weekly = {(row[0], row[1]): row[2:] for row in _built(no_production, """
        select grain, grain_key, deployment_count, deployments_per_day, change_count, lead_time_median_hours,
               merged_pull_request_count, time_to_merge_median_hours, failed_deployment_count, change_failure_rate,
               incident_count, incident_duration_median_hours
        from marts.mart_dora__weekly where period_start = date '2026-03-02'""")}
    # nothing reached production: no deployment, no change counted, rates NULL. PR #1 merged (24.0 h to merge)
    assert weekly[("team", "checkout")] == (0, 0.0, 0, None, 1, 24.0, 0, None, 0, None)
    # incident 41 through its team responder (1.5 h); incident 42 under the unmapped team, open (no duration)
    assert weekly[("team", "billing")] == (0, 0.0, 0, None, 0, None, 0, None, 1, 1.5)
    assert weekly[("team", UNMAPPED)] == (0, 0.0, 0, None, 0, None, 0, None, 1, None)
    assert weekly[("value_stream", "Commerce")] == (0, 0.0, 0, None, 1, 24.0, 0, None, 1, 1.5)
    assert weekly[("value_stream", UNMAPPED)] == weekly[("team", UNMAPPED)]
    # the organisation: both incidents, as many as its teams' together
    assert weekly[("organisation", "organisation")] == (0, 0.0, 0, None, 1, 24.0, 0, None, 2, 1.5)
    assert len(_built(no_production, "select distinct period_start from marts.mart_dora__weekly")) == 1

    # the window ends the day after the newest record of any tool: incident 42, 03-05
    window_end = date(2026, 3, 6)
    profile = {row[0]: row[1:] for row in _built(no_production, """
        select team, value_stream, window_start, window_end, deployment_count, deployment_days,
               deployments_per_day, weeks_with_deployment_share, frequency_bucket
        from marts.mart_dora__deployment_frequency_profile""")}
    assert profile == {team: _zero_profile(vs, window_end) for team, vs in _seed_teams().items()}
