"""The one place that defines paths and settings: the configuration folder (DELIVERY_CONFIG_DIR, default the
demo's own), each of its settings overridden by an environment variable DELIVERY_<NAME>."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import dagster as dg

from orchestration.config import Config, load_config
from orchestration.config.spec import SETTINGS, SETTINGS_BY_NAME

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DEMO_CONFIG_DIR = PROJECT_ROOT / "demo" / "config"
# dbt_project.yml's default seed path of the mapping tables: the demo's, relative to the dbt project.
DEMO_MAPPINGS_SEED_PATH = "../demo/config/mappings"
# Where each warehouse's validated mapping tables are written for dbt, under the dbt project.
ORGANISATIONS_FOLDER = "organisations"
# The folders of the dbt project whose files define the models; an edit there calls for a new parse.
DBT_SOURCE_DIRS = ("models", "seeds", "macros", "tests")
# The dbt command of every pipeline run. Unit tests check model logic on fixed inputs, not the data: they
# run with the test suite (`make test`) and, as dbt advises, stay out of production builds.
DBT_BUILD_COMMAND = ("build", "--exclude-resource-type", "unit_test")


def dbt_source_files(project_dir: Path = DBT_PROJECT_DIR) -> list[Path]:
    """The files that define the dbt project: its settings and every model, seed, macro and test. Hidden
    files are not the project's: dbt writes `.user.yml` (its anonymous user id) on any command, `dbt docs
    serve` included, and an editor leaves its swap files; neither may call for a new parse or a rebuild."""
    files = [*project_dir.glob("*.yml"), *(p for d in DBT_SOURCE_DIRS for p in (project_dir / d).rglob("*"))]
    return sorted(p for p in files if p.is_file() and not _is_hidden(p.relative_to(project_dir)))


def _is_hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _path(variable: str, default: Path) -> Path:
    value = os.environ.get(variable)
    return Path(value).expanduser().resolve() if value else default


@dataclass(frozen=True)
class Settings:
    config_dir: Path
    exports_dir: Path
    warehouse_path: Path
    serving_path: Path
    dagster_home: Path
    demo_size: str
    demo_seed: int
    files_per_batch: int
    # DuckDB's memory budget of the loads, dbt and publish (dbt reads it from the environment: profiles.yml).
    duckdb_memory_limit: str = SETTINGS_BY_NAME["duckdb_memory_limit"].default
    dbt_threads: int = SETTINGS_BY_NAME["dbt_threads"].default
    # A tool whose newest load is older than this warns; older than the second, it blocks publish. dbt's
    # source freshness gets the same windows as dbt vars.
    freshness_warn_hours: float = SETTINGS_BY_NAME["freshness_warn_hours"].default
    freshness_fail_hours: float = SETTINGS_BY_NAME["freshness_fail_hours"].default
    # A mart may shrink by at most this share of its rows against the last published snapshot.
    max_mart_row_drop: float = 0.5
    # DuckDB storage format of the serving file (e.g. `v1.2.0`) for BI drivers on an older DuckDB; empty: current.
    serving_storage_version: str = ""
    # Publish people's logins, names and account ids as they are (e-mail addresses never): docs/privacy.md.
    publish_people_names: bool = False
    write_dbt_docs: bool = True
    # The dbt vars of the configuration, as (name, value) pairs (hashable: the settings key a cache).
    dbt_vars: tuple[tuple[str, object], ...] = ()
    config: Config | None = field(default=None, compare=False, hash=False, repr=False)

    @property
    def mappings_dir(self) -> Path:
        """The validated mapping tables of this warehouse's builds, as dbt reads them (seeds): inside the dbt
        project, one folder per warehouse. dbt writes each seed's SQL under its target folder at the seed's
        path, so a seed folder outside the project would have its CSV files overwritten."""
        return DBT_PROJECT_DIR / ORGANISATIONS_FOLDER / hashlib.sha256(str(self.warehouse_path).encode()).hexdigest()[:16]

    @property
    def dbt_vars_json(self) -> str:
        return json.dumps({name: list(value) if isinstance(value, tuple) else value for name, value in self.dbt_vars},
                          sort_keys=True)

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
        """The settings of the configuration folder, validated (ConfigError says what is wrong and where)."""
        config_dir = _path("DELIVERY_CONFIG_DIR", DEMO_CONFIG_DIR)
        config = load_config(config_dir)
        values = config.values
        warehouse_path = Path(values["warehouse_path"])
        return cls(
            config_dir=config_dir,
            exports_dir=Path(values["exports_dir"]),
            warehouse_path=warehouse_path,
            serving_path=Path(values["serving_path"] or warehouse_path.parent / "serving.duckdb"),
            dagster_home=_path("DAGSTER_HOME", PROJECT_ROOT / ".dagster"),
            demo_size=values["demo_size"],
            demo_seed=values["demo_seed"],
            files_per_batch=values["files_per_batch"],
            duckdb_memory_limit=values["duckdb_memory_limit"],
            dbt_threads=values["dbt_threads"],
            freshness_warn_hours=values["freshness_warn_hours"],
            freshness_fail_hours=values["freshness_fail_hours"],
            max_mart_row_drop=values["max_mart_row_drop"],
            serving_storage_version=values["serving_storage_version"],
            publish_people_names=values["publish_people_names"],
            write_dbt_docs=values["write_dbt_docs"],
            dbt_vars=tuple((s.name, _hashable(values[s.name])) for s in SETTINGS if s.dbt_var),
            config=config,
        )

    def export_to_environment(self) -> None:
        """dbt reads the warehouse path, the memory budget and its threads from the environment (see
        dbt_project/profiles.yml), the other settings it uses as vars."""
        os.environ["DELIVERY_WAREHOUSE_PATH"] = str(self.warehouse_path)
        os.environ["DELIVERY_DUCKDB_MEMORY_LIMIT"] = self.duckdb_memory_limit
        os.environ["DELIVERY_DBT_THREADS"] = str(self.dbt_threads)
        os.environ["DELIVERY_EXPORTS_DIR"] = str(self.exports_dir)
        os.environ["DELIVERY_SERVING_PATH"] = str(self.serving_path)
        os.environ["DELIVERY_CONFIG_DIR"] = str(self.config_dir)
        # Relative to the dbt project, as dbt_project.yml's seed-paths need (see mappings_dir); settings made by
        # hand (no configuration folder read) build with the demo's mappings.
        os.environ["DELIVERY_MAPPINGS_DIR"] = (
            str(self.mappings_dir.relative_to(DBT_PROJECT_DIR)) if self.config else DEMO_MAPPINGS_SEED_PATH
        )
        os.environ["DELIVERY_DBT_VARS"] = self.dbt_vars_json
        self.write_mappings()

    def write_mappings(self) -> None:
        """Write the validated mapping tables where dbt reads them, every mapping present (an unused tool's
        header only) and only its declared columns. A file is rewritten only when its content changed."""
        if self.config is None:
            return
        self.mappings_dir.mkdir(parents=True, exist_ok=True)
        for name, table in self.config.mappings.items():
            target = self.mappings_dir / f"{name}.csv"
            text = table.as_csv()
            if not target.exists() or target.read_text() != text:
                # aside, then renamed: a dbt build reading the folder never sees half a file
                aside = target.with_name(f".{target.name}.{os.getpid()}")
                aside.write_text(text)
                os.replace(aside, target)


def _hashable(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value
