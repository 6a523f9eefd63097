"""Benchmark: a later day's exports after a full build, built incrementally, against a full rebuild.

    .venv/bin/python bench/incremental.py --size M                 # S, M, L or a scale factor
    .venv/bin/python bench/incremental.py --size M --exports DIR   # reuse exports (linked, never moved)
    .venv/bin/python bench/incremental.py --size M --work DIR      # keep the scratch folder
    .venv/bin/python bench/incremental.py --size L --exports DIR --stages --no-rebuild   # at L, see below

1. Writes the demo exports and splits them (demo/later_day.py): the first delivery, and a
   later day of new files (one in 20) and re-exports that carry newer versions of loaded records.
2. First delivery: ingest, then `dbt build` (a full build: nothing built yet).
3. The later day: ingest (dlt loads only the new files), then `dbt build` (incremental: the staging
   tables rank again only the records the new loads touched).
4. The baseline, in the same run: a copy of that warehouse rebuilt with `dbt build --full-refresh`, the
   full build of the same data. Every staging, intermediate and mart relation of the two must hold the
   same rows (`except all` both ways).
   Last, an ingest with nothing new: the ingest's fixed cost (listing every export).
5. Prints the table and writes bench/results/incremental-<size>.json, with the incremental day's time
   as a share of the full build's (target: under 5%).

Each step runs in its own process, timed and measured like bench/full_build.py.

At L, where one ingest takes an hour, one run measures the whole build once: `--stages` adds, after the
first delivery's dbt build, bench/full_build.py's other stages (raw checks, dbt docs, publish) and its
dbt floor (the compiled SQL run directly on a copy of the raw warehouse), and the later day's raw checks,
dbt docs and publish, so that the whole pipeline run of each day is compared too; `--no-rebuild` skips the
full-refresh baseline and its comparison (the test suite checks it at S, this benchmark at M) and takes
the first delivery's dbt build as the full build's. Figures are written after every step, so a run
stopped half-way keeps what it measured.
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
    RESULTS,
    ROOT,
    WAREHOUSE_NAME,
    compare_tables,
    copy_raw_warehouse,
    copy_seeds,
    dbt_breakdown,
    dbt_build_command,
    direct_sql_with_tests,
    exports_size,
    generate_exports,
    machine,
    measure_child,
    measure_dbt,
    measure_docs,
    parse_project,
    scratch_env,
)

sys.path.insert(0, str(ROOT))
from demo.later_day import DEFAULT_SHARE, deliver_later_day, withhold_later_day

BUILT_SCHEMAS = ("staging", "intermediate", "marts")
TARGET_SHARE_OF_FULL = 0.05


def link_exports(source: Path, exports: Path) -> None:
    """A tree of hard links: the split moves links, never the reused folder's files."""
    shutil.copytree(source, exports, copy_function=os.link)


def differing_relations(incremental: Path, full: Path) -> dict[str, list[int]]:
    """Relations whose rows differ: [rows only in the incremental build, rows only in the full rebuild]."""
    import duckdb

    differing = {}
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{incremental}' AS incremental (READ_ONLY)")
        con.execute(f"ATTACH '{full}' AS rebuilt (READ_ONLY)")
        relations = con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_catalog = 'rebuilt' AND table_schema IN ? ORDER BY 1",
            [list(BUILT_SCHEMAS)],
        ).fetchall()
        for (relation,) in relations:
            counts = [
                con.execute(
                    f"SELECT count(*) FROM (FROM {a}.{relation} EXCEPT ALL FROM {b}.{relation})"
                ).fetchone()[0]
                for a, b in (("incremental", "rebuilt"), ("rebuilt", "incremental"))
            ]
            if counts != [0, 0]:
                differing[relation] = counts
    return {"relations_compared": len(relations), "differing": differing}


def measure_build(env: dict[str, str], work: Path, name: str, *options: str) -> dict:
    """The product's dbt build, from a parse of the project as its dbt step starts."""
    parsed = parse_project(env, work / "dbt")
    target = work / "dbt" / name
    logs = work / "dbt" / f"logs-{name}"
    measured = measure_dbt([*dbt_build_command(), *options], env, target, logs, parsed)
    measured["breakdown"] = dbt_breakdown(target, logs / "dbt.log")
    return measured


def run_benchmark(args: argparse.Namespace, work: Path) -> dict:
    exports, held = work / "exports", work / "held"
    for stale in ("exports", "held", "build", "full", "dbt", "dbt-floor", "dagster"):
        shutil.rmtree(work / stale, ignore_errors=True)
    generated = None
    if args.exports:
        link_exports(args.exports.resolve(), exports)
    else:
        generated = generate_exports(exports, args.size or "S")
    later_day = withhold_later_day(exports, held, args.share)
    first_delivery = exports_size(exports)
    env = scratch_env(work, exports)
    warehouse = work / "build" / WAREHOUSE_NAME
    warehouse.parent.mkdir(parents=True)
    steps = {}

    def step(name: str, measure) -> dict:
        print(f"{name} ...", flush=True)
        steps[name] = measure()
        save_partial(args, steps)
        return steps[name]

    step("first_ingest", lambda: measure_child("ingest", env, exports, warehouse))
    raw_copy = copy_raw_warehouse(warehouse, work / "dbt-floor") if args.stages else None
    step("first_dbt_build", lambda: measure_build(env, work, "first"))
    # The raw checks' passing validations: the later day's checks validate the new loads only.
    passed = work / "passed-validations.json"
    if args.stages:
        measure_other_stages(env, work, warehouse, raw_copy, passed, step)
    deliver_later_day(held, exports, later_day)
    print(f"the later day brings {len(later_day)} files", flush=True)
    step("later_day_ingest", lambda: measure_child("ingest", env, exports, warehouse))
    step("later_day_dbt_build", lambda: measure_build(env, work, "incremental"))
    if args.stages:
        # The rest of a pipeline run: the raw checks, dbt docs and the publish of a new snapshot.
        step("later_day_checks", lambda: measure_child("checks", env, warehouse, passed))
        step("later_day_dbt_docs", lambda: measure_docs(env, work / "dbt" / "incremental", work / "dbt"))
        serving = work / "build" / "serving.duckdb"
        step("later_day_publish", lambda: measure_child("publish", env, warehouse, serving))
    comparison = None
    if not args.no_rebuild:
        full = work / "full" / WAREHOUSE_NAME
        full.parent.mkdir(parents=True)
        shutil.copy2(warehouse, full)
        rebuild_env = {**env, "DELIVERY_WAREHOUSE_PATH": str(full)}
        step("full_rebuild_dbt_build", lambda: measure_build(rebuild_env, work, "full", "--full-refresh"))
        print("comparing the incremental build with the full rebuild ...", flush=True)
        comparison = differing_relations(warehouse, full)
    # The ingest's fixed cost: listing every export and finding nothing new.
    step("no_change_ingest", lambda: measure_child("ingest", env, exports, warehouse))
    return assemble(args, generated, first_delivery, len(later_day), steps, comparison)


def measure_other_stages(
    env: dict[str, str], work: Path, warehouse: Path, raw_copy: Path, passed: Path, step
) -> None:
    """The first delivery's checks, docs, dbt floor and publish, as bench/full_build.py measures them."""
    target = work / "dbt" / "first"
    step("first_checks", lambda: measure_child("checks", env, warehouse, passed))
    step("first_dbt_docs", lambda: measure_docs(env, target, work / "dbt"))
    manifest = target / "manifest.json"
    copy_seeds(manifest, raw_copy, warehouse)
    floor = step("dbt_floor", lambda: measure_child("dbt_floor", env, manifest, raw_copy))
    floor["mismatched_row_counts"] = compare_tables(manifest, raw_copy, warehouse)
    step("dbt_test_floor", lambda: measure_child("dbt_test_floor", env, manifest, raw_copy))
    step("first_publish", lambda: measure_child("publish", env, warehouse, work / "build" / "serving.duckdb"))


def save_partial(args: argparse.Namespace, steps: dict) -> None:
    """The steps measured so far: an hour-long run stopped half-way keeps its figures."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    partial = {
        "size": args.size or "S",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "steps": steps,
    }
    (RESULTS / f"incremental-{args.size or 'S'}.partial.json").write_text(json.dumps(partial, indent=2))


def assemble(args, generated, first_delivery, later_files, steps, comparison) -> dict:
    # Without the rebuild, the first delivery's dbt build (nothing built before it) is the full build's.
    full_dbt = steps.get("full_rebuild_dbt_build", steps["first_dbt_build"])
    incremental = steps["later_day_ingest"]["seconds"] + steps["later_day_dbt_build"]["seconds"]
    full = steps["first_ingest"]["seconds"] + full_dbt["seconds"]
    ratios = {
        "later_day_dbt_build_over_full_rebuild": round(
            steps["later_day_dbt_build"]["seconds"] / full_dbt["seconds"], 3
        ),
        "later_day_ingest_over_first_ingest": round(
            steps["later_day_ingest"]["seconds"] / steps["first_ingest"]["seconds"], 3
        ),
        "no_change_ingest_over_first_ingest": round(
            steps["no_change_ingest"]["seconds"] / steps["first_ingest"]["seconds"], 3
        ),
        # ingest and dbt build of the later day against ingest of the first delivery and a full rebuild
        "later_day_over_full_build": round(incremental / full, 3),
    }
    if "later_day_publish" in steps:
        # The whole pipeline run of each day: ingest, dbt build, raw checks, dbt docs and publish.
        stages = ("checks", "dbt_docs", "publish")
        later = incremental + sum(steps[f"later_day_{stage}"]["seconds"] for stage in stages)
        first = full + sum(steps[f"first_{stage}"]["seconds"] for stage in stages)
        ratios["later_day_pipeline_over_full_pipeline"] = round(later / first, 3)
    if "dbt_floor" in steps:
        build, floor = steps["first_dbt_build"], steps["dbt_floor"]
        ratios["first_dbt_build_over_direct_sql"] = round(build["seconds"] / floor["seconds"], 2)
        ratios["first_dbt_build_over_direct_sql_cpu"] = round(build["cpu_seconds"] / floor["cpu_seconds"], 2)
        if "dbt_test_floor" in steps:
            direct = direct_sql_with_tests(floor, steps["dbt_test_floor"])
            ratios["first_dbt_build_over_direct_sql_with_tests"] = round(build["seconds"] / direct, 2)
    return {
        "size": args.size or "S",
        "exports_reused": str(args.exports) if args.exports else None,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "generate": generated,
        "first_delivery": first_delivery,
        "later_day_files": later_files,
        "later_day_share": f"1 in {args.share} files, and every re-export",
        "steps": steps,
        "peak_rss_mib": max(step["peak_tree_rss_mib"] for step in steps.values()),
        "ratios": ratios,
        "target_under_5_percent": incremental / full < TARGET_SHARE_OF_FULL,
        "comparison": comparison,
    }


def print_report(report: dict) -> None:
    print(
        f"\nsize {report['size']}: first delivery {report['first_delivery']['files']:,} files, "
        f"later day {report['later_day_files']:,} files ({report['later_day_share']})"
    )
    print("\n| step | seconds | CPU s | peak RSS (tree) MiB |")
    print("|---|---|---|---|")
    for name, step in report["steps"].items():
        print(
            f"| {name} | {step['seconds']:.1f} | {step['cpu_seconds']:.1f} | {step['peak_tree_rss_mib']:,.0f} |"
        )
    for name in ("first_dbt_build", "later_day_dbt_build", "full_rebuild_dbt_build"):
        if name not in report["steps"]:
            continue
        nodes = report["steps"][name]["breakdown"]["node_seconds_by_type"]
        print(f"{name}: node seconds by type {nodes}")
    print(f"ratios: {report['ratios']}; under 5%: {report['target_under_5_percent']}")
    print(f"peak RSS of any step's process tree: {report['peak_rss_mib']:,.0f} MiB")
    comparison = report["comparison"]
    if comparison is None:
        print("no full rebuild in this run (--no-rebuild): nothing compared")
        return
    verdict = "equal" if not comparison["differing"] else f"DIFFER: {comparison['differing']}"
    print(f"incremental build against full rebuild, {comparison['relations_compared']} relations: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--size", help="S (default), M, L or a scale factor; with --exports, names the result"
    )
    parser.add_argument(
        "--exports", type=Path, help="reuse this exports folder (hard-linked, left untouched)"
    )
    parser.add_argument("--work", type=Path, help="keep the scratch folder here")
    parser.add_argument(
        "--stages", action="store_true", help="also the first delivery's checks, docs, dbt floor and publish"
    )
    parser.add_argument(
        "--no-rebuild", action="store_true", help="skip the full-refresh baseline and its comparison"
    )
    parser.add_argument(
        "--share", type=int, default=DEFAULT_SHARE, help="one file in SHARE goes to the later day"
    )
    args = parser.parse_args()
    scratch = None if args.work else tempfile.TemporaryDirectory(prefix="bench-incremental-")
    work = args.work.resolve() if args.work else Path(scratch.name)
    work.mkdir(parents=True, exist_ok=True)
    try:
        report = run_benchmark(args, work)
    finally:
        if scratch:
            scratch.cleanup()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"incremental-{report['size']}.json").write_text(json.dumps(report, indent=2, default=str))
    print_report(report)
    if report["comparison"] and report["comparison"]["differing"]:
        raise SystemExit("the incremental build differs from the full rebuild")


if __name__ == "__main__":
    main()
