"""Benchmark: every chart query of the Superset dashboards, run directly in DuckDB on a serving file.

    .venv/bin/python bench/bi_queries.py --size M            # builds bench/results/bi-M/ (~5-10 min at M)
    .venv/bin/python bench/bi_queries.py --size M --reuse    # reuses bench/results/bi-M/serving.duckdb
    .venv/bin/python bench/bi_queries.py --serving PATH      # any published serving file

1. Publishes the demo organisation at that size (`delivery run` into bench/results/bi-<size>/).
2. Starts a Superset of its own (`.venv-bi`, temp metadata DB, free loopback port) with the bundle of
   bi/superset/assets imported against that serving file.
3. For each chart, asks the chart data API for its SQL (`type=query`), then runs that SQL `--repeat` times
   in DuckDB on the serving file, read-only, opening a connection per query as Superset does (NullPool).
4. Also times the chart data API's full round trip (query, serialisation, HTTP) a few times per chart.

Prints a table and writes bench/results/bi-queries-<size>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import duckdb
from provenance import commit_measured

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
BI_PYTHON = ROOT / ".venv-bi" / "bin" / "python"
MANAGE = ROOT / "bi" / "superset" / "manage.py"
BUDGET_MS = 1000.0


def build_serving_file(size: str, reuse: bool) -> Path:
    work = RESULTS / f"bi-{size}"
    serving = work / "serving.duckdb"
    if reuse and serving.exists():
        return serving
    env = {
        **os.environ,
        "DELIVERY_DEMO_SIZE": size,
        "DELIVERY_EXPORTS_DIR": str(work / "exports"),
        "DELIVERY_WAREHOUSE_PATH": str(work / "warehouse" / "delivery.duckdb"),
        "DELIVERY_SERVING_PATH": str(serving),
        "DAGSTER_HOME": str(work / "dagster"),
    }
    print(f"Publishing the demo organisation at size {size} into {work} ...", flush=True)
    for command in ("demo", "run"):  # `delivery run` never writes the demo itself
        subprocess.run([str(ROOT / ".venv" / "bin" / "delivery"), command], env=env, check=True,
                       stdout=subprocess.DEVNULL)
    return serving


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Superset:
    """A throwaway Superset over the serving file, driven through its REST API."""

    def __init__(self, serving: Path, home: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.password = secrets.token_urlsafe(12)
        self.env = {
            **os.environ,
            "SUPERSET_HOME": str(home),
            "SUPERSET_CONFIG_PATH": str(ROOT / "bi" / "superset" / "superset_config.py"),
            "SUPERSET_PORT": str(self.port),
            "SUPERSET_ADMIN_PASSWORD": self.password,
        }
        print("Provisioning Superset ...", flush=True)
        subprocess.run([str(BI_PYTHON), str(MANAGE), "provision", "--serving", str(serving)], env=self.env,
                       check=True, capture_output=True)
        self.server = subprocess.Popen([str(BI_PYTHON), str(MANAGE), "serve"], env=self.env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait_until_up()
        self.token = self._request("POST", "/api/v1/security/login",
                                   {"username": "admin", "password": self.password, "provider": "db"})["access_token"]

    def _wait_until_up(self, seconds: float = 180.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2):
                    return
            except OSError:
                time.sleep(1)
        raise TimeoutError("Superset did not start")

    def _request(self, method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         data=json.dumps(body).encode() if body is not None else None)
        if body is not None:  # a GET with a JSON content type and no body is a 400 for Flask
            request.add_header("Content-Type", "application/json")
        if token := getattr(self, "token", None):
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=300) as response:
            return json.loads(response.read())

    def charts(self) -> list[dict]:
        charts = self._request("GET", "/api/v1/chart/?q=" + urllib.parse.quote("(page_size:100)"))["result"]
        return sorted(charts, key=lambda chart: chart["id"])

    def chart_sql(self, chart_id: int) -> list[str]:
        """The SQL Superset runs for the chart (one statement per query of its query context)."""
        return [r["query"] for r in self._request("GET", f"/api/v1/chart/{chart_id}/data/?type=query")["result"]]

    def chart_data_seconds(self, chart_id: int) -> float:
        started = time.perf_counter()
        results = self._request("GET", f"/api/v1/chart/{chart_id}/data/")["result"]
        elapsed = time.perf_counter() - started
        if any(r.get("error") for r in results):
            raise RuntimeError(f"chart {chart_id}: {results}")
        return elapsed

    def stop(self) -> None:
        self.server.terminate()
        self.server.wait(timeout=60)


def time_in_duckdb(serving: Path, statements: list[str]) -> tuple[float, int]:
    """Seconds to open the file read-only, run the chart's statements and fetch every row; and the rows."""
    started = time.perf_counter()
    rows = 0
    with duckdb.connect(str(serving), read_only=True) as con:
        for sql in statements:
            rows += len(con.execute(sql).fetchall())
    return time.perf_counter() - started, rows


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure_chart(superset: Superset, serving: Path, chart: dict, repeat: int, api_repeat: int) -> dict:
    statements = superset.chart_sql(chart["id"])
    timings = []
    rows = 0
    for _ in range(repeat):
        seconds, rows = time_in_duckdb(serving, statements)
        timings.append(seconds * 1000)
    api = [superset.chart_data_seconds(chart["id"]) * 1000 for _ in range(api_repeat)]
    return {
        "chart": chart["slice_name"],
        "viz_type": chart["viz_type"],
        "rows": rows,
        "duckdb_median_ms": round(statistics.median(timings), 1),
        "duckdb_p95_ms": round(percentile(timings, 0.95), 1),
        "api_median_ms": round(statistics.median(api), 1),
        "api_p95_ms": round(percentile(api, 0.95), 1),
        "sql": statements,
    }


def print_table(size: str, measures: list[dict]) -> None:
    print(f"\n| chart (size {size}) | rows | DuckDB median | DuckDB p95 | API median | API p95 |")
    print("|---|---|---|---|---|---|")
    for m in measures:
        print(f"| {m['chart']} | {m['rows']:,} | {m['duckdb_median_ms']:.1f} ms | {m['duckdb_p95_ms']:.1f} ms "
              f"| {m['api_median_ms']:.0f} ms | {m['api_p95_ms']:.0f} ms |")
    slowest = max(measures, key=lambda m: m["duckdb_p95_ms"])
    verdict = "within" if slowest["duckdb_p95_ms"] < BUDGET_MS else "OVER"
    print(f"\nSlowest DuckDB p95: {slowest['duckdb_p95_ms']:.1f} ms ({slowest['chart']}): {verdict} the 1 s budget.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="M", help="Demo size to publish: S, M, L or a scale factor.")
    parser.add_argument("--serving", type=Path, help="Measure this serving file instead of building one.")
    parser.add_argument("--reuse", action="store_true", help="Reuse bench/results/bi-<size>/serving.duckdb.")
    parser.add_argument("--repeat", type=int, default=20, help="DuckDB runs per chart.")
    parser.add_argument("--api-repeat", type=int, default=5, help="Chart data API calls per chart.")
    args = parser.parse_args()
    commit = commit_measured()  # before the runs: the tree may change while they run

    serving = args.serving.resolve() if args.serving else build_serving_file(args.size, args.reuse)
    label = args.size if not args.serving else serving.stem
    with tempfile.TemporaryDirectory(prefix="superset-bench-") as home:
        superset = Superset(serving, Path(home))
        try:
            measures = [measure_chart(superset, serving, c, args.repeat, args.api_repeat) for c in superset.charts()]
        finally:
            superset.stop()
    print_table(label, measures)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"bi-queries-{label}-{commit}.json"
    out.write_text(json.dumps({
        "size": label, "serving": str(serving), "serving_bytes": serving.stat().st_size,
        "duckdb": duckdb.__version__, "machine": platform.platform(), "cpus": os.cpu_count(),
        "commit": commit, "repeat": args.repeat, "api_repeat": args.api_repeat, "charts": measures,
    }, indent=1))
    print(f"Written to {out}")


if __name__ == "__main__":
    main()
