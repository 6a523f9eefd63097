"""The demo organisation generator: deterministic, bounded, in the real APIs' shapes, and every case planted.

One S organisation (seed 7) is generated once for the module; determinism is checked on a smaller scale.
"""

from __future__ import annotations

import hashlib
import json
import re
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import pytest

from demo.generate import generate_demo_exports, parse_scale
from demo.organisation import (
    DEPLOY_WORKFLOW_PATH,
    PLANTED_SLOWDOWN_RELEASE,
    PLANTED_SLOWDOWN_RELEASE_DATE,
    PLANTED_SLOWDOWN_TEAM,
    TEAMS,
)

GITHUB_TEAMS = tuple(team for team in TEAMS if team.is_github_team)
YEAR_START = datetime(2025, 11, 1, tzinfo=UTC).timestamp()
YEAR_END = datetime(2026, 10, 31, 23, 59, 59, tzinfo=UTC).timestamp()
PRODUCTION = re.compile(r"^prod(uction)?$", re.IGNORECASE)
JIRA_KEY = re.compile(r"[A-Z][A-Z0-9]+-\d+")
TIMESTAMP = re.compile(r'"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))"')
DATE = re.compile(r'"(\d{4}-\d{2}-\d{2})"')
HOUR = 3600.0
DAY = 86400.0

# Key sets of the real response bodies in the reference samples (GitHub panjf2000/ants, a Jira Cloud site).
PULL_KEYS = {
    "url",
    "id",
    "node_id",
    "html_url",
    "diff_url",
    "patch_url",
    "issue_url",
    "number",
    "state",
    "locked",
    "title",
    "user",
    "body",
    "created_at",
    "updated_at",
    "closed_at",
    "merged_at",
    "merge_commit_sha",
    "assignee",
    "assignees",
    "requested_reviewers",
    "requested_teams",
    "labels",
    "milestone",
    "draft",
    "commits_url",
    "review_comments_url",
    "review_comment_url",
    "comments_url",
    "statuses_url",
    "head",
    "base",
    "_links",
    "author_association",
    "auto_merge",
    "active_lock_reason",
}
REPO_KEYS_IN_PULLS = {
    "id",
    "node_id",
    "name",
    "full_name",
    "private",
    "owner",
    "html_url",
    "description",
    "fork",
    "url",
    "created_at",
    "updated_at",
    "pushed_at",
    "git_url",
    "ssh_url",
    "clone_url",
    "svn_url",
    "homepage",
    "size",
    "stargazers_count",
    "watchers_count",
    "language",
    "has_issues",
    "has_projects",
    "has_downloads",
    "has_wiki",
    "has_pages",
    "forks_count",
    "mirror_url",
    "archived",
    "disabled",
    "open_issues_count",
    "license",
    "allow_forking",
    "is_template",
    "topics",
    "visibility",
    "forks",
    "open_issues",
    "watchers",
    "default_branch",
}
USER_KEYS = {
    "login",
    "id",
    "node_id",
    "avatar_url",
    "gravatar_id",
    "url",
    "html_url",
    "followers_url",
    "following_url",
    "gists_url",
    "starred_url",
    "subscriptions_url",
    "organizations_url",
    "repos_url",
    "events_url",
    "received_events_url",
    "type",
    "site_admin",
}
COMMIT_KEYS = {
    "sha",
    "node_id",
    "commit",
    "url",
    "html_url",
    "comments_url",
    "author",
    "committer",
    "parents",
}
REVIEW_KEYS = {
    "id",
    "node_id",
    "user",
    "body",
    "state",
    "html_url",
    "pull_request_url",
    "author_association",
    "_links",
    "submitted_at",
    "commit_id",
}
RUN_KEYS = {
    "id",
    "name",
    "node_id",
    "head_branch",
    "head_sha",
    "path",
    "run_number",
    "event",
    "status",
    "conclusion",
    "workflow_id",
    "check_suite_id",
    "check_suite_node_id",
    "url",
    "html_url",
    "pull_requests",
    "created_at",
    "updated_at",
    "actor",
    "run_attempt",
    "referenced_workflows",
    "run_started_at",
    "triggering_actor",
    "jobs_url",
    "logs_url",
    "check_suite_url",
    "artifacts_url",
    "cancel_url",
    "rerun_url",
    "previous_attempt_url",
    "workflow_url",
    "head_commit",
    "repository",
    "head_repository",
}
JIRA_STANDARD_FIELDS = {
    "aggregateprogress",
    "aggregatetimeestimate",
    "aggregatetimeoriginalestimate",
    "aggregatetimespent",
    "assignee",
    "attachment",
    "comment",
    "components",
    "created",
    "creator",
    "customfield_10014",
    "customfield_10020",
    "description",
    "duedate",
    "environment",
    "fixVersions",
    "issuelinks",
    "issuerestriction",
    "issuetype",
    "labels",
    "lastViewed",
    "priority",
    "progress",
    "project",
    "reporter",
    "resolution",
    "resolutiondate",
    "security",
    "status",
    "statuscategorychangedate",
    "subtasks",
    "summary",
    "timeestimate",
    "timeoriginalestimate",
    "timespent",
    "timetracking",
    "updated",
    "versions",
    "votes",
    "watches",
    "worklog",
    "workratio",
}
JIRA_BOARD_FIELDS = {"sprint", "closedSprints", "epic", "flagged"}
INCIDENT_KEYS = {
    "id",
    "incident_number",
    "title",
    "description",
    "status",
    "urgency",
    "priority",
    "service",
    "escalation_policy",
    "teams",
    "assignments",
    "acknowledgements",
    "created_at",
    "last_status_change_at",
    "updated_at",
    "incident_key",
    "html_url",
}


def parse_time(text: str) -> float:
    """Jira (`+0800`), GitHub (`Z`) and PagerDuty (microseconds) timestamps."""
    text = text.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", text):
        text = f"{text[:-2]}:{text[-2:]}"
    return datetime.fromisoformat(text).timestamp()


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def newest(versions: dict, record: dict, key: object, updated: str) -> None:
    current = versions.get(key)
    if current is None or parse_time(record[updated]) > parse_time(current[updated]):
        versions[key] = record


@dataclass
class Repository:
    name: str
    pulls: dict[int, dict] = field(default_factory=dict)  # newest version per number
    pull_pages: list[list[dict]] = field(default_factory=list)
    pull_updates: list[dict] = field(default_factory=list)
    pull_commits: dict[int, list[dict]] = field(default_factory=dict)
    pull_reviews: dict[int, list[dict]] = field(default_factory=dict)
    commits: dict[str, dict] = field(default_factory=dict)
    commit_pages: list[list[dict]] = field(default_factory=list)
    deployments: dict[int, dict] = field(default_factory=dict)
    statuses: dict[int, list[dict]] = field(default_factory=dict)
    runs: dict[int, dict] = field(default_factory=dict)
    run_pages: list[dict] = field(default_factory=list)

    def parents(self, sha: str) -> list[str]:
        return [p["sha"] for p in self.commits[sha]["parents"]]

    def is_ancestor(self, older: str, newer: str) -> bool:
        seen, stack = set(), [newer]
        while stack:
            sha = stack.pop()
            if sha == older:
                return True
            if sha in seen or sha not in self.commits:
                continue
            seen.add(sha)
            stack.extend(self.parents(sha))
        return False

    def production_deploys(self) -> list[tuple[float, str, object]]:
        """(deployed_at, sha, id) of successful production deployments, deployments or deploy runs."""
        deploys = []
        for deployment in self.deployments.values():
            if PRODUCTION.match(deployment["environment"]):
                successes = [
                    parse_time(s["created_at"])
                    for s in self.statuses[deployment["id"]]
                    if s["state"] == "success"
                ]
                if successes:
                    deploys.append((min(successes), deployment["sha"], deployment["id"]))
        for run in self.runs.values():
            if run["path"] == DEPLOY_WORKFLOW_PATH and run["conclusion"] == "success":
                deploys.append((parse_time(run["updated_at"]), run["head_sha"], run["id"]))
        return sorted(deploys)


@dataclass
class Export:
    root: Path
    counts: dict[str, int]
    seconds: float
    issues: dict[str, dict] = field(default_factory=dict)  # newest version per key
    issue_pages: list[dict] = field(default_factory=list)
    issue_updates: list[dict] = field(default_factory=list)
    changelogs: dict[str, list[dict]] = field(default_factory=dict)
    changelog_pages: dict[str, list[dict]] = field(default_factory=dict)
    repos: dict[str, Repository] = field(default_factory=dict)
    incidents: dict[str, dict] = field(default_factory=dict)
    incident_pages: list[dict] = field(default_factory=list)
    incident_updates: list[dict] = field(default_factory=list)

    def histories(self, issue: dict) -> list[dict]:
        """Inline and paged histories merged by id, oldest first."""
        merged = {h["id"]: h for h in issue["changelog"]["histories"]}
        for history in self.changelogs.get(issue["key"], []):
            merged[history["id"]] = history
        return sorted(merged.values(), key=lambda h: (parse_time(h["created"]), int(h["id"])))


def load(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"))


def read_export(root: Path, counts: dict[str, int], seconds: float) -> Export:
    export = Export(root, counts, seconds)
    for path in sorted((root / "jira/issues").glob("*.json")):
        body = load(path)
        (export.issue_updates if "update" in path.name else export.issue_pages).append(body)
        for issue in body["issues"]:
            newest(export.issues, issue | {"updated": issue["fields"]["updated"]}, issue["key"], "updated")
    for folder in sorted((root / "jira/changelogs").iterdir()):
        pages = [load(p) for p in sorted(folder.glob("*.json"))]
        export.changelog_pages[folder.name] = pages
        export.changelogs[folder.name] = [h for page in pages for h in page["values"]]
    for folder in sorted((root / "github").glob("*/*")):
        repo = Repository(folder.name)
        export.repos[folder.name] = repo
        for path in sorted((folder / "pulls").glob("*.json")):
            body = load(path)
            if "update" in path.name:
                repo.pull_updates.extend(body)
            else:
                repo.pull_pages.append(body)
            for pr in body:
                newest(repo.pulls, pr, pr["number"], "updated_at")
        for path in (folder / "pull_commits").glob("*.json"):
            repo.pull_commits[int(path.stem)] = load(path)
        for path in (folder / "pull_reviews").glob("*.json"):
            repo.pull_reviews[int(path.stem)] = load(path)
        for path in sorted((folder / "commits").glob("*.json")):
            page = load(path)
            repo.commit_pages.append(page)
            repo.commits.update((c["sha"], c) for c in page)
        for path in sorted((folder / "deployments").glob("*.json")):
            for deployment in load(path):
                newest(repo.deployments, deployment, deployment["id"], "updated_at")
        for path in (folder / "deployment_statuses").glob("*.json"):
            repo.statuses[int(path.stem)] = load(path)
        for path in sorted((folder / "workflow_runs").glob("*.json")):
            page = load(path)
            repo.run_pages.append(page)
            repo.runs.update((r["id"], r) for r in page["workflow_runs"])
    for path in sorted((root / "pagerduty/incidents").glob("*.json")):
        body = load(path)
        (export.incident_updates if "update" in path.name else export.incident_pages).append(body)
        for incident in body["incidents"]:
            newest(export.incidents, incident, incident["id"], "updated_at")
    return export


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Export:
    root = tmp_path_factory.mktemp("demo_s")
    started = time.perf_counter()
    counts = generate_demo_exports(root, size="S", seed=7)
    seconds = time.perf_counter() - started
    print(f"\nDemo organisation S generated in {seconds:.1f} s: {counts}")
    return read_export(root, counts, seconds)


# --- Determinism and size -----------------------------------------------------------------------------------


def test_same_seed_writes_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    counts = generate_demo_exports(first, size="0.1", seed=7)
    generate_demo_exports(second, size=0.1, seed=8)
    assert tree_digest(first) != tree_digest(second)
    # Regenerating into a used folder replaces its layout: seed 7 again gives the very same bytes.
    assert generate_demo_exports(second, size=0.1, seed=7) == counts
    assert tree_digest(first) == tree_digest(second)


def test_sizes_parse() -> None:
    assert parse_scale("S") == 1.0 and parse_scale("m") == 10.0 and parse_scale("L") > 100
    assert parse_scale("0.5") == 0.5 and parse_scale(3) == 3.0
    for bad in ("XL", "-1", "0", "nan"):
        with pytest.raises(ValueError):
            parse_scale(bad)


def test_s_is_near_its_target_volumes(demo: Export) -> None:
    # Its speed is bench/'s to measure (a busy machine is slow, not wrong).
    pulls = sum(len(r.pulls) for r in demo.repos.values())
    commits = sum(len(r.commits) for r in demo.repos.values())
    deployments = sum(len(r.deployments) for r in demo.repos.values()) + sum(
        1 for r in demo.repos.values() for run in r.runs.values() if run["path"] == DEPLOY_WORKFLOW_PATH
    )
    # Targets: ~1,800 Jira issues (~1,500 of the GitHub teams), ~2,000 GitHub PRs, ~3,500 default-branch
    # commits, ~700 deployments, ~65 PagerDuty incidents.
    assert 1_550 <= len(demo.issues) <= 2_150
    assert 1_600 <= pulls <= 2_400
    assert 2_800 <= commits <= 4_300
    assert 550 <= deployments <= 900
    assert 50 <= len(demo.incidents) <= 90
    assert {r for r in demo.repos} == {name for team in GITHUB_TEAMS for name in team.repositories}


def test_counts_match_the_files_written(demo: Export) -> None:
    folders = {
        "jira/issues": demo.root.glob("jira/issues/*.json"),
        "jira/changelogs": demo.root.glob("jira/changelogs/*/*.json"),
        "pagerduty/incidents": demo.root.glob("pagerduty/incidents/*.json"),
    }
    for kind in (
        "pulls",
        "pull_commits",
        "pull_reviews",
        "commits",
        "deployments",
        "deployment_statuses",
        "workflow_runs",
    ):
        folders[f"github/{kind}"] = demo.root.glob(f"github/*/*/{kind}/*.json")
    for kind, files in folders.items():
        assert demo.counts[f"{kind}:files"] == len(list(files)), kind
    assert demo.counts["github/pull_commits:files"] == sum(len(r.pull_commits) for r in demo.repos.values())


# --- Layout and shapes --------------------------------------------------------------------------------------


def test_every_folder_of_the_layout_exists_and_every_file_parses(demo: Export) -> None:
    root = demo.root
    for folder in ("jira/issues", "jira/changelogs", "pagerduty/incidents"):
        assert any((root / folder).iterdir()), folder
    for kind in (
        "pulls",
        "pull_commits",
        "pull_reviews",
        "commits",
        "deployments",
        "deployment_statuses",
        "workflow_runs",
    ):
        assert list(root.glob(f"github/acme/*/{kind}/*.json")), kind
    for path in root.rglob("*.json"):
        text = path.read_text(encoding="utf-8")
        json.loads(text)
        assert "\n" not in text[:200] and ", " not in text[:200], f"{path} is not compact JSON"
        assert re.fullmatch(r"([a-z-]+-)?(page-)?(update-)?\d{4}|\d+|builds-[\dT-]+", path.stem), path


def test_jira_pages_have_the_search_and_board_envelopes(demo: Export) -> None:
    envelopes = Counter()
    for page in demo.issue_pages:
        if "nextPageToken" in page or "isLast" in page:
            envelopes["search/jql"] += 1
            assert (
                set(page) <= {"issues", "nextPageToken", "isLast"}
                and ("nextPageToken" in page) != page["isLast"]
            )
        else:
            envelopes["agile board"] += 1
            assert set(page) == {"startAt", "maxResults", "total", "issues"}
    assert envelopes["search/jql"] > 10 and envelopes["agile board"] >= 2
    for issue in demo.issues.values():
        assert JIRA_STANDARD_FIELDS <= set(issue["fields"]), issue["key"]
        assert set(issue["changelog"]) == {"startAt", "maxResults", "total", "histories"}
        assert len(issue["changelog"]["histories"]) <= 40
        board = issue["self"].startswith("https://acme.atlassian.net/rest/agile/1.0/")
        assert (
            JIRA_BOARD_FIELDS <= set(issue["fields"])
            if board
            else not JIRA_BOARD_FIELDS & set(issue["fields"])
        )
    epics = {i["key"] for i in demo.issues.values() if i["fields"]["issuetype"]["name"] == "Epic"}
    parents = [i["fields"]["parent"]["key"] for i in demo.issues.values() if "parent" in i["fields"]]
    assert sum(parent in epics for parent in parents) > 100
    assert any(i["fields"]["customfield_10014"] in epics for i in demo.issues.values())
    assert {i["fields"]["issuetype"]["name"] for i in demo.issues.values()} == {
        "Epic",
        "Story",
        "Bug",
        "Task",
        "Tech Debt",
        "Risk",
        "Sub-task",
    }
    versions = {v["name"]: v["releaseDate"] for i in demo.issues.values() for v in i["fields"]["fixVersions"]}
    assert versions[PLANTED_SLOWDOWN_RELEASE] == PLANTED_SLOWDOWN_RELEASE_DATE


def test_github_bodies_have_the_real_shapes(demo: Export) -> None:
    repo = demo.repos["payments-service"]
    for pr in list(repo.pulls.values())[:50]:
        assert set(pr) == PULL_KEYS
        assert set(pr["user"]) == USER_KEYS
        assert set(pr["head"]["repo"]) == set(pr["base"]["repo"]) and REPO_KEYS_IN_PULLS <= set(
            pr["base"]["repo"]
        )
        assert set(pr["_links"]) == {
            "self",
            "html",
            "issue",
            "comments",
            "review_comments",
            "review_comment",
            "commits",
            "statuses",
        }
        assert 9_000 < len(json.dumps(pr)) < 30_000  # a real PR object is ~16 KB of urls and nested objects
    for commits in list(repo.pull_commits.values())[:50]:
        for commit in commits:
            assert set(commit) == COMMIT_KEYS and re.fullmatch(r"[0-9a-f]{40}", commit["sha"])
    reviews = [r for rs in repo.pull_reviews.values() for r in rs]
    assert reviews and all(set(r) == REVIEW_KEYS for r in reviews)
    for name, repository in demo.repos.items():
        assert repository.run_pages, name
        for page in repository.run_pages:
            assert set(page) == {"total_count", "workflow_runs"} and page["total_count"] == len(
                repository.runs
            )
            assert all(set(run) == RUN_KEYS for run in page["workflow_runs"])
        assert {run["name"] for run in repository.runs.values()} >= {"CI"}
    for deployment in demo.repos["checkout-api"].deployments.values():
        assert {"id", "sha", "ref", "task", "environment", "creator", "created_at", "updated_at"} <= set(
            deployment
        )
        assert deployment["task"] == "deploy" and "production_environment" in deployment
    assert all("production_environment" not in d for d in demo.repos["mobile-app"].deployments.values())


def test_pagerduty_pages_have_the_incidents_envelope(demo: Export) -> None:
    for page in demo.incident_pages:
        assert set(page) == {"incidents", "limit", "offset", "more", "total"}
    assert [p["more"] for p in demo.incident_pages][-1] is False
    for incident in demo.incidents.values():
        assert INCIDENT_KEYS <= set(incident)
        assert re.fullmatch(r"Q[0-9A-Z]{13}", incident["id"])
        assert set(incident["service"]) == {"id", "summary", "type", "self", "html_url"}


# --- Pagination drift and re-exports ------------------------------------------------------------------------


def test_some_consecutive_pages_share_a_record(demo: Export) -> None:
    def shared(pages: list[list], key: str) -> int:
        return sum(bool({r[key] for r in a} & {r[key] for r in b}) for a, b in pairwise(pages))

    assert shared([p["issues"] for p in demo.issue_pages], "key") >= 1
    assert sum(shared(r.pull_pages, "number") for r in demo.repos.values()) >= 1
    assert sum(shared(r.commit_pages, "sha") for r in demo.repos.values()) >= 1


def test_re_exports_bring_newer_versions_with_changed_content(demo: Export) -> None:
    assert demo.issue_updates and demo.incident_updates
    assert any(r.pull_updates for r in demo.repos.values())
    first_versions = {i["key"]: i for page in demo.issue_pages for i in page["issues"]}
    for issue in (i for page in demo.issue_updates for i in page["issues"]):
        old = first_versions[issue["key"]]
        assert parse_time(issue["fields"]["updated"]) > parse_time(old["fields"]["updated"])
        assert issue["changelog"]["total"] > old["changelog"]["total"]
    for repo in demo.repos.values():
        first = {pr["number"]: pr for page in repo.pull_pages for pr in page}
        for pr in repo.pull_updates:
            assert pr["updated_at"] > first[pr["number"]]["updated_at"]
            assert first[pr["number"]]["state"] == "open" and pr["state"] == "closed"
    first_incidents = {i["id"]: i for page in demo.incident_pages for i in page["incidents"]}
    for incident in (i for page in demo.incident_updates for i in page["incidents"]):
        assert parse_time(incident["updated_at"]) > parse_time(first_incidents[incident["id"]]["updated_at"])
        assert incident["status"] == "resolved" != first_incidents[incident["id"]]["status"]


# --- Commit graph and pull requests -------------------------------------------------------------------------


def test_merged_pull_requests_land_in_the_commit_graph_and_every_parent_exists(demo: Export) -> None:
    for name, repo in demo.repos.items():
        roots = [sha for sha, c in repo.commits.items() if not c["parents"]]
        assert len(roots) == 1, name
        for sha in repo.commits:
            assert all(parent in repo.commits for parent in repo.parents(sha)), (name, sha)
        for pr in repo.pulls.values():
            if pr["merged_at"]:
                assert pr["merge_commit_sha"] in repo.commits, (name, pr["number"])
            for commit in repo.pull_commits[pr["number"]]:
                for parent in commit["parents"]:
                    assert parent["sha"] in repo.commits or parent["sha"] in {
                        c["sha"] for c in repo.pull_commits[pr["number"]]
                    }


def test_squash_merge_commit_and_direct_push_cases_exist(demo: Export) -> None:
    merge_repos, squash_repos, direct_pushes = set(), set(), 0
    for name, repo in demo.repos.items():
        landing = {pr["merge_commit_sha"]: pr for pr in repo.pulls.values() if pr["merged_at"]}
        for sha, commit in repo.commits.items():
            pr = landing.get(sha)
            if pr is not None and len(commit["parents"]) == 1:
                squash_repos.add(name)
            elif pr is not None and len(commit["parents"]) == 2:
                head = repo.pull_commits[pr["number"]][-1]["sha"]
                assert commit["parents"][1]["sha"] == head and head in repo.commits
                merge_repos.add(name)
            elif (
                pr is None
                and len(commit["parents"]) == 1
                and parse_time(commit["commit"]["committer"]["date"]) >= YEAR_START
                and commit["committer"] is not None
                and commit["committer"]["login"] != "web-flow"
                and all(c["sha"] != sha for cs in repo.pull_commits.values() for c in cs)
            ):
                direct_pushes += 1
    assert len(merge_repos) >= 2 and len(squash_repos) >= 4
    assert direct_pushes >= len(demo.repos)


def test_pull_requests_cover_the_real_cases(demo: Export) -> None:
    pulls = [(name, pr) for name, repo in demo.repos.items() for pr in repo.pulls.values()]
    humans = [(n, pr) for n, pr in pulls if pr["user"]["type"] == "User"]
    bots = {pr["user"]["login"] for _, pr in pulls if pr["user"]["type"] == "Bot"}
    assert bots == {"dependabot[bot]", "renovate[bot]"}
    no_key = [pr for _, pr in humans if not JIRA_KEY.search(pr["title"] + " " + pr["head"]["ref"])]
    assert 0.04 <= len(no_key) / len(humans) <= 0.16  # ~10% of people's PRs carry no Jira key
    assert any(JIRA_KEY.search(pr["head"]["ref"]) and not JIRA_KEY.search(pr["title"]) for _, pr in humans)
    assert any(pr["draft"] and pr["state"] == "open" for _, pr in pulls)
    assert any(pr["state"] == "closed" and not pr["merged_at"] for _, pr in pulls)
    assert sum(pr["state"] == "open" for _, pr in pulls) >= 5
    hotfixes = [pr for _, pr in pulls if pr["head"]["ref"].startswith("hotfix/")]
    assert hotfixes and all("hotfix" in {label["name"] for label in pr["labels"]} for pr in hotfixes)
    assert any(re.fullmatch(r'Revert ".+"', pr["title"]) and pr["merged_at"] for _, pr in pulls)
    cross_team = {
        r["user"]["login"]
        for name, repo in demo.repos.items()
        for number, reviews in repo.pull_reviews.items()
        for r in reviews
    }
    assert len(cross_team) > 50


def test_reviews_and_coding_time_cases(demo: Export) -> None:
    states, self_comments, negative_coding = Counter(), 0, 0
    for repo in demo.repos.values():
        for number, pr in repo.pulls.items():
            reviews = repo.pull_reviews[number]
            states.update(r["state"] for r in reviews)
            self_comments += sum(
                r["user"]["login"] == pr["user"]["login"] and r["state"] == "COMMENTED" for r in reviews
            )
            first_commit = min(parse_time(c["commit"]["author"]["date"]) for c in repo.pull_commits[number])
            if pr["merged_at"]:
                assert any(r["user"]["login"] != pr["user"]["login"] for r in reviews)
                merged = parse_time(pr["merged_at"])
                assert all(parse_time(r["submitted_at"]) <= merged for r in reviews)
                negative_coding += first_commit > parse_time(pr["created_at"])
    assert {"APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED"} <= set(states)
    assert states["APPROVED"] > states["CHANGES_REQUESTED"] > states["DISMISSED"] > 0
    assert self_comments >= 5
    assert 1 <= negative_coding <= 4  # the force-pushed PRs whose first commit postdates the PR


# --- Deployments --------------------------------------------------------------------------------------------


def test_deployment_cases(demo: Export) -> None:
    environments, final_states, empty, inactive, redeploys = Counter(), Counter(), 0, 0, 0
    for repo in demo.repos.values():
        previous_sha = None
        for deployment in sorted(repo.deployments.values(), key=lambda d: d["created_at"]):
            environments[deployment["environment"]] += 1
            statuses = repo.statuses[deployment["id"]]
            times = [s["created_at"] for s in statuses]
            assert times == sorted(times, reverse=True)  # newest first
            empty += not statuses
            inactive += any(s["state"] == "inactive" for s in statuses)
            final = [s["state"] for s in statuses if s["state"] != "inactive"]
            if final:
                final_states[final[0]] += 1
            if PRODUCTION.match(deployment["environment"]):
                redeploys += deployment["sha"] == previous_sha
                previous_sha = deployment["sha"]
    assert {"production", "prod", "Production", "staging"} <= set(environments)
    assert environments["staging"] > 150
    failed = final_states["failure"] + final_states["error"]
    assert 0.03 <= failed / sum(final_states.values()) <= 0.12
    assert empty >= 1 and inactive > 100 and redeploys >= 3


def test_deploy_workflow_runs(demo: Export) -> None:
    runs = [
        run
        for repo in demo.repos.values()
        for run in repo.runs.values()
        if run["path"] == DEPLOY_WORKFLOW_PATH
    ]
    assert {run["repository"]["name"] for run in runs} == {"infra-tooling", "data-pipelines"}
    assert {run["name"] for run in runs} == {"Deploy"}
    assert {"push", "workflow_dispatch"} <= {run["event"] for run in runs}
    assert {"success", "failure", "cancelled"} <= {run["conclusion"] for run in runs}
    assert any(run["run_attempt"] == 2 and run["previous_attempt_url"] for run in runs)


def test_rollbacks_and_first_deployments(demo: Export) -> None:
    rollbacks = 0
    for repo in demo.repos.values():
        deploys = repo.production_deploys()
        if not deploys:
            continue
        # The first production deployment ships the long history from before the year (the baseline case).
        first_sha = deploys[0][1]
        older = sum(
            1
            for c in repo.commits.values()
            if parse_time(c["commit"]["committer"]["date"]) < YEAR_START
            and repo.is_ancestor(c["sha"], first_sha)
        )
        assert older >= 20
        for (_, before, _), (_, after, _) in pairwise(deploys):
            rollbacks += after != before and repo.is_ancestor(after, before)
    assert rollbacks >= 2


def test_weekly_rhythm(demo: Export) -> None:
    weekdays = Counter()
    for repo in demo.repos.values():
        for pr in repo.pulls.values():
            if pr["user"]["type"] == "User":
                weekdays[datetime.fromtimestamp(parse_time(pr["created_at"]), UTC).weekday()] += 1
    assert (weekdays[5] + weekdays[6]) / sum(weekdays.values()) < 0.05
    deploy_days = Counter()
    for repo in demo.repos.values():
        for at, _, _ in repo.production_deploys():
            deploy_days[datetime.fromtimestamp(at, UTC).weekday()] += 1
    assert deploy_days[4] < 0.7 * statistics.mean(deploy_days[d] for d in range(4))


# --- Incidents ----------------------------------------------------------------------------------------------


def test_incident_attribution_cases(demo: Export) -> None:
    deployment_ids = {d for repo in demo.repos.values() for d in repo.deployments}
    shas = {sha for repo in demo.repos.values() for sha in repo.commits}
    prs = {(f"acme/{name}", n) for name, repo in demo.repos.items() for n in repo.pulls}
    named = Counter()
    service_repos = {team.pagerduty_service_id: team.repositories for team in GITHUB_TEAMS}
    window, outside = 0, 0
    for incident in demo.incidents.values():
        if incident["service"]["id"] not in service_repos:
            continue  # a team on GitLab and Jenkins, see the tests of the other toolchains
        text = f"{incident['title']} {incident['description']}"
        if match := re.search(r"deployment (\d+)", text):
            assert int(match.group(1)) in deployment_ids
            named["deployment"] += 1
        elif match := re.search(r"sha ([0-9a-f]{40})", text):
            assert match.group(1) in shas
            named["sha"] += 1
        elif match := re.search(r"(acme/[\w-]+)#(\d+)", text):
            assert (match.group(1), int(match.group(2))) in prs
            named["pr"] += 1
        else:
            started = parse_time(incident["created_at"])
            finishes = [
                at
                for name in service_repos[incident["service"]["id"]]
                for at, _, _ in demo.repos[name].production_deploys()
            ]
            if any(0 <= started - at <= 24 * HOUR for at in finishes):
                window += 1
            else:
                outside += 1
    assert named["deployment"] >= 1 and named["sha"] >= 1 and named["pr"] >= 1
    assert window >= 3 and outside >= 10


def test_incident_statuses_and_timestamps(demo: Export) -> None:
    statuses = Counter(i["status"] for i in demo.incidents.values())
    assert statuses["resolved"] > 0.85 * len(demo.incidents)
    assert statuses["triggered"] + statuses["acknowledged"] >= 2
    resolved = [i for i in demo.incidents.values() if i["status"] == "resolved"]
    without = sum("resolved_at" not in i for i in resolved)
    assert without > 0.5 * len(resolved) and without < len(resolved)
    assert any(re.search(r"\.\d{6}Z$", i["created_at"]) for i in demo.incidents.values())
    assert all(i["assignments"] == [] for i in resolved)


# --- Jira histories -----------------------------------------------------------------------------------------


def test_long_histories_come_with_a_changelog_folder_holding_them_all(demo: Export) -> None:
    long_issues = [i for i in demo.issues.values() if i["changelog"]["total"] > 40]
    assert len(long_issues) >= 8
    assert set(demo.changelogs) == {i["key"] for i in long_issues}
    for issue in long_issues:
        pages = demo.changelog_pages[issue["key"]]
        values = demo.changelogs[issue["key"]]
        assert len(values) == issue["changelog"]["total"] == pages[0]["total"]
        assert [p["isLast"] for p in pages] == [False] * (len(pages) - 1) + [True]
        assert {h["id"] for h in issue["changelog"]["histories"]} <= {h["id"] for h in values}
        assert len(issue["changelog"]["histories"]) == issue["changelog"]["maxResults"] == 40
    assert max(len(pages) for pages in demo.changelog_pages.values()) >= 2


def test_status_rename_late_creation_and_backward_moves(demo: Export) -> None:
    names_10007 = set()
    late_created, backward, cancelled, reopened, blocked = 0, 0, 0, 0, 0
    for issue in demo.issues.values():
        items = [it for h in demo.histories(issue) for it in h["items"] if it["field"] == "status"]
        for it in items:
            for side in ("from", "to"):
                if it[side] == "10007":
                    names_10007.add(it[f"{side}String"])
        if not items and issue["fields"]["status"]["name"] != "Backlog":
            late_created += 1
        moves = [(it["from"], it["to"]) for it in items]
        backward += any(move in {("10007", "3"), ("10005", "3")} for move in moves)
        cancelled += issue["fields"]["status"]["id"] == "10010"
        reopened += any(to == "4" for _, to in moves)
        blocked += any(to == "10004" for _, to in moves)
    assert names_10007 == {"QA", "In Testing"}
    bodies = {
        page_issue["fields"]["status"]["name"] for page in demo.issue_pages for page_issue in page["issues"]
    }
    assert "QA" in bodies  # an issue exported while status 10007 was still called QA
    assert late_created >= 8
    assert 0.10 <= backward / len(demo.issues) <= 0.30
    assert cancelled >= 30 and reopened >= 20 and blocked >= 30
    first_moves = Counter(
        next((it["from"] for h in demo.histories(i) for it in h["items"] if it["field"] == "status"), None)
        for i in demo.issues.values()
    )
    assert first_moves["3"] >= 1  # created In Progress, moved on later: the initial status is the fromString
    direct_starts = sum(
        1
        for i in demo.issues.values()
        if any(
            it["field"] == "status" and it["from"] == "10000" and it["to"] == "3"
            for h in demo.histories(i)
            for it in h["items"]
        )
    )
    assert direct_starts > 0.2 * len(demo.issues)


def test_histories_also_hold_other_fields_and_cross_team_hand_offs(demo: Export) -> None:
    fields = Counter(
        it["field"] for i in demo.issues.values() for h in demo.histories(i) for it in h["items"]
    )
    assert {"status", "assignee", "resolution", "priority", "labels", "Sprint", "Rank", "Fix Version"} <= set(
        fields
    )
    home: dict[str, Counter] = defaultdict(Counter)
    for issue in demo.issues.values():
        for history in demo.histories(issue):
            home[history["author"]["accountId"]][issue["key"].split("-")[0]] += 1
    hand_offs = 0
    for issue in demo.issues.values():
        project = issue["key"].split("-")[0]
        for history in demo.histories(issue):
            for it in history["items"]:
                if it["field"] == "assignee" and it["to"] and home[it["to"]].most_common(1)[0][0] != project:
                    hand_offs += 1
    assert hand_offs >= 20


def test_jira_offsets_without_colon(demo: Export) -> None:
    offsets = Counter(i["fields"]["created"][-5:] for i in demo.issues.values())
    assert {"+0000", "+0800", "-0500"} <= set(offsets)
    assert all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}", i["fields"]["created"])
        for i in demo.issues.values()
    )


def test_nothing_is_dated_after_the_year(demo: Export) -> None:
    stamps: set[str] = set()
    dates: set[str] = set()
    for path in demo.root.rglob("*.json"):
        text = path.read_text(encoding="utf-8")
        stamps.update(TIMESTAMP.findall(text))
        dates.update(DATE.findall(text))
    assert len(stamps) > 10_000
    # Azure DevOps writes "not revised yet" as the year 9999.
    latest = max(parse_time(stamp) for stamp in stamps if not stamp.startswith("9999-"))
    assert latest <= YEAR_END
    assert latest > YEAR_END - 2 * DAY  # the year runs to its end
    assert max(dates) <= "2026-10-31"


def test_payments_cycle_time_doubles_before_the_june_release(demo: Export) -> None:
    """The planted story: In Progress -> Done of standard items done in the six weeks before 2026-06-30."""
    window_start = datetime(2026, 5, 19, tzinfo=UTC).timestamp()
    window_end = datetime(2026, 7, 1, tzinfo=UTC).timestamp()
    project = next(t.jira_project for t in TEAMS if t.slug == PLANTED_SLOWDOWN_TEAM)

    def medians(project_key: str) -> tuple[float, float, int]:
        inside, rest = [], []
        for issue in demo.issues.values():
            if (
                not issue["key"].startswith(f"{project_key}-")
                or issue["fields"]["issuetype"]["hierarchyLevel"] != 0
            ):
                continue
            started = done = None
            for history in demo.histories(issue):
                for it in history["items"]:
                    if it["field"] == "status" and it["to"] == "3" and started is None:
                        started = parse_time(history["created"])
                    if it["field"] == "status" and it["to"] == "10009":
                        done = parse_time(history["created"])
            if started is not None and done is not None and done > started:
                (inside if window_start <= done < window_end else rest).append((done - started) / DAY)
        return statistics.median(inside), statistics.median(rest), len(inside)

    inside, rest, count = medians(project)
    print(
        f"{project}: median cycle time {inside:.1f} d in the run-up ({count} items) vs {rest:.1f} d otherwise"
    )
    assert count >= 10
    assert inside >= 1.7 * rest
    # The other teams keep their pace: none slows down like payments, and typically not at all.
    others = []
    for team in TEAMS:
        if team.slug != PLANTED_SLOWDOWN_TEAM and team.jira_project:
            other_inside, other_rest, _ = medians(team.jira_project)
            others.append(other_inside / other_rest)
    assert max(others) < inside / rest
    assert statistics.median(others) < 1.3


# --- Teams on other toolchains: Azure DevOps, GitLab, Jenkins, Opsgenie -------------------------------------

ADO = "azure_devops/acme/Billing"
SEARCH = "gitlab/acme/search/search-api"
FULFILMENT = "gitlab/acme/fulfilment/fulfilment-service"
JENKINS_JOB = "jenkins/ci.acme.example/fulfilment/deploy"


def bodies(root: Path, pattern: str) -> list[object]:
    return [load(path) for path in sorted(root.glob(pattern))]


def records(root: Path, pattern: str, key: str | None = None) -> list[dict]:
    return [record for body in bodies(root, pattern) for record in (body[key] if key else body)]


def test_teams_on_other_toolchains_leave_the_github_teams_files_as_they_were(
    tmp_path: Path, monkeypatch
) -> None:
    """Adding Billing, Search and Fulfilment only adds files: every file of the GitHub teams keeps its bytes."""
    from demo import generate

    def digests(root: Path) -> dict[str, str]:
        return {
            path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in root.rglob("*.json")
        }

    generate_demo_exports(tmp_path / "all", size="0.2", seed=7)
    monkeypatch.setattr(generate, "TEAMS", GITHUB_TEAMS)
    generate_demo_exports(tmp_path / "github", size="0.2", seed=7)
    every, github_only = digests(tmp_path / "all"), digests(tmp_path / "github")
    assert github_only.items() <= every.items()
    assert {path.split("/")[0] for path in set(every) - set(github_only)} == {
        "azure_devops",
        "gitlab",
        "jenkins",
        "opsgenie",
        "jira",
        "pagerduty",
    }


def test_other_toolchains_write_their_landing_layouts(demo: Export) -> None:
    root = demo.root
    for folder in (
        "work_items",
        "work_item_updates",
        "pull_requests",
        "pull_request_commits",
        "builds",
        "environment_deployments/Production",
        "environment_deployments/Staging",
    ):
        assert list(root.glob(f"{ADO}/{folder}/*.json")), folder
    for project in (SEARCH, FULFILMENT):
        for folder in (
            "merge_requests",
            "merge_request_commits",
            "merge_request_notes",
            "commits",
            "pipelines",
        ):
            assert list(root.glob(f"{project}/{folder}/*.json")), (project, folder)
    assert (
        list(root.glob(f"{SEARCH}/deployments/*.json")) and not (root / FULFILMENT / "deployments").exists()
    )
    assert list(root.glob(f"{JENKINS_JOB}/builds-*.json"))
    assert list(root.glob("opsgenie/incidents/*.json")) and list(root.glob("opsgenie/alerts/*.json"))
    for body in bodies(root, f"{ADO}/*/*.json") + bodies(root, f"{ADO}/environment_deployments/*/*.json"):
        assert set(body) == {"count", "value"} and body["count"] == len(body["value"])
    for body in bodies(root, "opsgenie/*/*.json"):
        assert set(body) == {"data", "paging", "took", "requestId"}
    for body in bodies(root, f"{JENKINS_JOB}/*.json"):
        assert body["_class"] == "org.jenkinsci.plugins.workflow.job.WorkflowJob" and body["builds"]
    assert {issue["key"].split("-")[0] for issue in demo.issues.values()} >= {"SRCH", "FUL"}
    for kind in ("azure_devops/work_items", "gitlab/merge_requests", "jenkins/builds", "opsgenie/incidents"):
        assert demo.counts[f"{kind}:records"] > 0, kind


def test_azure_devops_work_items_walk_the_billing_process(demo: Export) -> None:
    items = records(demo.root, f"{ADO}/work_items/*.json", "value")
    assert {i["fields"]["System.WorkItemType"] for i in items} == {
        "User Story",
        "Bug",
        "Task",
        "Feature",
        "Epic",
    }
    assert all(i["fields"]["System.AreaPath"].split("\\")[0] == "Billing" for i in items)
    moves, types = Counter(), Counter()
    for body in bodies(demo.root, f"{ADO}/work_item_updates/*.json"):
        assert body["value"][-1]["revisedDate"] == "9999-01-01T00:00:00Z"
        for update in body["value"]:
            assert "newValue" in update["fields"]["System.ChangedDate"]
            if state := update["fields"].get("System.State"):
                moves[(state.get("oldValue"), state["newValue"])] += 1
            if kind := update["fields"].get("System.WorkItemType"):
                types[(kind.get("oldValue"), kind["newValue"])] += 1
            if (assignee := update["fields"].get("System.AssignedTo")) and "newValue" in assignee:
                assert re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", assignee["newValue"]["id"])
    path = ["New", "Ready", "Active", "In Review", "In Test", "Ready to Deploy", "Closed"]
    assert all(moves[step] for step in pairwise(path)), moves
    assert moves[("In Test", "Active")] and any(new == "Removed" for _, new in moves)  # bounce-backs, cancels
    assert types[("Task", "Bug")] >= 1
    # A re-export brings newer revisions of items the first export caught earlier.
    revisions = defaultdict(set)
    for item in items:
        revisions[item["id"]].add(item["rev"])
    assert any(len(revs) > 1 for revs in revisions.values())


def test_azure_devops_pull_requests_builds_and_deployments_connect(demo: Export) -> None:
    prs = {pr["pullRequestId"]: pr for pr in records(demo.root, f"{ADO}/pull_requests/*.json", "value")}
    statuses = Counter(pr["status"] for pr in prs.values())
    assert statuses["completed"] > 100 and statuses["abandoned"] and statuses["active"]
    completed = [pr for pr in prs.values() if pr["status"] == "completed"]
    assert sum(bool(re.search(r"AB#\d+", pr["title"])) for pr in completed) > 0.5 * len(completed)
    assert all(pr["lastMergeCommit"]["commitId"] for pr in completed)
    assert any(r["vote"] == 10 for pr in completed for r in pr["reviewers"])
    assert any(r["vote"] == -5 for pr in prs.values() for r in pr["reviewers"])
    for number in prs:
        assert (demo.root / ADO / "pull_request_commits" / f"{number}.json").exists()
    builds = {b["id"]: b for b in records(demo.root, f"{ADO}/builds/*.json", "value")}
    merged = {pr["lastMergeCommit"]["commitId"] for pr in completed}
    assert sum(b["sourceVersion"] in merged for b in builds.values()) > 0.8 * len(completed)
    results = Counter()
    for environment in ("Production", "Staging"):
        for record in records(demo.root, f"{ADO}/environment_deployments/{environment}/*.json", "value"):
            assert record["owner"]["id"] in builds and record["stageName"] == f"Deploy{environment}"
            results[record.get("result")] += 1
    assert results["succeeded"] > 40 and results["failed"] >= 1


def test_gitlab_projects_hold_merge_requests_approvals_commits_and_deployments(demo: Export) -> None:
    for project, style in ((SEARCH, "merge"), (FULFILMENT, "squash")):
        mrs = records(demo.root, f"{project}/merge_requests/*.json")
        commits = {c["id"]: c for c in records(demo.root, f"{project}/commits/*.json")}
        merged = [mr for mr in mrs if mr["state"] == "merged"]
        assert len(merged) > 100
        landed = [mr["merge_commit_sha"] if style == "merge" else mr["squash_commit_sha"] for mr in merged]
        assert all(sha in commits for sha in landed)
        assert all(parent in commits for c in commits.values() for parent in c["parent_ids"])
        if style == "merge":
            assert any(len(c["parent_ids"]) == 2 for c in commits.values())
        notes = records(demo.root, f"{project}/merge_request_notes/*.json")
        assert any(n["system"] and n["body"] == "approved this merge request" for n in notes)
        assert any(re.match(r"(SRCH|FUL)-\d+", mr["title"]) for mr in merged)
    deployments = records(demo.root, f"{SEARCH}/deployments/*.json")
    assert {(d["environment"]["name"], d["environment"]["tier"]) for d in deployments} == {
        ("production", "production"),
        ("staging", "staging"),
    }
    assert Counter(d["status"] for d in deployments)["failed"] >= 1


def test_jenkins_deploy_builds_name_the_environment_and_the_gitlab_revision(demo: Export) -> None:
    shas = {c["id"] for c in records(demo.root, f"{FULFILMENT}/commits/*.json")}
    versions: dict[int, set[bool]] = defaultdict(set)
    results = Counter()
    for build in records(demo.root, f"{JENKINS_JOB}/builds-*.json", "builds"):
        parameters = {p["name"]: p["value"] for a in build["actions"] for p in a.get("parameters", [])}
        assert parameters["TARGET_ENV"] in ("staging", "production")
        git = next(a for a in build["actions"] if a.get("_class") == "hudson.plugins.git.util.BuildData")
        assert git["lastBuiltRevision"]["SHA1"] in shas
        assert git["remoteUrls"] == ["https://gitlab.acme.example/acme/fulfilment/fulfilment-service.git"]
        versions[build["number"]].add(build["building"])
        results[build["result"]] += 1
    assert results["SUCCESS"] and results["FAILURE"]
    assert any(seen == {True, False} for seen in versions.values())  # running in one export, done in the next


def test_opsgenie_and_pagerduty_page_the_new_teams(demo: Export) -> None:
    incidents = records(demo.root, "opsgenie/incidents/*.json", "data")
    owners = {i["ownerTeam"] for i in incidents}
    assert owners == {"5b0e6a52-1f3c-4c8e-9d7a-2e6f0b4c1a01", "9c3d2f17-6a4b-4e21-8f5c-7d1e3a9b2c02"}
    assert Counter(i["status"] for i in incidents)["resolved"] > 0.8 * len(incidents)
    newest_versions: dict[str, set[str]] = defaultdict(set)
    for incident in incidents:
        newest_versions[incident["id"]].add(incident["updatedAt"])
    assert any(len(v) > 1 for v in newest_versions.values())  # a re-export after resolution
    alerts = records(demo.root, "opsgenie/alerts/*.json", "data")
    assert len(alerts) >= len(newest_versions) and {a["ownerTeamId"] for a in alerts} == owners
    fulfilment = [i for i in demo.incidents.values() if i["service"]["id"] == "PFUL3R9"]
    assert fulfilment and all(i["service"]["summary"] == "Fulfilment" for i in fulfilment)
