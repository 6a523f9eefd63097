"""Runs the real dbt CLI of this environment on the project, against one test's warehouse file.

Every call starts from one parse of the project made once per test session: dbt re-parses only what
differs. It runs through `delivery-dbt`, as the product does (orchestration/lib/dbt_launcher.py): dbt in
the warehouse's folder, the file named by its name alone, so the one parse serves every test's
`delivery.duckdb` (a warehouse of another name is parsed again).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from filelock import FileLock

from orchestration.lib.settings import dbt_source_files
from tests.limits import HANG_SECONDS

# The product's dbt command line, installed beside this interpreter.
DBT = Path(sys.executable).parent / "delivery-dbt"
DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
# The demo organisation's mapping tables, whatever a `delivery` command run in this process exported (as
# dbt_project.yml reads them: relative to the project).
DEMO_MAPPINGS_SEED_PATH = "../demo/config/mappings"
WAREHOUSE_NAME = "delivery.duckdb"  # the session's parse is made for a warehouse of this name
PARTIAL_PARSE = "partial_parse.msgpack"


def run_dbt(
    command: list[str], work: Path, warehouse: Path, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`dbt <command>` with its own target and log folders under `work`, so tests never collide."""
    warehouse = Path(warehouse).resolve()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    env = {**_dbt_env(extra_env), "DELIVERY_WAREHOUSE_PATH": str(warehouse)}
    target = work / "target"
    _start_from_the_shared_parse(target)
    return subprocess.run(
        [str(DBT), *command, *_folders(target, work / "logs")],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_SECONDS,
    )


def dbt_build(work: Path, warehouse: Path, select: str, *options: str) -> None:
    """`dbt build --select <select>` (tests only on the selected nodes), which must succeed."""
    result = run_dbt(["build", "--select", select, "--indirect-selection", "cautious", *options], work, warehouse)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def _dbt_env(extra_env: dict[str, str] | None) -> dict[str, str]:
    return {
        **os.environ,
        "DELIVERY_MAPPINGS_DIR": DEMO_MAPPINGS_SEED_PATH,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        **(extra_env or {}),
    }


def _folders(target: Path, logs: Path) -> list[str]:
    return ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(target), "--log-path", str(logs)]


def _start_from_the_shared_parse(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    if not (target / PARTIAL_PARSE).exists():
        shutil.copy2(_shared_parse(), target / PARTIAL_PARSE)


def _shared_parse() -> Path:
    """The session's parse, made once under a lock by whichever test worker asks first. Its folder is
    named by the project's files, so an edited project never starts from a parse of another."""
    folder = Path(tempfile.gettempdir()) / f"delivery-tests-dbt-parse-{_project_digest()}"
    parsed = folder / "target" / PARTIAL_PARSE
    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder / "parse.lock")):
        if not parsed.exists():
            result = subprocess.run(
                [str(DBT), "parse", "--quiet", *_folders(folder / "target", folder / "logs")],
                env={**_dbt_env(None), "DELIVERY_WAREHOUSE_PATH": str(folder / WAREHOUSE_NAME)},
                capture_output=True, text=True, timeout=HANG_SECONDS, check=False,
            )
            assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return parsed


def _project_digest() -> str:
    digest = hashlib.sha256(sys.executable.encode())
    mappings = sorted((DBT_PROJECT_DIR / DEMO_MAPPINGS_SEED_PATH).glob("*.csv"))
    for path in [*dbt_source_files(DBT_PROJECT_DIR), *mappings]:
        digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()[:16]
