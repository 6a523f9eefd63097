"""Render every dashboard of a running Superset in headless Chromium: screenshot it and report what rendered.

Runs with the Python of `.venv-bi` (Playwright lives there) against Debian's Chromium:

    python bi/superset/screenshots.py --url http://127.0.0.1:8088 --password ... --out docs/img

Prints one JSON object per dashboard: the charts found, those that rendered marks (canvas, svg, table
rows or a big number) and any error shown. The test asserts on that report; `make bi-screenshots` only
refreshes the images.
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

DASHBOARDS = ["dora-overview", "flow-and-handoffs", "delivery-risk", "forecasts-and-bottlenecks",
              "data-quality"]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-quic",
    "--disable-component-update", "--disable-sync",
]
WIDTH = 1600

# Per chart: did it draw something, and does it show an error or an empty result instead?
CHART_STATE_JS = """
() => Array.from(document.querySelectorAll('[data-test-chart-id]'))
  .filter(chart => chart.checkVisibility()).map(chart => ({
  id: Number(chart.getAttribute('data-test-chart-id')),
  name: chart.getAttribute('data-test-chart-name'),
  loading: chart.querySelector('.loading, [aria-label="Loading"]') !== null,
  visible: chart.checkVisibility({opacityProperty: true, visibilityProperty: true})
           && chart.getBoundingClientRect().height > 0,
  texts: Array.from(new Set([
    ...Array.from(chart.querySelectorAll('canvas')).flatMap(c => Array.from(c.__drawnTexts || [])),
    ...Array.from(chart.querySelectorAll('svg text')).map(t => t.textContent.trim()),
  ])),
  marks: chart.querySelectorAll('canvas, svg path, svg rect, tbody tr, .header-line, .pvtTable td').length,
  // the smallest font of the chart's own texts (a caption too small to read shows here)
  smallest_text_px: Math.min(...Array.from(chart.querySelectorAll('*'))
    .filter(e => e.checkVisibility() && Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim()))
    .map(e => parseFloat(getComputedStyle(e).fontSize))),
  // the coloured tier cells of the DORA tables: their text and the colour they are drawn in
  tiers: Array.from(chart.querySelectorAll('span.tier')).map(span => ({
    text: span.textContent.trim(), background: getComputedStyle(span).backgroundColor})),
  error: Array.from(chart.querySelectorAll('[role=alert], .ant-alert-error, [data-test=error-tooltip]'))
           .map(e => e.innerText.trim()).join(' | ')
         || (/No results were returned|Data error|Unexpected error/.test(chart.innerText) ? chart.innerText.slice(0, 300) : ''),
}))
"""


# ECharts draws on a canvas: remember every text drawn into each canvas, so the report can say which
# axis and category labels are on screen.
RECORD_CANVAS_TEXT_JS = """
for (const method of ['fillText', 'strokeText']) {
  const original = CanvasRenderingContext2D.prototype[method];
  CanvasRenderingContext2D.prototype[method] = function (text, ...rest) {
    (this.canvas.__drawnTexts ||= new Set()).add(String(text).trim());
    return original.call(this, text, ...rest);
  };
}
"""
VISIBLE_TABS_JS = """
() => Array.from(document.querySelectorAll('[data-test="dashboard-content-wrapper"] [role="tab"]'))
  .map(tab => tab.innerText.trim())
"""


def log_in(page: Page, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("[data-test=username-input]", username)
    page.fill("[data-test=password-input]", password)
    page.click("[data-test=login-button]")
    page.wait_for_url("**/superset/welcome/**", timeout=60_000)


def wait_for_charts(page: Page, timeout: float = 120.0) -> list[dict]:
    """Poll until every chart has finished loading (drawn, failed or empty), or the timeout."""
    deadline = time.monotonic() + timeout
    while True:
        charts = page.evaluate(CHART_STATE_JS)
        if settled(charts) or time.monotonic() > deadline:
            return charts
        time.sleep(1)


def fit_viewport_to_dashboard(page: Page) -> None:
    """A viewport as tall as the dashboard: every chart renders, and one screenshot holds them all."""
    height = page.evaluate(
        "() => document.querySelector('[data-test=\"dashboard-content-wrapper\"]').getBoundingClientRect().bottom"
    )
    page.set_viewport_size({"width": WIDTH, "height": int(height) + 40})


def compact_png(png: bytes) -> bytes:
    """Quantised to 256 colours: charts are flat colours, and the file stays commit-sized."""
    try:
        from PIL import Image
    except ImportError:
        return png
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def settled(charts: list[dict]) -> bool:
    """Every chart finished: drawn, failed or empty."""
    return bool(charts) and all(not c["loading"] and c["visible"] and (c["marks"] or c["error"]) for c in charts)


def all_drawn(charts: list[dict]) -> bool:
    return bool(charts) and all(c["visible"] and not c["loading"] and c["marks"] and not c["error"] for c in charts)


def draw_current_tab(page: Page, attempts: int = 3) -> tuple[list[dict], bytes]:
    """Wait until the charts on screen are drawn; the picture and the charts' state as it was taken."""
    for _ in range(attempts):
        fit_viewport_to_dashboard(page)
        wait_for_charts(page)
        page.wait_for_load_state("networkidle")
        time.sleep(2)  # let animations finish before the picture
        png = page.screenshot()  # the viewport already holds the whole tab
        # Judge the page as it was when the picture was taken: a re-layout can blank the grid for a moment.
        charts = page.evaluate(CHART_STATE_JS)
        if all_drawn(charts):
            break
    return charts, png


def tab_file_name(slug: str, index: int, title: str) -> str:
    """The first tab is the dashboard's picture; the others are named after their tab."""
    if index == 0:
        return f"superset-{slug}.png"
    words = "".join(c if c.isalnum() else " " for c in title.lower()).split()
    return f"superset-{slug}-{'-'.join(words)}.png"


def time_to_drawn(page: Page, url: str, slug: str) -> float:
    """Seconds from asking for the dashboard to every chart of its first tab drawn."""
    started = time.monotonic()
    page.goto(f"{url}/superset/dashboard/{slug}/")
    page.wait_for_selector("[data-test=dashboard-content-wrapper] [data-test-chart-id]", timeout=90_000)
    deadline = started + 180
    while time.monotonic() < deadline:
        if settled(page.evaluate(CHART_STATE_JS)):
            break
        time.sleep(0.1)
    return time.monotonic() - started


def render_dashboard(page: Page, url: str, slug: str, out_dir: Path | None) -> dict:
    page.set_viewport_size({"width": WIDTH, "height": 1000})
    requests: dict[int, list] = {}
    page.on("request", lambda request: record_chart_request(request, requests))
    seconds = time_to_drawn(page, url, slug)
    report = {"dashboard": slug, "seconds_to_first_tab_drawn": round(seconds, 2), "charts": [], "screenshots": []}
    tabs = page.evaluate(VISIBLE_TABS_JS)
    for index, title in enumerate(tabs or [""]):
        if title:
            page.locator('[data-test="dashboard-content-wrapper"] [role="tab"]').nth(index).click()
        charts, png = draw_current_tab(page)
        report["charts"] += [{**chart, "tab": title} for chart in charts]
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            path = out_dir / tab_file_name(slug, index, title)
            path.write_bytes(compact_png(png))
            report["screenshots"].append(str(path))
    report["requests"] = {str(chart_id): filters for chart_id, filters in requests.items()}
    return report


def record_chart_request(request, requests: dict[int, list]) -> None:
    """The period each chart's data request asked for (its TEMPORAL_RANGE filters), by chart id."""
    if "/api/v1/chart/data" not in request.url or request.method != "POST":
        return
    try:
        body = request.post_data_json or {}
    except ValueError:
        return
    chart_id = (body.get("form_data") or {}).get("slice_id")
    # The dashboard's period reaches the query as its time_range (applied to its TEMPORAL_RANGE filter).
    periods = [q.get("time_range") for q in body.get("queries", [])
               if any(f.get("op") == "TEMPORAL_RANGE" for f in q.get("filters", []))]
    if chart_id is not None:
        requests[int(chart_id)] = periods


def render_all(url: str, username: str, password: str, out_dir: Path | None) -> list[dict]:
    with sync_playwright() as playwright, tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": WIDTH, "height": 1000},
        )
        context.add_init_script(RECORD_CANVAS_TEXT_JS)
        try:
            page = context.new_page()
            log_in(page, url, username, password)
            reports = []
            for slug in DASHBOARDS:
                page = context.new_page()  # one page per dashboard: its own request log
                reports.append(render_dashboard(page, url, slug, out_dir))
                page.close()
            return reports
        finally:
            context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8088")
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", required=True)
    parser.add_argument("--out", type=Path, help="Folder for the PNGs (none written without it).")
    args = parser.parse_args()
    print(json.dumps(render_all(args.url.rstrip("/"), args.username, args.password, args.out), indent=1))


if __name__ == "__main__":
    main()
