"""Benchmark: a full build stage by stage (ingest, raw checks, dbt build, publish), each against the floor
DuckDB alone sets on the same data, in the same run.

    .venv/bin/python bench/full_build.py --size S                 # S, M, L or a scale factor
    .venv/bin/python bench/full_build.py --size S --exports DIR   # reuse exports; S names the result
    .venv/bin/python bench/full_build.py --size S --work DIR      # keep the scratch folder
    .venv/bin/python bench/full_build.py --size S --delivery-run  # also `delivery run` on the same exports
    .venv/bin/python bench/full_build.py --size L --raw WAREHOUSE # from a loaded warehouse: no ingest

1. Writes the demo exports (`python -m demo`); not part of the build.
2. Times each stage in its own process: wall time (process start to exit, imports included), CPU time,
   and the peak resident memory of the whole process tree (see process_tree.py).
   - ingest: `ingestion.pipelines.load_all`;
   - checks: every raw table's Great Expectations suite (`validate_raw_table`, as the blocking checks do);
   - dbt build: the dbt CLI on the project, with the product's command (seeds, models and data tests;
     unit tests run with the test suite) and starting from a parse, as the product's dbt step does;
   - docs: `dbt docs generate --static --no-compile`, which the product's dbt step runs after the build;
   - publish: `orchestration.lib.serving.publish` into a serving file.
3. Floors, measured in the same run:
   - ingest floor: DuckDB's `read_json` of every export folder into one table each (bench/ingest.py);
   - dbt floor: every model's compiled SQL (the build's manifest) run in DAG order in one DuckDB
     connection, on a copy of the warehouse holding only raw data and the seeds (copied, not timed).
4. Splits dbt's time with its run_results.json (per resource type, slowest models and tests) and its log
   (start-up and parse, set-up, nodes).
5. Prints a table and writes bench/results/full-build-<size>.json.

`--raw` starts from the raw datasets of a warehouse already loaded (a copy, without what dbt built; not
timed) and measures every stage after the ingest, with the dbt floor: at L, ten minutes where a run with
its ingest and ingest floor takes two hours. bench/ingest.py measures the ingest against its floor.

The machine may be shared: the load average is recorded at start, at end and around each stage; ratios
are measured in the same run, and CPU seconds are given beside wall seconds, so both move less than
seconds do.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from graphlib import TopologicalSorter
from pathlib import Path

from process_tree import Measured, run_measured

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DBT_PROJECT_DIR = ROOT / "dbt_project"
BIN = Path(sys.executable).parent
# The dbt floor opens its copy under the same file stem, so compiled names ("warehouse"."staging"...) resolve.
WAREHOUSE_NAME = "warehouse.duckdb"
TARGETS = {"ingest_over_floor": 3.0, "dbt_build_over_direct_sql": 1.5, "peak_rss_mib": 4096}
SLOWEST_SHOWN = 5
LOG_TIME = re.compile(r"(\d\d:\d\d:\d\d\.\d+) \[")
LOG_NODE_START = re.compile(r"\d+ of \d+ START ")
PARTIAL_PARSE = "partial_parse.msgpack"


# --- Stages run in child processes: `full_build.py --child <stage> <args>` prints one JSON line. ---


def child_ingest_floor(exports: str, database: str) -> dict:
    from ingest import floor

    started = time.perf_counter()
    result = floor(Path(exports), Path(database))
    return {**result, "work_seconds": round(time.perf_counter() - started, 2)}


def child_ingest(exports: str, warehouse: str) -> dict:
    sys.path.insert(0, str(ROOT))
    from ingestion.pipelines import load_all
    from orchestration.lib.settings import Settings

    memory_limit = Settings.from_env().duckdb_memory_limit
    started = time.perf_counter()
    load_all(Path(exports), Path(warehouse), memory_limit)
    return {
        "work_seconds": round(time.perf_counter() - started, 2),
        "rows_per_table": raw_row_counts(Path(warehouse)),
    }


def child_checks(warehouse: str, passed_file: str | None = None) -> dict:
    """Every raw suite on the tables the load wrote. With `passed_file`, as the product's checks do: a
    table whose last validation passed (as the file records it) is validated for its new loads only; the
    file then records this run's passing validations for the next."""
    sys.path.insert(0, str(ROOT))
    from orchestration.checks.raw_expectations import PassedValidation, checked_tables, validate_raw_table

    present = set(raw_row_counts(Path(warehouse)))
    tables = [(dataset, table) for dataset, table in checked_tables() if f"{dataset}.{table.name}" in present]
    passed = json.loads(Path(passed_file).read_text()) if passed_file and Path(passed_file).exists() else {}
    started = time.perf_counter()
    now = datetime.now(UTC)
    # Read-only from here on: the states each check sees are the states this run records when it passes.
    states = table_states(Path(warehouse), [f"{dataset}.{table.name}" for dataset, table in tables])
    outcomes, unchanged = [], 0
    for dataset, table in tables:
        before = passed.get(f"{dataset}.{table.name}")
        if before and before == states.get(f"{dataset}.{table.name}"):
            unchanged += 1  # as the product's check: no load since its last passing validation
            continue
        outcomes.append(validate_raw_table(
            Path(warehouse), dataset, table, PassedValidation(**before) if before else None, now
        ))
    seconds = round(time.perf_counter() - started, 2)
    if passed_file:
        names = [f"{o.dataset}.{o.table}" for o in outcomes if o.success]
        passing = {name: states[name] for name in names if name in states}  # an empty table has no load
        Path(passed_file).write_text(json.dumps({**passed, **passing}))
    return {
        "work_seconds": seconds,
        "tables": len(outcomes),
        "tables_declared": len(checked_tables()),
        "tables_validated_whole": sum(o.validated_after_load_id is None for o in outcomes),
        "tables_unchanged": unchanged,
        "validated_rows": sum(o.validated_rows for o in outcomes),
        "expectations": sum(len(o.outcomes) for o in outcomes),
        "failed": [f"{o.dataset}.{o.table}: {f.rule}" for o in outcomes for f in o.failed],
    }


def table_states(warehouse: Path, names: list[str]) -> dict[str, dict]:
    """Rows and newest load of each raw table that holds rows, as the product's check records them."""
    import duckdb

    sys.path.insert(0, str(ROOT))
    from orchestration.lib.raw_tables import table_state

    with duckdb.connect(str(warehouse), read_only=True) as con:
        states = {name: table_state(con, name) for name in names}
    return {name: {"row_count": rows, "newest_load_id": newest} for name, (rows, newest) in states.items() if newest}


def child_publish(warehouse: str, serving: str) -> dict:
    sys.path.insert(0, str(ROOT))
    from orchestration.lib.serving import publish
    from orchestration.lib.settings import Settings

    memory_limit = Settings.from_env().duckdb_memory_limit
    started = time.perf_counter()
    snapshot = publish(Path(warehouse), Path(serving), snapshot_id="bench-full-build", memory_limit=memory_limit)
    return {
        "work_seconds": round(time.perf_counter() - started, 2),
        "tables": len(snapshot.table_rows),
        "serving_mib": round(Path(serving).stat().st_size / 2**20, 1),
    }


def child_dbt_floor(manifest: str, floor_warehouse: str) -> dict:
    """The models' compiled SQL, in DAG order, in one DuckDB connection: what dbt's models cost without dbt.
    The seeds are already in the copy (see copy_seeds), so the process does nothing but the models."""
    import duckdb

    models = models_in_dag_order(json.loads(Path(manifest).read_text())["nodes"])
    with duckdb.connect(floor_warehouse) as con:
        con.execute("SET TimeZone = 'UTC'")  # as the dbt profile does
        started = time.perf_counter()
        seconds = {node["name"]: run_model(con, node) for node in models}
        work_seconds = time.perf_counter() - started
    return {
        "work_seconds": round(work_seconds, 2),
        "models": len(models),
        "slowest": sorted(seconds.items(), key=lambda item: -item[1])[:SLOWEST_SHOWN],
    }


def child_dbt_test_floor(manifest: str, floor_warehouse: str) -> dict:
    """The data tests' compiled SQL, their failing rows counted as dbt counts them, on the warehouse the
    dbt floor built: what dbt's data tests cost without dbt. With the models' floor, the same SQL a
    `dbt build` runs (seeds aside)."""
    import duckdb

    nodes = json.loads(Path(manifest).read_text())["nodes"].values()
    tests = [node for node in nodes if node["resource_type"] == "test" and node.get("compiled_code")]
    with duckdb.connect(floor_warehouse) as con:
        con.execute("SET TimeZone = 'UTC'")
        started = time.perf_counter()
        finding_rows = sum(1 for test in tests if _failures(con, test["compiled_code"]))
        work_seconds = time.perf_counter() - started
    # Tests of warn severity (the mapping gaps) may find rows; the build reported the same.
    return {"work_seconds": round(work_seconds, 2), "tests": len(tests), "tests_finding_rows": finding_rows}


def _failures(con, compiled_test: str) -> int:
    return con.execute(f"SELECT count(*) FROM ({compiled_test}) AS dbt_internal_test").fetchone()[0]


def models_in_dag_order(nodes: dict) -> list[dict]:
    models = {uid: node for uid, node in nodes.items() if node["resource_type"] == "model"}
    graph = {uid: [d for d in node["depends_on"]["nodes"] if d in models] for uid, node in models.items()}
    return [models[uid] for uid in TopologicalSorter(graph).static_order()]


def copy_seeds(manifest: Path, floor_warehouse: Path, built_warehouse: Path) -> int:
    """The seeds as dbt loaded them (typed by the seed configs) into the raw copy, so refs resolve.
    Not timed."""
    import duckdb

    seeds = [n for n in json.loads(manifest.read_text())["nodes"].values() if n["resource_type"] == "seed"]
    with duckdb.connect(str(floor_warehouse)) as con:
        con.execute(f"ATTACH '{built_warehouse}' AS built (READ_ONLY)")
        for seed in seeds:
            name = f'"{seed["schema"]}"."{seed["alias"]}"'
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{seed["schema"]}"')
            con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM built.{name}")
    return len(seeds)


def run_model(con, node: dict) -> float:
    kind = "VIEW" if node["config"]["materialized"] == "view" else "TABLE"
    started = time.perf_counter()
    con.execute(f'CREATE SCHEMA IF NOT EXISTS "{node["schema"]}"')
    con.execute(f"CREATE OR REPLACE {kind} {node['relation_name']} AS {node['compiled_code']}")
    return round(time.perf_counter() - started, 3)


def compare_tables(manifest: Path, floor_warehouse: Path, built_warehouse: Path) -> list[str]:
    """Models whose row counts differ between the dbt build and the direct run (expected: none)."""
    import duckdb

    models = models_in_dag_order(json.loads(manifest.read_text())["nodes"])
    mismatched = []
    with duckdb.connect(str(floor_warehouse), read_only=True) as con:
        con.execute(f"ATTACH '{built_warehouse}' AS built (READ_ONLY)")
        for node in models:
            name = f'"{node["schema"]}"."{node["alias"]}"'
            direct = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            built = con.execute(f"SELECT count(*) FROM built.{name}").fetchone()[0]
            if direct != built:
                mismatched.append(f"{node['name']}: {direct} direct, {built} dbt")
    return mismatched


def raw_row_counts(warehouse: Path) -> dict[str, int]:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema LIKE 'raw\\_%' ESCAPE '\\' AND table_name NOT LIKE '\\_dlt%' ESCAPE '\\'"
        ).fetchall()
        return {name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for (name,) in names}


def child_dagster_steps(dagster_home: str) -> dict:
    """Seconds of every step of the runs `delivery run` made, from the Dagster event log."""
    import dagster as dg

    steps: dict[str, float] = {}
    with dg.DagsterInstance.from_config(dagster_home) as instance:
        for run in instance.get_runs():
            starts = {}
            for entry in instance.all_logs(run.run_id):
                event = entry.dagster_event
                if event is None or not entry.step_key:
                    continue
                if event.event_type == dg.DagsterEventType.STEP_START:
                    starts[entry.step_key] = entry.timestamp
                elif event.event_type in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE):
                    steps[entry.step_key] = round(
                        entry.timestamp - starts.get(entry.step_key, entry.timestamp), 2
                    )
    return {"steps": dict(sorted(steps.items(), key=lambda item: -item[1]))}


CHILDREN = {
    "ingest_floor": child_ingest_floor,
    "ingest": child_ingest,
    "checks": child_checks,
    "publish": child_publish,
    "dbt_floor": child_dbt_floor,
    "dbt_test_floor": child_dbt_test_floor,
    "dagster_steps": child_dagster_steps,
}


# --- The parent: generates, runs each stage measured, reads dbt's artifacts, reports. ---


def scratch_env(work: Path, exports: Path) -> dict[str, str]:
    """Every path the product reads from the environment points into the scratch folder."""
    return {
        **os.environ,
        "DELIVERY_EXPORTS_DIR": str(exports),
        "DELIVERY_WAREHOUSE_PATH": str(work / "build" / WAREHOUSE_NAME),
        "DELIVERY_SERVING_PATH": str(work / "build" / "serving.duckdb"),
        "DAGSTER_HOME": str(work / "dagster"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        "PYTHONPATH": str(ROOT),
    }


def measure_child(stage: str, env: dict[str, str], *args: Path | str) -> dict:
    load_before = os.getloadavg()[0]
    measured = run_measured([sys.executable, __file__, "--child", stage, *map(str, args)], env=env, cwd=ROOT)
    require_success(stage, measured)
    result = json.loads(measured.stdout.strip().splitlines()[-1])
    return {**figures_of(measured, load_before), **result}


def measure_dbt(
    command: list[str], env: dict[str, str], target: Path, logs: Path, parsed: Path | None = None
) -> dict:
    """One dbt command, measured. With `parsed` (a target folder holding dbt's partial parse), dbt starts
    from that parse, as the product's dbt step starts from the project's."""
    if parsed is not None:
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(parsed / PARTIAL_PARSE, target / PARTIAL_PARSE)
    argv = [
        str(BIN / "dbt"),
        *command,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(logs),
    ]
    load_before = os.getloadavg()[0]
    measured = run_measured(argv, env=env, cwd=ROOT)
    require_success(f"dbt {command[0]}", measured)
    return figures_of(measured, load_before)


def dbt_build_command() -> list[str]:
    """The product's dbt build command (imported here, not at the top: the stages' child processes run
    this file too, and must not pay for importing the orchestration)."""
    sys.path.insert(0, str(ROOT))
    from orchestration.lib.settings import DBT_BUILD_COMMAND

    return list(DBT_BUILD_COMMAND)


def parse_project(env: dict[str, str], dbt_dir: Path) -> Path:
    """`dbt parse`, not timed, once per benchmark run: the product parses when it loads its definitions
    (and again only after an edit), and each dbt build of a pipeline run starts from that parse."""
    target = dbt_dir / "parse"
    if not (target / PARTIAL_PARSE).exists():
        measure_dbt(["parse", "--quiet"], env, target, dbt_dir / "logs-parse")
    return target


def figures_of(measured: Measured, load_before: float) -> dict:
    return {
        "seconds": measured.seconds,
        "cpu_seconds": measured.cpu_seconds,
        # 1-minute load average before and after: how busy the shared machine was around this measure.
        "load_average_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "peak_tree_rss_mib": measured.peak_tree_rss_mib,
        "peak_process_rss_mib": measured.peak_process_rss_mib,
    }


def require_success(stage: str, measured: Measured) -> None:
    if measured.returncode != 0:
        raise SystemExit(
            f"{stage} failed ({measured.returncode}):\n{measured.stdout[-4000:]}\n{measured.stderr[-4000:]}"
        )


def generate_exports(exports: Path, size: str) -> dict:
    """The demo organisation's exports; files and records per folder from the generator's own counts."""
    measured = run_measured(
        [sys.executable, "-m", "demo", "--out", str(exports), "--size", size], cwd=ROOT
    )
    require_success("generate", measured)
    counts = {}
    for line in measured.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and ":" in parts[0]:
            counts[parts[0]] = int(parts[1].replace(",", ""))
    records = sum(count for kind, count in counts.items() if kind.endswith(":records"))
    return {"seconds": measured.seconds, "raw_records": records, "counts": counts}


def exports_size(exports: Path) -> dict:
    files = [p for p in exports.rglob("*") if p.is_file()]
    return {"files": len(files), "mib": round(sum(p.stat().st_size for p in files) / 2**20, 1)}


def copy_raw_warehouse(warehouse: Path, copy_dir: Path) -> Path:
    """The warehouse as the load left it (raw data only), for the dbt floor to build on."""
    copy_dir.mkdir(parents=True, exist_ok=True)
    copy = copy_dir / WAREHOUSE_NAME
    shutil.copy2(warehouse, copy)
    wal = warehouse.with_name(warehouse.name + ".wal")
    if wal.exists():
        shutil.copy2(wal, copy.with_name(copy.name + ".wal"))
    return copy


def dbt_breakdown(target: Path, log: Path) -> dict:
    """Where dbt's time went: compile and execute per resource type, the slowest models, the data tests
    grouped by the model they test, and the fixed costs before the first node (from the log)."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    nodes = json.loads((target / "manifest.json").read_text())["nodes"]
    by_type: dict[str, dict[str, float]] = {}
    tests_by_model: dict[str, list[float]] = {}
    models = []
    for result in results:
        kind = result["unique_id"].split(".")[0]
        phases = by_type.setdefault(kind, {"nodes": 0, "compile": 0.0, "execute": 0.0, "node_seconds": 0.0})
        phases["nodes"] += 1
        phases["node_seconds"] += result["execution_time"]
        for timing in result.get("timing", []):
            phases[timing["name"]] = phases.get(timing["name"], 0.0) + _phase_seconds(timing)
        if kind == "model":
            models.append((result["unique_id"].rsplit(".", 1)[-1], round(result["execution_time"], 2)))
        if kind == "test":
            tested = _tested_model(nodes.get(result["unique_id"], {}))
            tests_by_model.setdefault(tested, []).append(result["execution_time"])
    return {
        "by_type": {
            kind: {k: round(v, 2) for k, v in phases.items()} for kind, phases in sorted(by_type.items())
        },
        "node_seconds_by_type": {kind: round(p["node_seconds"], 2) for kind, p in sorted(by_type.items())},
        "slowest_models": sorted(models, key=lambda m: -m[1])[:SLOWEST_SHOWN],
        "slowest_tested_models": sorted(
            ((name, len(times), round(sum(times), 2)) for name, times in tests_by_model.items()),
            key=lambda t: -t[2],
        )[:SLOWEST_SHOWN],
        "phases_from_log": dbt_log_phases(log),
    }


def _tested_model(test: dict) -> str:
    parents = [d for d in test.get("depends_on", {}).get("nodes", []) if d.startswith("model.")]
    return parents[0].rsplit(".", 1)[-1] if parents else "(sources)"


def _phase_seconds(timing: dict) -> float:
    if not timing.get("started_at") or not timing.get("completed_at"):
        return 0.0
    started = datetime.fromisoformat(timing["started_at"])
    completed = datetime.fromisoformat(timing["completed_at"])
    return (completed - started).total_seconds()


def dbt_log_phases(log: Path) -> dict:
    """dbt's fixed costs from its log: start-up and parse (to "Found N models"), set-up (connection,
    catalog) until the first node starts, the nodes until "Finished running", and dbt's own wall clock."""
    marks: dict[str, float] = {}
    for line in log.read_text(errors="replace").splitlines():
        found = LOG_TIME.search(line)
        if not found:
            continue
        seconds = _seconds_of_day(found.group(1))
        if "running dbt with arguments" in line:
            marks.setdefault("started", seconds)
        elif "Found " in line and " models" in line:
            marks.setdefault("parsed", seconds)
        elif LOG_NODE_START.search(line):
            marks.setdefault("first_node", seconds)
        elif "Finished running" in line:
            marks["finished"] = seconds
        elif "Resource report: " in line:
            report = json.loads(line.split("Resource report: ", 1)[1])
            marks["command_wall_clock"] = report.get("command_wall_clock_time", 0.0)
    if len(marks) < 5:
        return {}
    return {
        # dbt's own clock starts after the interpreter and dbt's imports: the rest of the process's time.
        "command_wall_clock": round(marks["command_wall_clock"], 2),
        "start_up_and_parse": round(marks["parsed"] - marks["started"], 2),
        "set_up_before_first_node": round(marks["first_node"] - marks["parsed"], 2),
        "nodes": round(marks["finished"] - marks["first_node"], 2),
    }


def _seconds_of_day(clock: str) -> float:
    hours, minutes, seconds = clock.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def delivery_run(work: Path, exports: Path) -> dict:
    """`delivery run` end to end on the same exports, in a folder of its own; its steps from the event log."""
    env = scratch_env(work / "delivery-run", exports)
    load_before = os.getloadavg()[0]
    measured = run_measured([str(BIN / "delivery"), "run"], env=env, cwd=ROOT)
    require_success("delivery run", measured)
    steps = measure_child("dagster_steps", env, work / "delivery-run" / "dagster")["steps"]
    return {**figures_of(measured, load_before), "steps": steps}


def machine() -> dict:
    import duckdb

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "platform": platform.platform(),
    }


def run_benchmark(args: argparse.Namespace, work: Path) -> dict:
    load_at_start = os.getloadavg()
    exports = args.exports.resolve() if args.exports else work / "exports"
    generated = None if args.exports or args.raw else generate_exports(exports, args.size or "S")
    env = scratch_env(work, exports)
    for stale in ("build", "floor", "dbt", "dbt-floor", "delivery-run", "dagster"):
        shutil.rmtree(work / stale, ignore_errors=True)
    (work / "floor").mkdir()
    (work / "build").mkdir()
    raw = args.raw.resolve() if args.raw else None
    measures = {"generate": generated, **measure_stages(work, exports, env, raw)}
    if args.delivery_run:
        print("delivery run ...", flush=True)
        measures["delivery_run"] = delivery_run(work, exports)
    return assemble(args, exports, measures, load_at_start)


def measure_stages(work: Path, exports: Path, env: dict[str, str], raw: Path | None = None) -> dict:
    """Each stage and floor in order, each in its own measured process (from `raw`: no ingest)."""
    warehouse = work / "build" / WAREHOUSE_NAME
    target = work / "dbt" / "target"
    measures = {}
    if raw is None:
        print("ingest floor ...", flush=True)
        measures["ingest_floor"] = measure_child("ingest_floor", env, exports, work / "floor" / "floor.duckdb")
        print("ingest ...", flush=True)
        measures["ingest"] = measure_child("ingest", env, exports, warehouse)
    else:
        print(f"copying the raw datasets of {raw} ...", flush=True)
        copy_raw_datasets(raw, warehouse)
        measures["raw_rows_copied"] = sum(raw_row_counts(warehouse).values())
    raw_copy = copy_raw_warehouse(warehouse, work / "dbt-floor")
    print("checks ...", flush=True)
    measures["checks"] = measure_child("checks", env, warehouse)
    if raw is not None:
        # A day's checks as the product runs them: every load before each dataset's newest passed.
        print("checks of the newest loads ...", flush=True)
        passed = work / "passed-before-newest-load.json"
        passed.write_text(json.dumps(passed_before_newest_load(warehouse)))
        measures["checks_newest_load"] = measure_child("checks", env, warehouse, passed)
    print("dbt build ...", flush=True)
    parsed = parse_project(env, work / "dbt")
    measures["dbt_build"] = measure_dbt(dbt_build_command(), env, target, work / "dbt" / "logs-build", parsed)
    measures["dbt_build"]["breakdown"] = dbt_breakdown(target, work / "dbt" / "logs-build" / "dbt.log")
    print("dbt docs generate ...", flush=True)
    measures["dbt_docs"] = measure_docs(env, target, work / "dbt")
    print("dbt floor (compiled SQL in DuckDB) ...", flush=True)
    manifest = target / "manifest.json"
    copy_seeds(manifest, raw_copy, warehouse)
    measures["dbt_floor"] = measure_child("dbt_floor", env, manifest, raw_copy)
    measures["dbt_floor"]["mismatched_row_counts"] = compare_tables(manifest, raw_copy, warehouse)
    measures["dbt_test_floor"] = measure_child("dbt_test_floor", env, manifest, raw_copy)
    print("publish ...", flush=True)
    measures["publish"] = measure_child("publish", env, warehouse, work / "build" / "serving.duckdb")
    return measures


def passed_before_newest_load(warehouse: Path) -> dict[str, dict]:
    """Each raw table as a passing validation would have recorded it before its dataset's newest load
    that brought rows (the last run's): its rows and newest load until then. A table that load left alone
    is unchanged."""
    import duckdb

    tables = raw_row_counts(warehouse)
    by_dataset: dict[str, str] = {}
    for name, state in table_states(warehouse, list(tables)).items():
        dataset = name.split(".")[0]
        by_dataset[dataset] = max(by_dataset.get(dataset, ""), state["newest_load_id"])
    with duckdb.connect(str(warehouse), read_only=True) as con:
        states = {}
        for name in tables:
            rows, before = con.execute(
                f"SELECT count(*), max(_dlt_load_id) FROM {name} WHERE _dlt_load_id < ?",
                [by_dataset.get(name.split(".")[0], "")],
            ).fetchone()
            if before is not None:
                states[name] = {"row_count": rows, "newest_load_id": before}
    return states


def copy_raw_datasets(source: Path, warehouse: Path) -> None:
    """Every schema of a loaded warehouse except what dbt builds (staging, intermediate, marts, seeds),
    copied table by table into a new file: the warehouse as the ingest left it."""
    import duckdb

    sys.path.insert(0, str(ROOT))
    from ingestion.sources import RAW_DATASETS
    from orchestration.lib.settings import Settings

    with duckdb.connect(str(warehouse), config={"memory_limit": Settings.from_env().duckdb_memory_limit}) as con:
        con.execute(f"ATTACH '{source}' AS loaded (READ_ONLY)")
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'loaded' "
            "AND schema_name IN ? ORDER BY ALL",
            [list(RAW_DATASETS)],
        ).fetchall()
        for schema, table in tables:
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            con.execute(f'CREATE TABLE "{schema}"."{table}" AS FROM loaded."{schema}"."{table}"')


def measure_docs(env: dict[str, str], build_target: Path, dbt_dir: Path) -> dict:
    """As the product's dbt step does after the build: from the build's manifest, without compiling again."""
    docs_dir = dbt_dir / "docs"
    docs_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(build_target / "manifest.json", docs_dir / "manifest.json")
    return measure_dbt(["docs", "generate", "--static", "--no-compile"], env, docs_dir, dbt_dir / "logs-docs")


def assemble(args: argparse.Namespace, exports: Path, measures: dict, load_at_start: tuple) -> dict:
    generated, ingest_floor, dbt_floor = measures["generate"], measures.get("ingest_floor"), measures["dbt_floor"]
    names = ("ingest", "checks", "dbt_build", "dbt_docs", "publish")
    stages = {name: measures[name] for name in names if name in measures}
    peak = max(stage["peak_tree_rss_mib"] for stage in stages.values())
    dbt_ratio = stages["dbt_build"]["seconds"] / dbt_floor["seconds"]
    model_seconds = stages["dbt_build"]["breakdown"]["node_seconds_by_type"].get("model", 0.0)
    ratios = {
        "dbt_build_over_direct_sql": round(dbt_ratio, 2),
        # The same ratio on CPU seconds, which other work on the machine disturbs less than wall time.
        "dbt_build_over_direct_sql_cpu": round(stages["dbt_build"]["cpu_seconds"] / dbt_floor["cpu_seconds"], 2),
        # The build against all the SQL it runs directly: the models' floor and the data tests' SQL.
        "dbt_build_over_direct_sql_with_tests": round(
            stages["dbt_build"]["seconds"] / direct_sql_with_tests(dbt_floor, measures["dbt_test_floor"]), 2
        ),
        # dbt's model nodes only (no parse, seeds or tests) against the SQL alone (no process start).
        "dbt_model_nodes_over_direct_sql_in_process": round(model_seconds / dbt_floor["work_seconds"], 2),
    }
    targets = {
        "dbt_build_within_1_5x_direct_sql": dbt_ratio <= TARGETS["dbt_build_over_direct_sql"],
        "peak_rss_under_4_gib": peak < TARGETS["peak_rss_mib"],
    }
    report = {
        "size": args.size or ("custom" if args.exports else "S"),
        "exports_reused": str(args.exports) if args.exports else None,
        "raw_warehouse": str(args.raw) if args.raw else None,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "shared_machine_note": "other builds and tests may run at the same time; see load_average",
        "load_average": {
            "start": [round(x, 2) for x in load_at_start],
            "end": [round(x, 2) for x in os.getloadavg()],
        },
        "stages": stages,
        "total_stage_seconds": round(sum(stage["seconds"] for stage in stages.values()), 2),
        "floors": {"dbt_direct_sql": dbt_floor, "dbt_tests_direct_sql": measures["dbt_test_floor"]},
        "ratios": ratios,
        "peak_rss_mib": peak,
        "targets": targets,
        "delivery_run": measures.get("delivery_run"),
        # With --raw: the checks of each table's newest load, its earlier loads having passed.
        "checks_newest_load": measures.get("checks_newest_load"),
    }
    if ingest_floor is not None:
        records = generated["raw_records"] if generated else ingest_floor["records"]
        ingest, ingest_ratio = stages["ingest"], stages["ingest"]["seconds"] / ingest_floor["seconds"]
        report["exports"] = {**exports_size(exports), "raw_records": records, "generate": generated}
        report["raw_rows_loaded"] = sum(ingest["rows_per_table"].values())
        report["floors"]["ingest"] = ingest_floor
        report["ingest_records_per_second"] = round(records / ingest["seconds"])
        report["ingest_floor_records_per_second"] = round(records / ingest_floor["seconds"])
        ratios["ingest_over_floor"] = round(ingest_ratio, 2)
        ratios["ingest_over_floor_cpu"] = round(ingest["cpu_seconds"] / ingest_floor["cpu_seconds"], 2)
        targets["ingest_within_3x_floor"] = ingest_ratio <= TARGETS["ingest_over_floor"]
    else:
        report["raw_rows_loaded"] = measures["raw_rows_copied"]
    return report


def direct_sql_with_tests(dbt_floor: dict, test_floor: dict) -> float:
    """The models' floor (its process included) and the data tests' SQL, as if run in that one process."""
    return dbt_floor["seconds"] + test_floor["work_seconds"]


def print_report(report: dict) -> None:
    floors = report["floors"]
    floor_of = {"ingest": floors.get("ingest"), "dbt_build": floors["dbt_direct_sql"]}
    load = report["load_average"]
    exports = report.get("exports")
    source = (
        f"exports {exports['mib']} MiB, {exports['files']:,} files, {exports['raw_records']:,} raw records"
        if exports else f"the raw datasets of {report['raw_warehouse']}, {report['raw_rows_loaded']:,} rows"
    )
    print(f"\nsize {report['size']}: {source}; load average {load['start'][0]} at start, {load['end'][0]} at end")
    print(
        "\n| stage | seconds | CPU s | in-process s | peak RSS (tree) MiB | load 1m "
        "| floor s (CPU s, MiB) | ratio (CPU) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, stage in report["stages"].items():
        floor = floor_of.get(name)
        floor_cell, ratio = "", ""
        if floor:
            floor_cell = (
                f"{floor['seconds']:.1f} ({floor['cpu_seconds']:.1f}, {floor['peak_tree_rss_mib']:,.0f})"
            )
            wall, cpu = stage["seconds"] / floor["seconds"], stage["cpu_seconds"] / floor["cpu_seconds"]
            ratio = f"{wall:.2f} ({cpu:.2f})"
        load = "-".join(f"{x:.1f}" for x in stage["load_average_1m"])
        print(
            f"| {name} | {stage['seconds']:.1f} | {stage['cpu_seconds']:.1f} "
            f"| {stage.get('work_seconds', '')} "
            f"| {stage['peak_tree_rss_mib']:,.0f} | {load} | {floor_cell} | {ratio} |"
        )
    if "ingest_records_per_second" in report:
        print(
            f"\ningest: {report['ingest_records_per_second']:,} raw records/s "
            f"(floor {report['ingest_floor_records_per_second']:,}/s)"
        )
    if report.get("checks_newest_load"):
        newest = report["checks_newest_load"]
        print(
            f"checks of the newest loads alone: {newest['seconds']:.1f} s ({newest['cpu_seconds']:.1f} CPU s), "
            f"{newest['validated_rows']:,} rows read, {newest['tables_validated_whole']} tables whole"
        )
    print_dbt_split(report["stages"]["dbt_build"], floors["dbt_direct_sql"])
    print(f"ratios: {report['ratios']}\ntargets met: {report['targets']}")
    if report["delivery_run"]:
        run = report["delivery_run"]
        print(f"delivery run: {run['seconds']} s, peak RSS (tree) {run['peak_tree_rss_mib']:,.0f} MiB")
        print(f"  its steps (event log): {run['steps']}")


def print_dbt_split(build: dict, direct: dict) -> None:
    breakdown = build["breakdown"]
    phases = breakdown["phases_from_log"]
    nodes = breakdown["node_seconds_by_type"]
    if phases:
        before_dbt = build["seconds"] - phases["command_wall_clock"]
        print(
            f"dbt build {build['seconds']:.1f} s: interpreter and imports {before_dbt:.1f}, "
            "start-up and parse "
            f"{phases['start_up_and_parse']:.1f}, set-up {phases['set_up_before_first_node']:.1f}, "
            f"nodes {phases['nodes']:.1f} (models {nodes.get('model', 0):.1f}, "
            f"data tests {nodes.get('test', 0):.1f}, "
            f"unit tests {nodes.get('unit_test', 0):.1f}, seeds {nodes.get('seed', 0):.1f})"
        )
    print(
        f"direct SQL of the {direct['models']} models: {direct['work_seconds']} s in-process, "
        f"{direct['seconds']} s process"
    )
    print(f"slowest models (dbt): {breakdown['slowest_models']}")
    print(f"slowest models (direct): {direct['slowest']}")
    print(f"slowest data tests by tested model (tests, seconds): {breakdown['slowest_tested_models']}")
    if direct.get("mismatched_row_counts"):
        print(f"row counts differ: {direct['mismatched_row_counts']}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--size", help="S (default), M, L or a scale factor; with --exports, names the result"
    )
    parser.add_argument("--exports", type=Path, help="reuse this exports folder instead of generating one")
    parser.add_argument("--work", type=Path, help="keep the scratch folder here")
    parser.add_argument(
        "--raw", type=Path, help="start from the raw datasets of this loaded warehouse: no ingest, no ingest floor"
    )
    parser.add_argument(
        "--delivery-run", action="store_true", help="also time `delivery run` on the same exports"
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        stage, *rest = args.child
        print(json.dumps(CHILDREN[stage](*rest), default=str))
        return

    scratch = None if args.work else tempfile.TemporaryDirectory(prefix="bench-full-build-")
    work = args.work.resolve() if args.work else Path(scratch.name)
    work.mkdir(parents=True, exist_ok=True)
    try:
        report = run_benchmark(args, work)
    finally:
        if scratch:
            scratch.cleanup()
    RESULTS.mkdir(parents=True, exist_ok=True)
    label = args.size or ("custom" if args.exports else "S")
    out = RESULTS / f"full-build-{label}.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    print_report(report)
    print(f"\nWritten to {out}")


if __name__ == "__main__":
    main()
