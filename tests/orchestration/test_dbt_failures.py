"""Only a transient dbt failure is retried: a warehouse file another process holds is one.

(A model's SQL error and a failing test, which are not retried, are run end to end in
tests/test_what_blocks_a_publish.py.)
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from dagster_dbt import DagsterDbtCliRuntimeError

from orchestration.defs.models.dbt_assets import dbt_project, dbt_resource, ensure_manifest
from orchestration.defs.models.dbt_failures import build_failure


def test_a_warehouse_locked_by_another_process_is_a_transient_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    warehouse = tmp_path / "delivery.duckdb"
    monkeypatch.setenv("DELIVERY_WAREHOUSE_PATH", str(warehouse))
    ensure_manifest()
    # This process writes to the file: dbt, another process, cannot open it.
    with duckdb.connect(str(warehouse)):
        invocation = dbt_resource().cli(
            ["build", "--select", "stg_jira__issues"], target_path=tmp_path / "target",
            manifest=dbt_project.manifest_path, raise_on_error=False,
        )
        invocation.wait()

    assert not invocation.is_successful()
    failure = build_failure(invocation.target_path, warehouse, invocation.target_path / "dbt.log")
    # Retryable: the jobs' RetryPolicy reruns it; the findings' failures say allow_retries=False.
    assert isinstance(failure, DagsterDbtCliRuntimeError) and failure.allow_retries
    assert "transient" in str(failure)
