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

The same organisation then shows the blocking checks between the warehouse and the serving file failing: each
stops publish, the serving file keeps its snapshot, and `delivery status` names the check, the asset and what
to do. Each starts from a published state (one build of the organisation serves both stories):

- from the first run's: a settings edit that makes a mart lose more than half its rows stops publish at the
  mart's row count check (`row_count_against_published`);
- from the filled-in run's: a tool whose newest load is older than the fail window stops publish at its
  freshness check (`exports_are_fresh`), even though another tool brought something new to publish.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REAL_SAMPLES, mart_contents, query, snapshot_id
from tests.limits import HANG_SECONDS
from tests.orchestration.test_people_privacy import people_found, raw_people
from tests.small_org_exports import LEAD_TIME_PR1, ZETA_API, write, write_github_repository, write_jira_only

REPO_ROOT = Path(__file__).parents[1]
SETTINGS_YAML = """\
# Zeta's delivery warehouse
exports_dir: ../landing
warehouse_path: ../state/delivery.duckdb
default_production_environment_pattern: '{pattern}'
freshness_fail_hours: {fail_hours}
"""
PRODUCTION = "^live$"
FAIL_HOURS = 48
# The settings variables the tests' environment sets (tests/conftest.py), removed so that the organisation's
# folder alone places its files; the docs site is left off, as in every other test run.
PATH_VARIABLES = ("DELIVERY_EXPORTS_DIR", "DELIVERY_WAREHOUSE_PATH", "DELIVERY_SERVING_PATH", "DELIVERY_CONFIG_DIR")


def _repository_state() -> str:
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT,
                          capture_output=True, text=True, check=True).stdout


def _write_settings(root: Path, pattern: str) -> None:
    (root / "config" / "settings.yaml").write_text(SETTINGS_YAML.format(pattern=pattern, fail_hours=FAIL_HOURS))


def _delivery_process(root: Path, *args: str) -> subprocess.CompletedProcess:
    """A `delivery` command with the organisation's folder alone: the session's path variables are removed."""
    env = {name: value for name, value in os.environ.items() if name not in PATH_VARIABLES}
    # A wide terminal: the failed checks' table keeps each reason on one line.
    env |= {"DELIVERY_CONFIG_DIR": str(root / "config"), "DAGSTER_HOME": str(root / "dagster"), "COLUMNS": "1000"}
    return subprocess.run([sys.executable, "-m", "orchestration.cli", *args], env=env, cwd=root, check=False,
                          capture_output=True, text=True, timeout=HANG_SECONDS)  # the timeout stops a hang only


def _delivery(root: Path, *args: str) -> str:
    """A `delivery` command that must succeed: its output."""
    result = _delivery_process(root, *args)
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
    _write_settings(root, PRODUCTION)
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


# A mart that loses more than half its rows, blocked -----------------------------------------------------

def _serving(root: Path) -> Path:
    return root / "state" / "serving.duckdb"


def _published_state(root: Path) -> tuple[str, dict[str, list[tuple]], bytes]:
    serving = _serving(root)
    return snapshot_id(serving), mart_contents(serving), serving.read_bytes()


def _failed_check_lines(status: str, check: str) -> list[str]:
    """The rows of `delivery status`'s failed checks table naming `check` (one line each: a wide terminal)."""
    table = status[status.index("Failed checks (they block publish)"):]
    return [line for line in table.splitlines() if line.startswith("│") and f"│ {check} " in line]


@pytest.fixture(scope="module")
def shrunk_mart(gaps: Path):
    """From the first run's published state (its gap files written already), the line that calls `live`
    production deleted from settings.yaml (its value looks like a default): the product's default pattern,
    `^prod(uction)?$`, matches neither deployment. Every model builds and every dbt test passes; only the marts'
    row counts against the snapshot see that most DORA facts are gone."""
    root = gaps.parent
    before = _published_state(root)
    (root / "config" / "settings.yaml").write_text(
        "".join(line for line in (root / "config" / "settings.yaml").read_text().splitlines(keepends=True)
                if not line.startswith("default_production_environment_pattern"))
    )
    run = _delivery_process(root, "run")
    status = _delivery_process(root, "status")
    return root, before, run, status


def test_a_mart_that_loses_more_than_half_its_rows_stops_publish(shrunk_mart):
    root, (published_id, published_marts, published_bytes), run, status = shrunk_mart
    assert run.returncode == 1, run.stdout[-6000:] + run.stderr[-3000:]
    # The audit trail of the metrics, published with 5 rows: the two production deployments, and pull request
    # #1 as a change, a lead time change (both through deployment 101) and a merged pull request. Without a
    # production deployment, only the merged pull request is left: 1 of 5, more than the 50 % allowed.
    reason = "1 row, down from 5 published: more than 50% lost."
    failed = f"blocking check row_count_against_published on marts/fct_metric_members failed: {reason}"
    assert failed in run.stdout, run.stdout[-6000:]
    assert "Serving file unchanged" in run.stdout
    assert _serving(root).read_bytes() == published_bytes
    assert snapshot_id(_serving(root)) == published_id and mart_contents(_serving(root)) == published_marts

    assert status.returncode == 0, status.stdout + status.stderr
    [line] = _failed_check_lines(status.stdout, "row_count_against_published")
    assert "marts/fct_metric_members" in line and "ERROR" in line and reason in line, status.stdout
    assert "To do:" in line and "max_mart_row_drop" in line, line
    assert f"Last publish: run {published_id}" in status.stdout



# The gaps filled in ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def filled_in(gaps: Path) -> Path:
    """Every gap row filled in and pasted, with its extra columns, as the folder's mapping file; the settings
    as the first run had them (the row count story below edits them)."""
    root = gaps.parent
    _write_settings(root, PRODUCTION)
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


# A tool whose exports stopped arriving, blocked -----------------------------------------------------------

def _age_loads(warehouse: Path, dataset: str, hours: float) -> None:
    """Move every load of `dataset` back by `hours`, as if the tool's exports had stopped arriving then. A
    test cannot wait days; a load's time is its dlt load id (epoch seconds of the load), on every row it
    brought and in dlt's list of loads."""
    seconds = hours * 3600
    with duckdb.connect(str(warehouse)) as con:
        tables = [t for (t,) in con.execute(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = ? AND column_name = "
            "'_dlt_load_id'", [dataset]).fetchall()]
        aged = f"printf('%.6f', CAST(_dlt_load_id AS DOUBLE) - {seconds})"
        for table in tables:
            con.execute(f'UPDATE {dataset}."{table}" SET _dlt_load_id = {aged}')
        con.execute(f"UPDATE {dataset}._dlt_loads SET load_id = printf('%.6f', CAST(load_id AS DOUBLE) - {seconds}), "
                    f"inserted_at = inserted_at - to_seconds(CAST({seconds} AS BIGINT))")


STALE_HOURS = FAIL_HOURS + 24


@pytest.fixture(scope="module")
def stale_tool(filled_in: Path):
    """From the filled-in run's published state, GitHub's exports stopped arriving three days ago (its loads
    aged by 72 h, beyond the 48 h fail window of the organisation's settings.yaml), while Jira's go on: a new
    page with a fifth issue, something new to publish. The settings are the first run's, so that nothing else
    stands in the way."""
    root = filled_in
    _write_settings(root, PRODUCTION)
    before = _published_state(root)
    page = json.loads((REAL_SAMPLES / "jira" / "issues" / "page-1.json").read_text(encoding="utf-8"))
    write(root / "landing", "jira/issues/page-0002.json", {**page, "issues": page["issues"][4:5], "total": 1})
    _age_loads(root / "state" / "delivery.duckdb", "raw_github", STALE_HOURS)
    run = _delivery_process(root, "run")
    status = _delivery_process(root, "status")
    return root, before, run, status


def test_a_tool_whose_newest_load_is_older_than_the_fail_window_stops_publish(stale_tool):
    root, (published_id, published_marts, published_bytes), run, status = stale_tool
    assert run.returncode == 1, run.stdout[-6000:] + run.stderr[-3000:]
    # Jira's new page loaded (the fifth issue): the publish it would have brought is what the check stopped.
    assert query(root / "state" / "delivery.duckdb", "SELECT count(*) FROM raw_jira.issues") == [(5,)]
    failed = "blocking check exports_are_fresh on raw_github/pull_requests failed: The newest raw_github load is "
    assert failed in run.stdout, run.stdout[-6000:]
    assert "Serving file unchanged" in run.stdout
    assert _serving(root).read_bytes() == published_bytes
    assert snapshot_id(_serving(root)) == published_id and mart_contents(_serving(root)) == published_marts

    assert status.returncode == 0, status.stdout + status.stderr
    [line] = _failed_check_lines(status.stdout, "exports_are_fresh")
    assert "raw_github/pull_requests" in line and "ERROR" in line, status.stdout
    # At least the 72 h the loads were moved back, and over the 48 h of the organisation's fail window.
    age = float(line.split("The newest raw_github load is ")[1].split(" h old")[0])
    assert STALE_HOURS <= age < STALE_HOURS + 24, line
    assert f"Older than freshness_fail_hours ({FAIL_HOURS} h): publish blocked." in line
    assert f"To do: check that github's exports still reach the landing folder ({root / 'landing' / 'github'})" \
        in line
    # Jira's load is fresh: its freshness check passed.
    assert not _failed_check_lines(status.stdout, "exports_are_fresh")[1:]
    assert "github_raw_checks" in status.stdout[status.stdout.rindex("Last run:"):]
