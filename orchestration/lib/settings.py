"""The one place that defines paths and settings. Every value can be overridden by an environment variable."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


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
        )

    def export_to_environment(self) -> None:
        """dbt reads the warehouse path from the environment (see dbt_project/profiles.yml)."""
        os.environ["DELIVERY_WAREHOUSE_PATH"] = str(self.warehouse_path)
        os.environ["DELIVERY_EXPORTS_DIR"] = str(self.exports_dir)
