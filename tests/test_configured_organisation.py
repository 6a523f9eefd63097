"""An organisation configured entirely from a folder of its own, outside the repository: its settings file, its
mapping tables, its landing folder and warehouse. No file of the repository is changed, and no environment
variable names a path: the folder's settings.yaml does.

The organisation, Zeta, exports Jira (four issues of the real sample, project EE) and GitHub (`zeta/api`,
two deployments to the environment `live`, tests/small_org_exports.py). Its one team is `platform`. Its settings
say that `live` is production (`default_production_environment_pattern`): with the product's default
(`^prod(uction)?$`) neither deployment would count. The first run has only teams.csv filled in, so the
repository, the project and the people count under `unmapped`; `delivery mappings gaps` then writes the rows
to fill in, the test fills them in and pastes them as they are (extra columns and all) into the folder's
mappings, and a second run moves those records to `platform`, leaving no gap. Every expected value is worked
out by hand beside it.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.config.spec import SETTINGS
from tests.limits import HANG_SECONDS
from tests.orchestration.test_people_privacy import people_found, raw_people
from tests.small_org_exports import LEAD_TIME_PR1, ZETA_API, write_github_repository, write_jira_only

REPO_ROOT = Path(__file__).parents[1]
SETTINGS_YAML = """\
# Zeta's delivery warehouse
exports_dir: ../landing
warehouse_path: ../state/delivery.duckdb
default_production_environment_pattern: '^live$'
"""


def _repository_state() -> str:
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT,
                          capture_output=True, text=True, check=True).stdout


def _delivery(root: Path, *args: str) -> str:
    """A `delivery` command with the organisation's folder alone: the session's path variables are removed."""
    env = {name: value for name, value in os.environ.items()
           if name not in {s.environment_variable for s in SETTINGS}}
    env |= {"DELIVERY_CONFIG_DIR": str(root / "config"), "DAGSTER_HOME": str(root / "dagster"), "COLUMNS": "200"}
    result = subprocess.run([sys.executable, "-m", "orchestration.cli", *args], env=env, cwd=root, check=False,
                            capture_output=True, text=True, timeout=HANG_SECONDS)  # the timeout stops a hang only
    output = result.stdout[-6000:] + result.stderr[-3000:]
    assert result.returncode == 0, output
    return output


def _run(root: Path) -> str:
    output = _delivery(root, "run")
    assert "Published " in output, output
    return output


def _published(root: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(root / "state" / "serving.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def zeta(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("zeta")
    config = root / "config"
    (config / "mappings").mkdir(parents=True)
    (config / "settings.yaml").write_text(SETTINGS_YAML)
    (config / "mappings" / "teams.csv").write_text("team,team_name,value_stream\nplatform,Platform,Core\n")
    write_jira_only(root / "landing")
    write_github_repository(root / "landing", ZETA_API, "live")
    return root


@pytest.fixture(scope="module")
def first_run(zeta: Path) -> Path:
    before = _repository_state()
    _run(zeta)
    assert _repository_state() == before  # no file of the repository changed
    return zeta


def _deployments(root: Path) -> list[tuple]:
    return _published(root, """
        select deployment_key, team, value_stream, is_production_deployment
        from marts.fct_deployments order by deployment_key""")


def _work_items_by_team(root: Path) -> list[tuple]:
    return _published(root, "select team, value_stream, count(*) from marts.fct_work_items group by all order by 1")


def test_the_folder_alone_places_landing_and_warehouse_and_its_settings_reach_the_models(first_run):
    root = first_run
    assert (root / "state" / "delivery.duckdb").is_file()
    # both deployments went to `live`, production by the folder's pattern; no mapping row: unmapped
    assert _deployments(root) == [
        ("github_deployment:100", "unmapped", "unmapped", True),
        ("github_deployment:101", "unmapped", "unmapped", True),
    ]
    # C0 authored 09:00, deployed 09:35 (35 min); PR #1's commit C1 reached production with 101: 26 h 10 min
    assert _published(root, """
        select team, lead_time_hours from marts.fct_changes where lead_time_hours is not null order by 2""") == [
        ("unmapped", pytest.approx(35 / 60)), ("unmapped", pytest.approx(LEAD_TIME_PR1))]
    # the four Jira issues of project EE: no project row, and none of their people mapped
    assert _work_items_by_team(root) == [("unmapped", "unmapped", 4)]
    # the organisation's one team has its profile row (no deployment of its own yet), beside `unmapped`'s
    assert _published(root, """
        select team, deployment_count from marts.mart_dora__deployment_frequency_profile order by team""") == [
        ("platform", 0), ("unmapped", 2)]


DINGDING, RANKIN = "5ecfbd0c730ec90c1999cadf", "5e9711ba34f7b90c0fbc37d3"  # the real sample's two assignees
# What a person decides for a status, from the Jira category the gap file gives it.
PHASE_OF_CATEGORY = {"new": ("discovery", "new"), "indeterminate": ("development", "active"),
                     "done": ("done", "done"), "": ("development", "active")}


def _gap_rows(gaps: Path, name: str) -> list[dict[str, str]]:
    with (gaps / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def gaps(first_run: Path) -> Path:
    _delivery(first_run, "mappings", "gaps", "--out", str(first_run / "gaps"))
    return first_run / "gaps"


def test_the_gap_files_list_what_no_mapping_names_most_records_first(gaps):
    assert sorted(path.name for path in gaps.glob("*.csv")) == [
        "flow_people_teams.csv", "issue_type_flow_items.csv", "jira_project_teams.csv", "repository_teams.csv",
        "status_phases.csv"]
    # EE-1..4 all had Dingding Zhang as assignee; Rankin Zheng held EE-3 for a while: 4 and 1 work items
    assert [(r["account_id"], r["team"], r["records"], r["display_name"]) for r in _gap_rows(gaps, "flow_people_teams")
            ] == [(DINGDING, "", "4", "Dingding Zhang"), (RANKIN, "", "1", "Rankin Zheng")]
    assert [(r["project_key"], r["component"], r["team"], r["records"])
            for r in _gap_rows(gaps, "jira_project_teams")] == [("EE", "", "", "4")]
    # the four issues are stories, localised: 故事
    assert [(r["issue_type"], r["flow_item"], r["records"]) for r in _gap_rows(gaps, "issue_type_flow_items")
            ] == [("故事", "", "4")]
    assert [(r["repository"], r["team"]) for r in _gap_rows(gaps, "repository_teams")] == [(ZETA_API, "")]
    # every status of the four issues' histories is a gap. A status's records are the issues in it now plus the
    # changelog items moving to or from it: 已完成 is each issue's current status, reached once by each: 4 + 4
    statuses = {r["status_name"]: r for r in _gap_rows(gaps, "status_phases")}
    assert statuses["已完成"]["records"] == "8"
    assert {"Inbox", "Ready for Dev", "Open", "Closed", "已完成"} <= set(statuses)


def _filled_in(row: dict[str, str], name: str) -> dict[str, str]:
    if "team" in row:
        return row | {"team": "platform"}
    if name == "status_phases":
        phase, state = PHASE_OF_CATEGORY[row["jira_status_category"]]
        return row | {"delivery_phase": phase, "flow_state": state}
    return row | {"flow_item": "feature"}


def _people(root: Path) -> set[str]:
    """The organisation's people, as tests/orchestration/test_people_privacy.py collects them, but for `ada`
    (the GitHub login): three hexadecimal letters that the scan would find inside any hashed key."""
    return raw_people(root / "state" / "delivery.duckdb") - {"ada"}


def test_the_unmapped_people_are_pseudonymised_in_the_published_gaps(first_run):
    root = first_run
    people = _people(root)
    assert {DINGDING, RANKIN, "Dingding Zhang", "Rankin Zheng"} <= people
    assert people_found(root / "state" / "serving.duckdb", people) == {}
    published = _published(root, """
        select unmapped_value, display_name from intermediate.int_mappings__gaps
        where mapping_kind = 'person_team' order by records_affected desc""")
    assert len(published) == 2
    assert all(value.startswith("person_") and name.startswith("person_") for value, name in published)


@pytest.fixture(scope="module")
def filled_in(gaps: Path) -> Path:
    """Every gap row filled in and pasted, with its extra columns, as the folder's mapping file."""
    root = gaps.parent
    for path in gaps.glob("*.csv"):
        rows = [_filled_in(row, path.stem) for row in _gap_rows(gaps, path.stem)]
        with (root / "config" / "mappings" / path.name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    _run(root)
    return root


def test_filling_the_gaps_in_moves_the_records_to_their_team(filled_in):
    root = filled_in
    assert _deployments(root) == [
        ("github_deployment:100", "platform", "Core", True),
        ("github_deployment:101", "platform", "Core", True),
    ]
    assert _work_items_by_team(root) == [("platform", "Core", 4)]
    # the organisation's totals are unchanged: the same two deployments in the profile, now platform's
    assert _published(root, """
        select team, deployment_count from marts.mart_dora__deployment_frequency_profile order by team""") == [
        ("platform", 2)]
    assert _published(root, "select count(*) from intermediate.int_mappings__gaps") == [(0,)]
    # the people are now in the published mapping table, as pseudonyms
    people = _people(root)
    assert people_found(root / "state" / "serving.duckdb", people) == {}
    assert _published(root, "select count(*) from mappings.flow_people_teams where account_id like 'person_%'"
                      ) == [(2,)]
