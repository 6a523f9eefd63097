"""`delivery report` on a real serving file: the session's small demo organisation (scale 0.2), loaded
with dlt, built and tested with dbt and published, as a run would (tests/conftest.py, `demo_serving`).

The page must show the mart rows as they are (values, tiers, flag reasons, late epics) and must render
in headless Chromium: every chart an SVG with real marks, and a screenshot that is not blank.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import re
import shlex
import shutil
import struct
import subprocess
import zlib
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import numpy as np
import pytest
from typer.testing import CliRunner

from orchestration.cli import app
from tests.conftest import query
from tests.limits import HANG_SECONDS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-quic", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
]  # fmt: skip
SCREEN = (1280, 1200)
PUBLISHED_DAY = "(SELECT CAST(published_at AS DATE) FROM meta.snapshot)"
# Charts on the page: five DORA trends; per team its lead time chart and five flow charts; the risk strip;
# the forecasts' chance of being on time.
CHARTS_PER_TEAM = 1 + 5
DORA_TIERS = ("deployment_frequency", "lead_time", "change_failure_rate", "recovery_time")
FLOW_COLUMNS = (
    "items_done", "flow_time_median_hours", "flow_time_p85_hours", "flow_load", "flow_efficiency",
    "delivery_lead_time_median_hours", "items_delivered",
)  # fmt: skip
MART_COLUMN = {
    "deployment_frequency": "deployments_per_day",
    "lead_time": "lead_time_median_hours",
    "change_failure_rate": "change_failure_rate",
    "recovery_time": "recovery_time_median_hours",
    "rework_rate": "rework_rate",
}


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory):
    """Runs Debian's Chromium headless, each time with a fresh profile; fails when it is missing."""
    if not CHROMIUM.is_file():
        pytest.fail(f"Chromium is missing ({CHROMIUM}): run `make browser` to install it.")

    def run(*arguments: str) -> subprocess.CompletedProcess:
        profile = tmp_path_factory.mktemp("chromium-profile")
        return subprocess.run(
            [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *arguments],
            capture_output=True, text=True, timeout=HANG_SECONDS, check=False,
        )  # fmt: skip

    return run


# --- the page shows the marts' rows ----------------------------------------------------------------


def test_the_header_names_the_snapshot(serving: Path, page: str) -> None:
    [(snapshot_id, published_at, raw, dbt)] = query(
        serving, "SELECT snapshot_id, published_at, raw_fingerprint, dbt_fingerprint FROM meta.snapshot"
    )
    assert element_text(page, "dd", id="snapshot-id") == [snapshot_id]
    assert element_text(page, "dd", id="published-at") == [f"{published_at:%Y-%m-%d %H:%M} UTC"]
    assert element_text(page, "dd", id="raw-fingerprint") == [raw]
    assert element_text(page, "dd", id="dbt-fingerprint") == [dbt]


def test_the_header_says_when_the_snapshot_is_demo_data(serving: Path, page: str, tmp_path: Path) -> None:
    # The session's snapshot was published from the demo's exports only, as `delivery demo` wrote them.
    assert query(serving, "SELECT demo_data FROM meta.snapshot") == [(True,)]
    [banner] = element_text(page, "p", id="demo-data")
    assert banner.startswith("Demo data.")
    # The same snapshot, as if built from an organisation's own exports: no banner.
    own = tmp_path / "serving.duckdb"
    shutil.copyfile(serving, own)
    with duckdb.connect(str(own)) as con:
        con.execute("UPDATE meta.snapshot SET demo_data = false")
    result = CliRunner().invoke(app, ["report", "--serving", str(own)])
    assert result.exit_code == 0, result.output
    assert element_text((tmp_path / "report.html").read_text(), "p", id="demo-data") == []


def test_dora_overview_shows_the_latest_complete_month_with_its_tiers(serving: Path, page: str) -> None:
    # Complete: ended by the day of publish. The demo's year ends in October 2026.
    [(month,)] = query(
        serving,
        f"SELECT coalesce(max(period_start) FILTER (WHERE period_end <= {PUBLISHED_DAY}), max(period_start)) "
        "FROM marts.mart_dora__monthly",
    )
    assert attributes_of(page, "p", id="dora-month")[0]["data-period-start"] == month.isoformat()
    rows = mart_rows(serving, "SELECT * FROM marts.mart_dora__monthly WHERE period_start = ?", [month])
    assert len(table_rows(page, "dora")) == len(rows)
    assert {row["grain"] for row in rows} == {"organisation", "value_stream", "team"}
    for row in rows:
        cells = dora_cells(page, row["grain"], row["grain_key"])
        for metric, column in MART_COLUMN.items():
            assert cells[metric]["value"] == row[column], (row["grain_key"], metric)
        for metric in DORA_TIERS:
            assert cells[metric]["tier"] == row[f"{metric}_tier"], (row["grain_key"], metric)

    [payments] = [row for row in rows if row["grain_key"] == "payments"]
    shown = dora_cells(page, "team", "payments")
    assert shown["lead_time"]["tier"] == payments["lead_time_tier"] is not None
    assert shown["lead_time"]["text"].startswith(f"{payments['lead_time_median_hours']:.0f} h ")
    assert shown["deployment_frequency"]["text"].startswith(f"{payments['deployments_per_day']:.2f}/day ")


def test_flow_overview_shows_each_teams_latest_complete_week(serving: Path, page: str) -> None:
    [(week,)] = query(
        serving,
        "SELECT coalesce(max(week_start) FILTER (WHERE week_start + INTERVAL 7 DAY <= "
        f"{PUBLISHED_DAY}), max(week_start)) FROM marts.mart_flow__weekly",
    )
    assert attributes_of(page, "p", id="flow-week")[0]["data-week-start"] == week.isoformat()
    mart = {
        row["team"]: row
        for row in mart_rows(serving, "SELECT * FROM marts.mart_flow__weekly WHERE week_start = ?", [week])
    }
    shown = {row.attrs["data-team"]: cells_by_column(row) for row in table_rows(page, "flow")}
    assert set(shown) == set(mart)
    for team, cells in shown.items():
        for column in FLOW_COLUMNS:
            value = mart[team][column]
            assert cells[column].attrs.get("data-value") == (None if value is None else exact(value)), (
                team,
                column,
            )
        shares = {
            span.attrs["data-item"]: float(span.attrs["data-value"])
            for span in cells["flow_distribution"].find_all("span")
        }
        expected = {item: mart[team][f"{item}_share"] for item in ("feature", "defect", "risk", "debt")}
        assert shares == {item: share for item, share in expected.items() if share}, team


def test_risk_flags_show_the_payments_slowdown_before_its_release(serving: Path, page: str) -> None:
    flagged = mart_rows(serving, "SELECT * FROM marts.mart_delivery_risk__weekly WHERE is_flagged")
    shown = {
        (row.attrs["data-team"], date.fromisoformat(row.attrs["data-week"])): cells_by_column(row)
        for row in table_rows(page, "flagged")
    }
    assert set(shown) == {(row["team"], row["week_start"]) for row in flagged}
    for row in flagged:
        cells = shown[(row["team"], row["week_start"])]
        assert cells["signals_raised"].text == str(row["signals_raised"])
        assert cells["flag_reasons"].attrs["data-value"] == row["flag_reasons"]
        # One line per reason, each worded as the mart words it (it separates them with semicolons).
        listed = [item.text for item in cells["flag_reasons"].find_all("li")]
        assert listed == [part.strip() for part in row["flag_reasons"].split(";") if part.strip()]

    # The planted story: payments drags from mid-May to its release of 2026-06-30, and is flagged for it.
    june = [
        week for team, week in shown if team == "payments" and date(2026, 6, 1) <= week <= date(2026, 6, 29)
    ]
    assert june, "payments should be flagged in the weeks before its release of 30 June"


def test_late_epics_show_the_marts_forecasts(serving: Path, page: str) -> None:
    late_now = mart_rows(
        serving,
        "SELECT * FROM marts.mart_epic_forecast__weekly WHERE is_forecast_late "
        "AND week_start = (SELECT max(week_start) FROM marts.mart_epic_forecast__weekly)",
    )
    first_flags = mart_rows(
        serving,
        "SELECT epic_key, min(week_start) AS week_start FROM marts.mart_epic_forecast__weekly "
        "WHERE is_forecast_late GROUP BY epic_key",
    )
    assert first_flags, "the demo has epics forecast late"
    shown_now = {row.attrs["data-epic"]: cells_by_column(row) for row in table_rows(page, "late-now")}
    assert set(shown_now) == {row["epic_key"] for row in late_now}
    for row in late_now:
        assert shown_now[row["epic_key"]]["risk_reason"].text == row["risk_reason"]
        assert shown_now[row["epic_key"]]["due_date"].attrs["data-value"] == str(row["due_date"])
    shown_first = {row.attrs["data-epic"]: cells_by_column(row) for row in table_rows(page, "late-first")}
    assert {epic: cells["week_start"].attrs["data-value"] for epic, cells in shown_first.items()} == {
        row["epic_key"]: str(row["week_start"]) for row in first_flags
    }


def test_the_header_says_which_dates_the_data_covers_and_the_mapping_gaps(serving: Path, page: str) -> None:
    # The dates of every fact, every tool together, as mart_data_coverage gives them.
    [(first, last)] = query(
        serving,
        "SELECT min(first_event_date), max(last_event_date) FROM marts.mart_data_coverage WHERE source_tool = 'all'",
    )
    assert element_text(page, "dd", id="data-covers") == [f"{first:%Y-%m-%d} to {last:%Y-%m-%d}"]
    facts = {row.attrs["data-fact"] for row in table_rows(page, "coverage")}
    assert facts == {"fct_deployments", "fct_changes", "fct_incidents", "fct_work_items", "fct_handoffs"}
    # The demo organisation is fully mapped: no gap, and the header says so.
    assert query(serving, "SELECT count(*) FROM marts.mart_data_quality__mapping_gaps") == [(0,)]
    assert element_text(page, "p", id="mapping-gaps") == ["Mapping gaps: none. Every record counts under its team."]


def test_the_header_counts_the_mapping_gaps_and_the_records_they_affect(serving: Path, tmp_path: Path) -> None:
    # The same snapshot with two gaps written into its mart: 5 deployments of an unmapped repository, and
    # 3 items of an unmapped project: 2 gaps, 5 + 3 = 8 records.
    gapped = tmp_path / "serving.duckdb"
    shutil.copyfile(serving, gapped)
    with duckdb.connect(str(gapped)) as con:
        con.execute(
            "INSERT INTO marts.mart_data_quality__mapping_gaps (mapping_gap_id, mapping_kind, unmapped_value, "
            "records_affected, fallback_used, mapping_file) VALUES "
            "('g1', 'repository_team', 'acme/legacy', 5, 'unmapped', 'repository_teams.csv'), "
            "('g2', 'jira_project_team', 'OPS', 3, 'unmapped', 'jira_project_teams.csv')"
        )
    result = CliRunner().invoke(app, ["report", "--serving", str(gapped)])
    assert result.exit_code == 0, result.output
    written = (tmp_path / "report.html").read_text()
    [gaps] = attributes_of(written, "p", id="mapping-gaps")
    assert (gaps["data-gaps"], gaps["data-records"]) == ("2", "8")
    assert element_text(written, "p", id="mapping-gaps")[0].startswith("2 mapping gaps affecting 8 records")
    assert [row.attrs["data-kind"] for row in table_rows(written, "gaps")] == ["repository_team", "jira_project_team"]


def test_dora_cells_mark_few_data_show_rate_changes_in_points_and_label_the_total(serving: Path, page: str) -> None:
    [month] = {date.fromisoformat(a["data-period-start"]) for a in attributes_of(page, "p", id="dora-month")}
    rows = mart_rows(serving, "SELECT * FROM marts.mart_dora__monthly WHERE period_start = ?", [month])
    previous = {
        (row["grain"], row["grain_key"]): row
        for row in mart_rows(serving, "SELECT * FROM marts.mart_dora__monthly WHERE period_end = ?", [month])
    }
    few = 0
    for row in rows:
        [tr] = [r for r in table_rows(page, "dora") if r.attrs == {"data-grain": row["grain"], "data-key": row["grain_key"]}]
        cells = {c.attrs["data-metric"]: c for c in tr.children if c.tag == "td"}
        # marked when the mart flags it, and the cell has a value to read with care
        for metric in ("deployment_frequency", "change_failure_rate", "rework_rate"):
            expected = row["is_few_data"] and row[MART_COLUMN[metric]] is not None
            assert ("few-data-cell" in cells[metric].classes()) == expected, (row["grain_key"], metric)
        expected = row["is_few_data_recovery"] and row["recovery_time_median_hours"] is not None
        assert ("few-data-cell" in cells["recovery_time"].classes()) == expected, row["grain_key"]
        few += row["is_few_data"]
        # A rate's change is the difference of the two months' rates, in percentage points.
        before = previous.get((row["grain"], row["grain_key"]))
        deltas = [s.attrs["data-delta-points"] for s in cells["change_failure_rate"].find_all("span")
                  if "data-delta-points" in s.attrs]
        if before and row["change_failure_rate"] is not None and before["change_failure_rate"] is not None:
            assert deltas == [repr((row["change_failure_rate"] - before["change_failure_rate"]) * 100)]
        else:
            assert deltas == []
    # the demo has teams under 5 deployments a month, and the organisation above it
    assert 0 < few < len(rows)
    [organisation] = [r for r in table_rows(page, "dora") if r.attrs.get("data-grain") == "organisation"]
    assert organisation.children[0].text == "Organisation (total)"


def test_each_cell_gives_the_explain_command_that_reproduces_it(serving: Path, page: str) -> None:
    [month] = {date.fromisoformat(a["data-period-start"]) for a in attributes_of(page, "p", id="dora-month")}
    [tr] = [r for r in table_rows(page, "dora") if r.attrs == {"data-grain": "team", "data-key": "payments"}]
    [rate_cell] = [c for c in tr.children if c.tag == "td" and c.attrs["data-metric"] == "change_failure_rate"]
    command = rate_cell.attrs["data-explain"]
    assert command == f"delivery explain change_failure_rate --team payments --month {month:%Y-%m}"
    # the same command, folded under the value, to copy
    assert [code.text for code in rate_cell.find_all("code")] == [command]
    # Run it on this serving file: its rows are the cell's failed deployments over its deployments.
    [row] = mart_rows(
        serving,
        "SELECT * FROM marts.mart_dora__monthly WHERE grain = 'team' AND grain_key = 'payments' AND period_start = ?",
        [month],
    )
    result = CliRunner().invoke(app, [*shlex.split(command)[1:], "--warehouse", str(serving), "--format", "csv"])
    assert result.exit_code == 0, result.output
    members = list(csv.DictReader(io.StringIO(result.stdout)))
    roles = [member["role"] for member in members]
    assert (roles.count("numerator"), roles.count("denominator")) == (
        row["failed_deployment_count"], row["deployment_count"]
    )
    # a flow cell: the team's week
    [flow_row] = table_rows(page, "flow")[:1]
    team, week = flow_row.attrs["data-team"], attributes_of(page, "p", id="flow-week")[0]["data-week-start"]
    assert cells_by_column(flow_row)["items_done"].attrs["data-explain"] == (
        f"delivery explain items_done --team {shlex.quote(team)} --week {week}"
    )


def test_the_page_needs_nothing_from_elsewhere(page: str) -> None:
    assert "<script" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "url(" not in page


# --- the page renders in a browser -----------------------------------------------------------------


def test_every_chart_renders_with_real_marks(serving: Path, page: str, chromium) -> None:
    result = chromium("--dump-dom", "--virtual-time-budget=2000", serving.with_name("report.html").as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert "<h1>Delivery report</h1>" in dom

    teams = query(serving, "SELECT count(DISTINCT team) FROM marts.mart_flow__weekly")[0][0]
    svgs = charts_in(dom)
    assert len(svgs) == len(charts_in(page)) == 5 + CHARTS_PER_TEAM * teams + 1 + 1
    for svg in svgs:
        label, kind = svg.attrs["aria-label"], svg.classes()
        assert "chart-empty" not in kind, f"{label}: drawn without data"
        marks = marks_of(svg)
        assert marks, f"{label}: no marks"
        for mark in marks:
            assert_real_geometry(mark, label)
        # A line chart draws lines, and dots for values without a neighbour; the others draw bars or cells.
        expected = {"path", "circle"} if "chart-line" in kind else {"rect"}
        assert {m.tag for m in marks} <= expected, f"{label}: {sorted({m.tag for m in marks})}"
    assert sum(m.tag == "path" for svg in svgs for m in marks_of(svg)) >= len(svgs) // 2


def test_a_screenshot_of_the_page_is_not_blank(serving: Path, page: str, chromium, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    result = chromium(
        f"--screenshot={shot}",
        f"--window-size={SCREEN[0]},{SCREEN[1]}",
        serving.with_name("report.html").as_uri(),
    )
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    width, height, pixels = decode_png(shot.read_bytes())
    assert (width, height) == SCREEN
    _, counts = np.unique(pixels, return_counts=True)
    # Text, tier badges and chart lines in many colours; the page background far from all of it.
    background_share = counts.max() / pixels.size
    assert len(counts) > 50 and background_share < 0.95, (len(counts), background_share)


def mart_rows(serving: Path, sql: str, params: list | None = None) -> list[dict]:
    with duckdb.connect(str(serving), read_only=True) as con:
        cursor = con.execute(sql, params or [])
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


# --- reading the page ---------------------------------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element] = field(default_factory=list)
    text_parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join("".join(self.text_parts).split())

    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def find_all(self, tag: str, **attributes: str) -> list[Element]:
        """Descendants with that tag and those attributes (`data_key` stands for `data-key`)."""
        wanted = {name.replace("_", "-"): value for name, value in attributes.items()}
        found = []
        for child in self.children:
            if child.tag == tag and all(child.attrs.get(k) == v for k, v in wanted.items()):
                found.append(child)
            found.extend(child.find_all(tag, **attributes))
        return found


VOID_TAGS = frozenset({"meta", "br", "img", "input", "link", "hr"})


class TreeBuilder(HTMLParser):
    """The page as a tree of elements, each with its text (HTML's void tags never wait for an end tag)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("document", {})
        self.open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.open[-1].children.append(element)
        if tag not in VOID_TAGS:
            self.open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open[-1].children.append(Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if any(element.tag == tag for element in self.open[1:]):
            while self.open.pop().tag != tag:
                pass

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element.text_parts.append(data)


@functools.lru_cache(maxsize=4)
def parse(html: str) -> Element:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def element_text(html: str, tag: str, **attributes: str) -> list[str]:
    return [element.text for element in parse(html).find_all(tag, **attributes)]


def attributes_of(html: str, tag: str, **attributes: str) -> list[dict[str, str]]:
    return [element.attrs for element in parse(html).find_all(tag, **attributes)]


def table_rows(html: str, table_class: str) -> list[Element]:
    """The body rows of the table with that class."""
    [table] = [t for t in parse(html).find_all("table") if table_class in t.classes()]
    [body] = table.find_all("tbody")
    return [row for row in body.children if row.tag == "tr" and row.attrs]


def cells_by_column(row: Element) -> dict[str, Element]:
    return {cell.attrs["data-column"]: cell for cell in row.children if cell.tag == "td"}


def dora_cells(html: str, grain: str, key: str) -> dict[str, dict]:
    """Per metric of one row of the DORA table: the exact value it keeps, its tier and its text."""
    [row] = [r for r in table_rows(html, "dora") if r.attrs == {"data-grain": grain, "data-key": key}]
    cells = {}
    for cell in (c for c in row.children if c.tag == "td"):
        tiers = [span.attrs["data-tier"] for span in cell.find_all("span") if "data-tier" in span.attrs]
        raw = cell.attrs.get("data-value")
        cells[cell.attrs["data-metric"]] = {
            "value": None if raw is None else float(raw),
            "tier": tiers[0] if tiers else None,
            "text": cell.text,
        }
    return cells


def exact(value: object) -> str:
    """How the page keeps a mart value in `data-value`."""
    return repr(value) if isinstance(value, float) else str(value)


def charts_in(html: str) -> list[Element]:
    return [svg for svg in parse(html).find_all("svg") if "chart" in svg.classes()]


def marks_of(svg: Element) -> list[Element]:
    return [e for tag in ("path", "rect", "circle") for e in svg.find_all(tag) if "mark" in e.classes()]


def assert_real_geometry(mark: Element, label: str) -> None:
    """Every coordinate of a mark is a finite number, and a bar has a size."""
    if mark.tag == "path":
        path = mark.attrs["d"]
        numbers = re.findall(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|nan|inf", path, flags=re.IGNORECASE)
        assert path.startswith("M") and len(numbers) >= 4, f"{label}: path {path!r}"
        values = [float(n) for n in numbers]
    else:
        names = {"rect": ("x", "y", "width", "height"), "circle": ("cx", "cy", "r")}[mark.tag]
        values = [float(mark.attrs[name]) for name in names]
    assert all(math.isfinite(v) for v in values), f"{label}: {mark.tag} {mark.attrs}"
    if mark.tag == "rect":
        assert values[2] > 0 and values[3] > 0, f"{label}: empty bar {mark.attrs}"


# --- reading the screenshot ---------------------------------------------------------------------------


def decode_png(data: bytes) -> tuple[int, int, np.ndarray]:
    """Width, height and pixels (one integer per colour) of an 8-bit RGB or RGBA PNG, as Chromium writes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    chunks: dict[bytes, list[bytes]] = {}
    offset = 8
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        chunks.setdefault(kind, []).append(data[offset + 8 : offset + 8 + length])
        offset += 12 + length
    width, height, depth, colour_type = struct.unpack(">IIBB", chunks[b"IHDR"][0][:10])
    assert depth == 8 and colour_type in (2, 6), (depth, colour_type)
    size = 3 if colour_type == 2 else 4
    raw = np.frombuffer(zlib.decompress(b"".join(chunks[b"IDAT"])), dtype=np.uint8).reshape(height, -1)
    image = np.zeros((height, width * size), dtype=np.uint8)
    previous = image[0] * 0
    for y, filtered in enumerate(raw):
        image[y] = previous = unfilter(int(filtered[0]), filtered[1:], previous, size)
    channels = image.reshape(height * width, size).astype(np.uint32)
    return width, height, sum(channels[:, c] << (8 * c) for c in range(size))


def unfilter(kind: int, line: np.ndarray, up: np.ndarray, size: int) -> np.ndarray:
    """Undo one scanline's PNG filter: none, sub, up, average or Paeth."""
    if kind == 0:
        return line
    if kind == 1:
        return np.cumsum(line.reshape(-1, size), axis=0, dtype=np.uint8).ravel()  # wraps modulo 256, as PNG
    if kind == 2:
        return line + up
    out, above = line.tolist(), up.tolist()
    for i in range(len(out)):  # average and Paeth read the byte just decoded: one byte at a time
        left = out[i - size] if i >= size else 0
        if kind == 3:
            out[i] = (out[i] + (left + above[i]) // 2) & 0xFF
            continue
        up_left = above[i - size] if i >= size else 0
        estimate = left + above[i] - up_left
        distances = (abs(estimate - left), abs(estimate - above[i]), abs(estimate - up_left))
        out[i] = (out[i] + (left, above[i], up_left)[distances.index(min(distances))]) & 0xFF
    return np.array(out, dtype=np.uint8)
