"""The Definitions load as one lineage graph: exports -> raw tables (dlt) -> staging (dbt), with checks."""

from __future__ import annotations

import dagster as dg
import pytest

from ingestion.sources import TOOLS, tables_of
from orchestration.definitions import BUILD_JOB, DELIVERY_JOB, INGEST_JOB, LANDING_JOB, build_definitions
from orchestration.defs.checks.quality_checks import (
    FRESHNESS_CHECK,
    FRESHNESS_TABLE,
    RAW_SUITE_CHECK,
    RECORD_CHECK,
    ROW_COUNT_CHECK,
)
from orchestration.defs.serving.publish_assets import SERVING_KEY
from orchestration.lib.settings import DEMO_CONFIG_DIR, Settings

# Raw tables written as by-products of another table's loader, and the asset that loads them.
LOADED_BY = {
    ("raw_github", "commit_parents"): ("raw_github", "commits"),
    ("raw_azure_devops", "pull_request_reviewers"): ("raw_azure_devops", "pull_requests"),
    ("raw_gitlab", "commit_parents"): ("raw_gitlab", "commits"),
}


@pytest.fixture(scope="module")
def definitions(tmp_path_factory: pytest.TempPathFactory) -> dg.Definitions:
    root = tmp_path_factory.mktemp("definitions")
    settings = Settings(
        config_dir=DEMO_CONFIG_DIR,
        exports_dir=root / "exports",
        warehouse_path=root / "warehouse" / "delivery.duckdb",
        serving_path=root / "warehouse" / "serving.duckdb",
        dagster_home=root / "dagster",
        demo_size="S",
        demo_seed=7,
        files_per_batch=50,
    )
    return build_definitions(settings)


def _raw_keys() -> set[dg.AssetKey]:
    return {
        dg.AssetKey(list(LOADED_BY.get((dataset, table), (dataset, table))))
        for dataset, folders in TOOLS.values()
        for table in tables_of(folders)
    }


def test_every_raw_table_is_an_asset_fed_by_its_export_folder(definitions: dg.Definitions):
    graph = definitions.resolve_asset_graph()
    assert _raw_keys() == {
        dg.AssetKey(["raw_jira", "issues"]),
        dg.AssetKey(["raw_jira", "changelog_items"]),
        dg.AssetKey(["raw_jira", "quarantine"]),
        dg.AssetKey(["raw_github", "pull_requests"]),
        dg.AssetKey(["raw_github", "pull_request_commits"]),
        dg.AssetKey(["raw_github", "pull_request_reviews"]),
        dg.AssetKey(["raw_github", "commits"]),
        dg.AssetKey(["raw_github", "deployments"]),
        dg.AssetKey(["raw_github", "deployment_statuses"]),
        dg.AssetKey(["raw_github", "workflow_runs"]),
        dg.AssetKey(["raw_github", "quarantine"]),
        dg.AssetKey(["raw_pagerduty", "incidents"]),
        dg.AssetKey(["raw_pagerduty", "quarantine"]),
        dg.AssetKey(["raw_azure_devops", "work_items"]),
        dg.AssetKey(["raw_azure_devops", "work_item_updates"]),
        dg.AssetKey(["raw_azure_devops", "pull_requests"]),
        dg.AssetKey(["raw_azure_devops", "pull_request_commits"]),
        dg.AssetKey(["raw_azure_devops", "builds"]),
        dg.AssetKey(["raw_azure_devops", "deployments"]),
        dg.AssetKey(["raw_azure_devops", "quarantine"]),
        dg.AssetKey(["raw_gitlab", "merge_requests"]),
        dg.AssetKey(["raw_gitlab", "merge_request_commits"]),
        dg.AssetKey(["raw_gitlab", "merge_request_notes"]),
        dg.AssetKey(["raw_gitlab", "commits"]),
        dg.AssetKey(["raw_gitlab", "pipelines"]),
        dg.AssetKey(["raw_gitlab", "deployments"]),
        dg.AssetKey(["raw_gitlab", "quarantine"]),
        dg.AssetKey(["raw_jenkins", "builds"]),
        dg.AssetKey(["raw_jenkins", "quarantine"]),
        dg.AssetKey(["raw_opsgenie", "alerts"]),
        dg.AssetKey(["raw_opsgenie", "incidents"]),
        dg.AssetKey(["raw_opsgenie", "quarantine"]),
    }
    for key in _raw_keys():
        node = graph.get(key)
        assert node.is_materializable, key
        assert node.parent_keys == {dg.AssetKey(["exports", key.path[0].removeprefix("raw_")])}


@pytest.mark.parametrize(
    ("model", "raw_table"),
    [
        ("stg_jira__issues", ("raw_jira", "issues")),
        ("stg_jira__changelog_items", ("raw_jira", "changelog_items")),
        ("stg_github__pull_requests", ("raw_github", "pull_requests")),
        ("stg_github__pull_request_commits", ("raw_github", "pull_request_commits")),
        ("stg_github__pull_request_reviews", ("raw_github", "pull_request_reviews")),
        ("stg_github__commits", ("raw_github", "commits")),
        ("stg_github__commit_parents", ("raw_github", "commits")),
        ("stg_github__deployments", ("raw_github", "deployments")),
        ("stg_github__deployment_statuses", ("raw_github", "deployment_statuses")),
        ("stg_github__workflow_runs", ("raw_github", "workflow_runs")),
        ("stg_pagerduty__incidents", ("raw_pagerduty", "incidents")),
        ("stg_azure_devops__work_items", ("raw_azure_devops", "work_items")),
        ("stg_azure_devops__work_item_updates", ("raw_azure_devops", "work_item_updates")),
        ("stg_azure_devops__pull_requests", ("raw_azure_devops", "pull_requests")),
        ("stg_azure_devops__pull_request_reviews", ("raw_azure_devops", "pull_requests")),
        ("stg_azure_devops__pull_request_commits", ("raw_azure_devops", "pull_request_commits")),
        ("stg_azure_devops__builds", ("raw_azure_devops", "builds")),
        ("stg_azure_devops__deployments", ("raw_azure_devops", "deployments")),
        ("stg_gitlab__merge_requests", ("raw_gitlab", "merge_requests")),
        ("stg_gitlab__merge_request_commits", ("raw_gitlab", "merge_request_commits")),
        ("stg_gitlab__merge_request_reviews", ("raw_gitlab", "merge_request_notes")),
        ("stg_gitlab__commits", ("raw_gitlab", "commits")),
        ("stg_gitlab__commit_parents", ("raw_gitlab", "commits")),
        ("stg_gitlab__pipelines", ("raw_gitlab", "pipelines")),
        ("stg_gitlab__deployments", ("raw_gitlab", "deployments")),
        ("stg_jenkins__builds", ("raw_jenkins", "builds")),
        ("stg_opsgenie__alerts", ("raw_opsgenie", "alerts")),
        ("stg_opsgenie__incidents", ("raw_opsgenie", "incidents")),
    ],
)
def test_each_staging_model_hangs_off_the_dlt_asset_of_its_raw_table(definitions, model, raw_table):
    node = definitions.resolve_asset_graph().get(dg.AssetKey(["staging", model]))
    assert node.parent_keys == {dg.AssetKey(list(raw_table))}


def test_the_quarantine_union_reads_every_tool_quarantine(definitions: dg.Definitions):
    node = definitions.resolve_asset_graph().get(dg.AssetKey(["staging", "stg_ingestion__quarantine"]))
    assert node.parent_keys == {dg.AssetKey([f"raw_{tool}", "quarantine"]) for tool in TOOLS}


def test_dbt_tests_are_asset_checks_on_models(definitions: dg.Definitions):
    checks = {(c.asset_key.to_user_string(), c.name) for c in definitions.resolve_asset_graph().asset_check_keys}
    assert ("staging/stg_github__pull_requests", "unique_stg_github__pull_requests_pull_request_id") in checks
    assert ("staging/stg_github__pull_requests", "not_null_stg_github__pull_requests_pull_request_id") in checks
    staging_models = {
        k for k in definitions.resolve_asset_graph().get_all_asset_keys() if k.path[0] == "staging"
    }
    checked = {dg.AssetKey(asset.split("/")) for asset, _ in checks}
    assert staging_models <= checked, staging_models - checked


def test_every_writer_is_in_the_duckdb_pool_and_the_job_covers_the_graph(definitions: dg.Definitions):
    graph = definitions.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.is_materializable:
            assert definitions.resolve_assets_def(key).op.pool == "duckdb", key
    job = definitions.resolve_job_def(DELIVERY_JOB)
    materializable = {k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}
    assert job.asset_layer.executable_asset_keys == materializable


def test_every_raw_table_has_a_blocking_and_a_warning_suite_and_each_tool_a_freshness_check(
    definitions: dg.Definitions,
):
    specs = {
        (spec.asset_key, spec.name): spec
        for checks in definitions.asset_checks
        for spec in checks.check_specs
    }
    for key in _raw_keys() - {dg.AssetKey([f"raw_{tool}", "quarantine"]) for tool in TOOLS}:
        assert specs[(key, RAW_SUITE_CHECK)].blocking, key
        assert not specs[(key, RECORD_CHECK)].blocking, key
    for tool, table in FRESHNESS_TABLE.items():
        assert specs[(dg.AssetKey([f"raw_{tool}", table]), FRESHNESS_CHECK)].blocking


def test_the_dbt_build_waits_for_the_raw_checks_and_publish_for_the_mart_checks(definitions: dg.Definitions):
    job = definitions.resolve_job_def(DELIVERY_JOB)
    upstream = {
        node: {dep.node_name for deps in job.graph.dependency_structure.input_to_upstream_outputs_for_node(node).values()
               for dep in deps}
        for node in ("delivery_dbt_models", "serving__snapshot")
    }
    assert {"jira_raw_checks", "github_raw_checks", "pagerduty_raw_checks"} <= upstream["delivery_dbt_models"]
    assert {"delivery_dbt_models", "mart_row_counts"} <= upstream["serving__snapshot"]
    graph = definitions.resolve_asset_graph()
    marts = {key for key in graph.get_all_asset_keys() if key.path[0] == "marts"}
    assert {"fct_deployments", "mart_dora__weekly", "mart_flow__weekly"} <= {key.path[-1] for key in marts}
    assert graph.get(SERVING_KEY).parent_keys == marts
    # The data-quality marts list problems: their shrinking (to nothing, once all is fixed) never blocks publish.
    quality = {key for key in marts if key.path[-1].startswith("mart_data_quality__")}
    assert {key.path[-1] for key in quality} == {"mart_data_quality__quarantine", "mart_data_quality__mapping_gaps"}
    assert {check.asset_key for check in graph.asset_check_keys if check.name == ROW_COUNT_CHECK} == marts - quality


def test_a_daily_schedule_and_a_landing_sensor_start_the_job_once_turned_on(definitions: dg.Definitions):
    schedule = definitions.resolve_schedule_def("daily_delivery")
    sensor = definitions.resolve_sensor_def("new_exports")
    assert schedule.cron_schedule == "0 6 * * *" and schedule.job_name == DELIVERY_JOB
    # The sensor loads what landed and never collects (a collection lands files: it would start itself).
    assert sensor.job_name == LANDING_JOB
    # Both ship stopped: the UI's daemon starts no run until someone turns them on.
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED


def test_the_headless_run_splits_the_graph_into_load_and_build(definitions: dg.Definitions):
    def nodes(job: str) -> set[str]:
        return {node.name for node in definitions.resolve_job_def(job).nodes}

    tools = tuple(TOOLS)
    assert nodes(INGEST_JOB) == {f"{t}_raw_tables" for t in tools} | {f"{t}_raw_checks" for t in tools}
    assert nodes(BUILD_JOB) == {"delivery_dbt_models", "mart_row_counts", "serving__snapshot"}
    assert nodes(INGEST_JOB) | nodes(BUILD_JOB) == nodes(DELIVERY_JOB)
