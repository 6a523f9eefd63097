"""HTML pieces the report's sections share: value formats, cells that keep the mart value, tables, figures.

Every text from the data is escaped here; each cell keeps its exact mart value in `data-value`, so what
a cell says can be checked against the row it came from.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

from orchestration.cli.report.queries import Row

DASH = "—"


def hours(value: float | None) -> str:
    if value is None:
        return DASH
    return f"{value:.0f} h" if abs(value) >= 100 else f"{value:.1f} h"


def percent(value: float | None) -> str:
    return DASH if value is None else f"{value * 100:.0f} %"


def per_day(value: float | None) -> str:
    return DASH if value is None else f"{value:.2f}/day"


def count(value: int | None) -> str:
    return DASH if value is None else f"{value:,}"


def day(value: date | None) -> str:
    return DASH if value is None else f"{value:%Y-%m-%d}"


def text(value: str | None) -> str:
    return DASH if value is None else str(value)


def axis_format(fmt: Callable[[Any], str]) -> Callable[[float], str]:
    """Axis ticks in a value format's unit, without the decimals a round tick does not need."""
    if fmt is percent:
        return lambda v: f"{v * 100:g} %"
    if fmt is hours:
        return lambda v: f"{v:g} h"
    return lambda v: f"{v:g}"


@dataclass(frozen=True)
class Column:
    """A table column showing one mart column as it is, in a format."""

    heading: str
    name: str
    fmt: Callable[[Any], str] = text


def cell(html: str, value: Any = None, css_class: str = "", **attributes: str) -> str:
    """A cell of ready HTML; `value` is the mart's own value, kept exact in `data-value`."""
    attrs = f' class="{escape(css_class)}"' if css_class else ""
    attrs += "".join(f' data-{name.replace("_", "-")}="{escape(str(v))}"' for name, v in attributes.items())
    if value is not None:
        exact = repr(value) if isinstance(value, float) else str(value)
        attrs += f' data-value="{escape(exact)}"'
    return f"<td{attrs}>{html}</td>"


FEW_DATA_TITLE = "fewer events than the setting few_data_minimum: one event more or less moves it a lot"


def few_data_mark(is_few_data: bool | None) -> str:
    """The mark of a value that rests on fewer events than the minimum (the marts' is_few_data columns)."""
    if not is_few_data:
        return ""
    return f' <mark class="few-data" title="{escape(FEW_DATA_TITLE)}">few data</mark>'


def explain_command(metric: str, grain: str, grain_key: str, period: str, period_start: date) -> str:
    """The `delivery explain` command that lists the rows behind one cell of a period mart."""
    words = ["delivery", "explain", metric]
    if grain == "team":
        words += ["--team", grain_key]
    elif grain == "value_stream":
        words += ["--value-stream", grain_key]
    if period == "week":
        words += ["--week", f"{period_start:%Y-%m-%d}"]
    else:
        words += ["--month", f"{period_start:%Y-%m}"]
    return " ".join(shlex.quote(word) for word in words)


def explain_details(command: str) -> str:
    """The command, folded under the cell: open it to copy it."""
    return (
        f'<details class="explain"><summary>rows</summary><code class="explain-command">{escape(command)}'
        "</code></details>"
    )


def signed_points(delta: float) -> str:
    return f"{delta:+.1f} pp".replace("+0.0 pp", "±0.0 pp").replace("-0.0 pp", "±0.0 pp")


def column_cells(row: Row, columns: Sequence[Column]) -> str:
    return "".join(cell(escape(c.fmt(row[c.name])), row[c.name], column=c.name) for c in columns)


def team_heading(team: str, value_stream: str | None) -> str:
    return f'<th scope="row">{escape(team)} <span class="muted">{escape(value_stream or "")}</span></th>'


def plural(number: int | None, noun: str, nouns: str | None = None) -> str:
    """`1 change`, `2 changes`: the count with its noun."""
    return f"{count(number)} {noun if number == 1 else nouns or noun + 's'}"


def tier_badge(tier: str | None) -> str:
    """The tier as a coloured badge; nothing when the mart gives none (no value to rate)."""
    if tier is None:
        return ""
    return f'<span class="tier tier-{escape(tier)}" data-tier="{escape(tier)}">{escape(tier)}</span>'


def table(headings: Sequence[str], rows: Iterable[str], css_class: str) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headings)
    body = "\n".join(rows) or f'<tr><td colspan="{len(headings)}" class="none">nothing to show</td></tr>'
    return f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>'


def figure(svg: str, caption: str) -> str:
    return f'<figure class="chart">{svg}<figcaption>{escape(caption)}</figcaption></figure>'


def grid(figures: Iterable[str], columns: int) -> str:
    return f'<div class="grid cols-{columns}">{"".join(figures)}</div>'


def note(html: str) -> str:
    return f'<p class="note">{html}</p>'


def section(anchor: str, title: str, *parts: str) -> str:
    return f'<section id="{anchor}"><h2>{escape(title)}</h2>{"".join(parts)}</section>'


def points(rows: Iterable[Row], column: str, week_column: str = "week_start") -> list[tuple[date, Any]]:
    """A column of weekly rows as (week start, value) pairs for a chart series."""
    return [(row[week_column], row[column]) for row in rows]
