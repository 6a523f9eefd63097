"""Jenkins JSON API bodies for a team that deploys through a parameterised Jenkins job.

Each simulated deployment is one build of the team's deploy job (`fulfilment/deploy` on `ci.acme.example`)
with the string parameter naming the environment and the git `BuildData` of the revision it deployed.
Jenkins only lists a job's newest builds, so the export is taken again at the end of every month
(`builds-2026-03-31.json`...): consecutive files share builds, and a build that was still running when one
export was taken comes back finished in the next.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

from .model import Deployment, TeamContext
from .organisation import GITLAB_HOST, JENKINS_CONTROLLER, JENKINS_ENVIRONMENT_PARAMETER
from .output import ExportWriter
from .timeline import MINUTE, YEAR_END, YEAR_START

LISTED_BUILDS = 100  # `tree=builds[...]` returns the newest 100
ESTIMATED_DURATION_MS = 420_000


class _Build:
    __slots__ = ("deployment", "finished", "number", "result", "started")

    def __init__(self, number: int, deployment: Deployment) -> None:
        self.number, self.deployment = number, deployment
        states = {status.state: status.at for status in deployment.statuses}
        self.started = states.get("in_progress", deployment.created_at + 15)
        self.finished, self.result = None, None
        for state, result in (("success", "SUCCESS"), ("failure", "FAILURE"), ("error", "FAILURE")):
            if state in states:
                self.finished, self.result = states[state], result
        if not states:
            # The deploy tool died before reporting: the build was aborted.
            self.finished, self.result = deployment.created_at + 3 * MINUTE, "ABORTED"


def _month_ends() -> list[float]:
    ends = []
    start = datetime.fromtimestamp(YEAR_START, UTC)
    year, month = start.year, start.month
    while True:
        last_day = calendar.monthrange(year, month)[1]
        end = datetime(year, month, last_day, 23, 59, 59, tzinfo=UTC).timestamp()
        ends.append(min(end, YEAR_END))
        if end >= YEAR_END:
            return ends
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


class JobRenderer:
    def __init__(self, ctx: TeamContext) -> None:
        self.job = ctx.spec.jenkins_deploy_job
        self.repo = ctx.spec.repos[0]
        self.url = f"https://{JENKINS_CONTROLLER}/" + "".join(f"job/{part}/" for part in self.job.split("/"))

    def build(self, build: _Build, as_of: float) -> dict:
        building = build.finished is None or build.finished > as_of
        deployment = build.deployment
        environment = "production" if deployment.production else "staging"
        return {
            "_class": "org.jenkinsci.plugins.workflow.job.WorkflowRun",
            "actions": [
                {"_class": "hudson.model.CauseAction"},
                {},
                {
                    "_class": "hudson.model.ParametersAction",
                    "parameters": [
                        {
                            "_class": "hudson.model.StringParameterValue",
                            "name": JENKINS_ENVIRONMENT_PARAMETER,
                            "value": environment,
                        },
                        {"_class": "hudson.model.BooleanParameterValue", "name": "DRY_RUN", "value": False},
                    ],
                },
                {
                    "_class": "hudson.plugins.git.util.BuildData",
                    "lastBuiltRevision": {
                        "SHA1": deployment.sha,
                        "branch": [{"SHA1": deployment.sha, "name": "refs/remotes/origin/main"}],
                    },
                    "remoteUrls": [f"https://{GITLAB_HOST}/{self.repo.full_name}.git"],
                },
                {"_class": "org.jenkinsci.plugins.workflow.libs.LibrariesAction"},
                {"_class": "org.jenkinsci.plugins.workflow.job.views.FlowGraphAction"},
            ],
            "building": building,
            "displayName": f"#{build.number}",
            "duration": 0 if building else int((build.finished - build.started) * 1000),
            "estimatedDuration": ESTIMATED_DURATION_MS,
            "id": str(build.number),
            "number": build.number,
            "result": None if building else build.result,
            "timestamp": int(build.started * 1000),
            "url": f"{self.url}{build.number}/",
        }


def write_jenkins(ctx: TeamContext, writer: ExportWriter) -> None:
    """One export of the job's newest builds at every month end that saw a build."""
    repo = ctx.spec.repos[0]
    deployments = sorted(ctx.deployments.get(repo.name, []), key=lambda d: (d.created_at, d.deployment_id))
    builds = [_Build(number, deployment) for number, deployment in enumerate(deployments, 1)]
    renderer = JobRenderer(ctx)
    folder = f"jenkins/{JENKINS_CONTROLLER}/{ctx.spec.jenkins_deploy_job}"
    for as_of in _export_times(builds):
        started = [build for build in builds if build.started <= as_of][::-1][:LISTED_BUILDS]
        if not started:
            continue
        body = {
            "_class": "org.jenkinsci.plugins.workflow.job.WorkflowJob",
            "builds": [renderer.build(build, as_of) for build in started],
        }
        stamp = datetime.fromtimestamp(as_of, UTC).strftime("%Y-%m-%dT%H%M")
        writer.write(f"{folder}/builds-{stamp}.json", body, "jenkins/builds", len(started))


def _export_times(builds: list[_Build]) -> list[float]:
    """Month ends, and once while a production build was running (it comes back finished later)."""
    times = set(_month_ends())
    running = [
        b
        for b in builds
        if b.deployment.production and b.finished is not None and b.finished - b.started > 120
    ]
    if running:
        middle = running[len(running) // 2]
        times.add(middle.started + 60)
    return sorted(times)
