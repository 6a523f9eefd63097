"""`delivery-dbt`, the dbt command line the product runs: one parse of the project serves every warehouse of
the same file name, and `--version` reads the installed packages instead of looking up newer releases."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from orchestration.lib.dbt_launcher import warehouse_folder
from tests.limits import HANG_SECONDS

PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"
DELIVERY_DBT = Path(sys.executable).with_name("delivery-dbt")
DBT = Path(sys.executable).with_name("dbt")
FULL_PARSE = "Unable to do partial parsing"
PARTIAL_PARSE = "Partial parsing enabled"


def _parse(executable: Path, warehouse: Path, work: Path, saved_parse: Path | None = None) -> str:
    """`<executable> parse` of the project for `warehouse`, as Dagster starts it (DBT_PROJECT_DIR set, the
    working folder the project's), starting from `saved_parse` if given. dbt's log of the parse."""
    target = work / "target"
    target.mkdir(parents=True)
    if saved_parse is not None:
        shutil.copy2(saved_parse, target / "partial_parse.msgpack")
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DBT_PROJECT_DIR": str(PROJECT), "DBT_PROFILES_DIR": str(PROJECT),
           "DELIVERY_WAREHOUSE_PATH": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    parsed = subprocess.run(
        [str(executable), "parse", "--target-path", str(target), "--log-path", str(work / "logs")],
        env=env, cwd=PROJECT, capture_output=True, text=True, timeout=HANG_SECONDS, check=False,
    )
    assert parsed.returncode == 0, parsed.stdout[-4000:] + parsed.stderr[-2000:]
    return (work / "logs" / "dbt.log").read_text()


def test_a_second_warehouse_reuses_the_parse_made_for_the_first(tmp_path: Path):
    first = _parse(DELIVERY_DBT, tmp_path / "one" / "delivery.duckdb", tmp_path / "first")
    assert FULL_PARSE in first  # nothing saved yet
    saved = tmp_path / "first" / "target" / "partial_parse.msgpack"

    second = _parse(DELIVERY_DBT, tmp_path / "two" / "delivery.duckdb", tmp_path / "second", saved)

    assert PARTIAL_PARSE in second and FULL_PARSE not in second, second[-3000:]
    # dbt itself, given the same saved parse, parses the whole project again for another warehouse file.
    plain = _parse(DBT, tmp_path / "three" / "delivery.duckdb", tmp_path / "plain", saved)
    assert FULL_PARSE in plain


def test_version_reads_the_installed_packages_and_looks_up_nothing():
    shown = subprocess.run([str(DELIVERY_DBT), "--version"], capture_output=True, text=True,
                           timeout=HANG_SECONDS, check=True).stdout
    # The first version in the output is dbt-core's: what Dagster's dbt resource reads from it.
    assert re.search(r"(\d+\.\d+\.\d+)", shown).group(1) == version("dbt-core")
    assert f"duckdb: {version('dbt-duckdb')}" in shown
    assert "latest" not in shown  # dbt's own prints the newest release it looked up


def test_dbt_runs_in_the_warehouse_folder_only_when_it_is_told_where_the_project_is(tmp_path: Path):
    warehouse = tmp_path / "delivery.duckdb"
    project = {"DELIVERY_WAREHOUSE_PATH": str(warehouse), "DBT_PROJECT_DIR": str(PROJECT)}
    assert warehouse_folder(project, ["build"]) == tmp_path
    assert warehouse_folder({"DELIVERY_WAREHOUSE_PATH": str(warehouse)}, ["build", "--project-dir", str(PROJECT)]) \
        == tmp_path
    # dbt would look for the project in the working folder, or the path is relative to it already.
    assert warehouse_folder({"DELIVERY_WAREHOUSE_PATH": str(warehouse)}, ["build"]) is None
    assert warehouse_folder({**project, "DBT_PROJECT_DIR": "dbt_project"}, ["build"]) is None
    assert warehouse_folder({**project, "DELIVERY_WAREHOUSE_PATH": "delivery.duckdb"}, ["build"]) is None
    # A warehouse folder not made yet: dbt runs as it would, the file named as given.
    assert warehouse_folder({**project, "DELIVERY_WAREHOUSE_PATH": str(tmp_path / "new" / "x.duckdb")}, []) is None
