"""Benchmark: what the Monte Carlo forecasts (10,000 trials by default) cost in a full dbt build.

    .venv/bin/python bench/forecast_build.py --size M                 # S, M, L or a scale factor
    .venv/bin/python bench/forecast_build.py --size M --exports DIR   # reuse exports; M names the result
    .venv/bin/python bench/forecast_build.py --size M --work DIR      # keep the scratch folder

1. Writes the demo exports (`python -m demo`) and loads them (`ingestion.pipelines.load_all`); not measured.
2. Measures the product's dbt build command (seeds, models, data tests) from a parse, in its own process.
3. From the build's run_results.json, the baseline and the figure of the same run: the execution seconds of
   the forecast nodes (the int_forecast__* models, mart_backlog_forecast, and their data tests) against
   those of every node. The epic forecast mart is counted with the rest of the build: it existed before.
4. Also measures `dbt run` of the forecast models alone (from the same parse) against the full build's
   wall time.
5. Prints the figures and writes bench/results/forecast-build-<size>-<commit>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from full_build import (
    ROOT,
    dbt_build_command,
    generate_exports,
    machine,
    measure_dbt,
    parse_project,
    scratch_env,
)
from process_tree import run_measured
from provenance import commit_measured

RESULTS = ROOT / "bench" / "results"
FORECAST_SELECTION = [
    "int_forecast__scope_weeks+",
    "int_forecast__draws+",
    "--exclude",
    "mart_epic_forecast__weekly",
]


def is_forecast_node(unique_id: str, depends_on: list[str]) -> bool:
    names = [unique_id, *depends_on]
    return any(".int_forecast__" in name or name.endswith(".mart_backlog_forecast") for name in names) and (
        ".mart_epic_forecast__weekly" not in unique_id
    )


def node_seconds(target: Path) -> dict:
    """Execution seconds of the forecast nodes and of all nodes, from run_results.json and the manifest."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    nodes = json.loads((target / "manifest.json").read_text())["nodes"]
    forecast, total, slowest = 0.0, 0.0, []
    for result in results:
        node = nodes.get(result["unique_id"], {})
        seconds = result["execution_time"]
        total += seconds
        if is_forecast_node(result["unique_id"], node.get("depends_on", {}).get("nodes", [])):
            forecast += seconds
            slowest.append((round(seconds, 2), result["unique_id"]))
    return {
        "forecast_node_seconds": round(forecast, 2),
        "all_node_seconds": round(total, 2),
        "forecast_nodes": sorted(slowest, reverse=True),
    }


def load(exports: Path, env: dict[str, str]) -> None:
    warehouse = env["DELIVERY_WAREHOUSE_PATH"]
    Path(warehouse).parent.mkdir(parents=True, exist_ok=True)
    code = (
        "from pathlib import Path; from ingestion.pipelines import load_all; "
        f"load_all(Path({str(exports)!r}), Path({warehouse!r}))"
    )
    loaded = run_measured([sys.executable, "-c", code], env=env, cwd=ROOT)
    if loaded.returncode != 0:
        raise SystemExit(f"load failed:\n{loaded.stderr[-4000:]}")


def run(args: argparse.Namespace, work: Path) -> dict:
    commit = commit_measured()
    exports = Path(args.exports) if args.exports else work / "exports"
    if not args.exports:
        generate_exports(exports, args.size)
    env = scratch_env(work, exports)
    load(exports, env)
    dbt_dir = work / "dbt"
    parsed = parse_project(env, dbt_dir)
    load_at_start = os.getloadavg()
    build = measure_dbt(dbt_build_command(), env, dbt_dir / "build", dbt_dir / "logs-build", parsed)
    nodes = node_seconds(dbt_dir / "build")
    forecasts_alone = measure_dbt(
        ["run", "--select", *FORECAST_SELECTION],
        env,
        dbt_dir / "forecasts",
        dbt_dir / "logs-forecasts",
        parsed,
    )
    return {
        "benchmark": "forecast-build",
        "size": args.size,
        "commit": commit,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average_at_start": load_at_start,
        "load_average_at_end": os.getloadavg(),
        "trials": 10_000,
        "dbt_build": build,
        "forecast_runs_alone": forecasts_alone,
        **nodes,
        "forecast_share_of_node_seconds": round(
            nodes["forecast_node_seconds"] / nodes["all_node_seconds"], 4
        ),
        "forecast_run_over_full_build": round(forecasts_alone["seconds"] / build["seconds"], 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="M")
    parser.add_argument("--exports", help="exports already written (the size only names the result)")
    parser.add_argument("--work", help="scratch folder to keep (default: a temporary one, removed)")
    args = parser.parse_args()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="forecast-bench-"))
    try:
        report = run(args, work)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"forecast-build-{report['size']}-{report['commit']}.json"
    path.write_text(json.dumps(report, indent=1) + "\n")
    print(
        f"forecast nodes {report['forecast_node_seconds']} s of {report['all_node_seconds']} s node time "
        f"({report['forecast_share_of_node_seconds']:.1%}); forecasts run alone {report['forecast_runs_alone']['seconds']} s "
        f"vs full build {report['dbt_build']['seconds']} s ({report['forecast_run_over_full_build']:.2f}); {path}"
    )


if __name__ == "__main__":
    main()
