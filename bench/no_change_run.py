"""Benchmark: a `delivery run` with nothing new in the landing folder, against a full run, same machine.

    python bench/no_change_run.py            # the default demo organisation (size S)
    python bench/no_change_run.py --size 0.5

A full run loads, checks, builds and publishes everything from an empty warehouse. The no-change run
follows it on the same exports: dlt finds no new file, the raw suites see unchanged tables, the dbt
step finds the published snapshot current, and nothing is published. Both are timed end to end as a
user runs them (process start to exit). The ratio no-change / full is the figure; the target is < 0.2.
Figures are printed and written as JSON to bench/results/no-change-run-<size>.json.
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


def timed_run(env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run"], env=env, cwd=ROOT, capture_output=True, text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(result.stdout[-4000:] + result.stderr[-4000:])
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="S", help="demo organisation size: S, M, L or a scale factor")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-no-change-") as tmp:
        root = Path(tmp)
        env = {
            **os.environ,
            "DELIVERY_EXPORTS_DIR": str(root / "exports"),
            "DELIVERY_WAREHOUSE_PATH": str(root / "warehouse" / "delivery.duckdb"),
            "DELIVERY_SERVING_PATH": str(root / "warehouse" / "serving.duckdb"),
            "DAGSTER_HOME": str(root / "dagster"),
            "DELIVERY_DEMO_SIZE": args.size,
        }
        # The exports are written first, so that neither timed run includes generating them.
        subprocess.run([sys.executable, "-m", "orchestration.cli", "demo"], env=env, cwd=ROOT, check=True,
                       capture_output=True)
        full = timed_run(env)
        no_change = timed_run(env)
    figures = {
        "size": args.size,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "full_run_seconds": round(full, 1),
        "no_change_run_seconds": round(no_change, 1),
        "ratio_no_change_to_full": round(no_change / full, 3),
        "target_ratio": 0.2,
    }
    print(json.dumps(figures, indent=2))
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / f"no-change-run-{args.size}.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
