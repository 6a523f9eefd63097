"""Time to a fully drawn Superset dashboard in headless Chromium, as a ratio to one trivial chart drawn.

Runs with the Python of `.venv-bi` (Playwright) against a running Superset (`make bi`):

    .venv-bi/bin/python bench/bi_dashboards.py --size S --url http://127.0.0.1:8088 \\
        --password "$(cat .superset/admin_password)" --superset-home .superset

For each dashboard: the seconds from asking for it to every chart of its first tab drawn, with the chart
result cache emptied first (cold: every query runs on the serving file) and then again (warm: the results
cached under the snapshot id). The baseline, measured in the same run and browser: one trivial chart drawn
alone (the one-row snapshot table, `/explore/?slice_id=...&standalone=1`: the same single-page application,
one query, one table); Superset's dashboard list (no chart at all) is measured as well. The figures are
written to bench/results/bi-dashboards-<size>-<commit>.json, with the load average: on a shared machine
only the ratios compare.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY / "bi" / "superset"))

from screenshots import CHROMIUM, CHROMIUM_ARGS, DASHBOARDS, WIDTH, log_in, time_to_drawn


def commit() -> str:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], check=True, cwd=REPOSITORY, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], check=True, cwd=REPOSITORY,
                           capture_output=True, text=True).stdout.strip()
    return head.stdout.strip() + ("-dirty" if dirty else "")


def empty_result_cache(superset_home: Path) -> None:
    shutil.rmtree(superset_home / "chart_cache", ignore_errors=True)


def time_to_list(page, url: str) -> float:
    """The baseline: Superset's own page with no chart, to network idle."""
    started = time.monotonic()
    page.goto(f"{url}/dashboard/list/")
    page.wait_for_load_state("networkidle")
    return time.monotonic() - started


BASELINE_CHART = "Snapshot and its data (DORA overview)"
# A standalone chart has drawn when its table has a row (or it shows an error).
ONE_CHART_DRAWN_JS = "() => document.querySelector('tbody tr, [role=alert]') !== null"


def chart_id(page, url: str, name: str) -> int:
    query = f"(filters:!((col:slice_name,opr:eq,value:'{name}')))"
    [chart] = page.request.get(f"{url}/api/v1/chart/?q={query}").json()["result"]
    return chart["id"]


def time_to_one_chart(page, url: str, slice_id: int) -> float:
    """The baseline: one trivial chart, drawn alone, from asking for it to its table on screen."""
    started = time.monotonic()
    page.goto(f"{url}/explore/?slice_id={slice_id}&standalone=1")
    page.wait_for_function(ONE_CHART_DRAWN_JS, timeout=90_000, polling=100)
    return time.monotonic() - started


def measure(url: str, password: str, superset_home: Path, repeat: int) -> dict:
    figures: dict = {"baseline_seconds": [], "list_seconds": [],
                     "dashboards": {slug: {"cold": [], "warm": []} for slug in DASHBOARDS}}
    with sync_playwright() as playwright, tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": WIDTH, "height": 1000},
        )
        try:
            page = context.new_page()
            log_in(page, url, "admin", password)
            time_to_list(page, url)  # the browser's own cache warm, as for a user who opened Superset before
            baseline_chart = chart_id(page, url, BASELINE_CHART)
            time_to_one_chart(page, url, baseline_chart)
            for _ in range(repeat):
                figures["list_seconds"].append(time_to_list(page, url))
                empty_result_cache(superset_home)
                figures["baseline_seconds"].append(time_to_one_chart(page, url, baseline_chart))
                for slug in DASHBOARDS:
                    empty_result_cache(superset_home)
                    figures["dashboards"][slug]["cold"].append(time_to_drawn(page, url, slug))
                    figures["dashboards"][slug]["warm"].append(time_to_drawn(page, url, slug))
        finally:
            context.close()
    baseline = statistics.median(figures["baseline_seconds"])
    for timings in figures["dashboards"].values():
        for kind in ("cold", "warm"):
            timings[f"{kind}_median_seconds"] = round(statistics.median(timings[kind]), 2)
            timings[f"{kind}_ratio"] = round(statistics.median(timings[kind]) / baseline, 2)
    figures["baseline_median_seconds"] = round(baseline, 2)
    figures["baseline"] = f"one chart drawn alone: {BASELINE_CHART}"
    figures["list_median_seconds"] = round(statistics.median(figures["list_seconds"]), 2)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", required=True, help="The size of the organisation behind the serving file (S, M).")
    parser.add_argument("--url", default="http://127.0.0.1:8088")
    parser.add_argument("--password", required=True)
    parser.add_argument("--superset-home", type=Path, default=REPOSITORY / ".superset")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    measured_commit = commit()
    load_before = os.getloadavg()
    figures = measure(args.url.rstrip("/"), args.password, args.superset_home.resolve(), args.repeat)
    figures.update({"size": args.size, "commit": measured_commit,
                    "load_average_before": load_before, "load_average": os.getloadavg()})
    out = REPOSITORY / "bench" / "results" / f"bi-dashboards-{args.size}-{measured_commit}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=1) + "\n")
    print(json.dumps({slug: {k: v for k, v in t.items() if not isinstance(v, list)}
                      for slug, t in figures["dashboards"].items()}, indent=1))
    print(f"baseline (one chart) {figures['baseline_median_seconds']} s, dashboard list "
          f"{figures['list_median_seconds']} s, load average {figures['load_average'][0]:.1f}; written to {out}")


if __name__ == "__main__":
    main()
