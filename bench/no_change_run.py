"""Benchmark: `delivery run` end to end on a full delivery, a later day and nothing new, same machine.

    python bench/no_change_run.py                 # the default demo organisation (size S)
    python bench/no_change_run.py --size 0.5
    python bench/no_change_run.py --work DIR      # keep the exports, warehouse and serving file

The demo exports are written and split (demo/later_day.py): a first delivery, and a later
day of new files (one in 20) and re-exports. Three `delivery run`s follow, each timed as a user runs it,
process start to exit (interpreter, imports, Dagster's start-up and planning, every job and the summary):

1. the full run: the first delivery, from an empty warehouse;
2. the later day's run: its files moved into the landing folder, loaded, checked, built and published;
3. a run with nothing new: dlt finds no new file, the raw suites see unchanged tables, the dbt step finds
   the published snapshot current, and nothing is published.

The figures are each later run's time ÷ the full run's (targets: nothing new < 0.2). Printed and written
as JSON to bench/results/no-change-run-<size>.json, with the commit measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from provenance import commit_measured

from demo.later_day import deliver_later_day, withhold_later_day


def timed_run(env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(result.stdout[-4000:] + result.stderr[-4000:])
    return time.perf_counter() - started


def measure(root: Path, size: str) -> dict:
    commit = commit_measured()  # before the runs: the tree may change while they run
    env = {
        **os.environ,
        "DELIVERY_EXPORTS_DIR": str(root / "exports"),
        "DELIVERY_WAREHOUSE_PATH": str(root / "warehouse" / "delivery.duckdb"),
        "DELIVERY_SERVING_PATH": str(root / "warehouse" / "serving.duckdb"),
        "DAGSTER_HOME": str(root / "dagster"),
        "DELIVERY_DEMO_SIZE": size,
    }
    # The exports are written and split first, so that no timed run includes generating them.
    subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "demo"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    held = root / "later-day"
    later_day = withhold_later_day(root / "exports", held)
    full = timed_run(env)
    deliver_later_day(held, root / "exports", later_day)
    later = timed_run(env)
    no_change = timed_run(env)
    return {
        "size": size,
        "commit": commit,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average_at_end": os.getloadavg(),
        "later_day_files": len(later_day),
        "full_run_seconds": round(full, 1),
        "later_day_run_seconds": round(later, 1),
        "no_change_run_seconds": round(no_change, 1),
        "ratio_later_day_to_full": round(later / full, 3),
        "ratio_no_change_to_full": round(no_change / full, 3),
        "target_ratio_no_change": 0.2,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="S", help="demo organisation size: S, M, L or a scale factor")
    parser.add_argument("--work", type=Path, help="keep the scratch folder here (must not exist)")
    args = parser.parse_args()
    if args.work:
        args.work.mkdir(parents=True)
        figures = measure(args.work.resolve(), args.size)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-no-change-") as tmp:
            figures = measure(Path(tmp), args.size)
    print(json.dumps(figures, indent=2))
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    name = f"no-change-run-{args.size}-{figures['commit']}.json"
    (results / name).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
