"""Pull requests: coding before the PR opens, review rounds, merges, abandoned and still-open PRs, CI runs.

Waits are long-tailed and follow the reviewers' business hours; the planted slowdown stretches them.
"""

from __future__ import annotations

import random

from .model import Commit, PullRequest, RepoSpec, Review, TeamContext, WorkflowRun, WorkItem
from .people import DEPENDABOT, RENOVATE, Person
from .timeline import DAY, HOUR, MINUTE, YEAR_END, YEAR_START, hours, working_time
from .vocabulary import (
    CHORE_TITLES,
    COMMIT_MESSAGES,
    DOMAIN_NOUNS,
    FIX_COMMIT_MESSAGES,
    PACKAGES,
    REVIEW_BODIES,
    fill,
    slugify,
)

CI_RUN_BASE = 14_000_000_000
REVIEW_ID_BASE = 2_400_000_000
# Review steps feel the planted slowdown at this share of its strength: business-hour snapping amplifies
# waits that cross a night, so a softer stretch is what makes review waits roughly double.
REVIEW_DRAG = 0.5


def pick_reviewer(ctx: TeamContext, author: Person, rng: random.Random, exclude: set[str]) -> Person:
    """Mostly a teammate; now and then an engineer of a sibling team."""
    if ctx.guest_reviewers and rng.random() < 0.12:
        guests = [p for p in ctx.guest_reviewers if p.login not in exclude]
        if guests:
            return rng.choice(guests)
    mates = [p for p in ctx.engineers if p.login != author.login and p.login not in exclude]
    return rng.choice(mates or [p for p in ctx.engineers if p.login != author.login])


def new_commit(
    ctx: TeamContext,
    repo: RepoSpec,
    author: Person,
    at: float,
    message: str,
    rng: random.Random,
    pr: PullRequest | None = None,
) -> Commit:
    # A few commits come from a laptop whose e-mail is not linked to the account: `author` is null.
    unlinked = not author.is_bot and rng.random() < 0.02
    email = f"{author.login}@laptop.local" if unlinked else author.email
    return Commit(
        sha=ctx.new_sha(repo, "commit"),
        author=None if unlinked else author,
        author_name=author.name,
        author_email=email,
        authored_at=at,
        committer=None if unlinked else author,
        committed_at=at,
        message=message,
        pr=pr,
        signed=author.is_bot,
    )


def add_ci_run(ctx: TeamContext, pr: PullRequest, commit: Commit, at: float, rng: random.Random) -> None:
    """A CI run on a pull request push (event `pull_request`)."""
    created = at + rng.uniform(5, 60)
    if created > YEAR_END:
        return
    conclusion = "success" if rng.random() < 0.88 else ("failure" if rng.random() < 0.85 else "cancelled")
    attempt, started = 1, created
    finished = created + rng.uniform(4, 16) * MINUTE
    if conclusion == "failure" and rng.random() < 0.4:
        # Re-run of a flaky job: the list shows the latest attempt only.
        attempt, conclusion = 2, "success"
        started = finished + rng.uniform(10, 40) * MINUTE
        finished = started + rng.uniform(4, 16) * MINUTE
    status = "completed"
    if finished > YEAR_END:
        status, conclusion, finished = "in_progress", None, min(started + 5, YEAR_END)
        if started > YEAR_END:
            return
    ctx.runs.setdefault(pr.repo.name, []).append(
        WorkflowRun(
            run_id=CI_RUN_BASE + pr.repo.ordinal * 1_000_000 + ctx.next(f"run:{pr.repo.name}"),
            workflow="ci",
            event="pull_request",
            head_branch=pr.head_ref,
            head_sha=commit.sha,
            created_at=created,
            started_at=started,
            updated_at=finished,
            status=status,
            conclusion=conclusion,
            run_attempt=attempt,
            actor=pr.author,
            head_commit=commit,
            pr=pr,
        )
    )


def _add_commits(
    ctx: TeamContext, pr: PullRequest, times: list[float], templates: tuple[str, ...], rng: random.Random
) -> None:
    nouns = DOMAIN_NOUNS[ctx.spec.base_slug]
    prefix = "{KEY} " if pr.item is not None and rng.random() < 0.5 else ""
    for at in sorted(times):
        message = prefix + fill(rng.choice(templates), rng, nouns)
        pr.commits.append(new_commit(ctx, pr.repo, pr.author, at, message, rng, pr))


def open_pull_request(
    ctx: TeamContext,
    repo: RepoSpec,
    author: Person,
    *,
    kind: str,
    item: WorkItem | None,
    title: str,
    head_ref: str,
    body: str | None,
    labels: list[str],
    first_commit_at: float,
    opened_at: float,
    rng: random.Random,
    n_commits: int | None = None,
) -> PullRequest:
    pr = PullRequest(
        repo=repo,
        author=author,
        kind=kind,
        item=item,
        title=title,
        head_ref=head_ref,
        body=body,
        created_at=opened_at,
        labels=labels,
    )
    pr.test_merge_sha = ctx.new_sha(repo, "test-merge")
    # Busier teams (larger organisations) commit in smaller steps: more commits per pull request.
    steps = 0.65 / max(1.0, ctx.activity) ** 0.5
    count = n_commits if n_commits is not None else 1 + min(12, int(rng.expovariate(steps)))
    span = max(opened_at - first_commit_at, 60.0)
    times = [first_commit_at]
    for _ in range(count - 1):
        at = first_commit_at + rng.random() * span * 0.95
        if not author.is_bot:
            # People commit in their working hours; a commit never comes after the PR it opened.
            at = min(working_time(at, author.utc_offset_min, rng), opened_at - rng.uniform(1, 10) * MINUTE)
        times.append(max(at, first_commit_at))
    _add_commits(ctx, pr, times, COMMIT_MESSAGES, rng)
    if item is not None:
        item.pull_requests.append(pr)
    ctx.pull_requests.setdefault(repo.name, []).append(pr)
    add_ci_run(ctx, pr, pr.commits[-1], opened_at, rng)
    return pr


def _push_fixes(ctx: TeamContext, pr: PullRequest, at: float, rng: random.Random) -> None:
    times = [at + i * rng.uniform(3, 25) * MINUTE for i in range(1 + (rng.random() < 0.35))]
    _add_commits(ctx, pr, times, FIX_COMMIT_MESSAGES, rng)
    add_ci_run(ctx, pr, pr.commits[-1], times[-1], rng)


def _review(
    ctx: TeamContext, pr: PullRequest, reviewer: Person, state: str, at: float, rng: random.Random
) -> Review:
    body_key = "SELF" if reviewer.login == pr.author.login else state
    review = Review(
        review_id=REVIEW_ID_BASE + pr.repo.ordinal * 2_000_000 + ctx.next(f"review:{pr.repo.name}"),
        reviewer=reviewer,
        state=state,
        submitted_at=at,
        commit_id=pr.head_sha,
        body=rng.choice(REVIEW_BODIES[body_key]),
    )
    pr.reviews.append(review)
    return review


def review_and_merge(
    ctx: TeamContext,
    pr: PullRequest,
    rng: random.Random,
    *,
    approvals_needed: int = 1,
    abandon: bool = False,
    quick: bool = False,
) -> None:
    """Review rounds until approval, then merge; stops wherever the year ends (the PR stays open)."""
    author = pr.author
    t = pr.created_at
    pr.last_activity = t
    if pr.draft:
        t = working_time(t + hours(rng, 30, 0.9), author.utc_offset_min, rng)
        if t > YEAR_END:
            return
        pr.draft = False  # marked ready for review
    slow = 0.25 if quick else 1.0
    reviewers = [pick_reviewer(ctx, author, rng, set())]
    if approvals_needed > 1 or rng.random() < 0.3:
        reviewers.append(pick_reviewer(ctx, author, rng, {reviewers[0].login}))
    pickup = hours(rng, 4.0 * slow, 1.1)
    t = t + pickup if quick else ctx.after(t, pickup, reviewers[0].utc_offset_min, rng, intensity=REVIEW_DRAG)
    approvals, rounds, turn, dismissed = 0, 0, 0, False
    while approvals < approvals_needed:
        if t > YEAR_END:
            pr.requested_reviewers = reviewers[turn % len(reviewers) :]
            return
        reviewer = reviewers[turn % len(reviewers)]
        roll = rng.random()
        if rounds < 3 and roll < (0.22 if rounds == 0 else 0.08) * (0.3 if quick else 1.0):
            state = "CHANGES_REQUESTED"
        elif rounds < 3 and roll < 0.34 and not quick:
            state = "COMMENTED"
        else:
            state = "APPROVED"
        if abandon:
            _review(ctx, pr, reviewer, "CHANGES_REQUESTED" if roll < 0.5 else "COMMENTED", t, rng)
            closed = working_time(t + hours(rng, 30, 0.8), author.utc_offset_min, rng)
            pr.last_activity = t
            if closed <= YEAR_END:
                pr.closed_at = pr.last_activity = closed
            return
        review = _review(ctx, pr, reviewer, state, t, rng)
        pr.last_activity = t
        if state != "APPROVED":
            if rng.random() < 0.12:
                reply_at = t + rng.uniform(10, 90) * MINUTE
                if reply_at <= YEAR_END:
                    _review(ctx, pr, author, "COMMENTED", reply_at, rng)
            fix_at = ctx.after(
                t, hours(rng, 3.0 * slow, 1.0), author.utc_offset_min, rng, intensity=REVIEW_DRAG
            )
            if fix_at > YEAR_END:
                return
            _push_fixes(ctx, pr, fix_at, rng)
            pr.last_activity = pr.commits[-1].committed_at
            t = ctx.after(
                pr.commits[-1].committed_at,
                hours(rng, 2.5 * slow, 1.0),
                reviewer.utc_offset_min,
                rng,
                intensity=REVIEW_DRAG,
            )
            rounds += 1
            continue
        approvals += 1
        if not dismissed and not quick and rng.random() < 0.04:
            # New commits after an approval: the approval is dismissed and needed again.
            dismissed = True
            push_at = working_time(t + hours(rng, 2.0, 0.8), author.utc_offset_min, rng)
            if push_at > YEAR_END:
                return
            _push_fixes(ctx, pr, push_at, rng)
            review.state = "DISMISSED"
            approvals -= 1
            t = ctx.after(push_at, hours(rng, 2.0, 1.0), reviewer.utc_offset_min, rng, intensity=REVIEW_DRAG)
            continue
        if approvals < approvals_needed:
            turn += 1
            nxt = reviewers[turn % len(reviewers)]
            t = ctx.after(t, hours(rng, 2.5 * slow, 1.0), nxt.utc_offset_min, rng, intensity=REVIEW_DRAG)
    merge_wait = hours(rng, 1.0 * slow, 0.9)
    merged = (
        t + merge_wait
        if quick
        else ctx.after(t, merge_wait, author.utc_offset_min, rng, intensity=REVIEW_DRAG)
    )
    if merged > YEAR_END:
        return
    pr.merged_at = pr.closed_at = pr.last_activity = merged
    pr.merged_by = reviewers[0] if (rng.random() < 0.15 and not author.is_bot) else author
    if author.is_bot:
        pr.merged_by = reviewers[0]
    pr.merge_commit_sha = ctx.new_sha(pr.repo, "merge")


def rewrite_after_force_push(pr: PullRequest, rng: random.Random) -> bool:
    """The odd-but-real case: commits amended and force-pushed after the PR opened (coding time < 0)."""
    first_review = min((r.submitted_at for r in pr.reviews), default=None)
    if first_review is None or first_review - pr.created_at < 90 * MINUTE:
        return False
    at = pr.created_at + rng.uniform(15, 40) * MINUTE
    for commit in pr.commits:
        if commit.committed_at > pr.created_at:
            break
        commit.authored_at = commit.committed_at = at
        at += rng.uniform(1, 5) * MINUTE
    return True


def item_branch(item: WorkItem, rng: random.Random, followup: bool = False) -> str:
    kind = (
        "bugfix" if item.issue_type == "Bug" else ("chore" if item.issue_type == "Tech Debt" else "feature")
    )
    slug = slugify(item.summary, 28)
    if followup:
        slug = "testing-fixes" if rng.random() < 0.5 else f"{slug[:16]}-fixes".strip("-")
    return f"{kind}/{{KEY}}-{slug}"


def item_title(item: WorkItem, rng: random.Random, followup: bool = False) -> str:
    text = (
        item.summary
        if not followup
        else f"Fix issues found in testing of {item.summary[:1].lower()}{item.summary[1:]}"
    )
    roll = rng.random()
    if roll < 0.55:
        return f"{{KEY}} {text}"
    if roll < 0.75:
        return f"[{{KEY}}] {text}"
    if roll < 0.92:
        return f"{{KEY}}: {text}"
    return text  # the key is only in the branch name


def item_labels(item: WorkItem, rng: random.Random) -> list[str]:
    if rng.random() > 0.35:
        return []
    return {"Bug": ["bug"], "Tech Debt": ["tech-debt"]}.get(item.issue_type, ["enhancement"])


# --- Pull requests that are not driven by a work item ------------------------------------------------------


def plan_chore_pull_requests(ctx: TeamContext, rng: random.Random) -> None:
    """Housekeeping PRs without a Jira key."""
    for repo in ctx.spec.repos:
        count = _poisson(rng, 18.0 * ctx.activity / len(ctx.spec.repos))
        for _ in range(count):
            author = rng.choice(ctx.engineers)
            start = YEAR_START + rng.random() * (YEAR_END - YEAR_START)
            first = working_time(start, author.utc_offset_min, rng)
            opened = working_time(first + hours(rng, 3, 0.9), author.utc_offset_min, rng)
            if opened > YEAR_END:
                continue
            title = rng.choice(CHORE_TITLES)
            pr = open_pull_request(
                ctx,
                repo,
                author,
                kind="chore",
                item=None,
                title=title,
                head_ref=f"chore/{slugify(title)}",
                body=None if rng.random() < 0.5 else "Small housekeeping change.",
                labels=[],
                first_commit_at=first,
                opened_at=opened,
                rng=rng,
                n_commits=1 + (rng.random() < 0.3),
            )
            if rng.random() < 0.06:
                # A draft nobody finished: closed as a draft, or still a draft when the year ends.
                pr.draft = True
                closed = opened + hours(rng, 300, 0.8)
                if rng.random() < 0.5 and closed <= YEAR_END:
                    pr.closed_at = pr.last_activity = closed
                continue
            review_and_merge(ctx, pr, rng, abandon=rng.random() < 0.12, quick=rng.random() < 0.5)


def plan_bot_pull_requests(ctx: TeamContext, rng: random.Random) -> None:
    """Dependency bumps by dependabot and renovate, opened early in the morning UTC any day of the week."""
    for repo in ctx.spec.repos:
        bot = RENOVATE if repo.ordinal % 3 == 1 or ctx.spec.team.code_host != "github" else DEPENDABOT
        packages = PACKAGES[repo.ecosystem]
        count = _poisson(rng, 32.0 * max(0.5, ctx.activity) ** 0.5)
        for _ in range(count):
            day = int((YEAR_END - YEAR_START) / DAY * rng.random())
            opened = YEAR_START + day * DAY + rng.uniform(3, 6) * HOUR
            if opened > YEAR_END:
                continue
            package, old, new = rng.choice(packages)
            if bot is DEPENDABOT:
                title = f"Bump {package} from {old} to {new}"
                branch = f"dependabot/{repo.ecosystem}/{package.replace(':', '/')}-{new}"
                body = (
                    f"Bumps {package} from {old} to {new}.\n\n---\n\nDependabot will resolve any conflicts."
                )
            else:
                title = f"chore(deps): update dependency {package} to v{new}"
                branch = f"renovate/{slugify(package)}-{new.split('.')[0]}.x"
                body = f"This PR contains the following updates: {package} {old} -> {new}"
            pr = open_pull_request(
                ctx,
                repo,
                bot,
                kind="bot",
                item=None,
                title=title,
                head_ref=branch,
                body=body,
                labels=["dependencies"],
                first_commit_at=opened - rng.uniform(10, 60),
                opened_at=opened,
                rng=rng,
                n_commits=1,
            )
            roll = rng.random()
            if roll < 0.2:
                closed = opened + hours(rng, 120, 0.8)
                if closed <= YEAR_END:
                    pr.closed_at = pr.last_activity = closed  # superseded by a newer bump
                continue
            if roll < 0.27:
                continue  # still open
            review_and_merge(ctx, pr, rng, quick=True)


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 40:
        return max(0, round(rng.gauss(mean, mean**0.5)))
    limit, k, product = pow(2.718281828459045, -mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


poisson = _poisson


# --- Pull requests opened in response to an incident --------------------------------------------------------


def hotfix_pull_request(
    ctx: TeamContext, repo: RepoSpec, responder: Person, item: WorkItem, opened_at: float, rng: random.Random
) -> PullRequest:
    title = f"{{KEY}} Hotfix: {item.summary[:1].lower()}{item.summary[1:]}"
    pr = open_pull_request(
        ctx,
        repo,
        responder,
        kind="hotfix",
        item=item,
        title=title,
        head_ref=f"hotfix/{{KEY}}-{slugify(item.summary, 24)}",
        body="Hotfix for the ongoing incident.",
        labels=["hotfix"],
        first_commit_at=opened_at - rng.uniform(8, 30) * MINUTE,
        opened_at=opened_at,
        rng=rng,
        n_commits=1 + (rng.random() < 0.3),
    )
    review_and_merge(ctx, pr, rng, quick=True)
    return pr


def revert_pull_request(
    ctx: TeamContext,
    repo: RepoSpec,
    responder: Person,
    culprit: PullRequest,
    opened_at: float,
    rng: random.Random,
) -> PullRequest:
    pr = PullRequest(
        repo=repo,
        author=responder,
        kind="revert",
        item=None,
        title='Revert "{REVERTED_TITLE}"',
        head_ref="revert-{REVERTED_NUMBER}-{REVERTED_REF}",
        body="Reverts {REVERTED_PR}",
        created_at=opened_at,
        labels=[],
        reverts=culprit,
    )
    pr.test_merge_sha = ctx.new_sha(repo, "test-merge")
    message = 'Revert "{REVERTED_TITLE}"\n\nThis reverts commit {REVERTED_SHA}.'
    pr.commits.append(
        new_commit(ctx, repo, responder, opened_at - rng.uniform(1, 5) * MINUTE, message, rng, pr)
    )
    ctx.pull_requests.setdefault(repo.name, []).append(pr)
    add_ci_run(ctx, pr, pr.commits[-1], opened_at, rng)
    review_and_merge(ctx, pr, rng, quick=True)
    return pr


def stale_pull_requests(prs: list[PullRequest], limit: int = 2) -> dict[PullRequest, float]:
    """PRs merged or closed in the last days of the year, first exported while still open, with the time of
    that first export (at most `limit` of them)."""
    chosen: dict[PullRequest, float] = {}
    for pr in prs:
        if (
            pr.closed_at is not None
            and pr.closed_at >= YEAR_END - 10 * DAY
            and pr.closed_at - pr.created_at > 6 * HOUR
        ):
            chosen[pr] = pr.closed_at - 3 * HOUR
            if len(chosen) == limit:
                break
    return chosen
