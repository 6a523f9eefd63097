"""The export folders as assets: a tool configured in `collect.yaml` is collected from its API by its own
asset, upstream of its raw tables; any other tool's folder stays an external asset, filled by hand."""


import dagster as dg

from ingestion.collect.config import CollectConfig, load_collect_config
from ingestion.sources import TOOLS
from orchestration.lib.settings import Settings
from orchestration.lib.translators import landing_asset_key

COLLECTED_CHECK = "collected"

LANDING_DESCRIPTIONS = {
    "jira": "Jira Cloud search and changelog pages under `jira/`.",
    "github": "GitHub REST bodies under `github/<owner>/<repo>/`.",
    "pagerduty": "PagerDuty incident pages under `pagerduty/incidents/`.",
    "azure_devops": "Azure DevOps REST bodies under `azure_devops/<organization>/<project>/`.",
    "gitlab": "GitLab REST v4 bodies under `gitlab/<group>/<project>/`.",
    "jenkins": "Jenkins build lists under `jenkins/<controller>/<job path>/`.",
    "opsgenie": "Opsgenie alert and incident pages under `opsgenie/`.",
}


def landing_assets(settings: Settings) -> list[dg.AssetSpec | dg.AssetsDefinition]:
    config = load_collect_config(settings.config_dir)
    return [
        _collect_asset(settings, config, tool) if tool in config.tools else _landing_spec(settings, tool)
        for tool in TOOLS
    ]


def collect_asset_keys(settings: Settings) -> list[dg.AssetKey]:
    return [landing_asset_key(tool) for tool in load_collect_config(settings.config_dir).configured]


def _landing_spec(settings: Settings, tool: str) -> dg.AssetSpec:
    return dg.AssetSpec(
        landing_asset_key(tool),
        description=f"{LANDING_DESCRIPTIONS[tool]} Folder: `{settings.exports_dir / tool}`.",
        group_name="exports",
        kinds={"json"},
    )


def _collect_asset(settings: Settings, config: CollectConfig, tool: str) -> dg.AssetsDefinition:
    key = landing_asset_key(tool)

    @dg.asset(
        key=key,
        description=(f"{LANDING_DESCRIPTIONS[tool]} Collected from {config.tools[tool].base_url} by "
                     f"`delivery collect {tool}`, only what changed since the last collection. "
                     f"Folder: `{settings.exports_dir / tool}`."),
        group_name="exports",
        kinds={"json", "api"},
        check_specs=[dg.AssetCheckSpec(COLLECTED_CHECK, asset=key,
                                       description="Every scope of the tool was collected.")],
    )
    def collect_exports(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        from ingestion.collect.runner import collect

        # A refused token or an unreachable host fails this tool's collection, never the run: the exports
        # already landed load, the freshness checks say how old they are, and this check warns.
        [summary] = collect(config, settings.exports_dir, [tool])
        for error in summary.stats.errors:
            context.log.warning(error)
        stats = summary.stats
        return dg.MaterializeResult(
            metadata={
                "status": summary.status, "scopes": summary.scopes, "requests": stats.requests,
                "pages": stats.pages, "files_written": stats.files, "rate_limit_waits": stats.rate_limit_waits,
            },
            check_results=[dg.AssetCheckResult(
                check_name=COLLECTED_CHECK, passed=summary.status == "collected",
                severity=dg.AssetCheckSeverity.WARN,
                description=summary.line() + "".join(f"\n{error}" for error in stats.errors),
            )],
        )

    return collect_exports
