"""Benchmark: latency of every BI-facing query on a serving file, opened read-only for every run.

    .venv/bin/python bench/query_latency.py --serving PATH          # any published serving file
    .venv/bin/python bench/query_latency.py --size S                # publishes first (`delivery run`)
    .venv/bin/python bench/query_latency.py --size S --exports DIR  # publishes these exports

The queries:
- charts: one query per chart of the Superset bundle (bi/superset/assets), written from the chart's saved
  query context (columns, time grain, metrics, filters, order, row limit) over its dataset's table, in the
  shape Superset's DuckDB dialect generates. No Superset is started; bench/bi_queries.py measures the SQL
  Superset itself generates, and the chart API round trip, when a Superset environment is at hand.
- explain: what `delivery explain` runs (`orchestration.cli.explain.explain`: the metric's cell definitions,
  the mart cell, and `fct_metric_members` filtered to the cell), for every explainable metric, at the
  team cell with the most member rows (the heaviest a user can ask for).

Each run opens the file read-only (as Superset's NullPool and `delivery explain` do), runs the query and
fetches every row: the median and p95 over `--repeat` runs. Opening the file with `SELECT 1` is measured
too, as the part of every figure that no query can save. Prints a table and writes
bench/results/query-latency-<label>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from provenance import commit_measured

from orchestration.cli.explain import Cell, ExplainError, explain
from orchestration.lib.reading import read_only_session

RESULTS = ROOT / "bench" / "results"
ASSETS = ROOT / "bi" / "superset" / "assets"
BUDGET_MS = 1000.0
# Superset's DuckDB dialect truncates time columns to the chart's grain like this.
TIME_GRAINS = {"P1D": "day", "P1W": "week", "P1M": "month", "P3M": "quarter", "P1Y": "year"}
EXPLAIN_PERIOD = {"dora_period": ("month", "month_start"), "flow_weekly": ("week", "week_start")}


# --- The chart queries, from the bundle. ---


def chart_queries(assets: Path = ASSETS) -> list[dict]:
    """One SQL statement per query of every chart's saved query context."""
    datasets = {}
    for path in (assets / "datasets").rglob("*.yaml"):
        dataset = yaml.safe_load(path.read_text())
        datasets[dataset["uuid"]] = f'{dataset["schema"]}."{dataset["table_name"]}"'
    queries = []
    for path in sorted((assets / "charts").glob("*.yaml")):
        chart = yaml.safe_load(path.read_text())
        context = json.loads(chart["query_context"])
        table = datasets[chart["dataset_uuid"]]
        statements = [chart_sql(table, query) for query in context["queries"]]
        queries.append(
            {"kind": "chart", "name": chart["slice_name"], "viz_type": chart["viz_type"], "sql": statements}
        )
    return queries


def chart_sql(table: str, query: dict) -> str:
    columns = [_column(column) for column in query.get("columns", [])]
    metrics = [(_metric(metric), _quoted(_label(metric))) for metric in query.get("metrics") or []]
    select = [f"{expression} AS {_quoted(label)}" for expression, label in columns]
    select += [f"{expression} AS {label}" for expression, label in metrics]
    sql = f"SELECT {', '.join(select)} FROM {table}"
    where = [_filter(condition) for condition in query.get("filters", [])]
    if query.get("extras", {}).get("where"):
        where.append(f"({query['extras']['where']})")
    if where:
        sql += " WHERE " + " AND ".join(where)
    if metrics and columns:
        sql += " GROUP BY " + ", ".join(expression for expression, _ in columns)
    if order := [_order(item, ascending) for item, ascending in query.get("orderby", [])]:
        sql += " ORDER BY " + ", ".join(order)
    if query.get("row_limit"):
        sql += f" LIMIT {int(query['row_limit'])}"
    return sql


def _column(column: str | dict) -> tuple[str, str]:
    """(expression, label) of a chart column: a name, or an SQL expression truncated to a time grain."""
    if isinstance(column, str):
        return _quoted(column), column
    expression = column["sqlExpression"]
    if column.get("timeGrain") in TIME_GRAINS:
        expression = f"DATE_TRUNC('{TIME_GRAINS[column['timeGrain']]}', {expression})"
    return expression, column["label"]


def _metric(metric: str | dict) -> str:
    if isinstance(metric, str):
        return metric
    if metric["expressionType"] == "SQL":
        return metric["sqlExpression"]
    column = _quoted(metric["column"]["column_name"])
    if metric["aggregate"] == "COUNT_DISTINCT":
        return f"COUNT(DISTINCT {column})"
    return f"{metric['aggregate']}({column})"


def _label(metric: str | dict) -> str:
    return metric if isinstance(metric, str) else metric["label"]


def _filter(condition: dict) -> str:
    column, operator = _quoted(condition["col"]), condition["op"]
    if operator in ("IS TRUE", "IS FALSE", "IS NULL", "IS NOT NULL"):
        return f"{column} {operator}"
    if operator in ("IN", "NOT IN"):
        return f"{column} {operator} ({', '.join(_literal(v) for v in condition['val'])})"
    return f"{column} {'=' if operator == '==' else operator} {_literal(condition['val'])}"


def _order(item: str | dict, ascending: bool) -> str:
    expression = _quoted(item) if isinstance(item, str) else _quoted(_label(item))
    return f"{expression} {'ASC' if ascending else 'DESC'}"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: object) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


# --- The `delivery explain` queries. ---


def explain_cells(serving: Path) -> list[Cell]:
    """For every explainable metric, the team cell with the most member rows."""
    cells = []
    with read_only_session(serving) as con:
        metrics = con.execute(
            "SELECT DISTINCT mart_family, mart_column FROM mappings.metric_cells ORDER BY 1, 2"
        )
        for family, metric in metrics.fetchall():
            period, period_column = EXPLAIN_PERIOD[family]
            row = con.execute(
                f"""
                SELECT m.team, m.{period_column}, count(*) AS members
                FROM marts.fct_metric_members AS m
                INNER JOIN mappings.metric_cells AS c
                    ON c.member_set = m.member_set
                    AND (c.member_filter IS NULL OR c.member_filter = m.classification)
                WHERE c.mart_family = ? AND c.mart_column = ? AND m.team IS NOT NULL
                GROUP BY ALL ORDER BY members DESC, 1, 2 LIMIT 1
                """,
                [family, metric],
            ).fetchone()
            if row:
                cells.append(Cell(metric, "team", row[0], period, row[1]))
    return cells


# --- Timing. ---


def time_chart(serving: Path, statements: list[str]) -> Callable[[], int]:
    def run() -> int:
        with duckdb.connect(str(serving), read_only=True) as con:
            return sum(len(con.execute(sql).fetchall()) for sql in statements)

    return run


def time_explain(serving: Path, cell: Cell) -> Callable[[], int]:
    def run() -> int:
        with read_only_session(serving) as con:
            return len(explain(con, cell).members)

    return run


def measure(run: Callable[[], int], repeat: int) -> dict:
    """Median and p95 of open + query + fetch over `repeat` runs; the rows of the last."""
    timings, rows = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        rows = run()
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "rows": rows,
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure_all(serving: Path, repeat: int) -> list[dict]:
    # Opening the file is part of every query here: measured alone, it tells planning and reading apart.
    measures = [
        {
            "kind": "baseline",
            "name": "open the file, SELECT 1",
            **measure(time_chart(serving, ["SELECT 1"]), repeat),
        }
    ]
    for chart in chart_queries():
        figures = measure(time_chart(serving, chart["sql"]), repeat)
        measures.append({**chart, **figures})
    for cell in explain_cells(serving):
        # As the command is typed: `--month YYYY-MM` or `--week` any day of the week.
        period = f"{cell.period_start:%Y-%m}" if cell.period == "month" else f"{cell.period_start}"
        name = f"explain {cell.metric} --team {cell.grain_key} --{cell.period} {period}"
        try:
            figures = measure(time_explain(serving, cell), repeat)
        except ExplainError as error:  # a metric the marts cannot explain at this cell: shown, not timed
            figures = {"error": str(error)}
        measures.append({"kind": "explain", "name": name, **figures})
    return measures


# --- Publishing a serving file to measure. ---


def publish_demo(size: str, work: Path, exports: Path | None) -> Path:
    """`delivery run` of the demo organisation (or of `exports`) into a scratch folder; its serving file."""
    env = {
        **os.environ,
        "DELIVERY_DEMO_SIZE": size,
        "DELIVERY_EXPORTS_DIR": str(exports or work / "exports"),
        "DELIVERY_WAREHOUSE_PATH": str(work / "warehouse" / "delivery.duckdb"),
        "DELIVERY_SERVING_PATH": str(work / "warehouse" / "serving.duckdb"),
        "DAGSTER_HOME": str(work / "dagster"),
    }
    print(f"Publishing size {size} into {work} ...", flush=True)
    if exports is None:  # `delivery run` never writes the demo itself
        subprocess.run([str(Path(sys.executable).parent / "delivery"), "demo"], env=env, cwd=ROOT,
                       stdout=subprocess.DEVNULL, check=True)
    run = subprocess.run(
        [str(Path(sys.executable).parent / "delivery"), "run"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        check=False,
    )
    serving = work / "warehouse" / "serving.duckdb"
    if run.returncode != 0 or not serving.exists():
        raise SystemExit(
            f"`delivery run` published nothing (exit {run.returncode}); "
            f"its run log is under {work / 'warehouse' / 'logs'} (keep it with --work DIR)"
        )
    return serving


def print_table(label: str, measures: list[dict]) -> None:
    print(f"\n| query (serving file {label}) | rows | median ms | p95 ms |")
    print("|---|---|---|---|")
    for m in measures:
        if "error" in m:
            print(f"| {m['name']} | {m['error']} | | |")
        else:
            print(f"| {m['name']} | {m['rows']:,} | {m['median_ms']:.1f} | {m['p95_ms']:.1f} |")
    timed = [m for m in measures if "error" not in m and m["kind"] != "baseline"]
    for kind in ("chart", "explain"):
        of_kind = [m for m in timed if m["kind"] == kind]
        if of_kind:
            slowest = max(of_kind, key=lambda m: m["p95_ms"])
            verdict = "within" if slowest["p95_ms"] < BUDGET_MS else "OVER"
            print(
                f"{kind}: {len(of_kind)} queries, "
                f"median of medians {statistics.median(m['median_ms'] for m in of_kind):.1f} ms, "
                f"slowest p95 {slowest['p95_ms']:.1f} ms ({slowest['name']}): {verdict} 1 s"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--serving", type=Path, help="measure this serving file")
    parser.add_argument(
        "--size", help="publish the demo organisation at this size first (S, M, L or a factor)"
    )
    parser.add_argument(
        "--exports", type=Path, help="with --size: publish these exports instead of generating"
    )
    parser.add_argument("--work", type=Path, help="with --size: keep the published folder here")
    parser.add_argument("--repeat", type=int, default=20, help="runs per query")
    parser.add_argument(
        "--label", help="names the result file (default: the size, or the serving file's name)"
    )
    args = parser.parse_args()
    commit = commit_measured()  # before the runs: the tree may change while they run
    if bool(args.serving) == bool(args.size):
        parser.error("give --serving PATH or --size SIZE")

    scratch = None
    if args.serving:
        serving, label = args.serving.resolve(), args.label or args.serving.stem
    else:
        scratch = None if args.work else tempfile.TemporaryDirectory(prefix="bench-query-latency-")
        work = args.work.resolve() if args.work else Path(scratch.name)
        serving = publish_demo(args.size, work, args.exports.resolve() if args.exports else None)
        label = args.label or args.size
    try:
        load_at_start = os.getloadavg()
        measures = measure_all(serving, args.repeat)
        report = {
            "label": label,
            "serving": str(serving),
            "serving_mib": round(serving.stat().st_size / 2**20, 1),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "duckdb": duckdb.__version__,
            },
            "load_average": {
                "start": [round(x, 2) for x in load_at_start],
                "end": [round(x, 2) for x in os.getloadavg()],
            },
            "repeat": args.repeat,
            "queries": measures,
        }
    finally:
        if scratch:
            scratch.cleanup()
    print_table(label, measures)
    RESULTS.mkdir(parents=True, exist_ok=True)
    report["commit"] = commit
    out = RESULTS / f"query-latency-{label}-{commit}.json"
    out.write_text(json.dumps(report, indent=1, default=str))
    print(f"Written to {out}")


if __name__ == "__main__":
    main()
