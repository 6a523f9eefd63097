"""Shared fixtures: paths to the real API samples, and helpers to write and read export trees."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock

FIXTURES = Path(__file__).parent / "fixtures"
REAL_SAMPLES = FIXTURES / "real_samples"

# Importing the Dagster definitions creates each tool's dlt pipeline beside the default warehouse. Test
# workers import them at once: each process gets a warehouse folder of its own, never the project's
# `warehouse/`. Always assigned, never defaulted: workers inherit the controller's environment, and two
# workers creating the same dlt pipeline folder at once wipe it under each other.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
os.environ["DELIVERY_WAREHOUSE_PATH"] = str(
    Path(tempfile.mkdtemp(prefix=f"delivery-tests-{_WORKER}-")) / "delivery.duckdb"
)
# One pseudonym key for every publish of the session, so the marts of two warehouses' snapshots compare
# (a key generated beside each warehouse would give each its own pseudonyms).
os.environ.setdefault("DELIVERY_PSEUDONYM_KEY", "test-session-pseudonym-key")

# The dbt docs site costs each `delivery run` a docs generation: only the test of the docs writes them.
os.environ.setdefault("DELIVERY_WRITE_DBT_DOCS", "false")


# The slowest modules, each several `delivery run`s, start first, the two slowest on separate workers (`make test`
# keeps this order with `--no-loadscope-reorder`): xdist would otherwise start the modules with the most
# tests first, leave these to the end, and run them one after the other on the same worker.
SLOWEST_MODULES_FIRST = (
    "tests/test_end_to_end.py",
    "tests/test_recovery.py",
    "tests/test_what_blocks_a_publish.py",
    "tests/test_partial_toolchains.py",
    "tests/test_configured_organisation.py",
    "tests/models/test_incremental_build.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        module = item.nodeid.split("::")[0]
        first = SLOWEST_MODULES_FIRST
        return first.index(module) if module in first else len(first)

    items.sort(key=rank)


@pytest.fixture
def real_samples_exports(tmp_path: Path) -> Path:
    """A copy of the real Jira and GitHub response bodies, in the landing layout."""
    exports = tmp_path / "exports"
    shutil.copytree(REAL_SAMPLES, exports, ignore=shutil.ignore_patterns("*.md"))
    return exports


def write_json(path: Path, body: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body))
    return path


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        return con.execute(sql, params or []).fetchall()


@dataclass(frozen=True)
class DemoServing:
    """A small demo organisation, loaded, built with every dbt test and published: read it, never write it."""

    exports: Path
    warehouse: Path
    serving: Path


DEMO_SIZE = "0.2"


def _shared_root(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The folder every xdist worker of the session sees (the base temp folder without workers)."""
    base = tmp_path_factory.getbasetemp()
    return base if worker_id == "master" else base.parent


@pytest.fixture(scope="session")
def demo_exports(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The small demo organisation's exports, written once per session under a lock: a second or two,
    so a module that only needs the files starts without waiting for the demo build. Read, never write."""
    shared_root = _shared_root(tmp_path_factory, worker_id)
    exports = shared_root / "demo_exports"
    with FileLock(str(shared_root / "demo_exports.lock")):
        if not (shared_root / "demo_exports.written").exists():
            from demo.marker import write_demo

            shutil.rmtree(exports, ignore_errors=True)
            write_demo(exports, DEMO_SIZE, seed=7)  # as `delivery demo` writes it: with the demo's marker
            (shared_root / "demo_exports.written").touch()
    return exports


@pytest.fixture(scope="session")
def demo_serving(tmp_path_factory: pytest.TempPathFactory, worker_id: str, demo_exports: Path) -> DemoServing:
    """Built once per test session, even across xdist workers: the first worker to ask builds it under a
    lock in the folder the workers share, the others wait and read the same files."""
    shared_root = _shared_root(tmp_path_factory, worker_id)
    root = shared_root / "demo_serving"
    demo = DemoServing(demo_exports, (root / "delivery.duckdb").resolve(), root / "serving.duckdb")
    with FileLock(str(shared_root / "demo_serving.lock")):
        if not (root / "built").exists():
            _build_demo_serving(root, demo)
            (root / "built").touch()
    return demo


def _build_demo_serving(root: Path, demo: DemoServing) -> None:
    from ingestion.landing_marker import holds_only_demo_data
    from ingestion.pipelines import load_all
    from orchestration.lib.serving import publish
    from tests.models.dbt_runner import run_dbt

    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    load_all(demo.exports, demo.warehouse)
    # A full build: its data tests include the one checking every mart count against its members.
    built = run_dbt(["build"], root, demo.warehouse)
    assert built.returncode == 0, built.stdout[-6000:]
    publish(demo.warehouse, demo.serving, "demo-serving", demo_data=holds_only_demo_data(demo.exports))


# Columns that name the load a row came from: they differ between two warehouses by design.
LOAD_COLUMNS = ("_dlt_load_id", "_loaded_at")


def mart_contents(serving: Path) -> dict[str, list[tuple]]:
    """Every published mart's rows, sorted, without the load lineage columns."""
    with duckdb.connect(str(serving), read_only=True) as con:
        tables = [t for (t,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1"
        ).fetchall()]
        contents = {}
        for table in tables:
            columns = [c for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts' "
                "AND table_name = ? ORDER BY ordinal_position", [table]).fetchall() if c not in LOAD_COLUMNS]
            contents[table] = con.execute(f"SELECT {', '.join(columns)} FROM marts.{table} ORDER BY ALL").fetchall()
    return contents


def snapshot_id(serving: Path) -> str:
    with duckdb.connect(str(serving), read_only=True) as con:
        return con.execute("SELECT snapshot_id FROM meta.snapshot").fetchone()[0]
