"""`delivery-dbt`: dbt's command line as the product runs it (Dagster's dbt resource names it), with two
differences from `dbt`.

1. It runs in the warehouse's folder and names the DuckDB file by its file name alone. dbt reuses a saved
   parse of the project only while the profile's connection values are those the parse was made with (its
   state check hashes them), and the DuckDB profile's `path` is the warehouse file: named by an absolute
   path, every new warehouse would parse the whole project again (seconds of CPU each; the tests build
   dozens). Every warehouse called `delivery.duckdb`, with the same mapping tables and settings, now has the
   same profile, so one parse of the project serves them all. dbt finds the project through
   DBT_PROJECT_DIR (which Dagster sets), not the working folder, so models, seeds and mappings are read as
   before; DuckDB names the catalog after the file either way.
2. `--version` answers from the installed packages. dbt's own looks up the newest releases on PyPI, and
   Dagster asks for the version before the first dbt command of each process: seconds on every run, and a
   wait for the network's time-outs on a machine without internet.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

WAREHOUSE_PATH_VARIABLE = "DELIVERY_WAREHOUSE_PATH"
ADAPTERS = ("duckdb", "spark")


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        print(installed_versions())
        return
    folder = warehouse_folder(os.environ, sys.argv[1:])
    if folder is not None:
        os.chdir(folder)
        os.environ[WAREHOUSE_PATH_VARIABLE] = Path(os.environ[WAREHOUSE_PATH_VARIABLE]).name
    from dbt.cli.main import cli

    cli()


def warehouse_folder(environ: Mapping[str, str], arguments: Sequence[str]) -> Path | None:
    """The folder to run dbt in: the warehouse file's, when its path is absolute, the folder exists and dbt
    is told where the project is (otherwise dbt would look for it in the working folder). None: run as
    `dbt` would, the warehouse named as given."""
    warehouse = Path(environ.get(WAREHOUSE_PATH_VARIABLE, ""))
    if warehouse.is_absolute() and warehouse.parent.is_dir() and _project_dir(environ, arguments).is_absolute():
        return warehouse.parent
    return None


def _project_dir(environ: Mapping[str, str], arguments: Sequence[str]) -> Path:
    """The project folder given to dbt: its `--project-dir` argument, else DBT_PROJECT_DIR ('' when neither)."""
    for index, argument in enumerate(arguments):
        if argument == "--project-dir" and index + 1 < len(arguments):
            return Path(arguments[index + 1])
        if argument.startswith("--project-dir="):
            return Path(argument.split("=", 1)[1])
    return Path(environ.get("DBT_PROJECT_DIR", ""))


def installed_versions() -> str:
    """What `dbt --version` prints of the installed packages, without the look-up of newer releases."""
    lines = ["Core:", f"  - installed: {version('dbt-core')}", "", "Plugins:"]
    for adapter in ADAPTERS:
        try:
            lines.append(f"  - {adapter}: {version(f'dbt-{adapter}')}")
        except PackageNotFoundError:
            continue
    return "\n".join(lines)
