"""One repository's year: the default-branch commit graph, deployments or deploy runs, and bad deploys.

Events (merges, direct pushes, release slots, staging slots, reactions to incidents) are replayed in time
order, so every deployment ships exactly the main head of its moment and commit ancestry is real:
- squash repositories add one commit per merged pull request (the PR's merge_commit_sha, one parent);
- merge repositories add a merge commit whose second parent is the PR head, and the PR's commits join
  the default branch's history;
- a few commits are pushed straight to main;
- the first production deployment of the year ships the repository's earlier history (the baseline case).
A bad production deployment raises an incident and one of three responses: a rollback (a deployment of
the previous production sha, an ancestor), a hotfix pull request deployed at once, or a revert PR.
"""

from __future__ import annotations

import bisect
import heapq
import random
from datetime import UTC, datetime

from .model import (
    Commit,
    Deployment,
    DeploymentStatus,
    IncidentPlan,
    PullRequest,
    RepoSpec,
    TeamContext,
    WorkflowRun,
)
from .people import GITHUB_ACTIONS, WEB_FLOW, Person
from .pulls import hotfix_pull_request, poisson, revert_pull_request
from .timeline import (
    DAY,
    HOUR,
    MINUTE,
    WEEK,
    YEAR_END,
    YEAR_START,
    day_index,
    hours,
    local_day_start,
    parse_utc,
    working_time,
)
from .vocabulary import DIRECT_PUSH_MESSAGES, DOMAIN_NOUNS, INCIDENT_SYMPTOMS, capitalise
from .work import incident_bug, record_hotfix_flow

DEPLOYMENT_ID_BASE = 3_100_000_000
DEPLOYMENT_STATUS_ID_BASE = 9_000_000_000
DEPLOY_RUN_ID_BASE = 15_000_000_000
CI_PUSH_RUN_ID_BASE = 16_000_000_000

RESPONSES = ("rollback", "hotfix", "revert")
LINKS = ("deployment", "sha", "pr", "window", "window")
WEEKDAY_DEPLOY_WEIGHT = (
    1.0,
    1.0,
    1.0,
    1.0,
    0.45,
    0.01,
    0.0,
)  # few deploys on Fridays, almost none at weekends
FIRST_BAD_DEPLOY_BY = parse_utc("2026-02-15")
EMPTY_STATUS_AFTER = parse_utc("2026-01-10")
SQUASH_MESSAGE = "{TITLE} (#{NUMBER})\n\n{BULLETS}"
MERGE_MESSAGE = "Merge pull request #{NUMBER} from acme/{HEAD_REF}\n\n{TITLE}"


def release_slots(rng: random.Random, offset_min: int, per_week: float, train: bool) -> list[float]:
    """Deploy times on working days, late morning to afternoon local time.

    With `train`, up to one deploy a week happens on a fixed weekday (the team's weekly release train, now
    and then skipped) and the rest ad hoc.
    """
    slots = []
    weight_sum = sum(WEEKDAY_DEPLOY_WEIGHT[:5])
    train_day = 1 + int(rng.random() * 3)  # Tuesday to Thursday
    regular = min(per_week, 0.9) if train else 0.0
    for day in range(day_index(YEAR_START, offset_min), day_index(YEAR_END, offset_min) + 1):
        weekday = (day + 3) % 7
        expected = (per_week - regular) * WEEKDAY_DEPLOY_WEIGHT[weekday] / weight_sum
        if weekday == train_day:
            expected += regular
        count = int(expected) + (rng.random() < expected - int(expected))
        for _ in range(count):
            t = local_day_start(day, offset_min) + rng.uniform(10.0, 16.5) * HOUR
            if YEAR_START <= t <= YEAR_END:
                slots.append(t)
    return slots


class RepositorySimulation:
    def __init__(self, ctx: TeamContext, repo: RepoSpec) -> None:
        self.ctx, self.repo = ctx, repo
        self.rng = ctx.rng(f"repo:{repo.name}")
        self.offset = ctx.spec.utc_offset_min
        self.commits: list[Commit] = []  # every commit reachable from main
        self.main_times: list[float] = []
        self.main_shas: list[str] = []
        self.main_index: dict[str, int] = {}
        self.by_sha: dict[str, Commit] = {}
        self.deployments: list[Deployment] = []
        self.runs = ctx.runs.setdefault(repo.name, [])
        self.last_success: dict[str, tuple[float, str, object]] = {}
        self.prod_successes: list[tuple[float, str]] = []
        self.bad_deploys = 0
        self.empty_status_pending = repo.deploys_via == "deployments"
        self.pushes_deploy = repo.deploys_via == "workflow_runs" and repo.deploy_event == "push"
        self._heap: list[tuple[float, int, str, object]] = []
        self._order = 0

    # -- event loop
    def schedule(self, t: float, kind: str, payload: object = None) -> None:
        if t <= YEAR_END:
            heapq.heappush(self._heap, (t, self._order, kind, payload))
            self._order += 1

    def run(self) -> None:
        self._baseline()
        for pr in list(self.ctx.pull_requests.get(self.repo.name, [])):
            if pr.merged_at is not None:
                self.schedule(pr.merged_at, "merge", pr)
        for t in self._direct_push_times():
            self.schedule(t, "push")
        rate = self.repo.prod_per_week * max(0.5, self.ctx.activity) ** 0.5
        if not self.pushes_deploy:
            for t in release_slots(self.rng, self.offset, rate, train=True):
                self.schedule(t, "release")
        if self.repo.deploys_via == "deployments":
            staging_rate = self.repo.staging_per_week * rate / self.repo.prod_per_week
            for t in release_slots(self.rng, self.offset, staging_rate, train=False):
                self.schedule(t, "staging")
        while self._heap:
            t, _, kind, payload = heapq.heappop(self._heap)
            getattr(self, f"_on_{kind}")(t, payload)
        self._finalize()

    # -- the commit graph
    def _append_main(self, commit: Commit) -> None:
        self.main_index[commit.sha] = len(self.main_shas)
        self.main_times.append(commit.committed_at)
        self.main_shas.append(commit.sha)
        self.by_sha[commit.sha] = commit
        self.commits.append(commit)
        if commit.committed_at >= YEAR_START:
            self._ci_on_push(commit)

    def _baseline(self) -> None:
        """History from before the year: what the first production deployment of the year ships."""
        rng, engineers = self.rng, self.ctx.engineers
        count = int((25 + rng.random() * 20) * max(1.0, self.ctx.activity))
        start = YEAR_START - 160 * DAY
        times = sorted(start + rng.random() * 155 * DAY for _ in range(count))
        nouns = DOMAIN_NOUNS[self.ctx.spec.base_slug]
        for index, t in enumerate(times):
            author = rng.choice(engineers)
            t = working_time(t, self.offset, rng)
            if index == 0:
                message = "Initial commit"
            else:
                message = (
                    f"{rng.choice(('Add', 'Improve', 'Fix', 'Refactor'))} {rng.choice(nouns)} (#{index + 3})"
                )
            commit = Commit(
                sha=self.ctx.new_sha(self.repo, "baseline"),
                author=author,
                author_name=author.name,
                author_email=author.email,
                authored_at=t,
                committer=WEB_FLOW if index else author,
                committed_at=t,
                message=message,
                parents=[self.main_shas[-1]] if self.main_shas else [],
                signed=index > 0,
            )
            self._append_main(commit)

    def _direct_push_times(self) -> list[float]:
        merged = sum(1 for pr in self.ctx.pull_requests.get(self.repo.name, []) if pr.merged_at is not None)
        count = 1 + poisson(self.rng, 0.03 * merged)
        return [
            working_time(YEAR_START + self.rng.random() * (YEAR_END - YEAR_START), self.offset, self.rng)
            for _ in range(count)
        ]

    def _on_merge(self, t: float, pr: PullRequest) -> None:
        head = self.main_shas[-1]
        if self.repo.merge_style == "merge":
            merger = pr.merged_by or pr.author
            commit = Commit(
                sha=pr.merge_commit_sha,
                author=merger,
                author_name=merger.name,
                author_email=merger.email,
                authored_at=t,
                committer=WEB_FLOW,
                committed_at=t,
                message=MERGE_MESSAGE,
                parents=[head, pr.head_sha],
                pr=pr,
                signed=True,
            )
        else:
            commit = Commit(
                sha=pr.merge_commit_sha,
                author=pr.author,
                author_name=pr.author.name,
                author_email=pr.author.email,
                authored_at=t,
                committer=WEB_FLOW,
                committed_at=t,
                message=SQUASH_MESSAGE,
                parents=[head],
                pr=pr,
                signed=True,
            )
        self._append_main(commit)
        # The deploy workflow ignores documentation-only pushes (`paths-ignore`), hence not every merge.
        if self.pushes_deploy and (pr.kind in ("hotfix", "revert") or self.rng.random() < 0.8):
            self.schedule(t + self.rng.uniform(40, 150), "deploy", {"sha": commit.sha, "actor": pr.merged_by})

    def _on_push(self, t: float, _: object) -> None:
        """A commit pushed straight to main, without a pull request."""
        rng = self.rng
        author = rng.choice(self.ctx.engineers[:3])
        earlier = [item for item in self.ctx.items if item.created < t and item.issue_type != "Epic"]
        item = rng.choice(earlier) if earlier and rng.random() < 0.4 else None
        if item is not None:
            message = f"{{KEY}} Adjust {rng.choice(DOMAIN_NOUNS[self.ctx.spec.base_slug])} settings"
        else:
            stamp = datetime.fromtimestamp(t, UTC)
            message = rng.choice(DIRECT_PUSH_MESSAGES).format(
                version=f"{stamp.year}.{stamp.month}.{stamp.day}"
            )
        commit = Commit(
            sha=self.ctx.new_sha(self.repo, "push"),
            author=author,
            author_name=author.name,
            author_email=author.email,
            authored_at=t - rng.uniform(60, 1800),
            committer=author,
            committed_at=t,
            message=message,
            parents=[self.main_shas[-1]],
            item=item,
        )
        self._append_main(commit)
        if self.pushes_deploy:
            self.schedule(t + rng.uniform(40, 150), "deploy", {"sha": commit.sha, "actor": author})

    def _ci_on_push(self, commit: Commit) -> None:
        rng = self.rng
        created = commit.committed_at + rng.uniform(3, 30)
        finished = created + rng.uniform(4, 15) * MINUTE
        status, conclusion = "completed", ("success" if rng.random() < 0.93 else "failure")
        if finished > YEAR_END:
            status, conclusion, finished = "in_progress", None, min(created + 5, YEAR_END)
        if created > YEAR_END:
            return
        actor = commit.author or commit.committer or self.ctx.engineers[0]
        if actor.login == WEB_FLOW.login and commit.pr is not None:
            actor = commit.pr.merged_by or commit.pr.author
        self.runs.append(
            WorkflowRun(
                run_id=CI_PUSH_RUN_ID_BASE
                + self.repo.ordinal * 1_000_000
                + self.ctx.next(f"run:{self.repo.name}"),
                workflow="ci",
                event="push",
                head_branch="main",
                head_sha=commit.sha,
                created_at=created,
                started_at=created,
                updated_at=finished,
                status=status,
                conclusion=conclusion,
                run_attempt=1,
                actor=actor,
                head_commit=commit,
            )
        )

    # -- deployments
    def _head_at(self, t: float) -> str:
        index = bisect.bisect_right(self.main_times, t) - 1
        return self.main_shas[max(0, index)]

    def _on_release(self, t: float, _: object) -> None:
        head = self.main_shas[-1]
        last = self.last_success.get("production")
        if last is not None and last[1] == head:
            if self.rng.random() < 0.05:
                self._deploy(t, head, "redeploy")  # same sha again (config change, restart)
            return
        self._deploy(t, head, "regular")

    def _on_staging(self, t: float, _: object) -> None:
        head = self.main_shas[-1]
        last = self.last_success.get("staging")
        if last is None or last[1] != head:
            self._deploy(t, head, "regular", production=False)

    def _on_deploy(self, t: float, payload: dict) -> None:
        sha = payload.get("sha") or self.main_shas[-1]
        self._deploy(
            t,
            sha,
            payload.get("kind", "regular"),
            production=payload.get("production", True),
            creator=payload.get("actor"),
        )

    def _deploy(
        self, t: float, sha: str, kind: str, production: bool = True, creator: Person | None = None
    ) -> None:
        if self.repo.deploys_via == "deployments":
            self._github_deployment(t, sha, kind, production, creator)
        elif production:
            self._deploy_run(t, sha, kind, creator)

    def _outcome(self, kind: str) -> str:
        roll = self.rng.random()
        if kind == "rollback":
            return "success" if roll < 0.97 else "failure"
        return "success" if roll < 0.93 else ("failure" if roll < 0.98 else "error")

    def _status_id(self) -> int:
        return (
            DEPLOYMENT_STATUS_ID_BASE
            + self.repo.ordinal * 1_000_000
            + self.ctx.next(f"status:{self.repo.name}")
        )

    def _github_deployment(
        self, t: float, sha: str, kind: str, production: bool, creator: Person | None
    ) -> None:
        rng = self.rng
        environment = self.repo.production_environment if production else "staging"
        creator = creator or (GITHUB_ACTIONS if rng.random() < 0.85 else rng.choice(self.ctx.engineers))
        descriptions = {
            "regular": f"Deploy {sha[:7]} to {environment}",
            "redeploy": f"Redeploy {sha[:7]} to {environment}",
            "rollback": f"Rollback {environment} to {sha[:7]}",
            "hotfix": f"Hotfix deploy {sha[:7]} to {environment}",
        }
        deployment = Deployment(
            deployment_id=DEPLOYMENT_ID_BASE
            + self.repo.ordinal * 100_000
            + self.ctx.next(f"deploy:{self.repo.name}"),
            sha=sha,
            ref=sha if kind == "rollback" else "main",
            environment=environment,
            production=production,
            created_at=t,
            creator=creator,
            description=descriptions[kind],
            kind=kind,
        )
        self.deployments.append(deployment)
        leave_empty = (self.empty_status_pending and not production and t > EMPTY_STATUS_AFTER) or (
            rng.random() < 0.008
        )
        if leave_empty:
            # The deploy tool died before reporting any state; it tries again a little later.
            self.empty_status_pending = False
            self.schedule(
                t + rng.uniform(10, 30) * MINUTE,
                "deploy",
                {"sha": sha, "kind": kind, "production": production},
            )
            return
        queued = t + rng.uniform(2, 8)
        started = queued + rng.uniform(10, 60)
        finished = started + rng.uniform(3, 18) * MINUTE
        outcome = self._outcome(kind)
        actor = GITHUB_ACTIONS if creator.is_bot else creator
        for state, at in (("queued", queued), ("in_progress", started), (outcome, finished)):
            if at > YEAR_END:
                return
            deployment.statuses.append(DeploymentStatus(self._status_id(), state, at, actor))
        if outcome == "success":
            self._succeeded(deployment, environment if not production else "production", finished, kind, sha)
        elif rng.random() < 0.75:
            self.schedule(
                finished + rng.uniform(25, 120) * MINUTE,
                "deploy",
                {"sha": sha, "kind": "redeploy", "production": production, "actor": creator},
            )

    def _deploy_run(self, t: float, sha: str, kind: str, creator: Person | None) -> None:
        rng = self.rng
        commit = self.by_sha[sha]
        event = "workflow_dispatch" if kind == "rollback" else self.repo.deploy_event
        actor = creator or commit.author or rng.choice(self.ctx.engineers)
        if actor.login == WEB_FLOW.login:
            actor = rng.choice(self.ctx.engineers)
        started = t + rng.uniform(3, 20)
        finished = started + rng.uniform(4, 14) * MINUTE
        roll = rng.random()
        conclusion = (
            "success" if roll < 0.9 or kind == "rollback" else ("failure" if roll < 0.97 else "cancelled")
        )
        attempt = 1
        if conclusion == "failure" and rng.random() < 0.5:
            attempt, conclusion = 2, "success"  # re-run of the failed jobs; the list shows the last attempt
            started = finished + rng.uniform(10, 40) * MINUTE
            finished = started + rng.uniform(4, 14) * MINUTE
        status = "completed"
        if finished > YEAR_END:
            status, conclusion, finished = "in_progress", None, min(started + 5, YEAR_END)
            if started > YEAR_END:
                return
        run = WorkflowRun(
            run_id=DEPLOY_RUN_ID_BASE
            + self.repo.ordinal * 1_000_000
            + self.ctx.next(f"run:{self.repo.name}"),
            workflow="deploy",
            event=event,
            head_branch=self._tag_for(sha) if kind == "rollback" else "main",
            head_sha=sha,
            created_at=t,
            started_at=started,
            updated_at=finished,
            status=status,
            conclusion=conclusion,
            run_attempt=attempt,
            actor=actor,
            head_commit=commit,
            is_rollback=kind == "rollback",
        )
        self.runs.append(run)
        if conclusion == "success":
            self._succeeded(run, "production", finished, kind, sha)
        elif conclusion == "failure" and not self.pushes_deploy and rng.random() < 0.6:
            self.schedule(finished + rng.uniform(30, 90) * MINUTE, "deploy", {"sha": sha, "kind": "redeploy"})

    def _tag_for(self, sha: str) -> str:
        for at, deployed in reversed(self.prod_successes):
            if deployed == sha:
                return "deploy-" + datetime.fromtimestamp(at, UTC).strftime("%Y%m%d-%H%M")
        return "main"

    def _succeeded(self, deployment: object, environment: str, at: float, kind: str, sha: str) -> None:
        previous = self.last_success.get(environment)
        if isinstance(previous, tuple) and isinstance(previous[2], Deployment) and at + 1 <= YEAR_END:
            # GitHub marks the previous deployment of a persistent environment inactive.
            previous[2].statuses.append(
                DeploymentStatus(self._status_id(), "inactive", at + 1, GITHUB_ACTIONS)
            )
        self.last_success[environment] = (at, sha, deployment)
        if environment != "production":
            return
        previous_sha = self.prod_successes[-1][1] if self.prod_successes else None
        self.prod_successes.append((at, sha))
        if kind == "regular" and previous_sha is not None and previous_sha != sha:
            self._maybe_bad_deploy(deployment, at, sha, previous_sha)

    # -- bad deployments and the responses to them
    def _shipped_pull_requests(self, previous_sha: str, sha: str) -> list[PullRequest]:
        start, end = self.main_index.get(previous_sha, -1), self.main_index[sha]
        return [
            commit.pr
            for commit in self.commits_on_main(start + 1, end + 1)
            if commit.pr is not None and commit.pr.kind in ("feature", "bugfix", "chore")
        ]

    def commits_on_main(self, start: int, end: int) -> list[Commit]:
        return [self.by_sha[sha] for sha in self.main_shas[start:end]]

    def _on_call(self, t: float) -> Person:
        engineers = self.ctx.engineers
        return engineers[(int((t - YEAR_START) // WEEK) + self.ctx.spec.ordinal) % len(engineers)]

    def _maybe_bad_deploy(self, deployment: object, at: float, sha: str, previous_sha: str) -> None:
        rng = self.rng
        forced = self.bad_deploys == 0 and at > FIRST_BAD_DEPLOY_BY
        if not forced and rng.random() >= 0.055:
            return
        if at > YEAR_END - 2 * DAY:
            return
        self.bad_deploys += 1
        number = self.ctx.next("bad-deploy")
        response = RESPONSES[(self.ctx.spec.ordinal + number) % len(RESPONSES)]
        link = LINKS[(self.ctx.spec.ordinal + number - 1) % len(LINKS)]
        shipped = self._shipped_pull_requests(previous_sha, sha)
        culprit = rng.choice(shipped) if shipped else None
        if culprit is None:
            response = "rollback"
            link = "sha" if link == "pr" else link
        if link == "deployment" and not isinstance(deployment, Deployment):
            link = "sha"  # workflow-run deploys have no deployment id to name
        responder = self._on_call(at)
        incident_at = at + min(hours(rng, 1.2, 1.0), 20 * HOUR)
        service = self.ctx.spec.team.service_name
        symptom = rng.choice(INCIDENT_SYMPTOMS).format(service=service, Service=capitalise(service))
        resolved = self._respond(response, incident_at, responder, culprit, previous_sha, symptom)
        self.ctx.incidents.append(
            IncidentPlan(
                team=self.ctx.spec,
                created_at=incident_at,
                title=self._incident_title(symptom, link, deployment),
                description=self._incident_description(link, deployment, sha, culprit),
                urgency="high",
                priority=rng.choice(("P1", "P2", "P2")),
                responder=responder,
                acknowledged_at=incident_at + rng.uniform(1, 12) * MINUTE,
                resolved_at=resolved,
                link=link,
                link_pr=culprit if link == "pr" else None,
                microseconds=rng.random() < 0.3,
                sends_resolved_at=rng.random() < 0.3,
            )
        )

    def _incident_title(self, symptom: str, link: str, deployment: object) -> str:
        if link == "deployment" and isinstance(deployment, Deployment) and self.rng.random() < 0.5:
            return f"{symptom} after deployment {deployment.deployment_id}"
        return symptom

    def _incident_description(
        self, link: str, deployment: object, sha: str, culprit: PullRequest | None
    ) -> str:
        if link == "deployment" and isinstance(deployment, Deployment):
            return (
                f"Alerts fired minutes after deployment {deployment.deployment_id} of {self.repo.full_name} "
                f"to {deployment.environment}."
            )
        if link == "sha":
            named = culprit.merge_commit_sha if culprit is not None else sha
            return f"Errors started right after the rollout of sha {named} in {self.repo.full_name}."
        if link == "pr":
            return "Suspected change: {PR}. Investigating."
        return "Customers report errors; investigating."

    def _respond(
        self,
        response: str,
        incident_at: float,
        responder: Person,
        culprit: PullRequest | None,
        previous_sha: str,
        symptom: str,
    ) -> float | None:
        rng = self.rng
        if response == "rollback":
            rollback_at = incident_at + rng.uniform(10, 45) * MINUTE
            self.schedule(
                rollback_at, "deploy", {"sha": previous_sha, "kind": "rollback", "actor": responder}
            )
            # The real fix follows later as a hotfix pull request.
            fix_at = working_time(incident_at + hours(rng, 4, 0.6), responder.utc_offset_min, rng)
            self._hotfix(fix_at, responder, symptom, deploy_now=rng.random() < 0.5)
            resolved = rollback_at + rng.uniform(20, 50) * MINUTE
        elif response == "hotfix" or culprit is None:
            pr = self._hotfix(incident_at + rng.uniform(20, 50) * MINUTE, responder, symptom, deploy_now=True)
            resolved = pr.merged_at + rng.uniform(25, 50) * MINUTE if pr.merged_at else None
        else:
            pr = revert_pull_request(
                self.ctx, self.repo, responder, culprit, incident_at + rng.uniform(10, 35) * MINUTE, rng
            )
            if pr.merged_at is not None:
                self.schedule(pr.merged_at, "merge", pr)
                if not self.pushes_deploy:
                    self.schedule(
                        pr.merged_at + rng.uniform(5, 20) * MINUTE,
                        "deploy",
                        {"kind": "hotfix", "actor": responder},
                    )
            resolved = pr.merged_at + rng.uniform(25, 45) * MINUTE if pr.merged_at else None
        return resolved if resolved is not None and resolved <= YEAR_END else None

    def _hotfix(self, at: float, responder: Person, symptom: str, deploy_now: bool) -> PullRequest:
        rng = self.rng
        bug = incident_bug(
            self.ctx, at - rng.uniform(5, 15) * MINUTE, responder, f"Production: {symptom}", rng
        )
        pr = hotfix_pull_request(self.ctx, self.repo, responder, bug, at, rng)
        record_hotfix_flow(self.ctx, bug, rng)
        if pr.merged_at is not None:
            self.schedule(pr.merged_at, "merge", pr)
            if deploy_now and not self.pushes_deploy:
                self.schedule(
                    pr.merged_at + rng.uniform(5, 20) * MINUTE,
                    "deploy",
                    {"kind": "hotfix", "actor": responder},
                )
        return pr

    # -- after the year
    def _finalize(self) -> None:
        """Branch every PR from the main head of its first commit; merged branches join the history."""
        for pr in self.ctx.pull_requests.get(self.repo.name, []):
            previous = self._head_at(pr.commits[0].committed_at - 1)
            for commit in pr.commits:
                commit.parents = [previous]
                previous = commit.sha
            pr.base_sha = self._head_at(pr.created_at)
            if self.repo.merge_style == "merge" and pr.merged_at is not None:
                self.commits.extend(pr.commits)
        self.ctx.main_commits[self.repo.name] = self.commits
        self.ctx.deployments[self.repo.name] = self.deployments


def simulate_repositories(ctx: TeamContext) -> list[float]:
    """All repositories of the team; returns the finish times of successful production deployments."""
    finished = []
    for repo in ctx.spec.repos:
        simulation = RepositorySimulation(ctx, repo)
        simulation.run()
        finished.extend(at for at, _ in simulation.prod_successes)
    return sorted(finished)
