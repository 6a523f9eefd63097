"""The report as one HTML page: a header with the snapshot, then the DORA, flow and risk sections.

Nothing on the page is fetched: no scripts, fonts or images from elsewhere, so the file opens anywhere.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path

from orchestration.cli.report.coverage import covered_text, data_section, gaps_summary
from orchestration.cli.report.dora import dora_section
from orchestration.cli.report.flow import flow_section
from orchestration.cli.report.forecasts import forecasts_section
from orchestration.cli.report.queries import ReportData
from orchestration.cli.report.risk import risk_section
from orchestration.cli.report.style import CSS


def render_page(data: ReportData, source: Path) -> str:
    """The whole page as a string."""
    published = _published(data.snapshot["published_at"])
    body = "\n".join(
        [
            _header(data, source), dora_section(data), flow_section(data), risk_section(data),
            forecasts_section(data.forecasts), data_section(data), _footer(source),
        ]
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Delivery report · {escape(published)}</title>\n"
        f"<style>\n{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _published(published_at: datetime) -> str:
    return f"{published_at:%Y-%m-%d %H:%M} UTC"


def _header(data: ReportData, source: Path) -> str:
    """What the page was drawn from: the snapshot `meta.snapshot` describes, the dates its data covers and
    the mapping gaps that keep records out of every team."""
    snapshot = data.snapshot
    facts = [
        ("data-covers", "Data covers", covered_text(data)),
        ("snapshot-id", "Snapshot (run id)", snapshot["snapshot_id"]),
        ("published-at", "Published", _published(snapshot["published_at"])),
        ("raw-fingerprint", "Raw loads fingerprint", snapshot["raw_fingerprint"]),
        ("dbt-fingerprint", "dbt project fingerprint", snapshot["dbt_fingerprint"]),
        ("serving-file", "Serving file", source.name),
    ]
    items = "".join(
        f'<div><dt>{escape(label)}</dt><dd id="{key}"><code>{escape(str(value))}</code></dd></div>'
        for key, label, value in facts
    )
    return (
        "<header><h1>Delivery report</h1>"
        '<p class="lede">DORA and flow metrics of a published warehouse snapshot, as its marts hold them.</p>'
        f"{_demo_banner(snapshot)}"
        f'<dl class="snapshot">{items}</dl>'
        f"{gaps_summary(data)}"
        '<nav><a href="#dora">DORA overview</a> · <a href="#flow">Flow overview</a> · '
        '<a href="#risk">Risk flags</a> · <a href="#forecasts">Forecasts and bottlenecks</a> · '
        '<a href="#data">Data coverage and mapping gaps</a></nav></header>'
    )


def _demo_banner(snapshot: dict) -> str:
    """A snapshot built from the demo organisation says so first (older serving files lack the flag)."""
    if not snapshot.get("demo_data"):
        return ""
    return (
        '<p class="demo-data" id="demo-data"><strong>Demo data.</strong> This snapshot was built from the '
        "demo organisation's exports (<code>delivery demo</code>), not from a real organisation's.</p>"
    )


def _footer(source: Path) -> str:
    return (
        f"<footer>Written by <code>delivery report</code> from <code>{escape(str(source))}</code>. "
        "Definitions of the metrics: docs/metrics.md and docs/flow.md. The <code>delivery explain</code> "
        "commands read the configured serving file; add <code>--warehouse</code> and this file's path to "
        "read this one.</footer>"
    )
