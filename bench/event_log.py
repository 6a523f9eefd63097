"""Benchmark: Dagster's event log as `delivery` configures it ÷ Dagster's default SQLite storage, same machine.

    python bench/event_log.py                  # 500 asset checks, each home on the temp folder
    python bench/event_log.py --checks 1000 --work /dev/shm/event-log-bench

A `delivery run` stores thousands of Dagster events: the build job plans every dbt test (an asset check),
then stores each one's evaluation. This measures that part alone. One asset with N checks is materialized
in-process, twice (a first run on a new home, then a second one), on an instance whose dagster.yaml is
Dagster's default SQLite storage, and on one that `delivery` writes (orchestration/lib/event_log.py). Each
instance runs in a process of its own, timed from process start to exit with its CPU seconds
(bench/process_tree.py). The figure is the ratio of the two, CPU and wall; written as JSON to
bench/results/event-log-<checks>-<commit>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from process_tree import run_measured
from provenance import commit_measured

RUNS = 2


def materialize_with_checks(home: Path, checks: int) -> None:
    """The measured child: materialize one asset with `checks` checks, RUNS times, on the home's instance."""
    import dagster as dg

    specs = [dg.AssetCheckSpec(f"check_{i}", asset="table") for i in range(checks)]

    @dg.multi_asset(specs=[dg.AssetSpec("table")], check_specs=specs)
    def table():
        yield dg.MaterializeResult(asset_key="table")
        for spec in specs:
            yield dg.AssetCheckResult(asset_key="table", check_name=spec.name, passed=True)

    with dg.DagsterInstance.from_config(str(home)) as instance:
        for _ in range(RUNS):
            assert dg.materialize([table], instance=instance).success


def write_home(home: Path, delivery: bool) -> None:
    from orchestration.cli.commands import EARLIER_DAGSTER_YAML, ensure_dagster_home

    if delivery:
        ensure_dagster_home(home)
    else:  # what earlier versions wrote: Dagster's default storage
        home.mkdir(parents=True)
        (home / "dagster.yaml").write_text(EARLIER_DAGSTER_YAML)


def measure(work: Path, checks: int) -> dict:
    commit = commit_measured()
    figures = {}
    for name, delivery in (("default", False), ("delivery", True)):
        home = work / name
        shutil.rmtree(home, ignore_errors=True)
        write_home(home, delivery)
        measured = run_measured([sys.executable, __file__, "--child", str(home), "--checks", str(checks)],
                                env={**os.environ, "DAGSTER_HOME": str(home)}, cwd=ROOT)
        if measured.returncode != 0:
            raise SystemExit(measured.stderr[-4000:])
        figures[name] = {"seconds": round(measured.seconds, 2), "cpu_seconds": round(measured.cpu_seconds, 2)}
    return {
        "commit": commit,
        "checks": checks,
        "runs": RUNS,
        "work": str(work),
        "load_average": os.getloadavg(),
        "machine": platform.platform(),
        **figures,
        "ratio_seconds": round(figures["delivery"]["seconds"] / figures["default"]["seconds"], 3),
        "ratio_cpu": round(figures["delivery"]["cpu_seconds"] / figures["default"]["cpu_seconds"], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checks", type=int, default=500)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        materialize_with_checks(args.child, args.checks)
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="event-log-bench-"))
    result = measure(work, args.checks)
    print(json.dumps(result, indent=2))
    out = ROOT / "bench" / "results" / f"event-log-{args.checks}-{result['commit']}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
