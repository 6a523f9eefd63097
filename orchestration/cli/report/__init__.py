"""`delivery report`: one static HTML page of the DORA, flow and risk marts of the serving file."""

from __future__ import annotations

from pathlib import Path

from orchestration.cli.report.page import render_page
from orchestration.cli.report.queries import read_report_data


def write_report(serving_path: Path, out_path: Path) -> Path:
    """Read the serving file (read-only, briefly), then write the page; returns where it went."""
    data = read_report_data(serving_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(render_page(data, serving_path), encoding="utf-8")
    return out_path
