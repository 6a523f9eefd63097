"""The demo organisation generator: a believable company's year of exports from a mixed toolchain.

`generate_demo_exports(out_dir, size, seed)` writes the landing layout (every file an unmodified API
response body) for the year 2025-11-01 to 2026-10-31 UTC:

    jira/issues/page-*.json, jira/changelogs/<key>/page-*.json,
    github/<owner>/<repo>/{pulls,pull_commits,pull_reviews,commits,deployments,deployment_statuses,
                           workflow_runs}/..., pagerduty/incidents/page-*.json,
    azure_devops/acme/<project>/{work_items,work_item_updates,pull_requests,pull_request_commits,builds,
                                 environment_deployments/<environment>}/...,
    gitlab/<group>/<project>/{merge_requests,merge_request_commits,merge_request_notes,commits,pipelines,
                              deployments}/..., jenkins/<controller>/<job path>/builds-*.json,
    opsgenie/{incidents,alerts}/page-*.json

Eight teams work in Jira, GitHub and PagerDuty. Three more use other tools: Billing does everything in
Azure DevOps (Boards, Repos, Pipelines) and is paged by Opsgenie; Search tracks work in Jira, keeps its code
on GitLab, deploys with GitLab deployments and is paged by Opsgenie; Fulfilment tracks work in Jira, keeps
its code on GitLab, deploys through a Jenkins job and is paged by PagerDuty. Every team's year comes from the
same simulation (`work`, `pulls`, `repository`, `pagerduty`); each tool's module renders its part
(`jira`, `github`, `pagerduty`, `azure_devops`, `gitlab`, `jenkins`, `opsgenie`). The teams on other
toolchains are simulated after the GitHub teams and exported separately (`jira/issues/page-update-0002.json`,
`pagerduty/incidents/services-page-*.json`), so they add files without changing any of the GitHub teams'.

The organisation comes from `organisation.py` (teams, value streams, repositories, projects, services,
statuses). Generation is deterministic (same seed and size, same bytes; the clock is never read) and runs
team by team, writing pages as it goes, so memory stays bounded by one team's year.

Sizes: "S" is the default demo (11 teams; the eight GitHub teams have about 1,500 issues, 2,000 pull
requests, 700 deployments and 60 incidents, the other three about 370 Jira issues and 190 work items, 670
pull and merge requests, 250 deployments and 25 incidents), "M" is ten times S and "L" an organisation of
about 2,000 engineers; a number is a scale factor (0.25 is a quarter of S). Above scale 1 the teams are
replicated (`payments-2`, `PAY2`, `billing-engine-2` in Azure DevOps project `Billing2`, GitLab group
`acme/search-2`, Jenkins job `fulfilment-2/deploy`...), each does more work, and most replicated
repositories merge with merge commits (their default branches carry the pull requests' commits), as large
organisations' older repositories tend to.

The planted story. Team `payments` (`PLANTED_SLOWDOWN_TEAM`) prepares release "PAY 2026.06" (release date
2026-06-30). From 2026-05-15 until the release the team drags: coding and testing stretch by a factor of
1.8, review waits by 1.4, and items that become Ready for Release in the last 24 days wait for the release
train on 2026-06-30 instead of shipping within hours. The median cycle time (In Progress to Done) of its
items done in the six weeks before the release is about double the rest of the year's (2.2x with seed 7,
between 1.8x and 2.9x for four seeds in five), the time its pull requests spend in review (opened to
merged) about doubles as well, and both recover in July. Every other team keeps its pace all year.

Also planted on purpose, so that the warehouse has every case to handle: squash and merge-commit
repositories and direct pushes to main; rollbacks, hotfix and revert pull requests, failed deployments,
redeploys of the same sha, deployments without any status; incidents naming a deployment id, a commit sha
or a pull request, incidents inside and outside the 24-hour attribution window, open incidents, resolved
incidents without `resolved_at`; Jira issues with more than 40 histories, the QA -> In Testing status
rename, items created in a late status, bounce-backs, cross-team hand-offs, `+0800`/`-0500` offsets; page
drift (consecutive pages sharing a record) and one re-export per source with newer versions of a few records.
The other toolchains add their own cases: Azure DevOps `AB#123` mentions and `workItemRefs`, reviewer votes,
a work item retyped from Task to Bug, the `9999-01-01` "not revised" date, release builds owning environment
deployment records (some failed); GitLab approvals as system notes, merge and squash projects; Jenkins
builds exported month by month, one of them still running in one export and finished in the next; Opsgenie
incidents naming their deployment in `extraProperties`, timestamps with nine fractional digits.
"""

from __future__ import annotations

import dataclasses
import math
import shutil
from pathlib import Path

from .azure_devops import assign_work_item_ids, write_azure_devops
from .github import RepositoryRenderer
from .gitlab import write_gitlab
from .ids import pagerduty_id, rng_for, stable_int, uuid_for
from .jenkins import write_jenkins
from .jira import JiraRenderer, next_page_token, replay
from .model import IncidentPlan, PullRequest, RepoSpec, TeamContext, TeamSpec, WorkItem
from .opsgenie import write_opsgenie
from .organisation import (
    AZURE_DEVOPS_ORGANIZATION,
    AZURE_DEVOPS_PROJECTS,
    DEPLOY_WORKFLOW_EVENT,
    GITHUB_OWNER,
    GITLAB_GROUPS,
    JENKINS_DEPLOY_JOBS,
    JIRA_BOARD_PROJECTS,
    JIRA_EPIC_LINK_PROJECTS,
    JIRA_SITE_UTC_OFFSET_MINUTES,
    PLANTED_SLOWDOWN_RELEASE_DATE,
    PLANTED_SLOWDOWN_START,
    PLANTED_SLOWDOWN_TEAM,
    REPOSITORIES_WITHOUT_PRODUCTION_FLAG,
    REPOSITORY_MERGE_STYLE,
    REPOSITORY_PRODUCTION_ENVIRONMENT,
    TEAM_UTC_OFFSET_MINUTES,
    TEAMS,
    Team,
    base_team_slug,
)
from .output import ExportWriter, paginate
from .pagerduty import incident_body, plan_background_incidents
from .people import Person, Roster, build_rosters
from .pulls import plan_bot_pull_requests, plan_chore_pull_requests, stale_pull_requests
from .repository import simulate_repositories
from .timeline import DAY, HOUR, YEAR_END, YEAR_START, Slowdown, parse_utc
from .work import IN_TESTING, simulate_work_items

SIZE_FACTORS = {"S": 1.0, "M": 10.0, "L": 160.0}
LAYOUT_FOLDERS = ("jira", "github", "pagerduty", "azure_devops", "gitlab", "jenkins", "opsgenie")
JIRA_PAGE_SIZE = 50
GITHUB_PAGE_SIZE = 100
PAGERDUTY_PAGE_SIZE = 25
SLOWDOWN_FACTOR = 1.8
QA_SNAPSHOT_AT = parse_utc("2026-03-25T12:00:00Z")
MAX_JIRA_UPDATES = 30
MAX_INCIDENT_UPDATES = 3
FIRST_INCIDENT_NUMBER = 1_200


@dataclasses.dataclass(frozen=True)
class RepoProfile:
    language: str
    ecosystem: str
    prod_per_week: float
    staging_per_week: float


REPO_PROFILES: dict[str, RepoProfile] = {
    # production and staging deploys a week at scale 1: growth-web and infra ship about daily, most teams
    # run a weekly release train, and staging gets a deploy more often than production
    "checkout-web": RepoProfile("TypeScript", "npm_and_yarn", 0.7, 1.0),
    "checkout-api": RepoProfile("Kotlin", "gradle", 0.45, 0.7),
    "payments-service": RepoProfile("Go", "go_modules", 0.7, 0.85),
    "catalog-service": RepoProfile("Python", "pip", 0.4, 0.7),
    "identity-service": RepoProfile("Go", "go_modules", 0.4, 0.7),
    "infra-tooling": RepoProfile("HCL", "terraform", 0.0, 0.0),  # deploys on (almost) every push to main
    "data-pipelines": RepoProfile("Python", "pip", 0.8, 0.0),
    "growth-web": RepoProfile("TypeScript", "npm_and_yarn", 1.5, 1.8),
    "mobile-app": RepoProfile("Kotlin", "gradle", 0.3, 0.6),
    "billing-engine": RepoProfile("Kotlin", "gradle", 0.6, 0.9),
    "search-api": RepoProfile("Python", "pip", 0.8, 1.2),
    "fulfilment-service": RepoProfile("Go", "go_modules", 0.5, 0.8),
}


# --- Size ---------------------------------------------------------------------------------------------------


def parse_scale(size: str | float) -> float:
    """ "S", "M", "L" or a positive number (a multiple of S)."""
    if isinstance(size, str) and size.strip().upper() in SIZE_FACTORS:
        return SIZE_FACTORS[size.strip().upper()]
    try:
        scale = float(size)
    except (TypeError, ValueError):
        raise ValueError(f"size must be S, M, L or a positive number, not {size!r}") from None
    if not math.isfinite(scale) or scale <= 0:
        raise ValueError(f"size must be a positive number, not {size!r}")
    return scale


def replicas_and_activity(scale: float) -> tuple[int, float]:
    """Bigger organisations have more teams (replicas of the eight) and somewhat busier ones."""
    if scale <= 1.0:
        return 1, scale
    replicas = max(1, round(scale**0.7))
    return replicas, scale / replicas


def build_team_specs(replicas: int) -> list[TeamSpec]:
    """The original GitHub teams of every replica first, then the teams on other toolchains, so that adding
    the latter changes nothing of the former (ordinals, people, identifiers)."""
    specs: list[TeamSpec] = []
    repo_ordinal = 0
    github_teams = [team for team in TEAMS if team.is_github_team]
    other_teams = [team for team in TEAMS if not team.is_github_team]
    for cohort in (github_teams, other_teams):
        for replica in range(1, replicas + 1):
            for base in cohort:
                team = _replicated_team(base, replica)
                repos = []
                for name, base_name in zip(team.repositories, base.repositories, strict=True):
                    repos.append(_repo_spec(team, base, name, base_name, replica, repo_ordinal))
                    repo_ordinal += 1
                specs.append(_team_spec(team, base, replica, len(specs), tuple(repos)))
    return specs


def _replicated_team(base: Team, replica: int) -> Team:
    """Replicas copy their base team with suffixed identifiers (`payments-2`, `PAY2`, `PAY...` services)."""
    if replica == 1:
        return base
    suffix = f"-{replica}"
    return dataclasses.replace(
        base,
        slug=f"{base.slug}{suffix}",
        name=f"{base.name} {replica}",
        jira_project=f"{base.jira_project}{replica}" if base.jira_project else "",
        repositories=tuple(f"{name}{suffix}" for name in base.repositories),
        pagerduty_service_id=pagerduty_id("P", 7, "service", base.slug, replica)
        if base.pagerduty_service_id
        else "",
        pagerduty_service_name=f"{base.pagerduty_service_name} {replica}"
        if base.pagerduty_service_name
        else "",
        opsgenie_team_id=uuid_for("opsgenie-team", base.slug, replica) if base.opsgenie_team_id else "",
        opsgenie_team_name=f"{base.opsgenie_team_name} {replica}" if base.opsgenie_team_name else "",
    )


def _azure_devops_project(base_slug: str, replica: int) -> str:
    """`Billing`, `Billing2`...: replicas number their project as Jira keys are numbered."""
    if base_slug not in AZURE_DEVOPS_PROJECTS:
        return ""
    return AZURE_DEVOPS_PROJECTS[base_slug] + ("" if replica == 1 else str(replica))


def _gitlab_group(base_slug: str, replica: int) -> str:
    """`acme/search`, `acme/search-2`...: replicas suffix their group as their slug."""
    if base_slug not in GITLAB_GROUPS:
        return ""
    return GITLAB_GROUPS[base_slug] + ("" if replica == 1 else f"-{replica}")


def _repository_path(team: Team, name: str, replica: int) -> str:
    """The repository's full path in its code host, as the mapping seed `repository_teams` names it."""
    base = base_team_slug(team.slug)
    if team.code_host == "azure_devops":
        return f"{AZURE_DEVOPS_ORGANIZATION}/{_azure_devops_project(base, replica)}/{name}"
    if team.code_host == "gitlab":
        return f"{_gitlab_group(base, replica)}/{name}"
    return f"{GITHUB_OWNER}/{name}"


def _repo_spec(team: Team, base: Team, name: str, base_name: str, replica: int, ordinal: int) -> RepoSpec:
    profile = REPO_PROFILES[base_name]
    return RepoSpec(
        name=name,
        full_name=_repository_path(team, name, replica),
        ordinal=ordinal,
        repo_id=612_000_000 + ordinal * 1_733,
        base_name=base_name,
        team_slug=team.slug,
        merge_style=_merge_style(name, base_name, replica),
        deploys_via=base.deploys_via,
        deploy_event=DEPLOY_WORKFLOW_EVENT.get(base_name, "push"),
        production_environment=REPOSITORY_PRODUCTION_ENVIRONMENT.get(base_name, "production"),
        sends_production_flag=base_name not in REPOSITORIES_WITHOUT_PRODUCTION_FLAG,
        language=profile.language,
        ecosystem=profile.ecosystem,
        prod_per_week=profile.prod_per_week,
        staging_per_week=profile.staging_per_week,
        created_at=parse_utc("2021-03-01") + stable_int("repo-created", name) % 900 * DAY,
    )


def _team_spec(team: Team, base: Team, replica: int, ordinal: int, repos: tuple[RepoSpec, ...]) -> TeamSpec:
    board = JIRA_BOARD_PROJECTS.get(base.jira_project)
    return TeamSpec(
        team=team,
        ordinal=ordinal,
        replica=replica,
        base_slug=base.slug,
        utc_offset_min=TEAM_UTC_OFFSET_MINUTES[base.slug],
        jira_offset_min=JIRA_SITE_UTC_OFFSET_MINUTES.get(base.jira_project, 0),
        board_id=None if board is None else board + (replica - 1) * 100,
        uses_epic_link=base.jira_project in JIRA_EPIC_LINK_PROJECTS,
        repos=repos,
        pagerduty_team_id=pagerduty_id("P", 7, "pd-team", team.slug),
        escalation_policy_id=pagerduty_id("P", 7, "pd-policy", team.slug),
        planted_slowdown=base.slug == PLANTED_SLOWDOWN_TEAM and replica == 1,
        azure_devops_project=_azure_devops_project(base.slug, replica),
        gitlab_group=_gitlab_group(base.slug, replica),
        jenkins_deploy_job=_jenkins_job(base.slug, replica),
        opsgenie_service_id=uuid_for("opsgenie-service", team.slug)
        if team.incident_tool == "opsgenie"
        else "",
    )


def _jenkins_job(base_slug: str, replica: int) -> str:
    """`fulfilment/deploy`; a replica's job sits in its own folder (`fulfilment-2/deploy`)."""
    job = JENKINS_DEPLOY_JOBS.get(base_slug, "")
    if not job or replica == 1:
        return job
    folder, _, name = job.partition("/")
    return f"{folder}-{replica}/{name}"


def _merge_style(name: str, base_name: str, replica: int) -> str:
    """The eight teams keep organisation.py's styles; most replicated teams merge with merge commits."""
    if replica == 1:
        return REPOSITORY_MERGE_STYLE.get(base_name, "squash")
    return "merge" if stable_int("merge-style", name) % 100 < 85 else "squash"


# --- The generator ------------------------------------------------------------------------------------------


@dataclasses.dataclass
class _ReExports:
    """Newer versions of a few records, written last as a later re-export of each source."""

    jira: list[dict] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class _Incidents:
    """Incident plans by the tool that pages each team, written once every team is simulated."""

    pagerduty: list[IncidentPlan] = dataclasses.field(default_factory=list)
    opsgenie: list[IncidentPlan] = dataclasses.field(default_factory=list)


def generate_demo_exports(out_dir: Path, size: str = "S", seed: int = 7) -> dict[str, int]:
    """Write the demo organisation's exports under `out_dir` and return files and records per folder kind.

    The folders of `LAYOUT_FOLDERS` in `out_dir` are replaced; nothing else there is touched.
    """
    scale = parse_scale(size)
    replicas, activity = replicas_and_activity(scale)
    specs = build_team_specs(replicas)
    rosters = build_rosters((spec.team.slug, spec.utc_offset_min) for spec in specs)
    root = Path(out_dir)
    for folder in LAYOUT_FOLDERS:
        if (root / folder).exists():
            shutil.rmtree(root / folder)
    writer = ExportWriter(root)
    # The GitHub teams are one export of each source; the teams on other toolchains joined later and come
    # as exports of their own, so that they leave the GitHub teams' files exactly as they were.
    cohorts = (
        [spec for spec in specs if spec.team.is_github_team],
        [spec for spec in specs if not spec.team.is_github_team],
    )
    first_incident_number = FIRST_INCIDENT_NUMBER
    for index, cohort in enumerate(cohorts, 1):
        re_exports = _ReExports()
        incidents = _Incidents()
        for spec in cohort:
            plans = _generate_team(spec, specs, rosters, seed, activity, writer, re_exports)
            if spec.team.incident_tool == "opsgenie":
                incidents.opsgenie.extend(plans)
            else:
                incidents.pagerduty.extend(plans)
        if re_exports.jira:
            body = {"issues": re_exports.jira, "isLast": True}
            writer.write(
                f"jira/issues/page-update-{index:04d}.json", body, "jira/issues", len(re_exports.jira)
            )
        prefix = "" if index == 1 else "services-"
        _write_incidents(incidents.pagerduty, writer, seed, first_incident_number, prefix)
        first_incident_number += len(incidents.pagerduty)
        if incidents.opsgenie:
            write_opsgenie(incidents.opsgenie, writer, seed)
    return dict(sorted(writer.counts.items()))


def _sibling_people(
    spec: TeamSpec, specs: list[TeamSpec], rosters: dict[str, Roster]
) -> tuple[tuple[Person, ...], tuple[Person, ...]]:
    """Who takes the team's items for a while (Identity and Infrastructure engineers, in the same work
    tracker) and who reviews now and then (engineers of the value stream, in the same code host)."""
    siblings = [s for s in specs if s.replica == spec.replica and s.ordinal != spec.ordinal]
    handoff = tuple(
        person
        for s in siblings
        if s.base_slug in ("identity", "infra") and s.team.work_tracker == spec.team.work_tracker
        for person in rosters[s.team.slug].engineers[:3]
    )
    guests = tuple(
        person
        for s in siblings
        if s.team.value_stream == spec.team.value_stream and s.team.code_host == spec.team.code_host
        for person in rosters[s.team.slug].engineers[:2]
    )
    return handoff, guests


def _generate_team(
    spec: TeamSpec,
    specs: list[TeamSpec],
    rosters: dict[str, Roster],
    seed: int,
    activity: float,
    writer: ExportWriter,
    re_exports: _ReExports,
) -> list[IncidentPlan]:
    handoff, guests = _sibling_people(spec, specs, rosters)
    slowdown = None
    if spec.planted_slowdown:
        slowdown = Slowdown(
            parse_utc(PLANTED_SLOWDOWN_START), parse_utc(PLANTED_SLOWDOWN_RELEASE_DATE) + DAY, SLOWDOWN_FACTOR
        )
    ctx = TeamContext(
        seed=seed,
        spec=spec,
        roster=rosters[spec.team.slug],
        activity=activity,
        slowdown=slowdown,
        handoff_people=handoff,
        guest_reviewers=guests,
    )
    simulate_work_items(ctx)
    rng = ctx.rng("pulls")
    plan_chore_pull_requests(ctx, rng)
    plan_bot_pull_requests(ctx, rng)
    production_finishes = simulate_repositories(ctx)
    plan_background_incidents(ctx, production_finishes)
    _number_pull_requests(ctx)
    _write_team(ctx, writer, re_exports)
    for plan in ctx.incidents:
        if plan.link_pr is not None:
            plan.description = plan.description.replace("{PR}", change_reference(plan.link_pr))
            plan.link_pr = None  # keep nothing of the team alive once it is written
    return ctx.incidents


def _write_team(ctx: TeamContext, writer: ExportWriter, re_exports: _ReExports) -> None:
    """Each tool of the team's toolchain renders its part of the simulated year."""
    team = ctx.spec.team
    if team.work_tracker == "azure_devops":
        assign_work_item_ids(ctx)
    else:
        _assign_jira_ids(ctx)
        _write_jira(ctx, writer, re_exports)
    if team.code_host == "github":
        _write_github(ctx, writer)
    elif team.code_host == "gitlab":
        write_gitlab(ctx, writer)
    if team.code_host == "azure_devops" or team.work_tracker == "azure_devops":
        write_azure_devops(ctx, writer)
    if team.deploy_tool == "jenkins":
        write_jenkins(ctx, writer)


def change_reference(pr: PullRequest) -> str:
    """How people name a change: `acme/repo#12` on GitHub, `group/project!12` on GitLab and Azure DevOps."""
    separator = "#" if pr.repo.full_name.count("/") == 1 else "!"
    return f"{pr.repo.full_name}{separator}{pr.number}"


def _assign_jira_ids(ctx: TeamContext) -> None:
    """Keys follow creation order, with the odd gap of a deleted issue; history ids follow time."""
    project = ctx.spec.team.jira_project
    ctx.items.sort(key=lambda item: (item.created, item.seq))
    number = 100 + stable_int("first-key", project) % 300
    for index, item in enumerate(ctx.items):
        if index and stable_int(ctx.seed, project, "gap", index) % 40 == 0:
            number += 1
        item.key = f"{project}-{number}"
        item.issue_id = 10_000 + ctx.spec.ordinal * 100_000 + number
        number += 1
    histories = sorted((history for item in ctx.items for history in item.histories), key=lambda h: h.at)
    for index, history in enumerate(histories):
        history.history_id = 100_000 + ctx.spec.ordinal * 1_000_000 + index


def _number_pull_requests(ctx: TeamContext) -> None:
    """Numbers follow creation order, after the pull requests of the earlier history; issues share the
    sequence, so there are gaps."""
    for repo in ctx.spec.repos:
        prs = sorted(ctx.pull_requests.get(repo.name, []), key=lambda pr: pr.created_at)
        earlier = sum(1 for commit in ctx.main_commits[repo.name] if commit.committed_at < YEAR_START)
        number = earlier + 12 + stable_int("first-pr", repo.full_name) % 20
        for pr in prs:
            pr.number = number
            pr.pr_id = 1_900_000_000 + repo.ordinal * 300_000 + number
            number += 1 + (stable_int(ctx.seed, repo.full_name, number) % 9 == 0)
        ctx.pull_requests[repo.name] = prs


# --- Jira ---------------------------------------------------------------------------------------------------


def _stale_items(ctx: TeamContext, re_exports: _ReExports) -> dict[WorkItem, float]:
    """Items whose main export predates their last move: the re-export brings the newer version."""
    if len(re_exports.jira) >= MAX_JIRA_UPDATES:
        return {}
    eligible = [i for i in ctx.items if not i.is_long and len(i.histories) >= 2 and len(i.histories) <= 40]
    chosen: dict[WorkItem, float] = {}
    recent = [
        i
        for i in eligible
        if i.histories[-1].at >= YEAR_END - 12 * DAY and i.histories[-1].at - i.histories[-2].at > HOUR
    ]
    for item in recent[:2]:
        chosen[item] = item.histories[-1].at - 60.0
    for item in eligible:
        if (
            item.created < QA_SNAPSHOT_AT < item.histories[-1].at
            and replay(item, QA_SNAPSHOT_AT).status == IN_TESTING
        ):
            chosen[item] = QA_SNAPSHOT_AT  # exported while status 10007 was still called "QA"
            break
    return chosen


def _write_jira(ctx: TeamContext, writer: ExportWriter, re_exports: _ReExports) -> None:
    renderer = JiraRenderer(ctx.spec)
    project = ctx.spec.team.jira_project
    rng = rng_for(ctx.seed, "jira-pages", project)
    stale = _stale_items(ctx, re_exports)
    pages = paginate(ctx.items, JIRA_PAGE_SIZE, rng)
    for index, page in enumerate(pages):
        issues = [renderer.issue(item, stale.get(item, YEAR_END)) for item in page]
        last = index == len(pages) - 1
        if renderer.agile:
            body: dict[str, object] = {
                "startAt": index * JIRA_PAGE_SIZE,
                "maxResults": JIRA_PAGE_SIZE,
                "total": len(ctx.items),
                "issues": issues,
            }
        else:
            body = {"issues": issues, "isLast": last}
            if not last:
                body = {
                    "issues": issues,
                    "nextPageToken": next_page_token(project, index + 1, ctx.seed),
                    "isLast": False,
                }
        writer.write(writer.next_page("jira/issues"), body, "jira/issues", len(issues))
    for item in ctx.items:
        if len(item.histories) > 40:
            for number, page in enumerate(renderer.changelog_pages(item), 1):
                writer.write(
                    f"jira/changelogs/{item.key}/page-{number:04d}.json",
                    page,
                    "jira/changelogs",
                    len(page["values"]),
                )
    for item in stale:
        if not renderer.agile:  # the re-export runs the JQL search
            re_exports.jira.append(renderer.issue(item))
        else:
            re_exports.jira.append(JiraRenderer(dataclasses.replace(ctx.spec, board_id=None)).issue(item))


# --- GitHub -------------------------------------------------------------------------------------------------


def _write_github(ctx: TeamContext, writer: ExportWriter) -> None:
    for repo in ctx.spec.repos:
        folder = f"github/{GITHUB_OWNER}/{repo.name}"
        rng = rng_for(ctx.seed, "github-pages", repo.full_name)
        prs = ctx.pull_requests.get(repo.name, [])
        commits = ctx.main_commits[repo.name]
        pushed_at = max(commit.committed_at for commit in commits)
        renderer = RepositoryRenderer(repo, pushed_at, sum(1 for pr in prs if pr.closed_at is None))
        stale = stale_pull_requests(prs)
        newest_first = sorted(prs, key=lambda pr: pr.number, reverse=True)
        for number, page in enumerate(paginate(newest_first, GITHUB_PAGE_SIZE, rng), 1):
            body = [renderer.pull(pr, stale.get(pr)) for pr in page]
            writer.write(f"{folder}/pulls/page-{number:04d}.json", body, "github/pulls", len(body))
        if stale:
            body = [renderer.pull(pr) for pr in stale]
            writer.write(f"{folder}/pulls/page-update-0001.json", body, "github/pulls", len(body))
        for pr in prs:
            body = [renderer.commit(commit) for commit in pr.commits]
            writer.write(f"{folder}/pull_commits/{pr.number}.json", body, "github/pull_commits", len(body))
            body = [renderer.review(pr, review) for review in pr.reviews]
            writer.write(f"{folder}/pull_reviews/{pr.number}.json", body, "github/pull_reviews", len(body))
        ordered = [
            c for _, c in sorted(enumerate(commits), key=lambda ic: (ic[1].committed_at, ic[0]), reverse=True)
        ]
        for number, page in enumerate(paginate(ordered, GITHUB_PAGE_SIZE, rng), 1):
            body = [renderer.commit(commit) for commit in page]
            writer.write(f"{folder}/commits/page-{number:04d}.json", body, "github/commits", len(body))
        _write_deployments(ctx, repo, renderer, folder, writer, rng)
        _write_runs(ctx, repo, renderer, folder, writer, rng)


def _write_deployments(ctx, repo, renderer, folder, writer, rng) -> None:
    deployments = sorted(ctx.deployments.get(repo.name, []), key=lambda d: d.deployment_id, reverse=True)
    for number, page in enumerate(paginate(deployments, GITHUB_PAGE_SIZE, rng), 1):
        body = [renderer.deployment(d) for d in page]
        writer.write(f"{folder}/deployments/page-{number:04d}.json", body, "github/deployments", len(body))
    for deployment in deployments:
        statuses = sorted(deployment.statuses, key=lambda s: (s.at, s.status_id), reverse=True)
        body = [renderer.deployment_status(deployment, s) for s in statuses]
        writer.write(
            f"{folder}/deployment_statuses/{deployment.deployment_id}.json",
            body,
            "github/deployment_statuses",
            len(body),
        )


def _write_runs(ctx, repo, renderer, folder, writer, rng) -> None:
    runs = sorted(ctx.runs.get(repo.name, []), key=lambda r: (r.created_at, r.run_id))
    counters: dict[str, int] = {}
    for run in runs:
        counters[run.workflow] = counters.get(run.workflow, 0) + 1
        run.run_number = counters[run.workflow]
    newest_first = runs[::-1]
    for number, page in enumerate(paginate(newest_first, GITHUB_PAGE_SIZE, rng), 1):
        body = {"total_count": len(runs), "workflow_runs": [renderer.workflow_run(run) for run in page]}
        writer.write(
            f"{folder}/workflow_runs/page-{number:04d}.json", body, "github/workflow_runs", len(page)
        )


# --- PagerDuty ----------------------------------------------------------------------------------------------


def _write_incidents(
    plans: list[IncidentPlan], writer: ExportWriter, seed: int, first_number: int, prefix: str = ""
) -> None:
    """`GET /incidents` pages; `prefix` names a later export of the services that joined PagerDuty since."""
    plans.sort(key=lambda plan: (plan.created_at, plan.team.ordinal))
    for index, plan in enumerate(plans):
        plan.number = first_number + index
        plan.incident_id = pagerduty_id("Q", 14, seed, "incident", plan.number)
    stale = {}
    for plan in reversed(plans):
        if len(stale) == MAX_INCIDENT_UPDATES:
            break
        if (
            plan.resolved_at is not None
            and plan.acknowledged_at is not None
            and plan.created_at > YEAR_END - 30 * DAY
        ):
            stale[plan.number] = plan.acknowledged_at + 60.0  # first exported while acknowledged
    rng = rng_for(seed, "pagerduty-pages") if not prefix else rng_for(seed, "pagerduty-pages", prefix)
    pages = paginate(plans, PAGERDUTY_PAGE_SIZE, rng)
    for index, page in enumerate(pages):
        body = {
            "incidents": [incident_body(plan, stale.get(plan.number, YEAR_END)) for plan in page],
            "limit": PAGERDUTY_PAGE_SIZE,
            "offset": index * PAGERDUTY_PAGE_SIZE,
            "total": None,
            "more": index < len(pages) - 1,
        }
        name = f"pagerduty/incidents/{prefix}page-{index + 1:04d}.json"
        writer.write(name, body, "pagerduty/incidents", len(page))
    updated = [incident_body(plan) for plan in plans if plan.number in stale]
    if updated:
        body = {"incidents": updated, "limit": PAGERDUTY_PAGE_SIZE, "offset": 0, "total": None, "more": False}
        name = f"pagerduty/incidents/{prefix}page-update-0001.json"
        writer.write(name, body, "pagerduty/incidents", len(updated))
