"""The mapping seeds describe the demo organisation exactly and cover what the real Jira sample holds."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from demo import organisation as org
from demo.azure_devops import STATE_OF, TYPE_OF

SEEDS = Path(__file__).resolve().parents[2] / "demo" / "config" / "mappings"
REAL_JIRA_ISSUES = Path(__file__).resolve().parents[1] / "fixtures" / "real_samples" / "jira" / "issues"

PHASES = {"discovery", "planning", "development", "release_readiness", "release", "done", "canceled"}
FLOW_STATES = {"new", "waiting", "active", "done", "canceled"}
FLOW_ITEMS = {"feature", "defect", "risk", "debt"}


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def _real_issues() -> list[dict]:
    issues = []
    for page in sorted(REAL_JIRA_ISSUES.glob("*.json")):
        issues.extend(json.loads(page.read_text(encoding="utf-8"))["issues"])
    return issues


def test_teams_and_value_streams_match_the_organisation() -> None:
    assert {(row["team"], row["team_name"], row["value_stream"]) for row in _seed("teams")} == {
        (team.slug, team.name, team.value_stream) for team in org.TEAMS
    }
    assert {row["value_stream"] for row in _seed("teams")} == set(org.VALUE_STREAMS)


def test_repositories_match_the_organisation() -> None:
    expected = {
        (
            org.repository_path(team, repository),
            team.slug,
            org.DEPLOY_WORKFLOW_PATH if team.deploys_via == "workflow_runs" else "",
        )
        for team in org.TEAMS
        for repository in team.repositories
    }
    rows = _seed("repository_teams")
    assert {(row["repository"], row["team"], row["deploy_workflow_path"]) for row in rows} == expected
    assert {row["production_environment_pattern"] for row in rows} == {"^prod(uction)?$"}


def test_jira_projects_and_pagerduty_services_match_the_organisation() -> None:
    assert {(row["project_key"], row["component"], row["team"]) for row in _seed("jira_project_teams")} == {
        (team.jira_project, "", team.slug) for team in org.TEAMS if team.jira_project
    }
    assert {
        (row["service_id"], row["service_name"], row["team"]) for row in _seed("pagerduty_service_teams")
    } == {
        (team.pagerduty_service_id, team.pagerduty_service_name, team.slug)
        for team in org.TEAMS
        if team.pagerduty_service_id
    }


def test_teams_on_other_toolchains_are_mapped() -> None:
    """Azure DevOps area paths, GitLab groups, Opsgenie teams and Jenkins deploy jobs name their team."""
    assert {
        (row["organization"], row["project"], row["area_path"], row["team"])
        for row in _seed("azure_devops_area_teams")
    } == {
        (org.AZURE_DEVOPS_ORGANIZATION, project, project, slug)
        for slug, project in org.AZURE_DEVOPS_PROJECTS.items()
    }
    assert {(row["group_path"], row["team"]) for row in _seed("gitlab_group_teams")} == {
        (group, slug) for slug, group in org.GITLAB_GROUPS.items()
    }
    assert {
        (row["opsgenie_team_id"], row["opsgenie_team_name"], row["team"])
        for row in _seed("opsgenie_team_teams")
    } == {
        (team.opsgenie_team_id, team.opsgenie_team_name, team.slug)
        for team in org.TEAMS
        if team.incident_tool == "opsgenie"
    }
    teams = {team.slug: team for team in org.TEAMS}
    assert {
        (
            row["controller"],
            row["job_path_pattern"],
            row["parameter_name"],
            row["parameter_value_pattern"],
            row["repository"],
        )
        for row in _seed("jenkins_deployment_rules")
    } == {
        (
            org.JENKINS_CONTROLLER,
            f"^{job}$",
            org.JENKINS_ENVIRONMENT_PARAMETER,
            "^production$",
            org.repository_path(teams[slug], teams[slug].repositories[0]),
        )
        for slug, job in org.JENKINS_DEPLOY_JOBS.items()
    }


def test_every_demo_azure_devops_state_and_work_item_type_is_mapped() -> None:
    rows = {row["state"]: row for row in _seed("azure_devops_state_phases")}
    assert set(STATE_OF.values()) <= set(rows)
    assert all(row["delivery_phase"] in PHASES and row["flow_state"] in FLOW_STATES for row in rows.values())
    assert (rows["Closed"]["flow_state"], rows["Removed"]["flow_state"]) == ("done", "canceled")
    flow_items = {row["issue_type"] for row in _seed("issue_type_flow_items")}
    assert {*TYPE_OF.values(), "Epic"} <= flow_items


def test_real_sample_projects_are_left_unmapped() -> None:
    mapped = {row["project_key"] for row in _seed("jira_project_teams")}
    assert not mapped & {issue["fields"]["project"]["key"] for issue in _real_issues()}


def test_every_demo_and_sample_status_has_a_phase() -> None:
    rows = {row["status_name"]: row for row in _seed("status_phases")}
    assert all(row["delivery_phase"] in PHASES and row["flow_state"] in FLOW_STATES for row in rows.values())
    for status in org.JIRA_STATUSES:
        assert rows[status.name]["status_id"] == status.status_id
    assert rows[org.RENAMED_STATUS_OLD_NAME]["status_id"] == "10007"
    assert rows[org.RENAMED_STATUS_OLD_NAME]["delivery_phase"] == rows["In Testing"]["delivery_phase"]

    sample_names = set()
    for issue in _real_issues():
        sample_names.add(issue["fields"]["status"]["name"])
        for history in issue.get("changelog", {}).get("histories", []):
            for item in history["items"]:
                if item["field"] == "status":
                    sample_names |= {item["fromString"], item["toString"]}
    assert sample_names - {None} <= set(rows)
    # Done in Chinese, even where Jira files it under category "new".
    assert (rows["已完成"]["delivery_phase"], rows["已完成"]["flow_state"]) == ("done", "done")
    assert (rows["Won't Do"]["delivery_phase"], rows["Won't Do"]["flow_state"]) == ("canceled", "canceled")


def test_every_demo_and_sample_issue_type_has_a_flow_item() -> None:
    rows = {row["issue_type"]: row["flow_item"] for row in _seed("issue_type_flow_items")}
    assert set(rows.values()) <= FLOW_ITEMS
    assert {name for name, _level, _subtask in org.JIRA_ISSUE_TYPES} <= set(rows)
    assert {issue["fields"]["issuetype"]["name"] for issue in _real_issues()} <= set(rows)
    assert (rows["Bug"], rows["缺陷"], rows["Tech Debt"], rows["Risk"]) == (
        "defect",
        "defect",
        "debt",
        "risk",
    )
