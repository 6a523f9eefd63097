"""How dlt resources and dbt nodes become Dagster assets, so that both form one lineage graph.

A raw table's asset key is `[<dataset>, <table>]`, the key dagster-dbt gives the dbt source of the same
table, so each staging model hangs off the dlt asset that loads its table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings
from dagster_dlt import DagsterDltTranslator
from dagster_dlt.translator import DltResourceTranslatorData


def landing_asset_key(tool: str) -> dg.AssetKey:
    return dg.AssetKey(["exports", tool])


class RawTableTranslator(DagsterDltTranslator):
    def __init__(self, tool: str, dataset: str) -> None:
        self.tool = tool
        self.dataset = dataset

    def get_asset_spec(self, data: DltResourceTranslatorData) -> dg.AssetSpec:
        default = super().get_asset_spec(data)
        table = str(data.resource.table_name or data.resource.name)
        return default.replace_attributes(
            key=dg.AssetKey([self.dataset, table]),
            deps=[landing_asset_key(self.tool)],
            group_name=self.dataset,
            kinds={"dlt", "duckdb"},
            description=f"Raw `{self.dataset}.{table}`, loaded by dlt from the {self.tool} exports.",
        )


def is_mart(key: dg.AssetKey) -> bool:
    return key.path[0] == "marts"


# The data-quality marts (quarantine, mapping gaps) list problems: their shrinking, even to nothing, is good
# news, so the mart row-count check leaves them out.
DATA_QUALITY_MART_PREFIX = "mart_data_quality__"


def is_counted_mart(key: dg.AssetKey) -> bool:
    """A mart whose rows the row-count check compares with the published snapshot."""
    return is_mart(key) and not key.path[-1].startswith(DATA_QUALITY_MART_PREFIX)


class DeliveryDbtTranslator(DagsterDbtTranslator):
    """Groups dbt assets by layer (staging, intermediate, marts) and keeps dbt tests as asset checks."""

    def __init__(self, mart_freshness: dg.FreshnessPolicy | None = None) -> None:
        self.mart_freshness = mart_freshness
        super().__init__(
            settings=DagsterDbtTranslatorSettings(
                enable_asset_checks=True,
                # Raw tables are checked by their Great Expectations suites (quality_checks.py), not dbt.
                enable_source_tests_as_checks=False,
                # raw_github.commit_parents is loaded by the commits asset: two sources, one key.
                enable_duplicate_source_asset_keys=True,
            )
        )

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: Any) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if self.mart_freshness is not None and is_mart(spec.key):
            return spec.replace_attributes(freshness_policy=self.mart_freshness)
        return spec

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "mappings"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else super().get_group_name(dbt_resource_props)
