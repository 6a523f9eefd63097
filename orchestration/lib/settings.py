"""The one place that defines paths and settings. Every value can be overridden by an environment variable."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import dagster as dg

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
# The folders of the dbt project whose files define the models; an edit there calls for a new parse.
DBT_SOURCE_DIRS = ("models", "seeds", "macros", "tests")
# The dbt command of every pipeline run. Unit tests check model logic on fixed inputs, not the data: they
# run with the test suite (`make test`) and, as dbt advises, stay out of production builds.
DBT_BUILD_COMMAND = ("build", "--exclude-resource-type", "unit_test")


def dbt_source_files(project_dir: Path = DBT_PROJECT_DIR) -> list[Path]:
    """The files that define the dbt project: its settings and every model, seed, macro and test."""
    files = [*project_dir.glob("*.yml"), *(p for d in DBT_SOURCE_DIRS for p in (project_dir / d).rglob("*"))]
    return sorted(p for p in files if p.is_file())


def _path(variable: str, default: Path) -> Path:
    value = os.environ.get(variable)
    return Path(value).expanduser().resolve() if value else default


@dataclass(frozen=True)
class Settings:
    exports_dir: Path
    warehouse_path: Path
    serving_path: Path
    dagster_home: Path
    demo_size: str
    demo_seed: int
    files_per_batch: int
    # A tool whose newest load is older than this warns; older than the second, it blocks publish.
    freshness_warn_hours: float = 36.0
    freshness_fail_hours: float = 168.0
    # A mart may shrink by at most this share of its rows against the last published snapshot.
    max_mart_row_drop: float = 0.5
    # DuckDB storage format of the serving file (e.g. `v1.2.0`) for BI drivers on an older DuckDB; empty: current.
    serving_storage_version: str = ""
    # Publish people's logins, names and account ids as they are (e-mail addresses never): docs/privacy.md.
    publish_people_names: bool = False

    @property
    def docs_dir(self) -> Path:
        """Where each build writes the dbt docs (models, columns, lineage, the warehouse catalog)."""
        return self.warehouse_path.parent / "dbt_docs"

    @property
    def freshness_policy(self) -> dg.FreshnessPolicy:
        """Marts and the snapshot follow the exports: rebuilt within the same warning and failure windows.

        A run with nothing new rebuilds nothing, so quiet exports make both stale together, as they should.
        """
        return dg.FreshnessPolicy.time_window(
            fail_window=timedelta(hours=self.freshness_fail_hours),
            warn_window=timedelta(hours=self.freshness_warn_hours),
        )

    @classmethod
    def from_env(cls) -> Settings:
        warehouse_path = _path("DELIVERY_WAREHOUSE_PATH", PROJECT_ROOT / "warehouse" / "delivery.duckdb")
        return cls(
            exports_dir=_path("DELIVERY_EXPORTS_DIR", PROJECT_ROOT / "exports"),
            warehouse_path=warehouse_path,
            serving_path=_path("DELIVERY_SERVING_PATH", warehouse_path.parent / "serving.duckdb"),
            dagster_home=_path("DAGSTER_HOME", PROJECT_ROOT / ".dagster"),
            demo_size=os.environ.get("DELIVERY_DEMO_SIZE", "S"),
            demo_seed=int(os.environ.get("DELIVERY_DEMO_SEED", "7")),
            files_per_batch=int(os.environ.get("DELIVERY_FILES_PER_BATCH", "50")),
            freshness_warn_hours=float(os.environ.get("DELIVERY_FRESHNESS_WARN_HOURS", "36")),
            freshness_fail_hours=float(os.environ.get("DELIVERY_FRESHNESS_FAIL_HOURS", "168")),
            max_mart_row_drop=float(os.environ.get("DELIVERY_MAX_MART_ROW_DROP", "0.5")),
            serving_storage_version=os.environ.get("DELIVERY_SERVING_STORAGE_VERSION", ""),
            publish_people_names=os.environ.get("DELIVERY_PUBLISH_PEOPLE_NAMES", "").lower()
            in ("1", "true", "yes"),
        )

    def export_to_environment(self) -> None:
        """dbt reads the warehouse path from the environment (see dbt_project/profiles.yml)."""
        os.environ["DELIVERY_WAREHOUSE_PATH"] = str(self.warehouse_path)
        os.environ["DELIVERY_EXPORTS_DIR"] = str(self.exports_dir)
        os.environ["DELIVERY_SERVING_PATH"] = str(self.serving_path)
