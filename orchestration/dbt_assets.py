"""dbt models, seeds and tests as Dagster assets and asset checks."""


import shutil
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from orchestration.ingestion_assets import DUCKDB_POOL
from orchestration.lib.settings import DBT_PROJECT_DIR
from orchestration.lib.translators import DeliveryDbtTranslator

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

DBT_SOURCE_DIRS = ("models", "seeds", "macros", "tests")

# The dbt installed beside this interpreter, so that an un-activated virtual environment works too.
_VENV_DBT = Path(sys.executable).with_name("dbt")
DBT_EXECUTABLE = str(_VENV_DBT) if _VENV_DBT.exists() else (shutil.which("dbt") or "dbt")


def ensure_manifest(project: DbtProject = dbt_project, refresh: bool = False) -> None:
    """Parse the dbt project when its manifest is missing (a fresh clone), older than any of the
    project's files (models, seeds, macros or tests were edited), or when a refresh is asked for."""
    if refresh or _manifest_is_stale(project):
        dbt_resource(project).cli(["parse", "--quiet"], target_path=project.target_path, manifest={}).wait()


def _manifest_is_stale(project: DbtProject) -> bool:
    if not project.manifest_path.exists():
        return True
    built = project.manifest_path.stat().st_mtime
    root = project.project_dir
    sources = [*root.glob("*.yml"), *(p for d in DBT_SOURCE_DIRS for p in (root / d).rglob("*") if p.is_file())]
    return any(path.stat().st_mtime > built for path in sources)


def dbt_models() -> dg.AssetsDefinition:
    ensure_manifest()

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        dagster_dbt_translator=DeliveryDbtTranslator(),
        pool=DUCKDB_POOL,
    )
    def delivery_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        yield from dbt.cli(["build"], context=context).stream()

    return delivery_dbt_models


def dbt_resource(project: DbtProject = dbt_project) -> DbtCliResource:
    return DbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE)
