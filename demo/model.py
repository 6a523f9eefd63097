"""What the simulation produces before anything is written: compact records of one team's year.

Texts that need a Jira key or a pull request number carry tokens (`{KEY}`, `{NUMBER}`...) that are filled in
when the response bodies are written, because keys and numbers are only known once the year is complete.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .ids import rng_for, sha40
from .organisation import Team
from .people import Person, Roster
from .timeline import Slowdown, working_time

# --- The organisation after scaling ------------------------------------------------------------------------


@dataclass(frozen=True)
class RepoSpec:
    name: str
    full_name: str
    ordinal: int
    repo_id: int
    base_name: str  # the organisation.py repository this one copies its profile from
    team_slug: str
    merge_style: str  # squash | merge
    deploys_via: str  # deployments | workflow_runs
    deploy_event: str  # push | workflow_dispatch, for workflow_runs repositories
    production_environment: str
    sends_production_flag: bool
    language: str
    ecosystem: str
    prod_per_week: float
    staging_per_week: float
    created_at: float


@dataclass(frozen=True)
class TeamSpec:
    team: Team
    ordinal: int
    replica: int
    base_slug: str
    utc_offset_min: int
    jira_offset_min: int
    board_id: int | None
    uses_epic_link: bool
    repos: tuple[RepoSpec, ...]
    pagerduty_team_id: str
    escalation_policy_id: str
    planted_slowdown: bool
    # Where the team's other tools keep it (empty for the tools the team does not use).
    azure_devops_project: str = ""
    gitlab_group: str = ""
    jenkins_deploy_job: str = ""
    opsgenie_service_id: str = ""


# --- Jira ---------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Change:
    """One item of a changelog history. Values are ids/objects; names are resolved when written."""

    field: str  # status | assignee | priority | labels | Sprint | Rank | Fix Version | resolution
    old: object
    new: object


@dataclass(slots=True)
class History:
    at: float
    author: Person
    changes: list[Change]
    history_id: int = 0


@dataclass(slots=True, eq=False)
class WorkItem:
    seq: int
    issue_type: str
    created: float
    reporter: Person
    summary: str
    initial_status: str
    initial_assignee: Person | None
    priority: str
    labels: tuple[str, ...]
    components: tuple[str, ...]
    story_points: float | None = None
    epic: WorkItem | None = None
    parent: WorkItem | None = None
    due_date: str | None = None
    histories: list[History] = field(default_factory=list)
    pull_requests: list[PullRequest] = field(default_factory=list)
    comments: list[tuple[float, Person, str]] = field(default_factory=list)
    children: list[WorkItem] = field(default_factory=list)
    key: str = ""
    issue_id: int = 0
    is_long: bool = False


# --- GitHub -------------------------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class Commit:
    sha: str
    author: Person | None  # None: the author's e-mail is not linked to a GitHub account
    author_name: str
    author_email: str
    authored_at: float
    committer: Person | None
    committed_at: float
    message: str  # may hold tokens, see module docstring
    parents: list[str] = field(default_factory=list)
    pr: PullRequest | None = None
    item: WorkItem | None = None
    signed: bool = False


@dataclass(slots=True)
class Review:
    review_id: int
    reviewer: Person
    state: str
    submitted_at: float
    commit_id: str
    body: str


@dataclass(slots=True, eq=False)
class WorkflowRun:
    run_id: int
    workflow: str  # ci | deploy
    event: str
    head_branch: str
    head_sha: str
    created_at: float
    started_at: float
    updated_at: float
    status: str
    conclusion: str | None
    run_attempt: int
    actor: Person
    head_commit: Commit
    pr: PullRequest | None = None
    run_number: int = 0
    is_rollback: bool = False


@dataclass(slots=True, eq=False)
class PullRequest:
    repo: RepoSpec
    author: Person
    kind: str  # feature | bugfix | chore | bot | hotfix | revert
    item: WorkItem | None
    title: str
    head_ref: str
    body: str | None
    created_at: float
    labels: list[str]
    commits: list[Commit] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    merged_at: float | None = None
    closed_at: float | None = None
    merged_by: Person | None = None
    draft: bool = False
    last_activity: float = 0.0
    requested_reviewers: list[Person] = field(default_factory=list)
    assignees: list[Person] = field(default_factory=list)
    reverts: PullRequest | None = None
    number: int = 0
    pr_id: int = 0
    merge_commit_sha: str = ""
    test_merge_sha: str = ""
    base_sha: str = ""

    @property
    def head_sha(self) -> str:
        return self.commits[-1].sha


@dataclass(slots=True)
class DeploymentStatus:
    status_id: int
    state: str
    at: float
    creator: Person


@dataclass(slots=True, eq=False)
class Deployment:
    deployment_id: int
    sha: str
    ref: str
    environment: str
    production: bool
    created_at: float
    creator: Person
    description: str
    kind: str  # regular | redeploy | rollback | hotfix
    statuses: list[DeploymentStatus] = field(default_factory=list)


# --- PagerDuty ----------------------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class IncidentPlan:
    team: TeamSpec
    created_at: float
    title: str
    description: str  # may hold {PR} (acme/repo#number of `link_pr`)
    urgency: str
    priority: str
    responder: Person
    acknowledged_at: float | None
    resolved_at: float | None
    link: str  # deployment | sha | pr | window | none
    link_pr: PullRequest | None = None
    microseconds: bool = False
    sends_resolved_at: bool = False
    incident_id: str = ""
    number: int = 0


# --- One team's simulation state ----------------------------------------------------------------------------


@dataclass
class TeamContext:
    seed: int
    spec: TeamSpec
    roster: Roster
    activity: float
    slowdown: Slowdown | None
    handoff_people: tuple[Person, ...]  # engineers of other teams who take items for a while
    guest_reviewers: tuple[Person, ...]  # engineers of sibling teams who review now and then
    items: list[WorkItem] = field(default_factory=list)
    pull_requests: dict[str, list[PullRequest]] = field(default_factory=dict)
    runs: dict[str, list[WorkflowRun]] = field(default_factory=dict)
    deployments: dict[str, list[Deployment]] = field(default_factory=dict)
    main_commits: dict[str, list[Commit]] = field(default_factory=dict)
    incidents: list[IncidentPlan] = field(default_factory=list)
    _counters: dict[str, int] = field(default_factory=dict)

    def rng(self, purpose: str) -> random.Random:
        return rng_for(self.seed, self.spec.team.slug, purpose)

    def next(self, counter: str) -> int:
        value = self._counters.get(counter, 0) + 1
        self._counters[counter] = value
        return value

    def count(self, counter: str) -> int:
        return self._counters.get(counter, 0)

    def new_sha(self, repo: RepoSpec, kind: str) -> str:
        return sha40(self.seed, repo.full_name, kind, self.next(f"sha:{repo.name}"))

    def after(
        self,
        t: float,
        seconds: float,
        offset_min: int,
        rng: random.Random,
        slow: bool = True,
        intensity: float = 1.0,
    ) -> float:
        """When work of `seconds` started at `t` is done, in business hours; the slowdown stretches the
        whole elapsed time, nights and weekends included."""
        end = working_time(t + seconds, offset_min, rng)
        if slow and self.slowdown is not None:
            end = working_time(t + self.slowdown.stretch(t, end - t, intensity), offset_min, rng)
        return end

    @property
    def engineers(self) -> tuple[Person, ...]:
        return self.roster.engineers
