"""Small organisations' exports written in the tools' real API shapes (docs/exports.md), for the tests of
partial toolchains and of organisations configured from their own folder."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from tests.conftest import REAL_SAMPLES


def write(exports: Path, relative: str, body: Any) -> None:
    path = exports / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body, indent=1), encoding="utf-8")


def write_jira_only(exports: Path) -> None:
    """Four issues of the real Jira sample (project EE, which no seed maps), as the Agile endpoint sends them."""
    page = json.loads((REAL_SAMPLES / "jira" / "issues" / "page-1.json").read_text(encoding="utf-8"))
    issues = page["issues"][:4]
    write(exports, "jira/issues/page-0001.json", {**page, "issues": issues, "total": len(issues)})


ZETA_API = "zeta/api"  # no seed maps it: the organisation's one team is `unmapped`
C0, C1, M1 = "0a" * 20, "1b" * 20, "2c" * 20  # root commit (pushed), PR #1's branch commit, its merge commit
LEAD_TIME_PR1 = (26 * 3600 + 10 * 60) / 3600  # C1 authored 03-02 10:00 -> deployed 03-03 12:10: 26 h 10 min


def user(login: str) -> dict:
    return {"login": login, "id": abs(hash(login)) % 10**7, "type": "User", "site_admin": False,
            "url": f"https://api.github.com/users/{login}", "html_url": f"https://github.com/{login}"}


def commit(repository: str, sha: str, when: str, message: str, parents: list[str]) -> dict:
    person = {"name": "Ada", "email": "ada@zeta.example", "date": when}
    return {
        "sha": sha, "node_id": f"C_{sha[:8]}",
        "commit": {"author": person, "committer": person, "message": message, "comment_count": 0},
        "url": f"https://api.github.com/repos/{repository}/commits/{sha}",
        "html_url": f"https://github.com/{repository}/commit/{sha}",
        "author": user("ada"), "committer": user("ada"),
        "parents": [{"sha": p, "url": f"https://api.github.com/repos/{repository}/commits/{p}"} for p in parents],
    }


def pull(repository: str, number: int, *, created: str, merged: str, merge_sha: str, head: str) -> dict:
    """The real sample's pull request body (tests/fixtures/real_samples), given this story's identifiers."""
    pull = copy.deepcopy(json.loads((REAL_SAMPLES / "github/panjf2000/ants/pulls/page-1.json").read_text())[0])
    pull.update(id=900000 + number, node_id=f"PR_{number}", number=number, state="closed", title=f"Change {number}",
                user=user("ada"), created_at=created, updated_at=merged, closed_at=merged, merged_at=merged,
                merge_commit_sha=merge_sha, labels=[], body=None)
    pull["head"].update(ref=head, sha=C1)
    pull["base"].update(ref="main")
    pull["base"]["repo"].update(full_name=repository, name=repository.split("/")[1])
    return pull


def deployment(repository: str, deployment_id: int, sha: str, environment: str, created: str) -> dict:
    return {
        "url": f"https://api.github.com/repos/{repository}/deployments/{deployment_id}", "id": deployment_id,
        "node_id": f"DE_{deployment_id}", "sha": sha, "ref": "main", "task": "deploy", "payload": {},
        "original_environment": environment, "environment": environment, "description": None,
        "creator": user("deploy-bot"), "created_at": created, "updated_at": created,
        "statuses_url": f"https://api.github.com/repos/{repository}/deployments/{deployment_id}/statuses",
        "repository_url": f"https://api.github.com/repos/{repository}", "transient_environment": False,
        "production_environment": environment == "production",
    }


def deployment_status(repository: str, deployment_id: int, state: str, environment: str, created: str) -> dict:
    return {
        "url": f"https://api.github.com/repos/{repository}/deployments/{deployment_id}/statuses/{deployment_id}1",
        "id": deployment_id * 10 + 1, "node_id": f"DES_{deployment_id}", "state": state,
        "creator": user("deploy-bot"), "description": "", "environment": environment, "target_url": "",
        "created_at": created, "updated_at": created,
        "deployment_url": f"https://api.github.com/repos/{repository}/deployments/{deployment_id}",
        "repository_url": f"https://api.github.com/repos/{repository}", "environment_url": "", "log_url": "",
    }


def write_github_repository(exports: Path, repository: str, environment: str) -> None:
    """C0 pushed and deployed first (03-02 09:35); PR #1 (branch commit C1 authored 03-02 10:00, opened 11:00,
    merged 03-03 10:00 as M1) deployed 03-03 12:10. Both deployments to `environment`."""
    base = f"github/{repository}"
    write(exports, f"{base}/commits/page-0001.json", [
        commit(repository, M1, "2026-03-03T10:00:00Z", "Merge pull request #1", [C0, C1]),
        commit(repository, C0, "2026-03-02T09:00:00Z", "Initial commit", []),
    ])
    write(exports, f"{base}/pulls/page-0001.json", [
        pull(repository, 1, created="2026-03-02T11:00:00Z", merged="2026-03-03T10:00:00Z", merge_sha=M1,
              head="feature/search"),
    ])
    write(exports, f"{base}/pull_commits/1.json", [commit(repository, C1, "2026-03-02T10:00:00Z", "Search", [C0])])
    write(exports, f"{base}/deployments/page-0001.json", [
        deployment(repository, 101, M1, environment, "2026-03-03T12:00:00Z"),
        deployment(repository, 100, C0, environment, "2026-03-02T09:30:00Z"),
    ])
    write(exports, f"{base}/deployment_statuses/100.json",
           [deployment_status(repository, 100, "success", environment, "2026-03-02T09:35:00Z")])
    write(exports, f"{base}/deployment_statuses/101.json",
           [deployment_status(repository, 101, "success", environment, "2026-03-03T12:10:00Z")])


