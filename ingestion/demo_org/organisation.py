"""The demo organisation: value streams, teams and the identifiers each team owns in each tool.

The dbt mapping seeds (`dbt_project/seeds/`) describe the same organisation; a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass

GITHUB_OWNER = "acme"


@dataclass(frozen=True)
class Team:
    slug: str
    name: str
    value_stream: str
    jira_project: str
    repositories: tuple[str, ...]
    pagerduty_service_id: str
    pagerduty_service_name: str
    # How the team's repositories reach production: GitHub deployments or a deploy workflow run.
    deploys_via: str = "deployments"


VALUE_STREAMS: tuple[str, ...] = ("Commerce", "Platform", "Growth")

TEAMS: tuple[Team, ...] = (
    Team("checkout", "Checkout", "Commerce", "CHK", ("checkout-web", "checkout-api"), "PCHK7Q1", "Checkout API"),
    Team("payments", "Payments", "Commerce", "PAY", ("payments-service",), "PPAY3M8", "Payments"),
    Team("catalog", "Catalog", "Commerce", "CAT", ("catalog-service",), "PCAT9X2", "Catalog"),
    Team("identity", "Identity", "Platform", "IDN", ("identity-service",), "PIDN4K6", "Identity"),
    Team("infra", "Infrastructure", "Platform", "INF", ("infra-tooling",), "PINF2B5", "Edge Gateway",
         deploys_via="workflow_runs"),
    Team("data-platform", "Data Platform", "Platform", "DATA", ("data-pipelines",), "PDAT8N3", "Data Pipelines",
         deploys_via="workflow_runs"),
    Team("growth-web", "Growth Web", "Growth", "GRW", ("growth-web",), "PGRW5T7", "Growth Web"),
    Team("mobile", "Mobile", "Growth", "MOB", ("mobile-app",), "PMOB6H4", "Mobile Backend"),
)

# The team whose cycle time doubles in the weeks before a release: the planted story a leader should see.
PLANTED_SLOWDOWN_TEAM = "payments"

# Deploy workflow file used by repositories that deploy through workflow runs.
DEPLOY_WORKFLOW_PATH = ".github/workflows/deploy.yml"


@dataclass(frozen=True)
class JiraStatus:
    status_id: str
    name: str
    category_key: str  # new | indeterminate | done (Jira's statusCategory.key)


# The demo workflow. "In Testing" was called "QA" until the rename date (same id), as real sites do.
JIRA_STATUSES: tuple[JiraStatus, ...] = (
    JiraStatus("10000", "Backlog", "new"),
    JiraStatus("10001", "Discovery", "indeterminate"),
    JiraStatus("10002", "Ready for Planning", "new"),
    JiraStatus("10003", "Selected for Development", "new"),
    JiraStatus("3", "In Progress", "indeterminate"),
    JiraStatus("10004", "Blocked", "indeterminate"),
    JiraStatus("10005", "Code Review", "indeterminate"),
    JiraStatus("10006", "Ready for QA", "indeterminate"),
    JiraStatus("10007", "In Testing", "indeterminate"),
    JiraStatus("10008", "Ready for Release", "indeterminate"),
    JiraStatus("10009", "Done", "done"),
    JiraStatus("10010", "Won't Do", "done"),
    JiraStatus("4", "Reopened", "new"),
)
RENAMED_STATUS_OLD_NAME = "QA"  # the earlier name of status 10007

JIRA_ISSUE_TYPES: tuple[tuple[str, int, bool], ...] = (
    # name, hierarchyLevel, subtask
    ("Epic", 1, False),
    ("Story", 0, False),
    ("Bug", 0, False),
    ("Task", 0, False),
    ("Tech Debt", 0, False),
    ("Risk", 0, False),
    ("Sub-task", -1, True),
)
