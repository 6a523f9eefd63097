"""GitLab REST v4 response bodies for a team whose code lives on GitLab (`gitlab/<group>/<project>/...`).

The simulated pull requests become merge requests (`iid` per project, `id` global), reviews become notes
(approvals are the system note "approved this merge request", with its time), the default branch keeps its
merge or squash commits with `parent_ids`, CI runs become pipelines, and deployments to `staging` and
`production` become GitLab deployments with the environment's tier, unless the team deploys through
another tool (Jenkins). A few merge requests come again in a later re-export, merged by then.
"""

from __future__ import annotations

import time

from .github import render_text
from .ids import rng_for, stable_int
from .model import Commit, Deployment, PullRequest, RepoSpec, TeamContext, WorkflowRun
from .organisation import GITLAB_HOST
from .output import ExportWriter, paginate
from .people import WEB_FLOW, Person
from .pulls import stale_pull_requests
from .timeline import MINUTE, YEAR_END
from .vocabulary import REVIEW_BODIES

WEB = f"https://{GITLAB_HOST}"
PAGE_SIZE = 100
MAX_STALE = 2
PROJECT_ID_BASE = 4_200
MERGE_REQUEST_ID_BASE = 180_000
NOTE_ID_BASE = 2_400_000
PIPELINE_ID_BASE = 910_000
JOB_ID_BASE = 6_300_000
ENVIRONMENT_ID_BASE = 1_500
PIPELINE_STATUS = {"success": "success", "failure": "failed", "cancelled": "canceled"}


def gitlab_time(t: float) -> str:
    """GitLab: `2026-03-02T11:00:00.000Z`."""
    millis = round((t - int(t)) * 1000) % 1000
    return f"{time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(int(t)))}.{millis:03d}Z"


# Bots as GitLab knows them: Renovate runs as a bot user, deploy jobs run as the project's deploy bot.
BOT_USERS = {
    "renovate[bot]": ("renovate-bot", "Renovate Bot"),
    "dependabot[bot]": ("renovate-bot", "Renovate Bot"),
}
DEPLOY_BOT = ("deploy-bot", "Deploy Bot")


def user(person: Person) -> dict:
    username, name = person.login, person.name
    if person.is_bot:
        username, name = BOT_USERS.get(person.login, DEPLOY_BOT)
    return {
        "id": 20_000 + stable_int("gitlab-user", username) % 900_000,
        "username": username,
        "name": name,
        "state": "active",
        "locked": False,
        "avatar_url": None,
        "web_url": f"{WEB}/{username}",
    }


def _committer(commit: Commit) -> Person | None:
    """Web merges are committed by the person who merged, not by GitHub's web-flow."""
    if commit.committer is None or commit.committer.login != WEB_FLOW.login:
        return commit.committer
    if commit.pr is not None:
        return commit.pr.merged_by or commit.pr.author
    return commit.author


class ProjectRenderer:
    def __init__(self, ctx: TeamContext, repo: RepoSpec) -> None:
        self.ctx, self.repo = ctx, repo
        self.path = repo.full_name
        self.project_id = PROJECT_ID_BASE + repo.ordinal
        self.web = f"{WEB}/{self.path}"
        self.squash = repo.merge_style == "squash"

    # -- merge requests
    def title(self, pr: PullRequest) -> str:
        title = (
            render_text(pr.title, pr)
            if pr.reverts is None
            else f'Revert "{render_text(pr.reverts.title, pr.reverts)}"'
        )
        return f"Draft: {title}" if pr.draft else title

    def source_branch(self, pr: PullRequest) -> str:
        if pr.reverts is not None:
            return f"revert-{pr.reverts.merge_commit_sha[:8]}"
        return render_text(pr.head_ref, pr)

    def merge_request(self, pr: PullRequest, as_of: float = YEAR_END) -> dict:
        closed = pr.closed_at is not None and pr.closed_at <= as_of
        merged = closed and pr.merged_at is not None
        state = "merged" if merged else ("closed" if closed else "opened")
        updated = min(pr.closed_at if closed else max(pr.last_activity, pr.created_at), as_of)
        notes = [n for n in pr.reviews if n.submitted_at <= as_of]
        reviewers = {r.reviewer.login: r.reviewer for r in pr.reviews if r.reviewer.login != pr.author.login}
        for person in pr.requested_reviewers:
            reviewers.setdefault(person.login, person)
        merger = user(pr.merged_by or pr.author) if merged else None
        reference = f"!{pr.number}"
        return {
            "id": MERGE_REQUEST_ID_BASE + self.repo.ordinal * 20_000 + pr.number,
            "iid": pr.number,
            "project_id": self.project_id,
            "title": self.title(pr),
            "description": render_text(pr.body, pr) if pr.body else "",
            "state": state,
            "created_at": gitlab_time(pr.created_at),
            "updated_at": gitlab_time(updated),
            "merged_by": merger,
            "merge_user": merger,
            "merged_at": gitlab_time(pr.merged_at) if merged else None,
            "closed_by": user(pr.author) if closed and not merged else None,
            "closed_at": gitlab_time(pr.closed_at) if closed and not merged else None,
            "target_branch": "main",
            "source_branch": self.source_branch(pr),
            "user_notes_count": sum(1 for n in notes if n.state != "APPROVED"),
            "upvotes": 0,
            "downvotes": 0,
            "author": user(pr.author),
            "assignees": [user(pr.author)],
            "assignee": user(pr.author),
            "reviewers": [user(person) for person in reviewers.values()],
            "source_project_id": self.project_id,
            "target_project_id": self.project_id,
            "labels": list(pr.labels),
            "draft": pr.draft,
            "work_in_progress": pr.draft,
            "milestone": None,
            "merge_when_pipeline_succeeds": False,
            "merge_status": "can_be_merged",
            "detailed_merge_status": "not_open" if closed else "mergeable",
            "sha": pr.head_sha,
            "merge_commit_sha": pr.merge_commit_sha if merged and not self.squash else None,
            "squash_commit_sha": pr.merge_commit_sha if merged and self.squash else None,
            "discussion_locked": None,
            "should_remove_source_branch": True,
            "force_remove_source_branch": True,
            "prepared_at": gitlab_time(pr.created_at),
            "reference": reference,
            "references": {"short": reference, "relative": reference, "full": f"{self.path}{reference}"},
            "web_url": f"{self.web}/-/merge_requests/{pr.number}",
            "time_stats": {
                "time_estimate": 0,
                "total_time_spent": 0,
                "human_time_estimate": None,
                "human_total_time_spent": None,
            },
            "squash": self.squash,
            "squash_on_merge": self.squash,
            "task_completion_status": {"count": 0, "completed_count": 0},
            "has_conflicts": False,
            "blocking_discussions_resolved": True,
        }

    # -- commits
    def commit(self, commit: Commit, with_parents: bool) -> dict:
        message = self.message(commit)
        committer = _committer(commit)
        body = {
            "id": commit.sha,
            "short_id": commit.sha[:8],
            "created_at": gitlab_time(commit.committed_at),
            "parent_ids": list(commit.parents),
            "title": message.split("\n", 1)[0],
            "message": message + "\n",
            "author_name": commit.author_name,
            "author_email": commit.author_email,
            "authored_date": gitlab_time(commit.authored_at),
            "committer_name": committer.name if committer is not None else commit.author_name,
            "committer_email": committer.email if committer is not None else commit.author_email,
            "committed_date": gitlab_time(commit.committed_at),
            "trailers": {},
            "extended_trailers": {},
            "web_url": f"{self.web}/-/commit/{commit.sha}",
        }
        if not with_parents:
            del body["parent_ids"]  # the merge request commits endpoint leaves them out
        return body

    def message(self, commit: Commit) -> str:
        """GitLab's merge and squash commit messages instead of GitHub's."""
        pr = commit.pr
        if pr is not None and commit.sha == pr.merge_commit_sha:
            if self.squash:
                return self.title(pr)
            return (
                f"Merge branch '{self.source_branch(pr)}' into 'main'\n\n{self.title(pr)}\n\n"
                f"See merge request {self.path}!{pr.number}"
            )
        key = commit.item.key if commit.item is not None else ""
        return render_text(commit.message, pr, key).replace("(#", "(!")

    # -- notes
    def notes(self, pr: PullRequest) -> list[dict]:
        """Newest first, as the endpoint sorts them by default."""
        notes = []
        for review in pr.reviews:
            if review.state == "APPROVED":
                notes.append((review.submitted_at, review.reviewer, "approved this merge request", True))
                if review.body:
                    notes.append((review.submitted_at - 20, review.reviewer, review.body, False))
            elif review.state == "CHANGES_REQUESTED":
                notes.append((review.submitted_at, review.reviewer, "requested changes", True))
                notes.append((review.submitted_at - 30, review.reviewer, review.body or "See inline.", False))
            else:
                body = review.body or REVIEW_BODIES["COMMENTED"][0]
                notes.append((review.submitted_at, review.reviewer, body, False))
        for commit in pr.commits[1:]:
            if commit.committed_at > pr.created_at:
                text = f"added 1 commit\n\n<ul><li>{commit.sha[:8]} - {self.message(commit)}</li></ul>"
                notes.append((commit.committed_at + 30, commit.author or pr.author, text, True))
        notes.sort(key=lambda note: note[0])
        merge_request_id = MERGE_REQUEST_ID_BASE + self.repo.ordinal * 20_000 + pr.number
        bodies = []
        for index, (at, author, body, system) in enumerate(notes):
            bodies.append(
                {
                    "id": NOTE_ID_BASE + self.repo.ordinal * 200_000 + pr.number * 40 + index,
                    "type": None,
                    "body": body,
                    "attachment": None,
                    "author": user(author),
                    "created_at": gitlab_time(at),
                    "updated_at": gitlab_time(at),
                    "system": system,
                    "noteable_id": merge_request_id,
                    "noteable_type": "MergeRequest",
                    "project_id": self.project_id,
                    "resolvable": False,
                    "confidential": False,
                    "internal": False,
                    "noteable_iid": pr.number,
                    "commands_changes": {},
                }
            )
        return bodies[::-1]

    # -- pipelines and deployments
    def pipeline(self, pipeline_id: int, iid: int, run: WorkflowRun) -> dict:
        status = PIPELINE_STATUS.get(run.conclusion or "", "running")
        return {
            "id": pipeline_id,
            "iid": iid,
            "project_id": self.project_id,
            "sha": run.head_sha,
            "ref": self.source_branch(run.pr) if run.pr is not None else "main",
            "status": status if run.status == "completed" else "running",
            "source": "merge_request_event" if run.pr is not None else "push",
            "created_at": gitlab_time(run.created_at),
            "updated_at": gitlab_time(run.updated_at),
            "web_url": f"{self.web}/-/pipelines/{pipeline_id}",
            "name": None,
        }

    def deployment(self, deployment: Deployment, iid: int, pipeline: dict) -> dict:
        states = {status.state: status.at for status in deployment.statuses}
        status = "canceled" if not states else "running"
        finished = None
        for state, name in (("success", "success"), ("failure", "failed"), ("error", "failed")):
            if state in states:
                status, finished = name, states[state]
        started = states.get("in_progress")
        updated = finished or started or deployment.created_at
        environment = "production" if deployment.production else "staging"
        job_id = JOB_ID_BASE + self.repo.ordinal * 100_000 + iid
        person = user(deployment.creator)
        return {
            "id": deployment.deployment_id,
            "iid": iid,
            "ref": "main",
            "sha": deployment.sha,
            "created_at": gitlab_time(deployment.created_at),
            "updated_at": gitlab_time(updated + 2),
            "status": status,
            "user": person,
            "environment": {
                "id": ENVIRONMENT_ID_BASE + self.repo.ordinal * 10 + (1 if deployment.production else 0),
                "name": environment,
                "slug": environment,
                "external_url": f"https://{'' if deployment.production else 'staging.'}{self.repo.name}.acme.example",
                "tier": environment,
                "state": "available",
                "created_at": gitlab_time(self.repo.created_at),
                "updated_at": gitlab_time(self.repo.created_at),
            },
            "deployable": {
                "id": job_id,
                "status": status,
                "stage": "deploy",
                "name": "deploy-prod" if deployment.production else "deploy-staging",
                "ref": "main",
                "tag": False,
                "coverage": None,
                "allow_failure": False,
                "created_at": gitlab_time(deployment.created_at),
                "started_at": gitlab_time(started) if started else None,
                "finished_at": gitlab_time(finished) if finished else None,
                "erased_at": None,
                "duration": round(finished - started, 3) if finished and started else None,
                "queued_duration": 1.2,
                "user": person,
                "commit": {"id": deployment.sha, "short_id": deployment.sha[:8]},
                "pipeline": pipeline,
                "web_url": f"{self.web}/-/jobs/{job_id}",
                "artifacts": [],
                "runner": None,
                "artifacts_expire_at": None,
            },
        }


def write_gitlab(ctx: TeamContext, writer: ExportWriter) -> None:
    for repo in ctx.spec.repos:
        renderer = ProjectRenderer(ctx, repo)
        folder = f"gitlab/{repo.full_name}"
        rng = rng_for(ctx.seed, "gitlab-pages", repo.full_name)
        _write_merge_requests(ctx, repo, renderer, folder, writer, rng)
        commits = ctx.main_commits[repo.name]
        ordered = [
            c for _, c in sorted(enumerate(commits), key=lambda ic: (ic[1].committed_at, ic[0]), reverse=True)
        ]
        for number, page in enumerate(paginate(ordered, PAGE_SIZE, rng), 1):
            body = [renderer.commit(commit, with_parents=True) for commit in page]
            writer.write(f"{folder}/commits/page-{number:04d}.json", body, "gitlab/commits", len(body))
        pipelines = _write_pipelines(ctx, repo, renderer, folder, writer)
        if ctx.spec.team.deploy_tool == "gitlab":
            _write_deployments(ctx, repo, renderer, folder, writer, pipelines)


def _write_merge_requests(ctx, repo, renderer: ProjectRenderer, folder, writer, rng) -> None:
    prs = ctx.pull_requests.get(repo.name, [])
    stale = stale_pull_requests(prs, MAX_STALE)
    by_update = sorted(prs, key=lambda pr: (pr.closed_at or pr.last_activity or pr.created_at, pr.number))
    for number, page in enumerate(paginate(by_update, PAGE_SIZE, rng), 1):
        body = [renderer.merge_request(pr, stale.get(pr, YEAR_END)) for pr in page]
        writer.write(
            f"{folder}/merge_requests/page-{number:04d}.json", body, "gitlab/merge_requests", len(body)
        )
    if stale:
        body = [renderer.merge_request(pr) for pr in stale]
        writer.write(
            f"{folder}/merge_requests/page-update-0001.json", body, "gitlab/merge_requests", len(body)
        )
    for pr in prs:
        body = [renderer.commit(commit, with_parents=False) for commit in reversed(pr.commits)]
        writer.write(
            f"{folder}/merge_request_commits/{pr.number}.json",
            body,
            "gitlab/merge_request_commits",
            len(body),
        )
        body = renderer.notes(pr)
        writer.write(
            f"{folder}/merge_request_notes/{pr.number}.json", body, "gitlab/merge_request_notes", len(body)
        )


def _write_pipelines(ctx, repo, renderer: ProjectRenderer, folder, writer) -> dict[str, dict]:
    """Pipelines by `updated_at`, ascending; returns the newest main pipeline of each sha."""
    runs = sorted(ctx.runs.get(repo.name, []), key=lambda r: (r.created_at, r.run_id))
    bodies, by_sha = [], {}
    for iid, run in enumerate(runs, 1):
        body = renderer.pipeline(PIPELINE_ID_BASE + repo.ordinal * 100_000 + iid, iid, run)
        bodies.append(body)
        if run.pr is None:
            by_sha[run.head_sha] = body
    bodies.sort(key=lambda b: (b["updated_at"], b["id"]))
    for start in range(0, len(bodies), PAGE_SIZE):
        page = bodies[start : start + PAGE_SIZE]
        writer.write(
            f"{folder}/pipelines/page-{start // PAGE_SIZE + 1:04d}.json", page, "gitlab/pipelines", len(page)
        )
    return by_sha


def _write_deployments(
    ctx, repo, renderer: ProjectRenderer, folder, writer, pipelines: dict[str, dict]
) -> None:
    deployments = sorted(ctx.deployments.get(repo.name, []), key=lambda d: (d.created_at, d.deployment_id))
    bodies = []
    for iid, deployment in enumerate(deployments, 1):
        pipeline = pipelines.get(deployment.sha) or {
            "id": PIPELINE_ID_BASE + repo.ordinal * 100_000 + 90_000 + iid,
            "iid": 9_000 + iid,
            "project_id": renderer.project_id,
            "sha": deployment.sha,
            "ref": "main",
            "status": "success",
            "source": "web",
            "created_at": gitlab_time(deployment.created_at - 5 * MINUTE),
            "updated_at": gitlab_time(deployment.created_at),
            "web_url": f"{renderer.web}/-/pipelines/{PIPELINE_ID_BASE + repo.ordinal * 100_000 + 90_000 + iid}",
        }
        bodies.append(
            renderer.deployment(deployment, iid, {k: v for k, v in pipeline.items() if k != "name"})
        )
    bodies.sort(key=lambda b: (b["updated_at"], b["id"]))
    for start in range(0, len(bodies), PAGE_SIZE):
        page = bodies[start : start + PAGE_SIZE]
        writer.write(
            f"{folder}/deployments/page-{start // PAGE_SIZE + 1:04d}.json",
            page,
            "gitlab/deployments",
            len(page),
        )
