"""Benchmark: the DORA ancestry models (the commit graph table, the deployed commits' first-parent lines and
the recursive walk that finds the deployment first shipping each commit) at two sizes of the demo organisation.

    python bench/dora_ancestry.py                      # sizes S and M
    python bench/dora_ancestry.py --sizes 0.5 S        # any two sizes (S, M, L or scale factors)
    python bench/dora_ancestry.py --work /tmp/anc      # keep (and reuse) the loaded warehouses there

For each size: the demo organisation's exports are generated, loaded by the product's ingestion
(`ingestion.pipelines.load_all`), and `dbt build` runs the ancestry models' parents (staging views and the
mapping seeds). The three ancestry models (int_dora__commit_parents, int_dora__deployed_first_parent_lines,
int_dora__commit_deployments) are then built `--repeat` times on their own; the time is the sum of dbt's
`execution_time` of the three nodes in run_results.json (the fastest run). The scaling target is stated per
repository, so the size of the problem is the sum over repositories of commits x production deployments. The figure to
read is `time_growth_over_work_growth`: the growth of the time from the first size to the second, divided
by the growth of that sum. At most 1 means the model scales no worse than linearly with it.
Figures are printed and written as JSON to bench/results/dora-ancestry.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = ROOT / "dbt_project"
MODEL = "int_dora__commit_deployments"
MODELS = ("int_dora__commit_parents", "int_dora__deployed_first_parent_lines", MODEL)

SIZE_SQL = f"""
with commits as (
    select repository, count(*) as commits from staging.stg_github__commits group by repository
),
deployments as (
    select repository, count(*) as deployments
    from intermediate.int_dora__production_deployments group by repository
)
select
    count(*) as repositories,
    sum(c.commits) as commits,
    sum(coalesce(d.deployments, 0)) as deployments,
    sum(c.commits * coalesce(d.deployments, 0)) as commits_x_deployments_per_repository,
    max(c.commits * coalesce(d.deployments, 0)) as largest_repository_commits_x_deployments,
    (select count(*) from staging.stg_github__commit_parents) as parent_edges,
    (select count(*) from intermediate.{MODEL}) as shipped_commits
from commits as c
left join deployments as d on c.repository = d.repository
"""


def dbt(command: list[str], work: Path, warehouse: Path) -> dict:
    """`dbt <command>` on the warehouse with its own target folder; returns its run_results.json."""
    env = {
        **os.environ,
        "DELIVERY_WAREHOUSE_PATH": str(warehouse.resolve()),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }
    target = work / "target"
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            *command,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(work / "logs"),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"dbt {' '.join(command)} failed:\n{result.stdout[-4000:]}{result.stderr[-2000:]}")
    return json.loads((target / "run_results.json").read_text())


def load(size: str, work: Path) -> dict:
    """Generate the demo organisation at `size` and load it into work/warehouse.duckdb (once)."""
    sys.path.insert(0, str(ROOT))
    from demo.generate import generate_demo_exports
    from ingestion.pipelines import load_all
    from orchestration.lib.settings import Settings

    warehouse = work / "warehouse.duckdb"
    if warehouse.exists() and (work / "loaded").exists():
        return {"reused": True}
    exports = work / "exports"
    shutil.rmtree(exports, ignore_errors=True)
    warehouse.unlink(missing_ok=True)
    started = time.perf_counter()
    generate_demo_exports(exports, size=size, seed=7)
    generated = time.perf_counter()
    load_all(exports, warehouse, Settings.from_env().duckdb_memory_limit)
    loaded = time.perf_counter()
    shutil.rmtree(exports, ignore_errors=True)
    (work / "loaded").touch()
    return {"generate_seconds": round(generated - started, 1), "load_seconds": round(loaded - generated, 1)}


def measure(size: str, work: Path, repeat: int) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    warehouse = work / "warehouse.duckdb"
    loading = load(size, work)
    # the parents (staging views, the mapping seeds, the production deployments) and the commits counted
    dbt(
        [
            "build",
            "--select",
            f"+{MODEL}",
            "stg_github__commits",
            "--exclude",
            *MODELS,
            "--exclude-resource-type",
            "test",
        ],
        work,
        warehouse,
    )
    runs = []
    for _ in range(repeat):
        results = dbt(["run", "--select", *MODELS], work, warehouse)
        runs.append({r["unique_id"].rsplit(".", 1)[-1]: r["execution_time"] for r in results["results"]})
    fastest = min(runs, key=lambda run: sum(run.values()))
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute(SIZE_SQL)
        names = [column[0] for column in cursor.description]
        figures = dict(zip(names, (int(v) for v in cursor.fetchone()), strict=True))
    return {
        "size": size,
        **figures,
        "seconds": round(sum(fastest.values()), 3),
        "seconds_per_model": {name: round(fastest[name], 3) for name in MODELS},
        "seconds_all_runs": [round(sum(run.values()), 3) for run in runs],
        "loading": loading,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", nargs=2, default=["S", "M"], metavar=("SMALL", "LARGE"))
    parser.add_argument("--repeat", type=int, default=3, help="builds of the ancestry model per size")
    parser.add_argument("--work", type=Path, help="keep the loaded warehouses here and reuse them")
    args = parser.parse_args()

    scratch = None if args.work else tempfile.TemporaryDirectory(prefix="bench-dora-ancestry-")
    work = args.work.resolve() if args.work else Path(scratch.name)
    try:
        small, large = (measure(size, work / size, args.repeat) for size in args.sizes)
    finally:
        if scratch:
            scratch.cleanup()

    def growth(key: str) -> float:
        return large[key] / small[key]

    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "models": list(MODELS),
        "sizes": [small, large],
        "commits_growth": round(growth("commits"), 2),
        "deployments_growth": round(growth("deployments"), 2),
        "commits_x_deployments_growth": round(growth("commits_x_deployments_per_repository"), 2),
        "time_growth": round(growth("seconds"), 2),
        "time_growth_over_work_growth": round(
            growth("seconds") / growth("commits_x_deployments_per_repository"), 3
        ),
    }
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "dora-ancestry.json").write_text(json.dumps(report, indent=2))
    print(f"{'size':>6} {'repos':>6} {'commits':>9} {'deploys':>8} {'commits x deploys':>18} {'seconds':>8}")
    for row in (small, large):
        print(
            f"{row['size']:>6} {row['repositories']:>6} {row['commits']:>9,} {row['deployments']:>8,} "
            f"{row['commits_x_deployments_per_repository']:>18,} {row['seconds']:>8.3f}"
        )
    print(json.dumps({k: v for k, v in report.items() if k != "sizes"}, indent=2))


if __name__ == "__main__":
    main()
