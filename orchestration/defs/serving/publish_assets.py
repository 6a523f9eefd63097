"""`publish`: the serving file BI tools read, written only after every blocking check passed."""

from collections.abc import Sequence

import dagster as dg

from ingestion.landing_marker import holds_only_demo_data
from orchestration.lib.duckdb_pool import DUCKDB_POOL
from orchestration.lib.pseudonyms import people_policy
from orchestration.lib.run_history import read_run_history
from orchestration.lib.serving import PUBLISHED_SCHEMAS, publish
from orchestration.lib.settings import Settings

SERVING_KEY = dg.AssetKey(["serving", "snapshot"])


def serving_snapshot_asset(
    settings: Settings, mart_keys: Sequence[dg.AssetKey], check_keys: Sequence[dg.AssetCheckKey] = ()
) -> dg.AssetsDefinition:
    """The publish step; `check_keys`, every check of the graph, are the checks meta.checks reports on."""
    @dg.asset(
        key=SERVING_KEY,
        deps=mart_keys,
        pool=DUCKDB_POOL,
        group_name="serving",
        kinds={"duckdb"},
        freshness_policy=settings.freshness_policy,
        description=(
            f"The serving file BI tools read (`{settings.serving_path}`): the {', '.join(PUBLISHED_SCHEMAS)} "
            "schemas of the working warehouse, copied aside and renamed into place once every blocking "
            "check passed, with people pseudonymised unless `publish_people_names` (docs/privacy.md). "
            "`meta.snapshot` says which run published it and whether from demo data, `meta.tables` how many "
            "rows each table holds, `meta.freshness` each tool's newest load, `meta.runs` and `meta.checks` "
            "the last runs and the latest evaluation of every check."
        ),
    )
    def serving_snapshot(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        snapshot = publish(
            settings.warehouse_path,
            settings.serving_path,
            context.run.run_id,
            settings.serving_storage_version,
            people=people_policy(settings),
            demo_data=holds_only_demo_data(settings.exports_dir),
            memory_limit=settings.duckdb_memory_limit,
            history=read_run_history(context.instance, check_keys),
        )
        marts = {name: rows for name, rows in snapshot.table_rows.items() if name.startswith("marts.")}
        context.log.info(f"Published {len(snapshot.table_rows)} tables to {settings.serving_path}.")
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(settings.serving_path)),
                "snapshot_id": snapshot.snapshot_id,
                "tables": len(snapshot.table_rows),
                "mart_rows": dg.MetadataValue.json(marts),
                "raw_fingerprint": snapshot.raw_fingerprint,
                "dbt_fingerprint": snapshot.dbt_fingerprint,
                "demo_data": snapshot.demo_data,
            }
        )

    return serving_snapshot
