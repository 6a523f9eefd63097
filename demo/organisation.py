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
    # The toolchain: where the team tracks work, hosts code, deploys from and gets paged.
    work_tracker: str = "jira"  # jira | azure_devops
    code_host: str = "github"  # github | azure_devops | gitlab
    deploy_tool: str = "github"  # github | azure_devops | gitlab | jenkins
    incident_tool: str = "pagerduty"  # pagerduty | opsgenie
    opsgenie_team_id: str = ""
    opsgenie_team_name: str = ""
    # What the monitoring alerts name, for teams paged through Opsgenie (PagerDuty teams: their service).
    opsgenie_service_name: str = ""

    @property
    def service_name(self) -> str:
        """The service incidents are raised against, whatever tool pages the team."""
        return self.pagerduty_service_name or self.opsgenie_service_name

    @property
    def is_github_team(self) -> bool:
        """The original toolchain: Jira, GitHub and PagerDuty."""
        return (self.work_tracker, self.code_host, self.incident_tool) == ("jira", "github", "pagerduty")


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
    # Teams on other toolchains, so that the demo shows a mixed organisation.
    Team(
        slug="billing",
        name="Billing",
        value_stream="Commerce",
        jira_project="",  # tracks its work in Azure DevOps Boards
        repositories=("billing-engine",),
        pagerduty_service_id="",
        pagerduty_service_name="",
        work_tracker="azure_devops",
        code_host="azure_devops",
        deploy_tool="azure_devops",
        incident_tool="opsgenie",
        opsgenie_team_id="5b0e6a52-1f3c-4c8e-9d7a-2e6f0b4c1a01",
        opsgenie_team_name="Billing On-call",
        opsgenie_service_name="Billing API",
    ),
    Team(
        slug="search",
        name="Search",
        value_stream="Growth",
        jira_project="SRCH",
        repositories=("search-api",),
        pagerduty_service_id="",
        pagerduty_service_name="",
        code_host="gitlab",
        deploy_tool="gitlab",
        incident_tool="opsgenie",
        opsgenie_team_id="9c3d2f17-6a4b-4e21-8f5c-7d1e3a9b2c02",
        opsgenie_team_name="Search On-call",
        opsgenie_service_name="Search API",
    ),
    Team(
        slug="fulfilment",
        name="Fulfilment",
        value_stream="Commerce",
        jira_project="FUL",
        repositories=("fulfilment-service",),
        pagerduty_service_id="PFUL3R9",
        pagerduty_service_name="Fulfilment",
        code_host="gitlab",
        deploy_tool="jenkins",
    ),
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

# --- Settings the demo generator reads (added; the names above stay as they are) ---------------------------

# The demo history: one fixed year, in UTC. Nothing in the exports is dated after DEMO_YEAR_END.
DEMO_YEAR_START = "2025-11-01T00:00:00Z"
DEMO_YEAR_END = "2026-10-31T23:59:59Z"

RENAMED_STATUS_ID = "10007"
# Status 10007 is "QA" in changelog strings and issue bodies written before this date, "In Testing" after.
STATUS_RENAME_DATE = "2026-04-01"

# The planted story: the slowdown team's release whose run-up drags (see `demo.generate`).
PLANTED_SLOWDOWN_RELEASE = "PAY 2026.06"
PLANTED_SLOWDOWN_RELEASE_DATE = "2026-06-30"
PLANTED_SLOWDOWN_START = "2026-05-15"

# Where each team works, as a fixed offset from UTC in minutes (business hours follow it).
TEAM_UTC_OFFSET_MINUTES: dict[str, int] = {
    "checkout": 0,
    "payments": 60,
    "catalog": -300,
    "identity": 480,
    "infra": 0,
    "data-platform": 60,
    "growth-web": -480,
    "mobile": 330,
    "billing": 60,
    "search": -300,
    "fulfilment": 0,
}

# Jira projects whose site writes local offsets (`+0800`, `-0500`) instead of `+0000`.
JIRA_SITE_UTC_OFFSET_MINUTES: dict[str, int] = {"IDN": 480, "CAT": -300}

# Projects exported through the Agile board endpoint (older envelope), with their board id.
JIRA_BOARD_PROJECTS: dict[str, int] = {"CAT": 12, "MOB": 17}

# Projects that still fill the legacy Epic Link field (customfield_10014) besides `parent`.
JIRA_EPIC_LINK_PROJECTS: tuple[str, ...] = ("CHK", "CAT", "MOB")

# How pull requests land on the default branch: "squash" (one commit, one parent) unless listed as "merge"
# (a merge commit whose second parent is the pull request's head).
REPOSITORY_MERGE_STYLE: dict[str, str] = {
    "checkout-web": "merge",
    "catalog-service": "merge",
    "mobile-app": "merge",
    "search-api": "merge",
}

# GitHub environment name of production per repository; "production" unless listed.
REPOSITORY_PRODUCTION_ENVIRONMENT: dict[str, str] = {"identity-service": "prod", "growth-web": "Production"}

# Repositories whose deployment tool does not send `production_environment` at all.
REPOSITORIES_WITHOUT_PRODUCTION_FLAG: tuple[str, ...] = ("mobile-app",)

# Deploy workflow trigger for repositories that deploy through workflow runs.
DEPLOY_WORKFLOW_EVENT: dict[str, str] = {"infra-tooling": "push", "data-pipelines": "workflow_dispatch"}

CI_WORKFLOW_PATH = ".github/workflows/ci.yml"

# --- The other toolchains (teams billing, search and fulfilment) --------------------------------------------

# Azure DevOps: organization, and per team its project (also the root of its area paths).
AZURE_DEVOPS_ORGANIZATION = "acme"
AZURE_DEVOPS_PROJECTS: dict[str, str] = {"billing": "Billing"}
# Sub-areas under the project's root area path an item may be filed in.
AZURE_DEVOPS_SUB_AREAS: dict[str, tuple[str, ...]] = {"billing": ("Invoicing", "Subscriptions")}
# Pipeline environments, as named in Azure DevOps.
AZURE_DEVOPS_ENVIRONMENTS = {"production": "Production", "staging": "Staging"}

# GitLab: the host and, per team, the group its projects live in (the project is the repository name).
GITLAB_HOST = "gitlab.acme.example"
GITLAB_GROUPS: dict[str, str] = {"search": "acme/search", "fulfilment": "acme/fulfilment"}

# Jenkins: the controller and, per team, the deploy job path and the parameter naming the environment.
JENKINS_CONTROLLER = "ci.acme.example"
JENKINS_DEPLOY_JOBS: dict[str, str] = {"fulfilment": "fulfilment/deploy"}
JENKINS_ENVIRONMENT_PARAMETER = "TARGET_ENV"


def base_team_slug(slug: str) -> str:
    """`payments-2` -> `payments`: replicated teams copy their base team's toolchain."""
    head, _, tail = slug.rpartition("-")
    return head if head and tail.isdigit() else slug


def repository_path(team: Team, repository: str) -> str:
    """A repository's full path in its code host, as the mapping seed `repository_teams` names it."""
    if team.code_host == "azure_devops":
        return f"{AZURE_DEVOPS_ORGANIZATION}/{AZURE_DEVOPS_PROJECTS[base_team_slug(team.slug)]}/{repository}"
    if team.code_host == "gitlab":
        return f"{GITLAB_GROUPS[base_team_slug(team.slug)]}/{repository}"
    return f"{GITHUB_OWNER}/{repository}"
