"""GitHub REST response bodies in the shape the API returns them (user, repository and `_links` objects
included), rendered from the simulation's records."""

from __future__ import annotations

import base64
import hashlib

from .ids import legacy_node_id, next_node_id, sha40
from .model import Commit, Deployment, DeploymentStatus, PullRequest, RepoSpec, Review, WorkflowRun
from .organisation import CI_WORKFLOW_PATH, DEPLOY_WORKFLOW_PATH, GITHUB_OWNER
from .people import Person
from .timeline import YEAR_END, github_time

API = "https://api.github.com"
WEB = "https://github.com"
ORGANISATION_ID = 91_234_567
LABELS = {
    "bug": ("d73a4a", "Something isn't working", True),
    "enhancement": ("a2eeef", "New feature or request", True),
    "dependencies": ("0366d6", "Pull requests that update a dependency file", False),
    "hotfix": ("b60205", "Urgent fix for production", False),
    "tech-debt": ("fbca04", "Paying back technical debt", False),
}
STATUS_DESCRIPTIONS = {
    "queued": "Deployment queued",
    "in_progress": "Deployment started",
    "success": "Deployment finished successfully.",
    "failure": "Deployment failed.",
    "error": "Deployment errored: the runner lost contact.",
    "inactive": "The deployment is now inactive",
}
PGP_BEGIN = "-----BEGIN PGP SIGNATURE-----\n\n"
PGP_END = "\n-----END PGP SIGNATURE-----\n"
BOT_APP_IDS = {"dependabot[bot]": 29110, "renovate[bot]": 2740, "github-actions[bot]": 15368}

_users: dict[str, dict] = {}


def user(person: Person) -> dict:
    cached = _users.get(person.login)
    if cached is None:
        login, uid = person.login, person.github_id
        url = f"{API}/users/{login}"
        avatar = (
            f"https://avatars.githubusercontent.com/in/{BOT_APP_IDS[login]}?v=4"
            if login in BOT_APP_IDS
            else f"https://avatars.githubusercontent.com/u/{uid}?v=4"
        )
        cached = {
            "login": login,
            "id": uid,
            "node_id": legacy_node_id("Bot" if person.is_bot else "User", uid),
            "avatar_url": avatar,
            "gravatar_id": "",
            "url": url,
            "html_url": f"{WEB}/apps/{login[:-5]}" if person.is_bot else f"{WEB}/{login}",
            "followers_url": f"{url}/followers",
            "following_url": f"{url}/following{{/other_user}}",
            "gists_url": f"{url}/gists{{/gist_id}}",
            "starred_url": f"{url}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{url}/subscriptions",
            "organizations_url": f"{url}/orgs",
            "repos_url": f"{url}/repos",
            "events_url": f"{url}/events{{/privacy}}",
            "received_events_url": f"{url}/received_events",
            "type": "Bot" if person.is_bot else "User",
            "site_admin": False,
        }
        _users[person.login] = cached
    return cached


def _organisation() -> dict:
    url = f"{API}/users/{GITHUB_OWNER}"
    return {
        "login": GITHUB_OWNER,
        "id": ORGANISATION_ID,
        "node_id": legacy_node_id("Organization", ORGANISATION_ID),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{ORGANISATION_ID}?v=4",
        "gravatar_id": "",
        "url": url,
        "html_url": f"{WEB}/{GITHUB_OWNER}",
        "followers_url": f"{url}/followers",
        "following_url": f"{url}/following{{/other_user}}",
        "gists_url": f"{url}/gists{{/gist_id}}",
        "starred_url": f"{url}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{url}/subscriptions",
        "organizations_url": f"{url}/orgs",
        "repos_url": f"{url}/repos",
        "events_url": f"{url}/events{{/privacy}}",
        "received_events_url": f"{url}/received_events",
        "type": "Organization",
        "site_admin": False,
    }


ORGANISATION = _organisation()


def minimal_repository(repo: RepoSpec) -> dict:
    """The repository object of workflow runs (no dates, counts or settings)."""
    base = f"{API}/repos/{repo.full_name}"
    return {
        "id": repo.repo_id,
        "node_id": legacy_node_id("Repository", repo.repo_id),
        "name": repo.name,
        "full_name": repo.full_name,
        "private": True,
        "owner": ORGANISATION,
        "html_url": f"{WEB}/{repo.full_name}",
        "description": f"{repo.name.replace('-', ' ').capitalize()} ({repo.language})",
        "fork": False,
        "url": base,
        "forks_url": f"{base}/forks",
        "keys_url": f"{base}/keys{{/key_id}}",
        "collaborators_url": f"{base}/collaborators{{/collaborator}}",
        "teams_url": f"{base}/teams",
        "hooks_url": f"{base}/hooks",
        "issue_events_url": f"{base}/issues/events{{/number}}",
        "events_url": f"{base}/events",
        "assignees_url": f"{base}/assignees{{/user}}",
        "branches_url": f"{base}/branches{{/branch}}",
        "tags_url": f"{base}/tags",
        "blobs_url": f"{base}/git/blobs{{/sha}}",
        "git_tags_url": f"{base}/git/tags{{/sha}}",
        "git_refs_url": f"{base}/git/refs{{/sha}}",
        "trees_url": f"{base}/git/trees{{/sha}}",
        "statuses_url": f"{base}/statuses/{{sha}}",
        "languages_url": f"{base}/languages",
        "stargazers_url": f"{base}/stargazers",
        "contributors_url": f"{base}/contributors",
        "subscribers_url": f"{base}/subscribers",
        "subscription_url": f"{base}/subscription",
        "commits_url": f"{base}/commits{{/sha}}",
        "git_commits_url": f"{base}/git/commits{{/sha}}",
        "comments_url": f"{base}/comments{{/number}}",
        "issue_comment_url": f"{base}/issues/comments{{/number}}",
        "contents_url": f"{base}/contents/{{+path}}",
        "compare_url": f"{base}/compare/{{base}}...{{head}}",
        "merges_url": f"{base}/merges",
        "archive_url": f"{base}/{{archive_format}}{{/ref}}",
        "downloads_url": f"{base}/downloads",
        "issues_url": f"{base}/issues{{/number}}",
        "pulls_url": f"{base}/pulls{{/number}}",
        "milestones_url": f"{base}/milestones{{/number}}",
        "notifications_url": f"{base}/notifications{{?since,all,participating}}",
        "labels_url": f"{base}/labels{{/name}}",
        "releases_url": f"{base}/releases{{/id}}",
        "deployments_url": f"{base}/deployments",
    }


def full_repository(repo: RepoSpec, pushed_at: float, open_issues: int) -> dict:
    """The repository object of pull requests' `head.repo` and `base.repo`."""
    body = minimal_repository(repo)
    body.update(
        {
            "created_at": github_time(repo.created_at),
            "updated_at": github_time(min(pushed_at + 3600, YEAR_END)),
            "pushed_at": github_time(pushed_at),
            "git_url": f"git://github.com/{repo.full_name}.git",
            "ssh_url": f"git@github.com:{repo.full_name}.git",
            "clone_url": f"{WEB}/{repo.full_name}.git",
            "svn_url": f"{WEB}/{repo.full_name}",
            "homepage": None,
            "size": 4_000 + repo.repo_id % 50_000,
            "stargazers_count": 0,
            "watchers_count": 0,
            "language": repo.language,
            "has_issues": True,
            "has_projects": False,
            "has_downloads": True,
            "has_wiki": False,
            "has_pages": False,
            "forks_count": 0,
            "mirror_url": None,
            "archived": False,
            "disabled": False,
            "open_issues_count": open_issues,
            "license": None,
            "allow_forking": False,
            "is_template": False,
            "topics": [],
            "visibility": "private",
            "forks": 0,
            "open_issues": open_issues,
            "watchers": 0,
            "default_branch": "main",
        }
    )
    return body


# --- Texts with tokens --------------------------------------------------------------------------------------


def pr_title(pr: PullRequest) -> str:
    if pr.reverts is not None:
        return f'Revert "{pr_title(pr.reverts)}"'
    return pr.title.replace("{KEY}", pr.item.key) if pr.item is not None else pr.title


def pr_head_ref(pr: PullRequest) -> str:
    if pr.reverts is not None:
        return f"revert-{pr.reverts.number}-{pr_head_ref(pr.reverts)}"
    return pr.head_ref.replace("{KEY}", pr.item.key) if pr.item is not None else pr.head_ref


def render_text(text: str, pr: PullRequest | None, key: str = "") -> str:
    if "{" not in text:
        return text
    if pr is not None:
        if pr.item is not None:
            key = pr.item.key
        if "{BULLETS}" in text:
            text = text.replace("{BULLETS}", "\n".join(f"* {render_text(c.message, pr)}" for c in pr.commits))
        text = text.replace("{TITLE}", pr_title(pr)).replace("{NUMBER}", str(pr.number))
        text = text.replace("{HEAD_REF}", pr_head_ref(pr))
        if pr.reverts is not None:
            reverted = pr.reverts
            text = (
                text.replace("{REVERTED_TITLE}", pr_title(reverted))
                .replace("{REVERTED_NUMBER}", str(reverted.number))
                .replace("{REVERTED_REF}", pr_head_ref(reverted))
                .replace("{REVERTED_SHA}", reverted.merge_commit_sha)
                .replace("{REVERTED_PR}", f"{reverted.repo.full_name}#{reverted.number}")
            )
    if key:
        text = text.replace("{JIRA_URL}", f"https://acme.atlassian.net/browse/{key}").replace("{KEY}", key)
    return text


def commit_message(commit: Commit) -> str:
    return render_text(commit.message, commit.pr, commit.item.key if commit.item is not None else "")


# --- Objects ------------------------------------------------------------------------------------------------


class RepositoryRenderer:
    def __init__(self, repo: RepoSpec, pushed_at: float, open_issues: int) -> None:
        self.repo = repo
        self.base = f"{API}/repos/{repo.full_name}"
        self.web = f"{WEB}/{repo.full_name}"
        self.repository = full_repository(repo, pushed_at, open_issues)
        self.minimal = minimal_repository(repo)
        self.short_repo = {"id": repo.repo_id, "url": self.base, "name": repo.name}

    def label(self, name: str) -> dict:
        color, description, default = LABELS[name]
        label_id = 5_000_000_000 + self.repo.ordinal * 100 + list(LABELS).index(name)
        return {
            "id": label_id,
            "node_id": legacy_node_id("Label", label_id),
            "url": f"{self.base}/labels/{name}",
            "name": name,
            "color": color,
            "default": default,
            "description": description,
        }

    def pull(self, pr: PullRequest, snapshot: float | None = None) -> dict:
        """A pull request as the list endpoint returns it; `snapshot` renders an earlier export of it."""
        at = YEAR_END if snapshot is None else snapshot
        merged_at = pr.merged_at if pr.merged_at is not None and pr.merged_at <= at else None
        closed_at = pr.closed_at if pr.closed_at is not None and pr.closed_at <= at else None
        commits = [c for c in pr.commits if c.committed_at <= at] or pr.commits[:1]
        head_sha = commits[-1].sha
        if snapshot is None:
            updated = min(max(pr.last_activity, pr.created_at) + 60 * (1 + pr.number % 50), YEAR_END)
        else:
            events = [pr.created_at] + [r.submitted_at for r in pr.reviews if r.submitted_at <= at]
            updated = max(events + [c.committed_at for c in commits])
        number = pr.number
        url = f"{self.base}/pulls/{number}"
        statuses_url = f"{self.base}/statuses/{head_sha}"
        ref = pr_head_ref(pr)
        author = user(pr.author)
        assignees = [author] if (pr.pr_id % 10 < 3 and not pr.author.is_bot) else []
        body = render_text(pr.body, pr) if pr.body is not None else None
        return {
            "url": url,
            "id": pr.pr_id,
            "node_id": legacy_node_id("PullRequest", pr.pr_id),
            "html_url": f"{self.web}/pull/{number}",
            "diff_url": f"{self.web}/pull/{number}.diff",
            "patch_url": f"{self.web}/pull/{number}.patch",
            "issue_url": f"{self.base}/issues/{number}",
            "number": number,
            "state": "closed" if closed_at is not None else "open",
            "locked": False,
            "title": pr_title(pr),
            "user": author,
            "body": body,
            "created_at": github_time(pr.created_at),
            "updated_at": github_time(updated),
            "closed_at": github_time(closed_at) if closed_at is not None else None,
            "merged_at": github_time(merged_at) if merged_at is not None else None,
            "merge_commit_sha": pr.merge_commit_sha if merged_at is not None else pr.test_merge_sha,
            "assignee": assignees[0] if assignees else None,
            "assignees": assignees,
            "requested_reviewers": [user(p) for p in pr.requested_reviewers] if closed_at is None else [],
            "requested_teams": [],
            "labels": [self.label(name) for name in pr.labels],
            "milestone": None,
            "draft": pr.draft,
            "commits_url": f"{url}/commits",
            "review_comments_url": f"{url}/comments",
            "review_comment_url": f"{self.base}/pulls/comments{{/number}}",
            "comments_url": f"{self.base}/issues/{number}/comments",
            "statuses_url": statuses_url,
            "head": {
                "label": f"{GITHUB_OWNER}:{ref}",
                "ref": ref,
                "sha": head_sha,
                "user": ORGANISATION,
                "repo": self.repository,
            },
            "base": {
                "label": f"{GITHUB_OWNER}:main",
                "ref": "main",
                "sha": pr.base_sha,
                "user": ORGANISATION,
                "repo": self.repository,
            },
            "_links": {
                "self": {"href": url},
                "html": {"href": f"{self.web}/pull/{number}"},
                "issue": {"href": f"{self.base}/issues/{number}"},
                "comments": {"href": f"{self.base}/issues/{number}/comments"},
                "review_comments": {"href": f"{url}/comments"},
                "review_comment": {"href": f"{self.base}/pulls/comments{{/number}}"},
                "commits": {"href": f"{url}/commits"},
                "statuses": {"href": statuses_url},
            },
            "author_association": "CONTRIBUTOR" if pr.author.is_bot else "MEMBER",
            "auto_merge": None,
            "active_lock_reason": None,
        }

    def commit(self, commit: Commit) -> dict:
        message = commit_message(commit)
        tree = sha40("tree", commit.sha)
        committer = commit.committer
        committer_name = committer.name if committer is not None else commit.author_name
        committer_email = committer.email if committer is not None else commit.author_email
        return {
            "sha": commit.sha,
            "node_id": legacy_node_id("Commit", f"{self.repo.repo_id}:{commit.sha}"),
            "commit": {
                "author": {
                    "name": commit.author_name,
                    "email": commit.author_email,
                    "date": github_time(commit.authored_at),
                },
                "committer": {
                    "name": committer_name,
                    "email": committer_email,
                    "date": github_time(commit.committed_at),
                },
                "message": message,
                "tree": {"sha": tree, "url": f"{self.base}/git/trees/{tree}"},
                "url": f"{self.base}/git/commits/{commit.sha}",
                "comment_count": 0,
                "verification": _verification(commit, tree, message, committer_name, committer_email),
            },
            "url": f"{self.base}/commits/{commit.sha}",
            "html_url": f"{self.web}/commit/{commit.sha}",
            "comments_url": f"{self.base}/commits/{commit.sha}/comments",
            "author": user(commit.author) if commit.author is not None else None,
            "committer": user(committer) if committer is not None else None,
            "parents": [
                {
                    "sha": parent,
                    "url": f"{self.base}/commits/{parent}",
                    "html_url": f"{self.web}/commit/{parent}",
                }
                for parent in commit.parents
            ],
        }

    def review(self, pr: PullRequest, review: Review) -> dict:
        html = f"{self.web}/pull/{pr.number}#pullrequestreview-{review.review_id}"
        pull_url = f"{self.base}/pulls/{pr.number}"
        return {
            "id": review.review_id,
            "node_id": legacy_node_id("PullRequestReview", review.review_id),
            "user": user(review.reviewer),
            "body": review.body,
            "state": review.state,
            "html_url": html,
            "pull_request_url": pull_url,
            "author_association": "MEMBER",
            "_links": {"html": {"href": html}, "pull_request": {"href": pull_url}},
            "submitted_at": github_time(review.submitted_at),
            "commit_id": review.commit_id,
        }

    def deployment(self, deployment: Deployment) -> dict:
        url = f"{self.base}/deployments/{deployment.deployment_id}"
        last = max((s.at for s in deployment.statuses), default=deployment.created_at)
        body = {
            "url": url,
            "id": deployment.deployment_id,
            "node_id": legacy_node_id("Deployment", deployment.deployment_id),
            "sha": deployment.sha,
            "ref": deployment.ref,
            "task": "deploy",
            "payload": {},
            "original_environment": deployment.environment,
            "environment": deployment.environment,
            "description": deployment.description,
            "creator": user(deployment.creator),
            "created_at": github_time(deployment.created_at),
            "updated_at": github_time(last),
            "statuses_url": f"{url}/statuses",
            "repository_url": self.base,
            "transient_environment": False,
            "production_environment": deployment.production,
            "performed_via_github_app": None,
        }
        if not self.repo.sends_production_flag:
            del body["production_environment"]
        return body

    def deployment_status(self, deployment: Deployment, status: DeploymentStatus) -> dict:
        url = f"{self.base}/deployments/{deployment.deployment_id}"
        environment_url = (
            f"https://{self.repo.name}.acme.example.com"
            if deployment.production
            else (f"https://{self.repo.name}.staging.acme.example.com")
        )
        return {
            "url": f"{url}/statuses/{status.status_id}",
            "id": status.status_id,
            "node_id": legacy_node_id("DeploymentStatus", status.status_id),
            "state": status.state,
            "creator": user(status.creator),
            "description": STATUS_DESCRIPTIONS[status.state],
            "environment": deployment.environment,
            "target_url": f"{self.web}/actions",
            "created_at": github_time(status.at),
            "updated_at": github_time(status.at),
            "deployment_url": url,
            "repository_url": self.base,
            "environment_url": environment_url,
            "log_url": f"{self.web}/actions",
            "performed_via_github_app": None,
        }

    def workflow_run(self, run: WorkflowRun) -> dict:
        is_ci = run.workflow == "ci"
        workflow_id = 60_000_000 + self.repo.ordinal * 10 + (1 if is_ci else 2)
        check_suite_id = 20_000_000_000 + run.run_id % 10_000_000_000
        url = f"{self.base}/actions/runs/{run.run_id}"
        head = run.head_commit
        committer = head.committer
        pull_requests = []
        if run.pr is not None and run.event == "pull_request":
            pull_requests.append(
                {
                    "url": f"{self.base}/pulls/{run.pr.number}",
                    "id": run.pr.pr_id,
                    "number": run.pr.number,
                    "head": {"ref": pr_head_ref(run.pr), "sha": run.head_sha, "repo": self.short_repo},
                    "base": {"ref": "main", "sha": run.pr.base_sha, "repo": self.short_repo},
                }
            )
        head_branch = (
            pr_head_ref(run.pr) if run.pr is not None and run.event == "pull_request" else run.head_branch
        )
        return {
            "id": run.run_id,
            "name": "CI" if is_ci else "Deploy",
            "node_id": next_node_id("WFR", run.run_id),
            "head_branch": head_branch,
            "head_sha": run.head_sha,
            "path": CI_WORKFLOW_PATH if is_ci else DEPLOY_WORKFLOW_PATH,
            "run_number": run.run_number,
            "event": run.event,
            "status": run.status,
            "conclusion": run.conclusion,
            "workflow_id": workflow_id,
            "check_suite_id": check_suite_id,
            "check_suite_node_id": next_node_id("CS", check_suite_id),
            "url": url,
            "html_url": f"{self.web}/actions/runs/{run.run_id}",
            "pull_requests": pull_requests,
            "created_at": github_time(run.created_at),
            "updated_at": github_time(run.updated_at),
            "actor": user(run.actor),
            "run_attempt": run.run_attempt,
            "referenced_workflows": [],
            "run_started_at": github_time(run.started_at),
            "triggering_actor": user(run.actor),
            "jobs_url": f"{url}/jobs",
            "logs_url": f"{url}/logs",
            "check_suite_url": f"{self.base}/check-suites/{check_suite_id}",
            "artifacts_url": f"{url}/artifacts",
            "cancel_url": f"{url}/cancel",
            "rerun_url": f"{url}/rerun",
            "previous_attempt_url": f"{url}/attempts/{run.run_attempt - 1}" if run.run_attempt > 1 else None,
            "workflow_url": f"{self.base}/actions/workflows/{workflow_id}",
            "head_commit": {
                "id": head.sha,
                "tree_id": sha40("tree", head.sha),
                "message": commit_message(head),
                "timestamp": github_time(head.committed_at),
                "author": {"name": head.author_name, "email": head.author_email},
                "committer": {
                    "name": committer.name if committer is not None else head.author_name,
                    "email": committer.email if committer is not None else head.author_email,
                },
            },
            "repository": self.minimal,
            "head_repository": self.minimal,
        }


def _verification(commit: Commit, tree: str, message: str, committer_name: str, committer_email: str) -> dict:
    if not commit.signed:
        return {"verified": False, "reason": "unsigned", "signature": None, "payload": None}
    digest = hashlib.sha512(commit.sha.encode()).digest() * 4
    armour = base64.b64encode(digest[:240]).decode()
    lines = "\n".join(armour[i : i + 64] for i in range(0, len(armour), 64))
    parents = "".join(f"parent {p}\n" for p in commit.parents)
    author = f"{commit.author_name} <{commit.author_email}> {int(commit.authored_at)} +0000"
    committer = f"{committer_name} <{committer_email}> {int(commit.committed_at)} +0000"
    payload = f"tree {tree}\n{parents}author {author}\ncommitter {committer}\n\n{message}"
    return {
        "verified": True,
        "reason": "valid",
        "signature": f"{PGP_BEGIN}wsBcBAABCAAQBQJ{lines}{PGP_END}",
        "payload": payload,
    }
