"""Benchmark: ingestion time per 100k raw records, against the floor DuckDB alone sets on the same files.

    python bench/ingest.py --size S          # or M, L, or a scale factor
    python bench/ingest.py --exports exports # measure an existing exports folder (--size names the result)
    python bench/ingest.py --size L --exports DIR --no-floor   # the ingest alone
    python bench/ingest.py --size L --exports DIR --no-ingest  # the floor alone
    python bench/ingest.py --size L --exports DIR --work DIR   # keep the warehouse (e.g. for full_build.py --raw)

Each measure runs in its own process, so peak memory (max RSS) is the measure's own. The floor is
DuckDB's `read_json` of every export folder into tables, with no extraction, typing, validation or dlt:
the ratio ingestion / floor is what our layers cost on top of what this machine can do.
Figures are printed and written as JSON to bench/results/ingest-<size>.json.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# One read_json call takes files up to this many bytes: DuckDB's schema inference over a whole folder
# needed 8.5 GiB at M and more than the machine at L; in bounded batches the floor fits like the ingest.
FLOOR_BATCH_BYTES = 256 * 2**20
# ... and up to this many files: at L the 292,661 pull review files (most of them a few bytes) fit in
# one batch by bytes, and one read_json call over them ran single-threaded for over 28 minutes.
FLOOR_BATCH_FILES = 5_000


def floor(exports: Path, database: Path) -> dict:
    """DuckDB alone: every folder's records into tables, a table per batch of files (schemas inferred per
    batch, nothing unified across batches: the least DuckDB has to do to hold every record)."""
    import duckdb

    records, tables = 0, 0
    with duckdb.connect(str(database)) as con:
        for table, (pattern, envelope) in floor_folders().items():
            files = sorted(exports / name for name in glob.glob(pattern, root_dir=exports, recursive=True))
            for number, batch in enumerate(_batches(files)):
                con.execute(f"CREATE TABLE {table}_{number:05d} AS {_floor_select(batch, envelope)}")
                records += con.execute(f"SELECT count(*) FROM {table}_{number:05d}").fetchone()[0]
                tables += 1
    return {"records": records, "tables": tables}


def floor_folders() -> dict[str, tuple[str, str | None]]:
    """Each export folder the ingestion reads (`ingestion/sources.py`), as DuckDB reads it on its own: its
    glob, and the list to unnest for envelopes. A tool's new folder reaches the floor without an edit."""
    sys.path.insert(0, str(ROOT))
    from ingestion.sources import TOOLS

    return {
        f"{tool}_{folder.resource}": (folder.glob, folder.records_key)
        for tool, (_, folders) in TOOLS.items()
        for folder in folders
    }


def _batches(files: list[Path]):
    batch, size = [], 0
    for path in files:
        file_size = path.stat().st_size
        if batch and (size + file_size > FLOOR_BATCH_BYTES or len(batch) == FLOOR_BATCH_FILES):
            yield batch
            batch, size = [], 0
        batch.append(path)
        size += file_size
    if batch:
        yield batch


def _floor_select(files: list[Path], envelope: str | None) -> str:
    listed = ", ".join(f"'{path}'" for path in files)
    options = "union_by_name = true, maximum_object_size = 536870912, sample_size = -1"
    if envelope:
        return f"SELECT unnest(r) FROM (SELECT unnest({envelope}) AS r FROM read_json([{listed}], {options}))"
    return f"SELECT * FROM read_json([{listed}], format = 'array', {options})"


def ingest(exports: Path, warehouse: Path) -> dict:
    """The product's ingestion: every tool's dlt pipeline, Arrow batches, validation and quarantine."""
    sys.path.insert(0, str(ROOT))
    import duckdb

    from ingestion.pipelines import load_all
    from orchestration.lib.settings import Settings

    load_all(exports, warehouse, Settings.from_env().duckdb_memory_limit)
    from ingestion.sources import RAW_DATASETS

    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema IN ? AND table_name NOT LIKE '\\_dlt%' ESCAPE '\\'",
            [list(RAW_DATASETS)],
        ).fetchall()
        counts = {name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for (name,) in rows}
    return {"rows_per_table": counts, "rows": sum(counts.values())}


def generate(out: Path, size: str) -> dict:
    sys.path.insert(0, str(ROOT))
    from demo.generate import generate_demo_exports

    return {"counts": generate_demo_exports(out, size=size, seed=7)}


def _measure(function: str, *args: str) -> dict:
    """Run one measure in a child process; return its result, wall and CPU time, and peak RSS (of its
    process tree, and of its largest process: bench/process_tree.py)."""
    from process_tree import run_measured

    measured = run_measured([sys.executable, __file__, "--child", function, *args])
    if measured.returncode != 0:
        raise SystemExit(f"{function} failed with status {measured.returncode}:\n{measured.stderr[-4000:]}")
    result = json.loads(measured.stdout.strip().splitlines()[-1])
    result.update(
        seconds=round(measured.seconds, 2),
        cpu_seconds=round(measured.cpu_seconds, 2),
        peak_rss_mib=round(measured.peak_tree_rss_mib),
        peak_process_rss_mib=round(measured.peak_process_rss_mib),
        load_average_1m_after=round(os.getloadavg()[0], 2),
    )
    return result


@contextmanager
def _scratch(work: Path | None):
    """The folder the measures write to: kept when given, a temporary one otherwise."""
    if work:
        work.mkdir(parents=True, exist_ok=True)
        yield work.resolve()
        return
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as scratch:
        yield Path(scratch)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="S")
    parser.add_argument("--exports", type=Path, help="measure this folder instead of generating one")
    parser.add_argument(
        "--no-floor",
        action="store_true",
        help="measure the ingest alone (at L the floor takes about 22 minutes)",
    )
    parser.add_argument(
        "--no-ingest",
        action="store_true",
        help="measure the floor alone (at L, bench/incremental.py measures the ingest in its full build)",
    )
    parser.add_argument("--work", type=Path, help="keep the scratch folder (floor and warehouse files) here")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        function, *rest = args.child
        measures = {"floor": floor, "ingest": ingest, "generate": generate}
        print(json.dumps(measures[function](*(Path(arg) if "/" in arg else arg for arg in rest))))
        return

    with _scratch(args.work) as scratch_dir:
        exports = args.exports.resolve() if args.exports else scratch_dir / "exports"
        generated = None if args.exports else _measure("generate", str(exports), args.size)
        export_sizes = [p.stat().st_size for p in exports.rglob("*.json")]  # one walk: 863k files at L
        exports_bytes, exports_files = sum(export_sizes), len(export_sizes)
        floor_result = (
            None if args.no_floor else _measure("floor", str(exports), str(scratch_dir / "floor.duckdb"))
        )
        ingest_result = (
            None if args.no_ingest else _measure("ingest", str(exports), str(scratch_dir / "warehouse.duckdb"))
        )

    report = {
        "size": args.size,
        "exports": str(args.exports) if args.exports else None,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "exports_mib": round(exports_bytes / 2**20, 1),
        "exports_files": exports_files,
        "generate": generated,
        "floor": floor_result,
    }
    if ingest_result:
        report.update(
            ingest={k: v for k, v in ingest_result.items() if k != "rows_per_table"},
            ingest_rows_per_table=ingest_result["rows_per_table"],
            ingest_raw_rows_per_second=round(ingest_result["rows"] / ingest_result["seconds"]),
        )
    if floor_result:
        records = floor_result["records"]
        report.update(
            raw_records=records,
            floor_seconds_per_100k_records=round(floor_result["seconds"] / records * 100_000, 2),
        )
    if floor_result and ingest_result:
        report.update(
            ingest_seconds_per_100k_records=round(ingest_result["seconds"] / records * 100_000, 2),
            ingest_over_floor=round(ingest_result["seconds"] / floor_result["seconds"], 2),
            ingest_over_floor_cpu=round(ingest_result["cpu_seconds"] / floor_result["cpu_seconds"], 2),
        )
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    label = args.size
    (results / f"ingest-{label}.json").write_text(json.dumps(report, indent=2))
    print(json.dumps({k: v for k, v in report.items() if k != "ingest_rows_per_table"}, indent=2))


if __name__ == "__main__":
    main()
