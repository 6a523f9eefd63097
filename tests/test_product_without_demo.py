"""The product runs without the demo: no module of `orchestration` or `ingestion`, the Dagster definitions
and the command line's run, status and explain never import the `demo` package (only `delivery demo` may).

It runs in a fresh interpreter, where `demo` cannot be imported at all: an import of it fails there and is
recorded, and `sys.modules` is read at the end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.limits import HANG_SECONDS

PROJECT = Path(__file__).parents[1]
DEMO_PACKAGES = ("demo", "ingestion.demo_org")

PROBE = textwrap.dedent(
    """
    import importlib, importlib.abc, json, pkgutil, sys

    DEMO_PACKAGES = tuple(sys.argv[1].split(","))
    attempts = []

    class RefuseTheDemo(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if any(name == p or name.startswith(p + ".") for p in DEMO_PACKAGES):
                attempts.append(name)
                raise ModuleNotFoundError(f"the product imported the demo: {name}")
            return None

    sys.meta_path.insert(0, RefuseTheDemo())

    import ingestion
    import orchestration

    # Every module of the product (a package's __main__ would run its command: its package is imported).
    for package in (orchestration, ingestion):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if not module.name.endswith(".__main__"):
                importlib.import_module(module.name)

    from typer.testing import CliRunner

    from orchestration.cli import app
    from orchestration.definitions import build_definitions
    from orchestration.lib.settings import Settings

    graph = build_definitions(Settings.from_env()).resolve_asset_graph()
    runner = CliRunner()
    exit_codes = {
        command: runner.invoke(app, arguments).exit_code
        for command, arguments in {
            "run": ["run"],
            "status": ["status"],
            "explain": ["explain", "items_done", "--warehouse", sys.argv[2]],
        }.items()
    }
    loaded = sorted(m for m in sys.modules if any(m == p or m.startswith(p + ".") for p in DEMO_PACKAGES))
    print(json.dumps({
        "assets": len(list(graph.get_all_asset_keys())),
        "exit_codes": exit_codes,
        "attempts": attempts,
        "loaded": loaded,
    }))
    """
)


def test_no_run_of_the_product_imports_the_demo(tmp_path: Path):
    env = {
        **os.environ,
        "DELIVERY_EXPORTS_DIR": str(tmp_path / "exports"),
        "DELIVERY_WAREHOUSE_PATH": str(tmp_path / "warehouse" / "delivery.duckdb"),
        "DELIVERY_SERVING_PATH": str(tmp_path / "warehouse" / "serving.duckdb"),
        "DAGSTER_HOME": str(tmp_path / "dagster"),
    }
    env.pop("DELIVERY_CONFIG_DIR", None)  # the default configuration folder, the demo's: a path, not code
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(DEMO_PACKAGES), str(tmp_path / "no-such.duckdb")],
        env=env, cwd=PROJECT, capture_output=True, text=True, timeout=HANG_SECONDS, check=False,
    )
    assert probe.returncode == 0, probe.stderr[-4000:]
    result = json.loads(probe.stdout.strip().splitlines()[-1])
    assert result["attempts"] == [] and result["loaded"] == []
    assert result["assets"] > 0
    # run: the landing folder does not exist, so it stops before anything runs (code 2); status: nothing
    # run yet, said plainly (0); explain: no serving file to read (2). Each ran to its own end, without the demo.
    assert result["exit_codes"] == {"run": 2, "status": 0, "explain": 2}
