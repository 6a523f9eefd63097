"""Azure DevOps REST 7.1 response bodies for a team that tracks work, hosts code and deploys there.

The simulated year is the same as every team's (work items through `work`, pull requests through `pulls`,
the main branch and deployments through `repository`); this module renders it the Azure DevOps way:
- work items in the team's process (User Story, Bug, Task, Feature, Epic; New -> Ready -> Active ->
  In Review -> In Test -> Ready to Deploy -> Closed, Removed when canceled), as `workitemsbatch` pages, and
  each item's `updates` with the System.State / System.AssignedTo / System.WorkItemType field changes;
- pull requests naming their work item (`AB#123` in the title, `workItemRefs`), with reviewer votes and
  the squash commit as `lastMergeCommit`, and each pull request's commits;
- builds (CI of every main commit and pull request, and one release build per deployment) and the
  deployment records of the `Staging` and `Production` environments, which the release builds own.
A few records come again in a later re-export with newer versions (an item moved on, a pull request
completed), as when the export runs twice.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator

from .github import render_text
from .ids import rng_for, stable_int, uuid_for
from .model import Change, Deployment, PullRequest, TeamContext, WorkflowRun, WorkItem
from .organisation import (
    AZURE_DEVOPS_ENVIRONMENTS,
    AZURE_DEVOPS_ORGANIZATION,
    AZURE_DEVOPS_SUB_AREAS,
    base_team_slug,
)
from .output import ExportWriter, paginate
from .people import Person, azure_devops_identity_id
from .timeline import DAY, HOUR, YEAR_END
from .work import (
    BACKLOG,
    BLOCKED,
    CODE_REVIEW,
    DISCOVERY,
    DONE,
    IN_PROGRESS,
    IN_TESTING,
    READY_FOR_PLANNING,
    READY_FOR_QA,
    READY_FOR_RELEASE,
    REOPENED,
    SELECTED,
    WONT_DO,
)

ORG = AZURE_DEVOPS_ORGANIZATION
BASE = f"https://dev.azure.com/{ORG}"
IDENTITIES = (
    f"https://spsprodweu5.vssps.visualstudio.com/A{uuid_for('ado-account', ORG)[:8]}/_apis/Identities"
)
WORK_ITEM_PAGE_SIZE = 200  # workitemsbatch takes at most 200 ids
PULL_REQUEST_PAGE_SIZE = 100
BUILD_PAGE_SIZE = 100
FIRST_WORK_ITEM_ID = 4_100
NOT_REVISED = "9999-01-01T00:00:00Z"
MAX_STALE = 2

# The team's process: the Jira-like workflow the simulation walks, in Azure DevOps states.
STATE_OF = {
    BACKLOG: "New",
    DISCOVERY: "New",
    READY_FOR_PLANNING: "Ready",
    SELECTED: "Ready",
    IN_PROGRESS: "Active",
    BLOCKED: "Active",  # blocked items keep their state and get a tag
    CODE_REVIEW: "In Review",
    READY_FOR_QA: "In Test",
    IN_TESTING: "In Test",
    READY_FOR_RELEASE: "Ready to Deploy",
    DONE: "Closed",
    WONT_DO: "Removed",
    REOPENED: "Active",
}
STATE_ORDER = ("New", "Ready", "Active", "In Review", "In Test", "Ready to Deploy", "Closed", "Removed")
TYPE_OF = {
    "Story": "User Story",
    "Bug": "Bug",
    "Task": "Task",
    "Tech Debt": "Task",
    "Risk": "Task",
    "Sub-task": "Task",
    "Epic": "Feature",
}
PRIORITY_OF = {"Highest": 1, "High": 2, "Medium": 2, "Low": 3, "Lowest": 4}
VOTE_OF = {"APPROVED": 10, "CHANGES_REQUESTED": -5, "COMMENTED": 0, "DISMISSED": 0}
ENVIRONMENT_IDS = {"Staging": 1, "Production": 2}
CI_DEFINITION_ID, RELEASE_DEFINITION_ID = 7, 8


# --- Formats and references ---------------------------------------------------------------------------------


def ado_time(t: float, digits: int = 0) -> str:
    """`2026-03-05T15:30:00Z`, or with up to seven fractional digits as Azure DevOps writes them."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(t)))
    if not digits:
        return f"{stamp}Z"
    fraction = f"{t - int(t):.7f}"[2 : 2 + digits].rstrip("0")
    return f"{stamp}.{fraction}Z" if fraction else f"{stamp}Z"


def identity(person: Person) -> dict:
    """An IdentityRef, as work item fields, reviewers and builds carry it."""
    ident = azure_devops_identity_id(person.login)
    descriptor = "aad." + base64.b64encode(ident.encode()).decode().rstrip("=")
    avatar = f"{BASE}/_apis/GraphProfile/MemberAvatars/{descriptor}"
    name = "Project Collection Build Service (acme)" if person.is_bot else person.name
    return {
        "displayName": name,
        "url": f"{IDENTITIES}/{ident}",
        "_links": {"avatar": {"href": avatar}},
        "id": ident,
        "uniqueName": person.email if not person.is_bot else f"Build\\{ident}",
        "imageUrl": avatar,
        "descriptor": descriptor,
    }


def work_item_type(item: WorkItem) -> str:
    if item.issue_type == "Epic" and stable_int("ado-epic", item.seq, item.summary) % 3 == 0:
        return "Epic"
    return TYPE_OF[item.issue_type]


def assign_work_item_ids(ctx: TeamContext) -> None:
    """Ids follow creation order across the organization; keys are how commits and titles mention them."""
    ctx.items.sort(key=lambda item: (item.created, item.seq))
    first = FIRST_WORK_ITEM_ID + ctx.spec.ordinal * 10_000
    for index, item in enumerate(ctx.items):
        item.issue_id = first + index
        item.key = f"AB#{item.issue_id}"


# --- Work items ---------------------------------------------------------------------------------------------


class _Revision:
    """One saved revision of a work item: the field changes of one Jira-like history, translated."""

    __slots__ = ("at", "author", "fields")

    def __init__(self, at: float, author: Person, fields: dict[str, tuple[object, object]]) -> None:
        self.at, self.author, self.fields = at, author, fields


class WorkItemRenderer:
    def __init__(self, ctx: TeamContext) -> None:
        self.ctx = ctx
        self.project = ctx.spec.azure_devops_project
        self.project_id = uuid_for("ado-project", self.project)
        self.sub_areas = AZURE_DEVOPS_SUB_AREAS.get(base_team_slug(ctx.spec.team.slug), ())

    def area_path(self, item: WorkItem) -> str:
        if self.sub_areas and stable_int("area", item.seq) % 3:
            return f"{self.project}\\{self.sub_areas[stable_int('sub-area', item.seq) % len(self.sub_areas)]}"
        return self.project

    def iteration_path(self, sprints: object) -> str:
        return f"{self.project}\\Sprint {sprints[-1]}" if sprints else self.project

    def revisions(self, item: WorkItem) -> list[_Revision]:
        """The creation and every later save that changes a field Azure DevOps keeps."""
        kind = work_item_type(item)
        retyped = kind == "Bug" and stable_int("ado-retyped", item.seq) % 10 == 0 and item.histories
        state = STATE_OF[item.initial_status]
        created: dict[str, tuple[object, object]] = {
            "System.WorkItemType": (None, "Task" if retyped else kind),
            "System.State": (None, state),
            "System.Reason": (None, _reason(None, state)),
            "System.AreaPath": (None, self.area_path(item)),
            "System.IterationPath": (None, self.project),
            "System.Title": (None, item.summary),
            "Microsoft.VSTS.Common.Priority": (None, PRIORITY_OF[item.priority]),
        }
        if item.initial_assignee is not None:
            created["System.AssignedTo"] = (None, item.initial_assignee)
        if item.labels:
            created["System.Tags"] = (None, "; ".join(item.labels))
        revisions = [_Revision(item.created, item.reporter, created)]
        for history in item.histories:
            fields: dict[str, tuple[object, object]] = {}
            for change in history.changes:
                state = self._translate(change, state, fields)
            if retyped and len(revisions) == 1:
                fields["System.WorkItemType"] = ("Task", "Bug")  # triaged: the task was a bug
            if fields:
                revisions.append(_Revision(history.at, history.author, fields))
        for at, author, text in item.comments:
            revisions.append(_Revision(at, author, {"System.History": (None, f"<div>{text}</div>")}))
        revisions.sort(key=lambda r: r.at)
        return revisions

    def _translate(self, change: Change, state: str, fields: dict) -> str:
        if change.field == "status":
            new = STATE_OF[change.new]
            if new != state:
                fields["System.State"] = (state, new)
                fields["System.Reason"] = (_reason(None, state), _reason(state, new))
                fields["System.BoardColumn"] = (state, new)
                state = new
        elif change.field == "assignee":
            fields["System.AssignedTo"] = (change.old, change.new)
        elif change.field == "Sprint":
            fields["System.IterationPath"] = (
                self.iteration_path(change.old),
                self.iteration_path(change.new),
            )
        elif change.field == "priority":
            old, new = PRIORITY_OF[change.old], PRIORITY_OF[change.new]
            if old != new:
                fields["Microsoft.VSTS.Common.Priority"] = (old, new)
        elif change.field == "labels":
            fields["System.Tags"] = ("; ".join(change.old) or None, "; ".join(change.new) or None)
        return state

    def updates(self, item: WorkItem, revisions: list[_Revision]) -> dict:
        values = []
        for index, revision in enumerate(revisions):
            rev = index + 1
            fields: dict[str, dict] = {"System.Rev": {"oldValue": rev - 1, "newValue": rev}}
            if index == 0:
                fields = {"System.Id": {"newValue": item.issue_id}, "System.Rev": {"newValue": 1}}
                fields["System.TeamProject"] = {"newValue": self.project}
                fields["System.CreatedDate"] = {"newValue": ado_time(revision.at, 3)}
                fields["System.CreatedBy"] = {"newValue": identity(revision.author)}
            for name, (old, new) in revision.fields.items():
                fields[name] = _change(old, new)
            previous = revisions[index - 1].at if index else None
            fields["System.ChangedDate"] = _change(
                None if previous is None else ado_time(previous, 3), ado_time(revision.at, 3)
            )
            revised = revisions[index + 1].at if index + 1 < len(revisions) else None
            values.append(
                {
                    "id": rev,
                    "workItemId": item.issue_id,
                    "rev": rev,
                    "revisedBy": {**identity(revision.author), "name": _signature(revision.author)},
                    "revisedDate": NOT_REVISED if revised is None else ado_time(revised, 3),
                    "fields": fields,
                    "url": f"{BASE}/{self.project_id}/_apis/wit/workItems/{item.issue_id}/updates/{rev}",
                }
            )
        return {"count": len(values), "value": values}

    def work_item(self, item: WorkItem, revisions: list[_Revision], as_of: float = YEAR_END) -> dict:
        """The item at its last revision made by `as_of`."""
        shown = [r for r in revisions if r.at <= as_of]
        current: dict[str, object] = {}
        state_changed = activated = closed = None
        for revision in shown:
            for name, (_, new) in revision.fields.items():
                current[name] = new
            if "System.State" in revision.fields:
                state_changed = revision.at
                new_state = revision.fields["System.State"][1]
                if new_state == "Active" and activated is None:
                    activated = revision.at
                closed = revision.at if new_state in ("Closed", "Removed") else None
        last = shown[-1]
        fields: dict[str, object] = {
            "System.Id": item.issue_id,
            "System.AreaPath": current["System.AreaPath"],
            "System.TeamProject": self.project,
            "System.IterationPath": current["System.IterationPath"],
            "System.WorkItemType": current["System.WorkItemType"],
            "System.State": current["System.State"],
            "System.Reason": current["System.Reason"],
        }
        if current.get("System.AssignedTo") is not None:
            fields["System.AssignedTo"] = identity(current["System.AssignedTo"])
        fields.update(
            {
                "System.CreatedDate": ado_time(item.created, 3),
                "System.CreatedBy": identity(item.reporter),
                "System.ChangedDate": ado_time(last.at, 3),
                "System.ChangedBy": identity(last.author),
                "System.CommentCount": sum(1 for at, _, _ in item.comments if at <= as_of),
                "System.Title": item.summary,
                "System.BoardColumn": current["System.State"],
                "System.BoardColumnDone": False,
                "Microsoft.VSTS.Common.StateChangeDate": ado_time(state_changed or item.created, 3),
                "Microsoft.VSTS.Common.Priority": current["Microsoft.VSTS.Common.Priority"],
                "Microsoft.VSTS.Common.ValueArea": "Business",
            }
        )
        if activated is not None:
            fields["Microsoft.VSTS.Common.ActivatedDate"] = ado_time(activated, 3)
        if closed is not None:
            fields["Microsoft.VSTS.Common.ClosedDate"] = ado_time(closed, 3)
        if item.story_points is not None:
            fields["Microsoft.VSTS.Scheduling.StoryPoints"] = item.story_points
        parent = item.parent or item.epic
        if parent is not None:
            fields["System.Parent"] = parent.issue_id
        if current.get("System.Tags"):
            fields["System.Tags"] = current["System.Tags"]
        return {
            "id": item.issue_id,
            "rev": len(shown),
            "fields": fields,
            "url": f"{BASE}/{self.project_id}/_apis/wit/workItems/{item.issue_id}",
        }


def _reason(old: str | None, new: str) -> str:
    if new == "New":
        return "New"
    if new == "Active":
        return "Reactivated" if old is not None and STATE_ORDER.index(old) > 2 else "Implementation started"
    if new == "Closed":
        return "Acceptance tests pass"
    if new == "Removed":
        return "Removed from the backlog"
    return f"Moved to state {new}"


def _value(value: object) -> object:
    return identity(value) if isinstance(value, Person) else value


def _change(old: object, new: object) -> dict:
    """`{"oldValue", "newValue"}`; a value that was not set is left out, as the API does."""
    change = {}
    if old is not None:
        change["oldValue"] = _value(old)
    if new is not None:
        change["newValue"] = _value(new)
    return change


def _signature(person: Person) -> str:
    return f"{person.name} <{person.email}>"


# --- Pull requests ------------------------------------------------------------------------------------------


class RepositoryRenderer:
    def __init__(self, ctx: TeamContext) -> None:
        self.ctx = ctx
        self.project = ctx.spec.azure_devops_project
        self.project_id = uuid_for("ado-project", self.project)
        self.repo = ctx.spec.repos[0]
        self.repo_id = uuid_for("ado-repository", self.repo.full_name)
        self.repo_url = f"{BASE}/{self.project_id}/_apis/git/repositories/{self.repo_id}"
        self.team_reviewer = uuid_for("ado-team", self.project)
        # First parents of the default branch's commits: a completed pull request merged onto that tip.
        self.main_first_parents = {
            commit.sha: commit.parents[0]
            for commit in ctx.main_commits.get(self.repo.name, ())
            if commit.parents
        }

    def repository(self) -> dict:
        return {
            "id": self.repo_id,
            "name": self.repo.name,
            "url": self.repo_url,
            "project": {
                "id": self.project_id,
                "name": self.project,
                "state": "wellFormed",
                "visibility": "private",
                "lastUpdateTime": "2025-06-02T08:12:44.107Z",
            },
        }

    def merge_target(self, pr: PullRequest, completed: bool) -> str:
        """The target branch's tip the last merge was computed on: for a completed pull request, the tip
        it was merged onto (its merge commit's first parent); before that, the tip when it was opened."""
        if completed:
            return self.main_first_parents.get(pr.merge_commit_sha, pr.base_sha)
        return pr.base_sha

    def commit_ref(self, sha: str) -> dict:
        return {"commitId": sha, "url": f"{self.repo_url}/commits/{sha}"}

    def reviewers(self, pr: PullRequest, as_of: float) -> list[dict]:
        votes: dict[str, tuple[Person, int]] = {}
        for person in pr.requested_reviewers:
            votes[person.login] = (person, 0)
        for review in pr.reviews:
            if review.submitted_at <= as_of and review.reviewer.login != pr.author.login:
                votes[review.reviewer.login] = (review.reviewer, VOTE_OF[review.state])
        people = []
        for person, vote in votes.values():
            people.append(
                {
                    "reviewerUrl": f"{self.repo_url}/pullRequests/{pr.number}/reviewers/{identity(person)['id']}",
                    "vote": vote,
                    "hasDeclined": False,
                    "isFlagged": False,
                    **{k: v for k, v in identity(person).items() if k not in ("_links", "descriptor")},
                }
            )
        team_vote = max((p["vote"] for p in people), default=0)
        team = {
            "reviewerUrl": f"{self.repo_url}/pullRequests/{pr.number}/reviewers/{self.team_reviewer}",
            "vote": team_vote,
            "hasDeclined": False,
            "isFlagged": False,
            "displayName": f"[{self.project}]\\{self.project} Team",
            "url": f"{BASE}/_apis/Identities/{self.team_reviewer}",
            "id": self.team_reviewer,
            "uniqueName": f"vstfs:///Classification/TeamProject/{self.project_id}\\{self.project} Team",
            "imageUrl": f"{BASE}/_api/_common/identityImage?id={self.team_reviewer}",
            "isRequired": True,
            "isContainer": True,
            "votedFor": [p for p in people if p["vote"] == team_vote and team_vote],
        }
        return [*people, team]

    def description(self, pr: PullRequest) -> str:
        """The body, with the work item's Boards link where a Jira team's template has its Jira link."""
        if not pr.body:
            return ""
        if pr.item is not None:
            link = f"{BASE}/{self.project}/_workitems/edit/{pr.item.issue_id}"
            return render_text(pr.body.replace("Jira: {JIRA_URL}", f"Work item: {link}"), pr)
        return render_text(pr.body, pr)

    def pull_request(self, pr: PullRequest, as_of: float = YEAR_END) -> dict:
        closed = pr.closed_at is not None and pr.closed_at <= as_of
        completed = closed and pr.merged_at is not None
        status = "completed" if completed else ("abandoned" if closed else "active")
        title = render_text(pr.title, pr)
        body: dict[str, object] = {
            "repository": self.repository(),
            "pullRequestId": pr.number,
            "codeReviewId": pr.number,
            "status": status,
            "createdBy": identity(pr.author),
            "creationDate": ado_time(pr.created_at, 7),
            "title": title,
            "description": self.description(pr),
            "sourceRefName": f"refs/heads/{_branch(pr)}",
            "targetRefName": "refs/heads/main",
            "mergeStatus": "succeeded",
            "isDraft": pr.draft and not closed,
            "mergeId": uuid_for("ado-merge", self.repo.full_name, pr.number),
            "lastMergeSourceCommit": self.commit_ref(pr.head_sha),
            "lastMergeTargetCommit": self.commit_ref(self.merge_target(pr, completed)),
            "lastMergeCommit": self.commit_ref(pr.merge_commit_sha if completed else pr.test_merge_sha),
            "reviewers": self.reviewers(pr, as_of),
            "url": f"{self.repo_url}/pullRequests/{pr.number}",
            "supportsIterations": True,
        }
        if closed:
            body["closedDate"] = ado_time(pr.closed_at, 7)
            body["closedBy"] = identity(pr.merged_by or pr.author)
        if completed:
            body["completionOptions"] = {
                "mergeStrategy": "squash",
                "deleteSourceBranch": True,
                "mergeCommitMessage": f"Merged PR {pr.number}: {title}",
            }
        if pr.item is not None:
            body["workItemRefs"] = [
                {
                    "id": str(pr.item.issue_id),
                    "url": f"{BASE}/{self.project_id}/_apis/wit/workItems/{pr.item.issue_id}",
                }
            ]
        if pr.labels:
            body["labels"] = [
                {"id": uuid_for("ado-label", name), "name": name, "active": True} for name in pr.labels
            ]
        return body

    def commits(self, pr: PullRequest) -> dict:
        values = [
            {
                "commitId": commit.sha,
                "author": {
                    "name": commit.author_name,
                    "email": commit.author_email,
                    "date": ado_time(commit.authored_at),
                },
                "committer": {
                    "name": commit.author_name,
                    "email": commit.author_email,
                    "date": ado_time(commit.committed_at),
                },
                "comment": render_text(commit.message, pr),
                "url": f"{self.repo_url}/commits/{commit.sha}",
            }
            for commit in reversed(pr.commits)
        ]
        return {"count": len(values), "value": values}


def _branch(pr: PullRequest) -> str:
    """Branch names carry the work item id without the `AB#` mention."""
    head = pr.head_ref
    if pr.reverts is not None:
        head = f"revert-{pr.reverts.number}"
    if pr.item is not None:
        head = head.replace("{KEY}", str(pr.item.issue_id))
    return head


# --- Builds and environment deployments ---------------------------------------------------------------------


class _Build:
    __slots__ = (
        "branch",
        "build_id",
        "definition",
        "deployment",
        "finished",
        "number",
        "person",
        "pr",
        "queued",
        "reason",
        "result",
        "sha",
        "started",
    )

    def __init__(self, **values: object) -> None:
        for name in self.__slots__:
            setattr(self, name, values.get(name))


def _deployment_outcome(deployment: Deployment) -> tuple[str | None, float | None, float | None]:
    """(result, started, finished) of the stage that ran the deployment; no result while it runs."""
    states = {status.state: status.at for status in deployment.statuses}
    started = states.get("in_progress")
    for state, result in (("success", "succeeded"), ("failure", "failed"), ("error", "failed")):
        if state in states:
            return result, started, states[state]
    return None, started, None


def plan_builds(ctx: TeamContext) -> list[_Build]:
    """CI builds of the main branch and of pull requests, and one release build per deployment."""
    repo = ctx.spec.repos[0]
    builds: list[_Build] = []
    for run in ctx.runs.get(repo.name, []):
        builds.append(_ci_build(run))
    for deployment in ctx.deployments.get(repo.name, []):
        result, started, finished = _deployment_outcome(deployment)
        if not deployment.statuses:
            result, finished = "canceled", deployment.created_at + 180
        builds.append(
            _Build(
                definition=RELEASE_DEFINITION_ID,
                sha=deployment.sha,
                branch="refs/heads/main",
                reason="manual" if deployment.kind in ("rollback", "redeploy") else "individualCI",
                queued=deployment.created_at,
                started=started,
                finished=finished,
                result=result,
                person=deployment.creator,
                deployment=deployment,
            )
        )
    builds.sort(key=lambda b: (b.queued, b.definition, b.sha))
    per_day: dict[tuple[int, str], int] = {}
    for index, build in enumerate(builds):
        build.build_id = 20_000 + ctx.spec.ordinal * 100_000 + index
        day = time.strftime("%Y%m%d", time.gmtime(int(build.queued)))
        per_day[(build.definition, day)] = per_day.get((build.definition, day), 0) + 1
        build.number = f"{day}.{per_day[(build.definition, day)]}"
    return builds


def _ci_build(run: WorkflowRun) -> _Build:
    result = {"success": "succeeded", "failure": "failed", "cancelled": "canceled"}.get(run.conclusion or "")
    pr = run.pr
    return _Build(
        definition=CI_DEFINITION_ID,
        sha=run.head_sha,
        branch=f"refs/pull/{pr.number}/merge" if pr is not None else "refs/heads/main",
        reason="pullRequest" if pr is not None else "individualCI",
        pr=pr,
        queued=run.created_at,
        started=run.started_at,
        finished=run.updated_at if run.status == "completed" else None,
        result=result if run.status == "completed" else None,
        person=run.actor,
    )


class PipelineRenderer:
    def __init__(self, ctx: TeamContext, repositories: RepositoryRenderer) -> None:
        self.ctx, self.repos = ctx, repositories
        self.project_id = repositories.project_id
        self.project = repositories.project
        self.base = f"{BASE}/{self.project_id}"

    def definition(self, definition_id: int) -> dict:
        name = f"{self.repos.repo.name}-{'ci' if definition_id == CI_DEFINITION_ID else 'release'}"
        return {
            "drafts": [],
            "id": definition_id,
            "name": name,
            "url": f"{self.base}/_apis/build/Definitions/{definition_id}?revision=3",
            "uri": f"vstfs:///Build/Definition/{definition_id}",
            "path": "\\",
            "type": "build",
            "queueStatus": "enabled",
            "revision": 3,
            "project": self.repos.repository()["project"],
        }

    def build(self, build: _Build) -> dict:
        body: dict[str, object] = {
            "_links": {
                "self": {"href": f"{self.base}/_apis/build/Builds/{build.build_id}"},
                "web": {"href": f"{self.base}/_build/results?buildId={build.build_id}"},
            },
            "properties": {},
            "tags": [],
            "validationResults": [],
            "plans": [{"planId": _plan_id(build)}],
            "id": build.build_id,
            "buildNumber": build.number,
            "status": "completed" if build.result is not None else "inProgress",
            "queueTime": ado_time(build.queued, 7),
            "url": f"{self.base}/_apis/build/Builds/{build.build_id}",
            "definition": self.definition(build.definition),
            "buildNumberRevision": int(build.number.split(".")[1]),
            "project": self.repos.repository()["project"],
            "uri": f"vstfs:///Build/Build/{build.build_id}",
            "sourceBranch": build.branch,
            "sourceVersion": build.sha,
            "queue": {
                "id": 9,
                "name": "Azure Pipelines",
                "pool": {"id": 9, "name": "Azure Pipelines", "isHosted": True},
            },
            "priority": "normal",
            "requestedFor": identity(build.person),
            "requestedBy": identity(build.person),
            "repository": {
                "id": self.repos.repo_id,
                "type": "TfsGit",
                "name": self.repos.repo.name,
                "clean": None,
                "checkoutSubmodules": False,
            },
            "retainedByRelease": False,
            "triggeredByBuild": None,
        }
        if build.result is not None:
            body["result"] = build.result
        body["reason"] = build.reason
        body["startTime"] = ado_time(build.started, 7) if build.started else "0001-01-01T00:00:00"
        body["finishTime"] = ado_time(build.finished, 7) if build.finished else "0001-01-01T00:00:00"
        body["lastChangedDate"] = ado_time((build.finished or build.started or build.queued) + 0.41, 7)
        if build.pr is not None:
            body["triggerInfo"] = {
                "pr.number": str(build.pr.number),
                "pr.isFork": "False",
                "pr.sourceBranch": f"refs/heads/{_branch(build.pr)}",
                "pr.sourceSha": build.sha,
            }
        else:
            body["triggerInfo"] = {"ci.sourceBranch": "refs/heads/main", "ci.sourceSha": build.sha}
        return body

    def deployment_record(self, build: _Build, record_id: int, environment: str) -> dict:
        deployment = build.deployment
        stage = f"Deploy{environment}"
        _, started, _ = _deployment_outcome(deployment)
        record: dict[str, object] = {
            "id": record_id,
            "requestIdentifier": f"{build.build_id}-{stage}-1",
            "environmentId": ENVIRONMENT_IDS[environment],
            "serviceOwner": "00025394-6065-48ca-87d9-7f5672854ef7",
            "scopeId": self.project_id,
            "planType": "Build",
            "planId": _plan_id(build),
            "stageName": stage,
            "jobName": f"Deploy_{self.repos.repo.name.replace('-', '_')}",
            "stageAttempt": 1,
            "jobAttempt": 1,
            "definition": {
                "id": RELEASE_DEFINITION_ID,
                "name": f"{self.repos.repo.name}-release",
                "_links": {
                    "web": {"href": f"{self.base}/_build/definition?definitionId={RELEASE_DEFINITION_ID}"}
                },
            },
            "owner": {
                "id": build.build_id,
                "name": build.number,
                "_links": {"web": {"href": f"{self.base}/_build/results?buildId={build.build_id}"}},
            },
        }
        if build.result is not None:
            record["result"] = build.result
        queued = build.queued + 5 if started is None else min(build.queued + 5, started - 1)
        record["queueTime"] = ado_time(queued, 7)
        if started is not None:
            record["startTime"] = ado_time(started, 7)
        if build.finished is not None:
            record["finishTime"] = ado_time(build.finished, 7)
        return record


def _plan_id(build: _Build) -> str:
    return uuid_for("ado-plan", build.build_id)


# --- Writing ------------------------------------------------------------------------------------------------


def _stale(records: Iterator[tuple[object, float | None]]) -> dict[object, float]:
    """Records last changed in the final days: the main export caught them a little earlier."""
    chosen: dict[object, float] = {}
    for record, changed in records:
        if changed is not None and YEAR_END - 9 * DAY <= changed and len(chosen) < MAX_STALE:
            chosen[record] = changed - 2 * HOUR
    return chosen


def write_azure_devops(ctx: TeamContext, writer: ExportWriter) -> None:
    folder = f"azure_devops/{ORG}/{ctx.spec.azure_devops_project}"
    rng = rng_for(ctx.seed, "azure-devops-pages", folder)
    _write_work_items(ctx, writer, folder, rng)
    repositories = RepositoryRenderer(ctx)
    _write_pull_requests(ctx, writer, folder, rng, repositories)
    _write_pipelines(ctx, writer, folder, PipelineRenderer(ctx, repositories))


def _write_work_items(ctx: TeamContext, writer: ExportWriter, folder: str, rng) -> None:
    renderer = WorkItemRenderer(ctx)
    revisions = {item.issue_id: renderer.revisions(item) for item in ctx.items}
    settled = [
        item
        for item in ctx.items
        if len(revisions[item.issue_id]) > 2
        and revisions[item.issue_id][-1].at - revisions[item.issue_id][-2].at > 3 * HOUR
    ]
    stale = _stale((item, revisions[item.issue_id][-1].at) for item in settled)
    for number, page in enumerate(paginate(ctx.items, WORK_ITEM_PAGE_SIZE, rng), 1):
        values = [
            renderer.work_item(item, revisions[item.issue_id], stale.get(item, YEAR_END)) for item in page
        ]
        body = {"count": len(values), "value": values}
        writer.write(
            f"{folder}/work_items/page-{number:04d}.json", body, "azure_devops/work_items", len(values)
        )
    if stale:
        values = [renderer.work_item(item, revisions[item.issue_id]) for item in stale]
        body = {"count": len(values), "value": values}
        writer.write(
            f"{folder}/work_items/page-update-0001.json", body, "azure_devops/work_items", len(values)
        )
    for item in ctx.items:
        body = renderer.updates(item, revisions[item.issue_id])
        writer.write(
            f"{folder}/work_item_updates/{item.issue_id}.json",
            body,
            "azure_devops/work_item_updates",
            body["count"],
        )


def _write_pull_requests(ctx, writer, folder, rng, renderer: RepositoryRenderer) -> None:
    repo = renderer.repo
    prs = ctx.pull_requests.get(repo.name, [])
    stale = _stale(
        (pr, pr.closed_at) for pr in prs if pr.closed_at and pr.closed_at - pr.created_at > 6 * HOUR
    )
    newest_first = sorted(prs, key=lambda pr: pr.number, reverse=True)
    for number, page in enumerate(paginate(newest_first, PULL_REQUEST_PAGE_SIZE, rng), 1):
        values = [renderer.pull_request(pr, stale.get(pr, YEAR_END)) for pr in page]
        body = {"count": len(values), "value": values}
        writer.write(
            f"{folder}/pull_requests/{repo.name}-{number:04d}.json",
            body,
            "azure_devops/pull_requests",
            len(values),
        )
    if stale:
        values = [renderer.pull_request(pr) for pr in stale]
        body = {"count": len(values), "value": values}
        name = f"{folder}/pull_requests/{repo.name}-update-0001.json"
        writer.write(name, body, "azure_devops/pull_requests", len(values))
    for pr in prs:
        body = renderer.commits(pr)
        writer.write(
            f"{folder}/pull_request_commits/{pr.number}.json",
            body,
            "azure_devops/pull_request_commits",
            body["count"],
        )


def _write_pipelines(ctx: TeamContext, writer: ExportWriter, folder: str, renderer: PipelineRenderer) -> None:
    builds = plan_builds(ctx)
    for start in range(0, len(builds), BUILD_PAGE_SIZE):  # continuation-token pages never overlap
        values = [renderer.build(build) for build in builds[start : start + BUILD_PAGE_SIZE]]
        body = {"count": len(values), "value": values}
        name = f"{folder}/builds/page-{start // BUILD_PAGE_SIZE + 1:04d}.json"
        writer.write(name, body, "azure_devops/builds", len(values))
    records: dict[str, list[dict]] = {name: [] for name in ENVIRONMENT_IDS}
    for build in builds:
        deployment = build.deployment
        if deployment is None or not deployment.statuses:
            continue  # a release canceled before its stage ran leaves no deployment record
        environment = AZURE_DEVOPS_ENVIRONMENTS["production" if deployment.production else "staging"]
        # The simulation's deployment id, so that incidents naming a deployment name this record.
        records[environment].append(renderer.deployment_record(build, deployment.deployment_id, environment))
    for environment, values in records.items():
        body = {"count": len(values), "value": values[::-1]}  # newest first
        writer.write(
            f"{folder}/environment_deployments/{environment}/page-0001.json",
            body,
            "azure_devops/deployments",
            len(values),
        )
