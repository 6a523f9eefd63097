"""Runs the real dbt CLI of this environment on the project, against one test's warehouse file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.limits import HANG_SECONDS

DBT = Path(sys.executable).parent / "dbt"
DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
# The demo organisation's mapping tables, whatever a `delivery` command run in this process exported (as
# dbt_project.yml reads them: relative to the project).
DEMO_MAPPINGS_SEED_PATH = "../demo/config/mappings"


def run_dbt(
    command: list[str], work: Path, warehouse: Path, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`dbt <command>` with its own target and log folders under `work`, so tests never collide."""
    env = {
        **os.environ,
        "DELIVERY_WAREHOUSE_PATH": str(Path(warehouse).resolve()),
        "DELIVERY_MAPPINGS_DIR": DEMO_MAPPINGS_SEED_PATH,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        **(extra_env or {}),
    }
    return subprocess.run(
        [
            str(DBT),
            *command,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
        ],
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
