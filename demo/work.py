"""Work items through the workflow of `organisation.JIRA_STATUSES`, as changelog histories.

Each item walks the five phases (discovery, planning, development, release readiness, release) with the
detours real teams take: skipped planning, blocked periods, review and testing bounce-backs, hand-offs to
another team, cancellations, reopenings, items created directly in a late status, and items still open
when the year ends. Code work opens pull requests (see `pulls`), whose review and merge times drive the
Code Review and Ready for QA moves.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

from .model import Change, History, TeamContext, WorkItem
from .organisation import PLANTED_SLOWDOWN_RELEASE_DATE
from .people import Person
from .pulls import (
    item_branch,
    item_labels,
    item_title,
    open_pull_request,
    poisson,
    review_and_merge,
    rewrite_after_force_push,
)
from .timeline import (
    DAY,
    HOUR,
    MINUTE,
    YEAR_END,
    YEAR_START,
    YearEnded,
    check_in_year,
    day_index,
    hours,
    local_day_start,
    parse_utc,
    working_time,
)
from .vocabulary import COMPONENTS, DOMAIN_NOUNS, LABELS, summary_for

BACKLOG = "10000"
DISCOVERY = "10001"
READY_FOR_PLANNING = "10002"
SELECTED = "10003"
IN_PROGRESS = "3"
BLOCKED = "10004"
CODE_REVIEW = "10005"
READY_FOR_QA = "10006"
IN_TESTING = "10007"
READY_FOR_RELEASE = "10008"
DONE = "10009"
WONT_DO = "10010"
REOPENED = "4"

RESOLUTION_OF = {DONE: "Done", WONT_DO: "Won't Do"}
PRIORITIES = ("Highest", "High", "Medium", "Low", "Lowest")
SPRINT_ZERO = parse_utc("2025-11-03")
SPRINT_LENGTH = 14 * DAY
RELEASE_TRAIN_DAYS = 24  # in the planted run-up, items ready this close to the release wait for it


@dataclass(frozen=True)
class TeamProfile:
    items_per_month: float  # standard items created per month at scale 1
    approvals: int  # approvals a pull request needs
    qa_share: float  # share of code items that go through QA


TEAM_PROFILES: dict[str, TeamProfile] = {
    "checkout": TeamProfile(14, 1, 0.7),
    "payments": TeamProfile(24, 2, 0.8),  # the biggest team, so its planted story rests on enough items
    "catalog": TeamProfile(12, 1, 0.6),
    "identity": TeamProfile(11, 1, 0.6),
    "infra": TeamProfile(10, 1, 0.25),
    "data-platform": TeamProfile(10, 1, 0.35),
    "growth-web": TeamProfile(13.5, 1, 0.5),
    "mobile": TeamProfile(10.5, 1, 0.8),
    "billing": TeamProfile(12, 1, 0.7),
    "search": TeamProfile(14, 1, 0.5),
    "fulfilment": TeamProfile(10, 1, 0.6),
}
ISSUE_TYPE_WEIGHTS = (("Story", 45), ("Bug", 22), ("Task", 15), ("Tech Debt", 13), ("Risk", 5))
CODE_SHARE = {"Story": 0.92, "Bug": 0.9, "Task": 0.5, "Tech Debt": 0.88, "Risk": 0.1}


def sprint_number(t: float) -> int:
    return max(1, int((t - SPRINT_ZERO) // SPRINT_LENGTH) + 1)


def version_name(project: str, t: float) -> str:
    stamp = datetime.fromtimestamp(t, UTC)
    return f"{project} {stamp.year}.{stamp.month:02d}"


def status_times(item: WorkItem, status: str) -> list[float]:
    return [h.at for h in item.histories for c in h.changes if c.field == "status" and c.new == status]


class ItemFlow:
    """Walks one item through the workflow, recording a history per move; raises YearEnded past the year."""

    def __init__(self, ctx: TeamContext, item: WorkItem, rng: random.Random) -> None:
        self.ctx, self.item, self.rng = ctx, item, rng
        self.t = item.created
        self.status = item.initial_status
        self.assignee = item.initial_assignee
        self.priority = item.priority
        self.labels = item.labels
        self.sprints: tuple[int, ...] = ()
        self.offset = ctx.spec.utc_offset_min

    # -- time
    def wait(self, median_hours: float, sigma: float, *, slow: bool = True) -> None:
        seconds = hours(self.rng, median_hours, sigma)
        self.t = check_in_year(self.ctx.after(self.t, seconds, self.offset, self.rng, slow))

    def goto(self, t: float) -> None:
        self.t = check_in_year(max(self.t + 1.0, t))

    # -- histories
    def record(self, changes: list[Change], author: Person | None = None) -> None:
        who = author or self.assignee or self.ctx.roster.product_manager
        self.item.histories.append(History(check_in_year(self.t), who, changes))
        self.t += self.rng.uniform(2, 45)  # the next history is strictly later

    def move(self, to: str, author: Person | None = None, extra: tuple[Change, ...] = ()) -> None:
        changes = [Change("status", self.status, to)]
        if to in RESOLUTION_OF and self.status not in RESOLUTION_OF:
            changes.append(Change("resolution", None, RESOLUTION_OF[to]))
        elif self.status in RESOLUTION_OF and to not in RESOLUTION_OF:
            changes.append(Change("resolution", RESOLUTION_OF[self.status], None))
        changes.extend(extra)
        self.status = to
        self.record(changes, author)

    def assign(self, person: Person | None, author: Person | None = None) -> None:
        if person is self.assignee:
            return
        self.record([Change("assignee", self.assignee, person)], author or person)
        self.assignee = person

    def join_sprint(self, author: Person | None = None) -> None:
        number = sprint_number(self.t)
        if number in self.sprints:
            return
        new = (*self.sprints[-2:], number)
        self.record([Change("Sprint", self.sprints, new)], author)
        self.sprints = new

    def change_priority(self, author: Person) -> None:
        index = PRIORITIES.index(self.priority)
        new = PRIORITIES[max(0, min(4, index + self.rng.choice((-1, -1, 1))))]
        if new != self.priority:
            self.record([Change("priority", self.priority, new)], author)
            self.priority = new

    def change_labels(self, author: Person) -> None:
        pool = LABELS.get(self.item.issue_type, ("backend",))
        label = self.rng.choice(pool)
        new = tuple(sorted(set(self.labels) ^ {label}))
        self.record([Change("labels", self.labels, new)], author)
        self.labels = new

    def rank(self, author: Person) -> None:
        self.record([Change("Rank", None, self.rng.choice(("Ranked higher", "Ranked lower")))], author)


# --- Creating items -----------------------------------------------------------------------------------------


def _new_item(
    ctx: TeamContext, issue_type: str, created: float, rng: random.Random, reporter: Person
) -> WorkItem:
    base = ctx.spec.base_slug
    labels = tuple(
        sorted(set(rng.sample(LABELS[issue_type], k=min(len(LABELS[issue_type]), rng.randint(0, 2)))))
    )
    components = (rng.choice(COMPONENTS[base]),) if rng.random() < 0.7 else ()
    priority = rng.choices(PRIORITIES, weights=(4, 18, 60, 14, 4))[0]
    if issue_type == "Bug" and rng.random() < 0.3:
        priority = "High"
    points = (
        rng.choice((1, 2, 3, 5, 8, 13))
        if issue_type in ("Story", "Tech Debt") and rng.random() < 0.8
        else None
    )
    due = None
    if rng.random() < 0.1:
        due_at = min(created + rng.uniform(14, 45) * DAY, YEAR_END)
        due = datetime.fromtimestamp(due_at, UTC).strftime("%Y-%m-%d")
    item = WorkItem(
        seq=ctx.next("item"),
        issue_type=issue_type,
        created=created,
        reporter=reporter,
        summary=summary_for(issue_type, base, rng),
        initial_status=BACKLOG,
        initial_assignee=None,
        priority=priority,
        labels=labels,
        components=components,
        story_points=float(points) if points is not None else None,
        due_date=due,
    )
    ctx.items.append(item)
    return item


def _months() -> list[tuple[float, float]]:
    bounds = []
    for index in range(12):
        year, month = 2025 + (10 + index) // 12, (10 + index) % 12 + 1
        start = datetime(year, month, 1, tzinfo=UTC).timestamp()
        next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
        bounds.append((start, datetime(next_year, next_month, 1, tzinfo=UTC).timestamp()))
    return bounds


def simulate_work_items(ctx: TeamContext) -> None:
    """The team's year of Jira work, with the pull requests it drives."""
    rng = ctx.rng("work")
    profile = TEAM_PROFILES[ctx.spec.base_slug]
    epics = _plan_epics(ctx, rng)
    # Every team has at least one item created directly in a late status, early in the year.
    late_created_seq = ctx.count("item") + 4 + int(rng.random() * 6)
    for start, end in _months():
        for _ in range(poisson(rng, profile.items_per_month * ctx.activity)):
            reporter = ctx.roster.product_manager if rng.random() < 0.55 else rng.choice(ctx.engineers)
            created = working_time(start + rng.random() * (end - start), ctx.spec.utc_offset_min, rng)
            if created > YEAR_END:
                continue
            issue_type = rng.choices(
                [t for t, _ in ISSUE_TYPE_WEIGHTS], weights=[w for _, w in ISSUE_TYPE_WEIGHTS]
            )[0]
            item = _new_item(ctx, issue_type, created, rng, reporter)
            live_epics = [e for e in epics if e.created < created < e.created + 200 * DAY]
            if live_epics and issue_type in ("Story", "Task", "Tech Debt") and rng.random() < 0.65:
                item.epic = rng.choice(live_epics)
                item.epic.children.append(item)
            if rng.random() < 0.03 or item.seq == late_created_seq:
                _created_in_late_status(ctx, item, rng, profile, forced=item.seq == late_created_seq)
            else:
                _run(ctx, item, rng, profile, _standard_flow)
            if issue_type == "Story" and rng.random() < 0.15:
                _plan_subtasks(ctx, item, rng)
    _plant_long_history_item(ctx, rng, profile)
    _finish_epics(ctx, epics, rng)


def _run(ctx: TeamContext, item: WorkItem, rng: random.Random, profile: TeamProfile, walk) -> None:
    flow = ItemFlow(ctx, item, rng)
    try:
        walk(flow, profile)
    except YearEnded:
        pass  # the item is still where it was when the year ended


# --- The standard path --------------------------------------------------------------------------------------


def _planning_path(issue_type: str, rng: random.Random) -> tuple[str, ...]:
    roll = rng.random()
    if issue_type == "Bug":
        options = ((0.55, ()), (0.9, (SELECTED,)), (1.0, (READY_FOR_PLANNING, SELECTED)))
    elif issue_type == "Story":
        options = (
            (0.2, ()),
            (0.5, (SELECTED,)),
            (0.8, (READY_FOR_PLANNING, SELECTED)),
            (1.0, (DISCOVERY, READY_FOR_PLANNING, SELECTED)),
        )
    else:
        options = ((0.4, ()), (0.8, (SELECTED,)), (1.0, (READY_FOR_PLANNING, SELECTED)))
    return next(path for limit, path in options if roll < limit)


PLANNING_WAIT_HOURS = {DISCOVERY: 40.0, READY_FOR_PLANNING: 50.0, SELECTED: 40.0}


def _standard_flow(flow: ItemFlow, profile: TeamProfile) -> None:
    ctx, item, rng = flow.ctx, flow.item, flow.rng
    pm = ctx.roster.product_manager
    if rng.random() < 0.25:
        flow.wait(30, 1.0, slow=False)
        flow.rank(pm)
    if rng.random() < 0.10:
        flow.wait(24, 1.0, slow=False)
        flow.change_priority(pm)
    if rng.random() < 0.06:
        flow.wait(200, 1.0, slow=False)
        flow.move(WONT_DO, pm)  # canceled before anyone started
        return
    path = _planning_path(item.issue_type, rng)
    for status in path:
        flow.wait(PLANNING_WAIT_HOURS[status], 1.0, slow=False)
        flow.move(status, pm)
        if status == SELECTED:
            flow.join_sprint(pm)
    flow.wait(60 if path else 90, 1.2, slow=False)  # waiting in the backlog or for the sprint
    _start(flow, rng.choice(ctx.engineers))
    if rng.random() < 0.12:
        flow.change_labels(flow.assignee or pm)
    if rng.random() < 0.08:
        _blocked_period(flow)
    if rng.random() < 0.06 and ctx.handoff_people:
        _hand_off(flow)
    if rng.random() < 0.02:
        flow.wait(30, 1.0)
        flow.move(WONT_DO, pm)  # canceled while in progress
        return
    has_code = rng.random() < CODE_SHARE[item.issue_type]
    if has_code:
        _develop(flow, profile)
        if rng.random() < profile.qa_share:
            _test(flow, profile)
        _await_release(flow, 10)
    else:
        flow.wait(20, 1.0)
    _finish(flow)
    if rng.random() < 0.045:
        _reopen(flow, profile)


def _start(flow: ItemFlow, engineer: Person) -> None:
    if flow.assignee is not engineer:
        flow.assign(engineer, engineer)
    flow.move(IN_PROGRESS, engineer)
    flow.join_sprint(engineer)


def _await_release(flow: ItemFlow, median_hours: float) -> None:
    flow.move(READY_FOR_RELEASE)
    slowdown = flow.ctx.slowdown
    if slowdown is not None and slowdown.end - DAY - RELEASE_TRAIN_DAYS * DAY <= flow.t < slowdown.end - DAY:
        # The release train of the planted story: in the run-up, items ship with the release itself.
        release_day = day_index(slowdown.end - DAY, flow.offset)
        flow.goto(local_day_start(release_day, flow.offset) + flow.rng.uniform(14, 17.5) * HOUR)
    else:
        flow.wait(median_hours, 1.0)


def _finish(flow: ItemFlow, author: Person | None = None) -> None:
    extra: tuple[Change, ...] = ()
    if flow.rng.random() < 0.85:
        extra = (Change("Fix Version", None, version_name(flow.ctx.spec.team.jira_project, flow.t)),)
    flow.move(DONE, author, extra)


def _blocked_period(flow: ItemFlow) -> None:
    flow.wait(8, 1.0)
    flow.move(BLOCKED)
    flow.item.comments.append(
        (flow.t, flow.assignee or flow.ctx.roster.product_manager, "Blocked on a dependency.")
    )
    flow.wait(36, 1.0)
    flow.move(IN_PROGRESS)


def _hand_off(flow: ItemFlow) -> None:
    """The item goes to an engineer of another team (identity, infra...) for part of its life."""
    owner = flow.assignee
    other = flow.rng.choice(flow.ctx.handoff_people)
    flow.wait(5, 1.0)
    flow.assign(other, owner)
    flow.item.comments.append(
        (flow.t, owner or other, f"Handing over to {other.name} for the platform part.")
    )
    flow.wait(26, 0.9)
    flow.assign(owner, other)


def _develop(flow: ItemFlow, profile: TeamProfile, followup: bool = False, may_abandon: bool = True) -> None:
    """Coding, then a pull request through review to merge (Code Review while it is open)."""
    ctx, item, rng = flow.ctx, flow.item, flow.rng
    repos = ctx.spec.repos
    repo = repos[0] if len(repos) == 1 else repos[int(rng.random() < 0.45)]
    author = flow.assignee if flow.assignee is not None and flow.assignee.team == ctx.spec.team.slug else None
    author = author or rng.choice(ctx.engineers)
    first = working_time(flow.t + hours(rng, 1.5, 0.8), author.utc_offset_min, rng)
    opened = check_in_year(
        ctx.after(first, hours(rng, 5 if followup else 16, 0.9), author.utc_offset_min, rng)
    )
    pr = open_pull_request(
        ctx,
        repo,
        author,
        kind="bugfix" if item.issue_type == "Bug" else "feature",
        item=item,
        title=item_title(item, rng, followup),
        head_ref=item_branch(item, rng, followup),
        body=_pr_body(item, rng),
        labels=item_labels(item, rng),
        first_commit_at=first,
        opened_at=opened,
        rng=rng,
    )
    pr.draft = rng.random() < 0.06
    if flow.status != CODE_REVIEW:
        flow.goto(opened + rng.uniform(1, 30) * MINUTE)
        flow.move(CODE_REVIEW, author)
    abandon = may_abandon and not followup and rng.random() < 0.04
    review_and_merge(ctx, pr, rng, approvals_needed=profile.approvals, abandon=abandon)
    if abandon:
        if pr.closed_at is None:
            raise YearEnded
        flow.goto(pr.closed_at + rng.uniform(1, 20) * MINUTE)
        flow.move(IN_PROGRESS, author)
        _develop(flow, profile, may_abandon=False)  # a fresh pull request replaces the closed one
        return
    if any(r.state == "CHANGES_REQUESTED" for r in pr.reviews) and rng.random() < 0.3:
        # Some people move the issue back while they address the requested changes.
        first_request = min(r.submitted_at for r in pr.reviews if r.state == "CHANGES_REQUESTED")
        if first_request + 20 * MINUTE < (pr.merged_at or YEAR_END):
            flow.goto(first_request + rng.uniform(5, 20) * MINUTE)
            flow.move(IN_PROGRESS, author)
            flow.goto(first_request + rng.uniform(25, 60) * MINUTE)
            flow.move(CODE_REVIEW, author)
    if pr.merged_at is None:
        raise YearEnded  # still in review when the year ends
    if (
        ctx.spec.ordinal % 4 == 1
        and ctx.next("merged-item-prs") >= 12
        and not ctx.count("force-push")
        and rewrite_after_force_push(pr, rng)
    ):
        ctx.next("force-push")  # one such odd pull request in every fourth team
    flow.goto(pr.merged_at + rng.uniform(1, 40) * MINUTE)
    if not followup and rng.random() < 0.45:
        _second_pull_request(flow, profile, repo)


def _second_pull_request(flow: ItemFlow, profile: TeamProfile, repo) -> None:
    """The item needed a second, follow-up change before it could move on."""
    ctx, item, rng = flow.ctx, flow.item, flow.rng
    author = rng.choice(ctx.engineers)
    first = working_time(flow.t + hours(rng, 2, 0.8), author.utc_offset_min, rng)
    opened = check_in_year(ctx.after(first, hours(rng, 8, 0.9), author.utc_offset_min, rng))
    pr = open_pull_request(
        ctx,
        repo,
        author,
        kind="feature",
        item=item,
        title=f"{{KEY}} Follow-up: {item.summary}",
        head_ref="feature/{KEY}-follow-up",
        body=None,
        labels=[],
        first_commit_at=first,
        opened_at=opened,
        rng=rng,
    )
    review_and_merge(ctx, pr, rng, approvals_needed=profile.approvals)
    if pr.merged_at is None:
        raise YearEnded
    flow.goto(pr.merged_at + rng.uniform(1, 30) * MINUTE)


def _test(flow: ItemFlow, profile: TeamProfile) -> None:
    """Ready for QA, In Testing, and now and then back to In Progress (a bounce-back)."""
    rng = flow.rng
    tester = rng.choice(flow.ctx.engineers)
    flow.move(READY_FOR_QA)
    flow.wait(8, 1.0)
    flow.move(IN_TESTING, tester)
    flow.wait(6, 0.9)
    if rng.random() < 0.35:
        flow.move(IN_PROGRESS, tester)
        flow.item.comments.append((flow.t, tester, "Found an issue in testing, moving back."))
        _develop(flow, profile, followup=True)
        flow.move(READY_FOR_QA)
        flow.wait(6, 1.0)
        flow.move(IN_TESTING, tester)
        flow.wait(4, 0.9)


def _reopen(flow: ItemFlow, profile: TeamProfile) -> None:
    pm = flow.ctx.roster.product_manager
    flow.wait(90, 1.0, slow=False)
    flow.move(REOPENED, pm)
    flow.wait(20, 1.0)
    flow.move(IN_PROGRESS)
    if flow.rng.random() < 0.7:
        _develop(flow, profile, followup=True)
        _await_release(flow, 8)
    else:
        flow.wait(10, 1.0)
    _finish(flow)


def _pr_body(item: WorkItem, rng: random.Random) -> str | None:
    if rng.random() < 0.15:
        return None
    return "## What\n" + item.summary + "\n\n## Why\nSee {KEY}.\n\nJira: {JIRA_URL}"


# --- Special items ------------------------------------------------------------------------------------------


def _created_in_late_status(
    ctx: TeamContext, item: WorkItem, rng: random.Random, profile: TeamProfile, forced: bool
) -> None:
    """Created directly in progress or done (no status history), as when work is logged after the fact."""
    engineer = rng.choice(ctx.engineers)
    item.reporter = engineer
    item.initial_assignee = engineer
    roll = 0.0 if forced else rng.random()
    if roll < 0.45:
        item.initial_status = DONE
        item.issue_type = "Task"
        item.summary = summary_for("Task", ctx.spec.base_slug, rng)
        return
    item.issue_type = "Bug"
    item.summary = summary_for("Bug", ctx.spec.base_slug, rng)
    item.initial_status = IN_PROGRESS
    if roll < 0.7:
        return  # still in progress, never moved

    def continue_work(flow: ItemFlow, profile: TeamProfile) -> None:
        _develop(flow, profile)
        _finish(flow)

    _run(ctx, item, rng, profile, continue_work)


def _plan_subtasks(ctx: TeamContext, parent: WorkItem, rng: random.Random) -> None:
    """Sub-tasks split the parent's development; each is closed when its part of the code lands."""
    starts = status_times(parent, IN_PROGRESS)
    if not starts:
        return
    merges = sorted(pr.merged_at for pr in parent.pull_requests if pr.merged_at is not None)
    landed = merges[0] if merges else None
    for _ in range(rng.randint(2, 3)):
        created = starts[0] + rng.uniform(5, 90) * MINUTE
        if created > YEAR_END:
            return
        owner = rng.choice(ctx.engineers)
        sub = _new_item(ctx, "Sub-task", created, rng, owner)
        sub.parent = parent
        parent.children.append(sub)
        sub.story_points = None

        def walk(flow: ItemFlow, profile: TeamProfile, owner: Person = owner) -> None:
            flow.wait(3, 1.0)
            _start(flow, owner)
            if landed is not None and landed > flow.t:
                flow.goto(landed + flow.rng.uniform(5, 120) * MINUTE)
            else:
                flow.wait(20, 1.0)
            flow.move(DONE, owner)

        _run(ctx, sub, rng, TEAM_PROFILES[ctx.spec.base_slug], walk)


QUARTER_STARTS = ("2025-11-03", "2026-02-02", "2026-05-04", "2026-08-03")


def _plan_epics(ctx: TeamContext, rng: random.Random) -> list[WorkItem]:
    epics = []
    for quarter in QUARTER_STARTS:
        for _ in range(max(1, poisson(rng, 2.2 * ctx.activity**0.6))):
            created = working_time(parse_utc(quarter) + rng.uniform(0, 6) * DAY, ctx.spec.utc_offset_min, rng)
            epic = _new_item(ctx, "Epic", created, rng, ctx.roster.product_manager)
            epic.story_points = None
            epics.append(epic)
    if ctx.slowdown is not None:
        # The planted story's epic: the team's first, whose work runs into the slowdown, is due with the
        # release, so its forecasts show the drag as a falling chance of being on time. Set after the draws,
        # so every other item stays as it was.
        epics[0].due_date = PLANTED_SLOWDOWN_RELEASE_DATE
    return epics


def _finish_epics(ctx: TeamContext, epics: list[WorkItem], rng: random.Random) -> None:
    pm = ctx.roster.product_manager
    for epic in epics:
        flow = ItemFlow(ctx, epic, rng)
        try:
            starts = [t for child in epic.children for t in status_times(child, IN_PROGRESS)[:1]]
            if not starts:
                if rng.random() < 0.3:
                    flow.wait(900, 0.5, slow=False)
                    flow.move(WONT_DO, pm)
                continue
            flow.goto(working_time(min(starts) - rng.uniform(2, 20) * HOUR, flow.offset, rng))
            flow.move(IN_PROGRESS, pm)
            done_times = [status_times(child, DONE) for child in epic.children]
            if all(done_times) and epic.children:
                finished = max(times[-1] for times in done_times)
                if finished - epic.created > 45 * DAY:
                    flow.goto(finished + rng.uniform(1, 5) * DAY)
                    flow.move(DONE, pm)
        except YearEnded:
            pass


def _plant_long_history_item(ctx: TeamContext, rng: random.Random, profile: TeamProfile) -> None:
    """An item that drags over many sprints: more than 40 histories (one team's goes past 100)."""
    target = 118 if ctx.spec.ordinal % 8 == 0 else 46 + int(rng.random() * 30)
    created = working_time(YEAR_START + rng.uniform(2, 9) * DAY, ctx.spec.utc_offset_min, rng)
    item = _new_item(ctx, "Story", created, rng, ctx.roster.product_manager)
    item.summary = f"Rebuild {rng.choice(DOMAIN_NOUNS[ctx.spec.base_slug])} end to end"
    item.is_long = True

    def walk(flow: ItemFlow, profile: TeamProfile) -> None:
        pm = ctx.roster.product_manager
        flow.wait(20, 0.5, slow=False)
        flow.move(SELECTED, pm)
        flow.join_sprint(pm)
        flow.wait(20, 0.5, slow=False)
        _start(flow, rng.choice(ctx.engineers))
        while len(item.histories) < target - 8:
            flow.wait(28, 0.5, slow=False)
            if sprint_number(flow.t) not in flow.sprints:
                flow.join_sprint(pm)  # carried over into the next sprint
                flow.rank(pm)
                continue
            action = rng.random()
            if action < 0.25:
                flow.rank(pm)
            elif action < 0.45:
                flow.change_labels(pm)
            elif action < 0.6:
                flow.change_priority(pm)
            elif action < 0.8:
                flow.assign(rng.choice(ctx.engineers), pm)
            elif flow.status == IN_PROGRESS:
                flow.move(BLOCKED)
            else:
                flow.move(IN_PROGRESS)
        if flow.status != IN_PROGRESS:
            flow.move(IN_PROGRESS)
        _develop(flow, profile, may_abandon=False)
        _await_release(flow, 10)
        _finish(flow)

    _run(ctx, item, rng, profile, walk)


# --- Items raised by incidents ------------------------------------------------------------------------------


def incident_bug(
    ctx: TeamContext, created: float, responder: Person, summary: str, rng: random.Random
) -> WorkItem:
    """A defect raised during an incident; its hotfix pull request carries its key."""
    item = WorkItem(
        seq=ctx.next("item"),
        issue_type="Bug",
        created=created,
        reporter=responder,
        summary=summary,
        initial_status=BACKLOG,
        initial_assignee=responder,
        priority="Highest",
        labels=("incident", "production"),
        components=(rng.choice(COMPONENTS[ctx.spec.base_slug]),),
    )
    ctx.items.append(item)
    return item


def record_hotfix_flow(ctx: TeamContext, item: WorkItem, rng: random.Random) -> None:
    pr = item.pull_requests[0]
    flow = ItemFlow(ctx, item, rng)
    try:
        flow.goto(pr.commits[0].authored_at - rng.uniform(1, 4) * MINUTE)
        flow.move(IN_PROGRESS, pr.author)
        flow.goto(pr.created_at + rng.uniform(1, 5) * MINUTE)
        flow.move(CODE_REVIEW, pr.author)
        if pr.merged_at is not None:
            flow.goto(pr.merged_at + rng.uniform(20, 80) * MINUTE)
            _finish(flow, pr.author)
    except YearEnded:
        pass
