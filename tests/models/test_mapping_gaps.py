"""The mapping gaps, built by dbt on the hand-made warehouse of tests/models/mapping_gaps_fixture.py (read its
docstring for the records), then written by `delivery mappings gaps` and summed up for the run's summary,
`delivery status` and the assert_no_mapping_gaps warning."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from rich.console import Console

from orchestration.dbt_assets import MAPPING_GAPS_CHECK, describe_mapping_gaps
from orchestration.mapping_gaps import MAPPING_FILES, read_mapping_gaps, summary_lines
from tests.limits import HANG_SECONDS
from tests.models.mapping_gaps_fixture import PAYMENTS_ENGINEER, build_gap_warehouse

REPO_ROOT = Path(__file__).resolve().parents[2]
DELIVERY = Path(sys.executable).with_name("delivery")
# Where the mapping files are: the dbt seeds today, the demo's configuration folder once they move there.
MAPPING_FOLDERS = (REPO_ROOT / "demo" / "config" / "mappings", REPO_ROOT / "dbt_project" / "seeds")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_gap_warehouse(tmp_path_factory.mktemp("mapping_gaps"))


def test_every_kind_of_gap_with_its_records_and_keys(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            """
            select mapping_kind, unmapped_value, records_affected, mapping_file, source_tool, display_name,
                   organization, project_key, component, area_path, status_id, jira_status_category
            from intermediate.int_mapping_gaps order by mapping_kind, unmapped_value
            """
        ).fetchall()
    assert rows == [
        # work item 7001's area Ops\Infra: no azure_devops_area_teams row for organization acme, project Ops
        ("azure_devops_area_team", "Ops Ops\\Infra", 1, "azure_devops_area_teams", "azure_devops", None,
         "acme", "Ops", None, "Ops\\Infra", None, None),
        # work item 7001 is in state Parked; it has no updates
        ("azure_devops_state_phase", "Parked", 1, "azure_devops_state_phases", "azure_devops", None,
         None, None, None, None, None, None),
        # the parent group of acme/newgroup/tool, with its one merge request
        ("gitlab_group_team", "acme/newgroup", 1, "gitlab_group_teams", "gitlab", None,
         None, None, None, None, None, None),
        # Spike on PAY-3 and OPS-1
        ("issue_type_flow_item", "Spike", 2, "issue_type_flow_items", "jira", None,
         None, None, None, None, None, None),
        # PAY names components in its team rows (Refunds): PAY-2 carries only Ledger, so it falls back on
        # the project's team; PAY-3 carries Ledger too, but Refunds assigns it; OPS-1's project has no
        # component rows
        ("jira_component_team", "PAY Ledger", 1, "jira_project_teams", "jira", None,
         None, "PAY", "Ledger", None, None, None),
        # OPS-1
        ("jira_project_team", "OPS", 1, "jira_project_teams", "jira", "Operations",
         None, "OPS", None, None, None, None),
        # incident og-1
        ("opsgenie_team_team", "og-new", 1, "opsgenie_team_teams", "opsgenie", None,
         None, None, None, None, None, None),
        # incidents Q1 and Q2
        ("pagerduty_service_team", "PNEW001", 2, "pagerduty_service_teams", "pagerduty", "New Service",
         None, None, None, None, None, None),
        # aad-1 holds work item 7001
        ("person_team", "aad-1", 1, "flow_people_teams", "azure_devops", "Ana Example",
         None, None, None, None, None, None),
        # acct-yan held PAY-3 before it went to the payments engineer (named by the change's from-side)
        ("person_team", "acct-yan", 1, "flow_people_teams", "jira", "Yan Example",
         None, None, None, None, None, None),
        # acct-zoe holds PAY-1 and PAY-2
        ("person_team", "acct-zoe", 2, "flow_people_teams", "jira", "Zoe Example",
         None, None, None, None, None, None),
        # Jenkins build 1, a deployment of acme/jenkins-app by the fixture's rule
        ("repository_team", "acme/jenkins-app", 1, "repository_teams", "jenkins", None,
         None, None, None, None, None, None),
        # merge request 9901
        ("repository_team", "acme/newgroup/tool", 1, "repository_teams", "gitlab", None,
         None, None, None, None, None, None),
        # pull requests 501 and 502
        ("repository_team", "acme/unknown-repo", 2, "repository_teams", "github", None,
         None, None, None, None, None, None),
        # PAY-2 and OPS-1 are in it, and PAY-2's change moved to it
        ("status_phase", "Parked", 3, "status_phases", "jira", None,
         None, None, None, None, "10099", "new"),
        # work item 7001
        ("work_item_type_flow_item", "Spike", 1, "issue_type_flow_items", "azure_devops", None,
         None, None, None, None, None, None),
    ]
    # the payments engineer is in flow_people_teams: never a gap
    assert PAYMENTS_ENGINEER not in {row[1] for row in rows}


def _delivery_gaps(warehouse: Path, out: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DELIVERY_WAREHOUSE_PATH": str(warehouse), "COLUMNS": "200"}
    return subprocess.run([str(DELIVERY), "mappings", "gaps", "--out", str(out)], env=env, capture_output=True,
                          text=True, timeout=HANG_SECONDS, check=False)


def _csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_gap_files_hold_the_mapping_columns_then_records_most_first(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "gaps"
    result = _delivery_gaps(warehouse, out)
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "azure_devops_area_teams.csv", "azure_devops_state_phases.csv", "flow_people_teams.csv",
        "gitlab_group_teams.csv", "issue_type_flow_items.csv", "jira_project_teams.csv",
        "opsgenie_team_teams.csv", "pagerduty_service_teams.csv", "repository_teams.csv", "status_phases.csv",
    ]
    assert _csv(out / "flow_people_teams.csv") == [
        ["account_id", "team", "records", "tool", "display_name", "meanwhile"],
        # 2 work items first, then the two of 1 by account id
        ["acct-zoe", "", "2", "jira", "Zoe Example", "the owning team of each work item holds it meanwhile (else unmapped)"],
        ["aad-1", "", "1", "azure_devops", "Ana Example",
         "the owning team of each work item holds it meanwhile (else unmapped)"],
        ["acct-yan", "", "1", "jira", "Yan Example", "the owning team of each work item holds it meanwhile (else unmapped)"],
    ]
    # Spike of Jira (2 issues) and of Azure Boards (1 work item) is one row of the one mapping
    assert _csv(out / "issue_type_flow_items.csv") == [
        ["issue_type", "flow_item", "records", "tool", "detail"],
        ["Spike", "", "3", "azure_devops,jira", "hierarchyLevel 0"],
    ]
    assert _csv(out / "jira_project_teams.csv") == [
        ["project_key", "component", "team", "records", "tool", "display_name", "meanwhile"],
        ["OPS", "", "", "1", "jira", "Operations", ""],
        ["PAY", "Ledger", "", "1", "jira", "", "the project's team"],
    ]
    assert _csv(out / "repository_teams.csv") == [
        ["repository", "team", "production_environment_pattern", "deploy_workflow_path", "records", "tool"],
        ["acme/unknown-repo", "", "", "", "2", "github"],
        # 1 record each: by repository
        ["acme/jenkins-app", "", "", "", "1", "jenkins"],
        ["acme/newgroup/tool", "", "", "", "1", "gitlab"],
    ]
    assert _csv(out / "status_phases.csv") == [
        ["status_name", "status_id", "delivery_phase", "flow_state", "records", "tool", "jira_status_category",
         "meanwhile"],
        ["Parked", "10099", "", "", "3", "jira", "new",
         "statusCategory.key new -> delivery_phase discovery, flow_state new"],
    ]
    assert _csv(out / "pagerduty_service_teams.csv")[1] == ["PNEW001", "New Service", "", "2", "pagerduty"]
    assert _csv(out / "azure_devops_area_teams.csv")[1] == ["acme", "Ops", "Ops\\Infra", "", "1", "azure_devops"]
    # the table: files by records affected, most first, then what to do
    lines = result.stdout.splitlines()
    table = [line for line in lines if ".csv" in line]
    # 4 records each, then by name
    assert [line.split()[1] for line in table[:2]] == ["flow_people_teams.csv", "repository_teams.csv"]
    assert "paste those rows into" in result.stdout and "delivery run" in result.stdout


def test_gap_files_start_with_exactly_the_mapping_columns() -> None:
    for name, spec in MAPPING_FILES.items():
        folder = next(folder for folder in MAPPING_FOLDERS if (folder / f"{name}.csv").exists())
        assert spec.header[: len(spec.columns)] == tuple(_csv(folder / f"{name}.csv")[0]), name


def test_stale_gap_files_go_and_mapping_files_are_never_overwritten(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "gaps"
    out.mkdir()
    # a gap file of an earlier run for a mapping without gaps now: removed
    (out / "jenkins_deployment_rules.csv").write_text("controller,job_path_pattern,records\nci,^x$,1\n")
    assert _delivery_gaps(warehouse, out).returncode == 0
    assert not (out / "jenkins_deployment_rules.csv").exists()
    # a mapping file (no `records` column) where a gap file would go: nothing written, the file kept
    mapping = "account_id,team\nacct-1,payments\n"
    (out / "flow_people_teams.csv").write_text(mapping)
    (out / "status_phases.csv").unlink()
    result = _delivery_gaps(warehouse, out)
    assert result.returncode == 1
    assert "is not a gap file" in result.stdout and "flow_people_teams.csv" in result.stdout
    assert (out / "flow_people_teams.csv").read_text() == mapping
    assert not (out / "status_phases.csv").exists()


def test_no_warehouse_says_to_run_first(tmp_path: Path) -> None:
    result = _delivery_gaps(tmp_path / "missing.duckdb", tmp_path / "gaps")
    assert result.returncode == 1
    assert "run `delivery run` first" in result.stdout
    assert not (tmp_path / "gaps").exists()


EXPECTED_SUMMARY = [
    "Mapping gaps: 16 unmapped value(s); their records count under `unmapped` or a fallback:",
    # kinds by records affected, most first, then by name; at most 3 values each
    ("  people (flow_people_teams): 3 value(s), 4 work items; most: Zoe Example (acct-zoe) (2), "
    "Ana Example (aad-1) (1), Yan Example (acct-yan) (1)"),
    ("  repositories (repository_teams): 3 value(s), 4 records (pull requests, deployments, commits...); "
    "most: acme/unknown-repo (2), acme/jenkins-app (1), acme/newgroup/tool (1)"),
    "  Jira statuses (status_phases): 1 value(s), 3 issues and status changes; most: Parked (3)",
    "  Jira issue types (issue_type_flow_items): 1 value(s), 2 issues; most: Spike (2)",
    "  PagerDuty services (pagerduty_service_teams): 1 value(s), 2 incidents; most: PNEW001 (2)",
    "  Azure Boards areas (azure_devops_area_teams): 1 value(s), 1 work items; most: Ops Ops\\Infra (1)",
    ("  Azure Boards states (azure_devops_state_phases): 1 value(s), 1 work items and state changes; "
    "most: Parked (1)"),
    "  GitLab groups (gitlab_group_teams): 1 value(s), 1 records of their projects; most: acme/newgroup (1)",
    "  Jira components (jira_project_teams): 1 value(s), 1 issues; most: PAY Ledger (1)",
    "  Jira projects (jira_project_teams): 1 value(s), 1 issues; most: OPS (1)",
    "  Opsgenie teams (opsgenie_team_teams): 1 value(s), 1 incidents; most: og-new (1)",
    "  Azure Boards work item types (issue_type_flow_items): 1 value(s), 1 work items; most: Spike (1)",
    "  Run `delivery mappings gaps` to write them as rows ready to fill in.",
]


def test_summary_lines_name_each_kind(warehouse: Path) -> None:
    assert summary_lines(read_mapping_gaps(warehouse)) == EXPECTED_SUMMARY
    assert summary_lines([]) == ["Mapping gaps: none, every value the data shows is mapped."]


def test_run_summary_and_status_print_the_gaps(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from orchestration.lib.settings import Settings
    from orchestration.status import _print_mapping_gaps
    from orchestration.summary import print_summary, summarise

    console = Console(record=True, width=300)
    print_summary(summarise(warehouse, warehouse.parent), console)
    assert "\n".join(EXPECTED_SUMMARY) in console.export_text()

    # `delivery status` reads the published snapshot: here the fixture's file stands for it
    monkeypatch.setenv("DELIVERY_SERVING_PATH", str(warehouse))
    console = Console(record=True, width=300)
    _print_mapping_gaps(Settings.from_env(), console)
    assert console.export_text().splitlines() == EXPECTED_SUMMARY


def test_the_mapping_gaps_warning_says_what_is_unmapped(warehouse: Path) -> None:
    dbt_result = dg.AssetCheckResult(
        passed=False, asset_key=dg.AssetKey(["intermediate", "int_mapping_gaps"]), check_name=MAPPING_GAPS_CHECK,
        severity=dg.AssetCheckSeverity.WARN,
    )
    described = describe_mapping_gaps(dbt_result, warehouse)
    assert described.description.startswith(
        "16 unmapped value(s): people 3 (4 work items, most: Zoe Example (acct-zoe)); repositories 3 (4 records"
    )
    assert described.description.endswith("Run `delivery mappings gaps` to write them as rows ready to fill in.")
    assert (described.passed, described.severity, described.check_name) == (
        False, dg.AssetCheckSeverity.WARN, MAPPING_GAPS_CHECK
    )


def test_a_gap_table_of_an_earlier_version_is_not_read(tmp_path: Path) -> None:
    """A serving file published before the key columns existed: no gap lines rather than a failed status."""
    from orchestration.mapping_gaps import read_gaps_from

    with duckdb.connect(str(tmp_path / "old.duckdb")) as con:
        assert read_gaps_from(con) is None
        con.execute("create schema intermediate")
        con.execute("create table intermediate.int_mapping_gaps (mapping_gap_id varchar, mapping_kind varchar, "
                    "unmapped_value varchar, records_affected bigint)")
        assert read_gaps_from(con) is None


# What a person decides for each row: every team mapping to payments, every status to development/active,
# every issue type to a feature.
DECISIONS = {"team": "payments", "delivery_phase": "development", "flow_state": "active", "flow_item": "feature"}


def test_filled_in_gap_rows_close_the_gaps_and_move_the_records(warehouse: Path, tmp_path: Path) -> None:
    """The gap files' rows, filled in and added to their mappings as a mapping file's rows load (only the
    mapping's columns, empty cells as NULL), leave no gap after the next build."""
    from orchestration.mapping_gaps import read_mapping_gaps, write_gap_files
    from tests.models.dbt_runner import dbt_build

    copy = tmp_path / "filled.duckdb"
    copy.write_bytes(warehouse.read_bytes())
    files = write_gap_files(read_mapping_gaps(copy), tmp_path / "gaps")
    with duckdb.connect(str(copy)) as con:
        for file in files:
            columns = MAPPING_FILES[file.mapping_file].columns
            for row in _csv(file.path)[1:]:
                values = [DECISIONS.get(column) or cell or None for column, cell in zip(columns, row, strict=False)]
                con.execute(f"insert into mappings.{file.mapping_file} ({', '.join(columns)}) "
                            f"values ({', '.join('?' for _ in columns)})", values)
    dbt_build(tmp_path, copy, "+int_mapping_gaps", "--exclude", "resource_type:seed")
    assert read_mapping_gaps(copy) == []
    with duckdb.connect(str(copy), read_only=True) as con:
        # OPS-1 by its project's row; PAY-2 by its component Ledger's
        assert con.execute("select issue_key, owning_team, owning_team_source from intermediate.int_work_items "
                           "where issue_key in ('OPS-1', 'PAY-2') order by 1").fetchall() == [
            ("OPS-1", "payments", "project"), ("PAY-2", "payments", "component")]
        # acct-zoe's items are held by her team now, not by their owning team
        assert con.execute("select distinct team, team_source from intermediate.int_work_item_assignee_intervals "
                           "where assignee_account_id = 'acct-zoe'").fetchall() == [("payments", "assignee")]
        assert con.execute("select repository, team from intermediate.int_repository_teams "
                           "where repository like 'acme/%' and repository_key in "
                           "('acme/unknown-repo', 'acme/newgroup/tool', 'acme/jenkins-app') order by 1").fetchall() == [
            ("acme/jenkins-app", "payments"), ("acme/newgroup/tool", "payments"), ("acme/unknown-repo", "payments")]


def test_a_warehouse_held_by_a_run_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    busy = tmp_path / "busy.duckdb"
    with duckdb.connect(str(busy)):  # another process writing, as a run's dbt build does
        result = _delivery_gaps(busy, tmp_path / "gaps")
    assert result.returncode == 1
    assert "is a run in progress? Try after it." in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
