"""Superset over a demo serving file: every chart of the bundle answers with rows, every dashboard renders.

Run by `make test-bi` (marker `bi`), not by `make test`: it needs `.venv-bi` (`make bi`) and Chromium
(`make browser`), and takes a few minutes. Set BI_TEST_SERVING_PATH to a published serving file to skip
building the demo warehouse.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

pytestmark = pytest.mark.bi

REPOSITORY = Path(__file__).resolve().parents[2]
BI_PYTHON = REPOSITORY / ".venv-bi" / "bin" / "python"
MANAGE = REPOSITORY / "bi" / "superset" / "manage.py"
SCREENSHOTS = REPOSITORY / "bi" / "superset" / "screenshots.py"
BUNDLE = REPOSITORY / "bi" / "superset" / "assets"
IMAGES = REPOSITORY / "docs" / "img"
MAX_SCREENSHOT_BYTES = 500_000


@pytest.fixture(scope="module")
def serving_file(tmp_path_factory) -> Path:
    """A serving file published from the demo organisation (or the one named by BI_TEST_SERVING_PATH)."""
    if prebuilt := os.environ.get("BI_TEST_SERVING_PATH"):
        return Path(prebuilt).resolve()
    root = tmp_path_factory.mktemp("demo")
    env = {
        **os.environ,
        "DELIVERY_EXPORTS_DIR": str(root / "exports"),
        "DELIVERY_WAREHOUSE_PATH": str(root / "warehouse" / "delivery.duckdb"),
        "DELIVERY_SERVING_PATH": str(root / "warehouse" / "serving.duckdb"),
        "DAGSTER_HOME": str(root / "dagster"),
    }
    delivery = REPOSITORY / ".venv" / "bin" / "delivery"
    demo = subprocess.run([str(delivery), "demo"], env=env, capture_output=True, text=True, check=False)
    if demo.returncode != 0:
        pytest.fail(f"`delivery demo` failed:\n{demo.stdout[-3000:]}\n{demo.stderr[-3000:]}")
    run = subprocess.run([str(delivery), "run"], env=env, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        pytest.fail(f"`delivery run` of the demo organisation failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
    return root / "warehouse" / "serving.duckdb"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_health(url: str, seconds: float = 180.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise TimeoutError(f"Superset did not answer at {url} within {seconds:.0f} s")


@pytest.fixture(scope="module")
def superset(serving_file: Path, tmp_path_factory):
    """The Superset `make test-bi` started (BI_TEST_URL), or one of its own (metadata DB in a temp folder, a
    free loopback port), with the bundle imported."""
    if url := os.environ.get("BI_TEST_URL"):
        password = os.environ.get("SUPERSET_ADMIN_PASSWORD") or (REPOSITORY / ".superset" / "admin_password").read_text()
        yield {"url": url.rstrip("/"), "password": password.strip()}
        return
    if not BI_PYTHON.exists():
        pytest.fail("No .venv-bi: run `make bi` (or `make test-bi`) first.")
    home = tmp_path_factory.mktemp("superset")
    port = free_port()
    password = secrets.token_urlsafe(12)
    env = {
        **os.environ,
        "SUPERSET_HOME": str(home),
        "SUPERSET_CONFIG_PATH": str(REPOSITORY / "bi" / "superset" / "superset_config.py"),
        "SUPERSET_PORT": str(port),
        "SUPERSET_ADMIN_PASSWORD": password,
        "SUPERSET_SERVING_PATH": str(serving_file),
    }
    subprocess.run([str(BI_PYTHON), str(MANAGE), "provision", "--serving", str(serving_file)], env=env, check=True,
                   capture_output=True)
    server = subprocess.Popen([str(BI_PYTHON), str(MANAGE), "serve"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(url)
        yield {"url": url, "password": password}
    finally:
        server.terminate()
        server.wait(timeout=60)


class Api:
    """The REST API as the admin, with a JWT from /api/v1/security/login."""

    def __init__(self, url: str, password: str):
        self.url = url
        login = self._request("POST", "/api/v1/security/login",
                              {"username": "admin", "password": password, "provider": "db"}, token=None)
        self.token = login["access_token"]

    def _request(self, method: str, path: str, body: dict | None = None, token: str | None = None) -> dict:
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         data=json.dumps(body).encode() if body is not None else None)
        if body is not None:  # a GET with a JSON content type and no body is a 400 for Flask
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())

    def get(self, path: str) -> dict:
        return self._request("GET", path, token=self.token)

    def post(self, path: str, body: dict) -> dict:
        return self._request("POST", path, body, token=self.token)


def bundle_chart_count() -> int:
    return len(list((BUNDLE / "charts").glob("*.yaml")))


def test_the_database_is_the_serving_file_read_only(superset, serving_file):
    api = Api(superset["url"], superset["password"])
    databases = api.get("/api/v1/database/?q=(page_size:100)")["result"]
    assert len(databases) == 1
    database = api.get(f"/api/v1/database/{databases[0]['id']}/connection")["result"]
    assert database["sqlalchemy_uri"] == f"duckdb:///{serving_file}?access_mode=read_only"
    assert not database["allow_dml"]


def charts_over_empty_tables(api: Api, serving_file: Path) -> set[str]:
    """Charts over a table the serving file holds no row of (the demo quarantines nothing): they may say
    "No results" rather than draw."""
    import duckdb

    charts = api.get("/api/v1/chart/?q=(page_size:200)")["result"]
    empty = set()
    with duckdb.connect(str(serving_file), read_only=True) as con:
        tables = {f"{schema}.{name}" for schema, name in con.execute(
            "select schema_name, table_name from duckdb_tables()").fetchall()}
        for chart in charts:
            table = chart.get("datasource_name_text") or ""
            if table in tables and not con.execute(f"select count(*) from {table}").fetchone()[0]:
                empty.add(chart["slice_name"])
    return empty


def test_every_chart_returns_rows(superset, serving_file):
    api = Api(superset["url"], superset["password"])
    charts = api.get("/api/v1/chart/?q=(page_size:200)")["result"]
    assert len(charts) == bundle_chart_count() >= 30
    may_be_empty = charts_over_empty_tables(api, serving_file)
    empty_or_failed = {}
    for chart in charts:
        try:
            results = api.get(f"/api/v1/chart/{chart['id']}/data/")["result"]
        except urllib.error.HTTPError as error:
            empty_or_failed[chart["slice_name"]] = f"HTTP {error.code}: {error.read()[:500]!r}"
            continue
        if any(r.get("error") for r in results) or (
            chart["slice_name"] not in may_be_empty and any(not r.get("rowcount") for r in results)
        ):
            empty_or_failed[chart["slice_name"]] = [(r.get("error"), r.get("rowcount")) for r in results]
    assert empty_or_failed == {}


@pytest.fixture(scope="module")
def api(superset) -> Api:
    return Api(superset["url"], superset["password"])


@pytest.fixture(scope="module")
def rendered(superset) -> list[dict]:
    """Every dashboard drawn in headless Chromium, tab by tab: per chart its state and the texts it drew."""
    result = subprocess.run(
        [str(BI_PYTHON), str(SCREENSHOTS), "--url", superset["url"], "--password", superset["password"],
         "--out", str(IMAGES)],
        check=True, capture_output=True, text=True, timeout=1200,
    )
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def dashboards(api) -> dict[str, dict]:
    """Each dashboard's metadata (native filters) and its charts (id -> chart), by slug."""
    found = {}
    for slug in [*DASHBOARD_SLUGS, "data-quality"]:
        dashboard = api.get(f"/api/v1/dashboard/{slug}")["result"]
        charts = api.get(f"/api/v1/dashboard/{slug}/charts")["result"]
        found[slug] = {"metadata": json.loads(dashboard["json_metadata"]),
                       "charts": {chart["id"]: chart for chart in charts}}
    return found


@pytest.fixture(scope="module")
def chart_details(api) -> dict[int, dict]:
    charts = api.get("/api/v1/chart/?q=(page_size:200)")["result"]
    return {chart["id"]: api.get(f"/api/v1/chart/{chart['id']}")["result"] for chart in charts}


PREVIOUS_6_MONTHS = "DATEADD(DATETIME(\"today\"), -12, month) : DATEADD(DATETIME(\"today\"), -6, month)"
DASHBOARD_SLUGS = ["dora-overview", "flow-and-handoffs", "delivery-risk", "forecasts-and-bottlenecks"]


def saved_query(chart: dict) -> dict:
    return json.loads(chart["query_context"])


def with_period(query_context: dict, time_range: str) -> dict:
    """The chart's saved query as the dashboard sends it once the Period filter is set to time_range."""
    changed = json.loads(json.dumps(query_context))
    changed["force"] = True
    for query in changed["queries"]:
        query["time_range"] = time_range
        for condition in query["filters"]:
            if condition["op"] == "TEMPORAL_RANGE":
                condition["val"] = time_range
    return changed


def period_filter(metadata: dict) -> dict:
    [found] = [f for f in metadata["native_filter_configuration"] if f["filterType"] == "filter_time"]
    return found


def charts_in_scope(dashboard: dict, native_filter: dict) -> set[int]:
    """The dashboard's charts less those the filter excludes (the import maps `excluded` to the instance's
    chart ids, not `chartsInScope`)."""
    return set(dashboard["charts"]) - set(native_filter["scope"]["excluded"])


def test_every_dashboard_renders_its_charts(rendered, api, serving_file):
    assert [d["dashboard"] for d in rendered] == [*DASHBOARD_SLUGS, "data-quality"]
    drawn = {chart["name"] for d in rendered for chart in d["charts"]}
    assert len(drawn) == bundle_chart_count()
    may_be_empty = charts_over_empty_tables(api, serving_file)
    for dashboard in rendered:
        not_drawn = [c for c in dashboard["charts"] if c["loading"] or not c["visible"] or (
            (c["error"] or not c["marks"])
            and not (c["name"] in may_be_empty and "No results were returned" in c["error"]))]
        assert not_drawn == [], dashboard["dashboard"]
        for screenshot in map(Path, dashboard["screenshots"]):
            assert 60_000 < screenshot.stat().st_size < MAX_SCREENSHOT_BYTES  # a blank grid is ~30 kB


def test_every_dashboard_has_a_period_filter_beside_value_stream_and_team(dashboards):
    for slug in DASHBOARD_SLUGS:  # Data quality shows what the snapshot holds, not a period of it
        dashboard = dashboards[slug]
        filters = dashboard["metadata"]["native_filter_configuration"]
        assert [f["name"] for f in filters][:3] == ["Period", "Value stream", "Team"], slug
        period = period_filter(dashboard["metadata"])
        assert period["defaultDataMask"]["extraFormData"] == {"time_range": "Last 6 months"}
        assert len(charts_in_scope(dashboard, period)) >= 8, slug


def test_the_period_filter_reaches_every_chart_in_its_scope_and_changes_its_rows(api, dashboards, chart_details,
                                                                                rendered):
    sent = {int(chart_id): periods for d in rendered for chart_id, periods in d["requests"].items()}
    unchanged = []
    for slug in DASHBOARD_SLUGS:
        dashboard = dashboards[slug]
        for chart_id in sorted(charts_in_scope(dashboard, period_filter(dashboard["metadata"]))):
            # The browser asked for the chart with the default period (each query of a mixed chart)...
            assert sent.get(chart_id) and set(sent[chart_id]) == {"Last 6 months"}, (
                slug, chart_details[chart_id]["slice_name"])
            # ...and another period gives other rows: the six months before (the demo covers 12 months
            # up to a few weeks ago; a "latest items" chart shows the same rows for the last 6 months as for
            # all time, so all time is not the comparison).
            saved = saved_query(chart_details[chart_id])
            last_6_months = api.post("/api/v1/chart/data", with_period(saved, "Last 6 months"))["result"][0]
            six_before = api.post("/api/v1/chart/data", with_period(saved, PREVIOUS_6_MONTHS))["result"][0]
            if not last_6_months["data"] or six_before["data"] == last_6_months["data"]:
                unchanged.append(chart_details[chart_id]["slice_name"])
    assert unchanged == []


LINE_CHARTS = ("echarts_timeseries_line", "mixed_timeseries")  # a mixed chart: lines, and few-data dots
PERIOD_COLUMNS = ("period_start", "week_start")


def series_of(result: dict) -> list[str]:
    return [name for name in result["colnames"] if name not in PERIOD_COLUMNS]


def test_no_line_chart_draws_more_than_six_series(api, chart_details):
    crowded, dots_off_the_lines = {}, {}
    for chart_id, chart in chart_details.items():
        if chart["viz_type"] not in LINE_CHARTS:
            continue
        [lines, *dots] = api.get(f"/api/v1/chart/{chart_id}/data/")["result"]
        if len(series_of(lines)) > 6:
            crowded[chart["slice_name"]] = series_of(lines)
        # The few-data dots are drawn on the lines' own teams, never on a seventh.
        if dots and not set(series_of(dots[0])) <= set(series_of(lines)) - {"Others"}:
            dots_off_the_lines[chart["slice_name"]] = (series_of(lines), series_of(dots[0]))
    assert crowded == {} and dots_off_the_lines == {}


def drawn_texts(rendered: list[dict]) -> dict[str, set[str]]:
    return {chart["name"]: set(chart["texts"]) for d in rendered for chart in d["charts"]}


def test_every_rate_axis_stops_at_100_percent(chart_details, rendered):
    texts = drawn_texts(rendered)
    rate_charts = [c for c in chart_details.values()
                   if (c["viz_type"].startswith("echarts_timeseries") or c["viz_type"] == "mixed_timeseries")
                   and json.loads(c["params"]).get("y_axis_format", "").endswith("%")]
    assert len(rate_charts) == 4  # change failure rate, rework rate, flow efficiency, chance on time
    for chart in rate_charts:
        assert json.loads(chart["params"])["y_axis_bounds"] == [0, 1], chart["slice_name"]
        percents = [float(t.rstrip("%")) for t in texts[chart["slice_name"]] if re.fullmatch(r"-?\d+(\.\d+)?%", t)]
        assert percents and max(percents) == 100, (chart["slice_name"], sorted(percents))


FEW_DATA_DOTS = {  # line chart -> (mart, period column, the value drawn, the mart's few-data flag of that value)
    "Deployments per day by team": ("mart_dora__monthly", "period_start", "deployments_per_day", "is_few_data"),
    "Lead time for changes by team (median hours)": (
        "mart_dora__monthly", "period_start", "lead_time_median_hours", "is_few_data_lead_time"),
    "Change failure rate by team": ("mart_dora__monthly", "period_start", "change_failure_rate", "is_few_data"),
    "Failed deployment recovery time by team (median hours)": (
        "mart_dora__monthly", "period_start", "recovery_time_median_hours", "is_few_data_recovery"),
    "Rework rate by team": ("mart_dora__monthly", "period_start", "rework_rate", "is_few_data"),
    "Flow time by team (median hours)": ("mart_flow__weekly", "week_start", "flow_time_median_hours", "is_few_data"),
    "Flow efficiency by team": ("mart_flow__weekly", "week_start", "flow_efficiency", "is_few_data"),
    "Flow efficiency: change from the previous week by team (percentage points)": (
        "mart_flow__weekly", "week_start", "flow_efficiency_delta_pp", "is_few_data"),
    "Delivery lead time by team (median hours)": (
        "mart_flow__weekly", "week_start", "delivery_lead_time_median_hours", "is_few_data_delivery_lead_time"),
}


def few_data_points(serving_file: Path, teams: set[str], mart: str, period: str, column: str, flag: str) -> dict:
    """(period, team) -> value of the teams' periods the mart flags as few data, in the default Period (the
    last 6 months up to today)."""
    import duckdb

    grain = "and grain = 'team'" if mart.startswith("mart_dora") else ""
    with duckdb.connect(str(serving_file), read_only=True) as con:
        return {(start.isoformat(), team): value for start, team, value in con.execute(
            f"select {period}, team, {column} from marts.{mart} where {flag} and {column} is not null {grain} "
            f"and {period} >= current_date - interval 6 month and {period} < current_date").fetchall()
            if team in teams}


def test_line_charts_mark_the_few_data_periods_of_each_team(api, chart_details, rendered, serving_file):
    """Every line chart of a sampled value (a median, a rate, a per-day count) draws a large dot on a team's
    line where the mart flags that team's period as few data: on the line's own value, for the teams drawn,
    never on Others (the highest of several teams). The legend names them 'few data, <team>'."""
    texts = drawn_texts(rendered)
    lines_with_dots = {c["slice_name"]: c for c in chart_details.values() if c["viz_type"] == "mixed_timeseries"}
    assert set(lines_with_dots) == set(FEW_DATA_DOTS)
    dots_drawn = 0
    for name, (mart, period, column, flag) in FEW_DATA_DOTS.items():
        lines, dots = api.post("/api/v1/chart/data", with_period(saved_query(lines_with_dots[name]), "Last 6 months"))[
            "result"]
        teams = set(series_of(lines)) - {"Others"}
        on_lines = {(epoch_or_iso_date(row[period]), team): row[team] for row in lines["data"] for team in teams}
        drawn = {(epoch_or_iso_date(row[period]), team): row[team] for row in dots["data"] for team in series_of(dots)
                 if row[team] is not None}
        assert drawn == pytest.approx(few_data_points(serving_file, teams, mart, period, column, flag)), name
        assert all(on_lines[point] == value for point, value in drawn.items()), name
        assert {f"few data, {team}" for _, team in drawn} <= texts[name], name
        dots_drawn += len(drawn)
    assert dots_drawn > 0  # the demo has teams under 5 deployments a month and 5 items a week


def test_the_records_under_no_mapping_caption_is_readable(rendered):
    captions = [c for d in rendered for c in d["charts"] if c["name"] == "Records under no mapping"]
    assert len(captions) >= 5 and all(c["smallest_text_px"] >= 12 for c in captions), [
        c["smallest_text_px"] for c in captions]


CATEGORY_AXES = {  # chart -> the result columns whose values are its category labels
    "Phase handoffs: count from phase to phase": ["from_value", "to_value"],
    "Team handoffs: count from team to team": ["from_value", "to_value"],
    "Signals raised per team and week": ["team"],
    "Time in each phase (total hours, all items)": ["delivery_phase"],
    "Work items by current phase and team": ["current_phase"],
}


def test_every_category_label_of_heatmaps_and_bar_charts_is_drawn(api, chart_details, rendered):
    texts = drawn_texts(rendered)
    sent_period = "Last 6 months"
    missing = {}
    for chart in chart_details.values():
        if chart["slice_name"] not in CATEGORY_AXES:
            continue
        saved = saved_query(chart)
        has_period = any(f["op"] == "TEMPORAL_RANGE" for q in saved["queries"] for f in q["filters"])
        query = with_period(saved, sent_period) if has_period else saved
        rows = api.post("/api/v1/chart/data", query)["result"][0]["data"]
        labels = {str(row[column]) for row in rows for column in CATEGORY_AXES[chart["slice_name"]]
                  if column in row and row[column] is not None}
        assert labels, chart["slice_name"]
        if labels - texts[chart["slice_name"]]:
            missing[chart["slice_name"]] = sorted(labels - texts[chart["slice_name"]])
    assert missing == {}


def test_every_chart_has_a_plain_description_with_a_link_to_its_definition(dashboards, chart_details):
    on_dashboards = {chart_id for d in dashboards.values() for chart_id in d["charts"]}
    assert len(on_dashboards) == bundle_chart_count()
    for chart_id in on_dashboards:
        description = chart_details[chart_id]["description"] or ""
        assert re.search(r"\[Definition\]\(\S+\.md(#[a-z-]+)?\)$", description), chart_details[chart_id]["slice_name"]
        assert "mart_" not in description and len(description) > 60


def drill_down_cell(serving_file: Path) -> tuple[str, str]:
    """A team and month with failed deployments and most deployments: a change failure rate cell worth opening."""
    import duckdb

    with duckdb.connect(str(serving_file), read_only=True) as con:
        team, month = con.execute(
            "select grain_key, strftime(period_start, '%Y-%m') from marts.mart_dora__monthly "
            "where grain = 'team' and failed_deployment_count > 0 "
            "order by deployment_count desc, period_start desc limit 1"
        ).fetchone()
    return team, month


def explain_rows(serving_file: Path, metric: str, team: str, month: str) -> list[dict]:
    delivery = REPOSITORY / ".venv" / "bin" / "delivery"
    out = subprocess.run([str(delivery), "explain", metric, "--team", team, "--month", month, "--format", "csv",
                          "--warehouse", str(serving_file)], check=True, capture_output=True, text=True, timeout=300)
    return list(csv.DictReader(io.StringIO(out.stdout)))


def test_the_drill_down_from_a_cell_lists_the_rows_delivery_explain_lists(api, dashboards, chart_details,
                                                                          serving_file):
    team, month = drill_down_cell(serving_file)
    [chart_id] = [i for i in dashboards["dora-overview"]["charts"]
                  if chart_details[i]["slice_name"] == "Rows behind a number (DORA overview)"]
    # The dashboard's filters, set to the cell: Metric, Team and the month as the Period.
    first_day = f"{month}-01"
    next_month = (date.fromisoformat(first_day) + timedelta(days=32)).replace(day=1).isoformat()
    query = with_period(saved_query(chart_details[chart_id]), f"{first_day} : {next_month}")
    query["queries"][0]["filters"] += [{"col": "metric", "op": "IN", "val": ["change_failure_rate"]},
                                       {"col": "team", "op": "IN", "val": [team]}]
    rows = api.post("/api/v1/chart/data", query)["result"][0]["data"]
    key = ("role", "fact_key", "source_record_id", "source_file", "dlt_load_id")
    shown = sorted(tuple(str(row[k]) for k in key) for row in rows)
    explained = sorted(tuple(row[k] for k in key) for row in explain_rows(serving_file, "change_failure_rate", team, month))
    # explain lists the month's failed deployments (numerator) and every deployment (denominator).
    assert {row[0] for row in explained} == {"numerator", "denominator"}
    assert shown == explained


def test_every_dashboard_header_says_what_the_data_covers_and_what_no_mapping_names(api, dashboards, chart_details,
                                                                                     serving_file):
    import duckdb

    with duckdb.connect(str(serving_file), read_only=True) as con:
        # The hand count: every mapping gap's records, and the organisation's coverage rows.
        gap_records = con.execute("select sum(records_affected) from marts.mart_data_quality__mapping_gaps").fetchone()[0]
        coverage_rows = con.execute("select count(*) from marts.mart_data_coverage where source_tool = 'all'").fetchone()[0]
    for slug, dashboard in dashboards.items():
        names = {chart_details[i]["slice_name"]: i for i in dashboard["charts"]}
        assert {"Dates the data covers (organisation)", "Records under no mapping"} <= set(names), slug
        gaps = api.get(f"/api/v1/chart/{names['Records under no mapping']}/data/")["result"][0]["data"]
        assert list(gaps[0].values()) == [gap_records or 0]
        coverage = api.get(f"/api/v1/chart/{names['Dates the data covers (organisation)']}/data/")["result"][0]
        assert coverage["rowcount"] == coverage_rows > 0
        assert "/superset/dashboard/data-quality/" in chart_details[names["Records under no mapping"]]["description"]


TIER_COLOURS = {  # the tier cells' backgrounds (bi/superset/assets/datasets/.../mart_dora__monthly.yaml)
    "elite": "rgb(26, 152, 80)", "high": "rgb(166, 217, 106)", "medium": "rgb(254, 224, 139)", "low": "rgb(215, 48, 39)",
}
TIER_COLUMNS = {  # tier -> the few-data flag of its sample
    "deployment_frequency_tier": "is_few_data", "lead_time_tier": "is_few_data_lead_time",
    "change_failure_rate_tier": "is_few_data", "recovery_time_tier": "is_few_data_recovery",
}


def test_tier_cells_are_coloured_by_their_tier_and_marked_when_few_data(rendered, serving_file):
    import duckdb

    [cells] = [c["tiers"] for d in rendered for c in d["charts"] if c["name"] == "DORA tiers by team and month"]
    # Every cell drawn in its tier's colour, its text the tier's name (and "(few data)" under the minimum).
    wrong = [c for c in cells if c["background"] != TIER_COLOURS[c["text"].split()[0]]]
    assert cells and wrong == []
    # The cells drawn are the team-months of the default period, "Last 6 months" (today - 6 months up to
    # today), counted from the mart: each tier with "(few data)" where the flag of its sample is set.
    with duckdb.connect(str(serving_file), read_only=True) as con:
        expected = [text for column, flag in TIER_COLUMNS.items() for (text,) in con.execute(
            f"select {column} || case when {flag} then ' (few data)' else '' end from marts.mart_dora__monthly "
            f"where grain = 'team' and {column} is not null "
            "and period_start >= current_date - interval 6 month and period_start < current_date").fetchall()]
    assert sorted(c["text"] for c in cells) == sorted(expected)
    assert any(text.endswith("(few data)") for text in expected)  # the demo has teams under 5 a month


def test_rate_changes_are_in_percentage_points(api, chart_details, serving_file):
    """The value stream table's change of a rate is the difference of the two months' rates x 100, each rate
    recomputed here from its counts (failed / deployed, unplanned fixes / deployed)."""
    import duckdb

    [chart] = [c for c in chart_details.values() if c["slice_name"] == "DORA metrics by value stream and month"]
    rows = api.post("/api/v1/chart/data", with_period(saved_query(chart), "No filter"))["result"][0]["data"]
    with duckdb.connect(str(serving_file), read_only=True) as con:
        counts = {(stream, start): (failed, fixes, deployed) for stream, start, failed, fixes, deployed in con.execute(
            "select grain_key, period_start, failed_deployment_count, unplanned_fix_count, deployment_count "
            "from marts.mart_dora__monthly where grain = 'value_stream'").fetchall()}
    checked = 0
    for row in rows:
        start = (datetime.fromtimestamp(row["period_start"] / 1000, tz=UTC).date()  # epoch milliseconds
                 if isinstance(row["period_start"], int | float) else date.fromisoformat(str(row["period_start"])[:10]))
        before = (start - timedelta(days=1)).replace(day=1)
        now, then = counts[(row["value_stream"], start)], counts.get((row["value_stream"], before))
        if not then or not now[2] or not then[2]:
            assert row["change failure rate, change in pp"] is None
            continue
        assert row["change failure rate, change in pp"] == pytest.approx((now[0] / now[2] - then[0] / then[2]) * 100)
        assert row["rework rate, change in pp"] == pytest.approx((now[1] / now[2] - then[1] / then[2]) * 100)
        assert row["change failure rate, percent"] == pytest.approx(100 * now[0] / now[2])
        checked += 1
    assert checked >= 10  # three value streams, a year of months


def epoch_or_iso_date(value) -> str | None:
    """A DATE as the chart data API sends it (epoch milliseconds, or an ISO string), as 'YYYY-MM-DD'."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, tz=UTC).date().isoformat()
    return str(value)[:10]


def test_the_forecasts_dashboard_draws_every_chart_and_shows_the_marts_rows(rendered, api, dashboards,
                                                                            chart_details, serving_file):
    import duckdb

    slug = "forecasts-and-bottlenecks"
    [report] = [d for d in rendered if d["dashboard"] == slug]
    on_dashboard = {chart_details[i]["slice_name"] for i in dashboards[slug]["charts"]}
    drawn = {c["name"] for c in report["charts"] if c["visible"] and not c["loading"] and c["marks"] and not c["error"]}
    assert len(on_dashboard) == 15 and drawn == on_dashboard  # 12 of its own, the header's 3 (all with rows)
    assert [Path(p).name for p in report["screenshots"]] == [
        f"superset-{slug}.png", f"superset-{slug}-aging-work-in-progress.png", f"superset-{slug}-bottlenecks.png"]

    charts = {chart["slice_name"]: chart for chart in chart_details.values()}
    # The backlog table shows the mart's rows as they are: each team's completion dates at 50..95 %.
    table = api.post("/api/v1/chart/data", saved_query(charts["When each backlog is done (50, 70, 85 and 95 % sure)"]))
    dates = ("p50_completion_date", "p70_completion_date", "p85_completion_date", "p95_completion_date")
    shown = sorted((row["scope_type"], row["scope_key"], row["remaining_item_count"],
                    *(epoch_or_iso_date(row[d]) for d in dates)) for row in table["result"][0]["data"])
    # The chance on time per epic is the mart's value of the epic's newest week (all weeks: "No filter").
    bars = api.post("/api/v1/chart/data", with_period(
        saved_query(charts["Chance each epic is done by its due date"]), "No filter"))["result"][0]["data"]
    with duckdb.connect(str(serving_file), read_only=True) as con:
        backlog = sorted((kind, key, left, *(d.isoformat() if d else None for d in found)) for kind, key, left, *found
                         in con.execute(f"select scope_type, scope_key, remaining_item_count, {', '.join(dates)} "
                                        "from marts.mart_backlog_forecast").fetchall())
        newest = dict(con.execute(
            "select epic_key, probability_on_time from marts.mart_epic_forecast__weekly where due_date is not null "
            "qualify week_start = max(week_start) over (partition by epic_key)").fetchall())
    assert shown == backlog and len(backlog) >= 3
    # Floats as stored (JSON keeps every digit of a double); None where the epic's newest week has no chance.
    assert {row["epic_key"]: row["chance on time"] for row in bars} == newest
    assert any(p is not None for p in newest.values())
