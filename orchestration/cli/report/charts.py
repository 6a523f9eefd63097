"""Inline SVG charts for the static report: weekly lines, stacked bars and a team × week strip.

Every chart is a self-contained `<svg>` string: axes with ticks and labels, a legend, and marks placed
on a time axis (one unit per day, so a missing week leaves a gap instead of squeezing the line). The
charts only draw the values they are given; they never aggregate them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

WEEK = timedelta(days=7)
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'
AXIS_COLOR = "#8a94a6"
GRID_COLOR = "#e6e9ef"
TEXT_COLOR = "#3b4252"
HIGHLIGHT_COLOR = "#fde8e8"

# Distinguishable on screen and in print, in the order series are given.
PALETTE = ("#2f6fdf", "#e8710a", "#1e8e3e", "#a142f4", "#d93025", "#12a4af", "#f9ab00", "#5f6368")

Number = float | int | None
Formatter = Callable[[float], str]


@dataclass(frozen=True)
class Series:
    """One named line or bar layer: a value (or None, for no value) per week start."""

    name: str
    points: Sequence[tuple[date, Number]]
    color: str


@dataclass(frozen=True)
class Frame:
    """The chart's outer size and its plot area inside the margins."""

    width: int
    height: int
    left: int = 52
    right: int = 12
    top: int = 30
    bottom: int = 26

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom

    @property
    def plot_bottom(self) -> int:
        return self.top + self.plot_height


@dataclass(frozen=True)
class TimeScale:
    """Maps a week's start to the x of its middle; the domain spans whole weeks."""

    first: date
    last_end: date
    frame: Frame

    def x(self, day: date) -> float:
        span = (self.last_end - self.first).days or 1
        return self.frame.left + (day - self.first).days / span * self.frame.plot_width

    def week_middle(self, week_start: date) -> float:
        return self.x(week_start + timedelta(days=3.5))

    def week_width(self) -> float:
        return self.x(self.first + WEEK) - self.x(self.first)


@dataclass(frozen=True)
class ValueScale:
    """Maps a value to y, from zero (or the smallest value, if negative) to a rounded maximum."""

    ticks: tuple[float, ...]
    frame: Frame

    def y(self, value: float) -> float:
        low, high = self.ticks[0], self.ticks[-1]
        return self.frame.plot_bottom - (value - low) / ((high - low) or 1) * self.frame.plot_height


def is_value(value: Number) -> bool:
    return value is not None and math.isfinite(value)


def nice_ticks(low: float, high: float, count: int = 4) -> tuple[float, ...]:
    """Round tick values (1, 2 or 5 times a power of ten) covering [low, high], starting at or below 0."""
    low = min(low, 0.0)
    if high <= low:
        high = low + 1.0
    raw_step = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw_step)
    start = math.floor(low / step) * step
    ticks = [start]
    while ticks[-1] < high - 1e-9:
        ticks.append(ticks[-1] + step)
    return tuple(round(t, 10) for t in ticks)


def line_chart(
    series: Sequence[Series],
    *,
    label: str,
    value_format: Formatter,
    width: int = 560,
    height: int = 220,
    highlight_weeks: Sequence[date] = (),
    value_max: float | None = None,
) -> str:
    """Lines over weeks; a value with no neighbour is a dot. `highlight_weeks` are shaded behind."""
    frame = Frame(width, height)
    weeks = _weeks_of(series)
    values = [v for s in series for _, v in s.points if is_value(v)]
    if not weeks or not values:
        return _empty_chart(frame, label)
    x_scale = TimeScale(weeks[0], weeks[-1] + WEEK, frame)
    y_scale = ValueScale(nice_ticks(min(values), max(values) if value_max is None else value_max), frame)
    parts = [
        _highlights(highlight_weeks, x_scale),
        _y_axis(y_scale, value_format),
        _x_axis(weeks, x_scale),
        *(_line(s, x_scale, y_scale) for s in series),
        _legend(series, frame),
    ]
    return _svg(frame, label, parts, kind="line")


def stacked_bar_chart(
    layers: Sequence[Series],
    *,
    label: str,
    value_format: Formatter,
    width: int = 560,
    height: int = 220,
    highlight_weeks: Sequence[date] = (),
) -> str:
    """One bar per week, the layers stacked bottom to top in the order given (a single layer: plain bars)."""
    frame = Frame(width, height)
    weeks = _weeks_of(layers)
    tops = _stack_tops(layers)
    if not weeks or not tops or max(tops.values()) <= 0:
        return _empty_chart(frame, label)
    x_scale = TimeScale(weeks[0], weeks[-1] + WEEK, frame)
    y_scale = ValueScale(nice_ticks(0.0, max(tops.values())), frame)
    parts = [
        _highlights(highlight_weeks, x_scale),
        _y_axis(y_scale, value_format),
        _x_axis(weeks, x_scale),
        _stacked_bars(layers, x_scale, y_scale),
        _legend(layers, frame),
    ]
    return _svg(frame, label, parts, kind="bar")


def week_strip(
    rows: Sequence[str],
    cells: dict[tuple[str, date], int],
    *,
    label: str,
    levels: Sequence[tuple[int, str, str]],
    width: int = 1100,
    row_height: int = 20,
) -> str:
    """A grid of weeks (columns) by rows, each cell coloured by its level: (value, colour, legend text)."""
    weeks = sorted({week for _, week in cells})
    frame = Frame(width, 30 + row_height * len(rows) + 26, left=110)
    if not weeks or not rows:
        return _empty_chart(frame, label)
    x_scale = TimeScale(weeks[0], weeks[-1] + WEEK, frame)
    colours = {value: colour for value, colour, _ in levels}
    marks = []
    for index, row in enumerate(rows):
        y = frame.top + index * row_height
        marks.append(_text(frame.left - 8, y + row_height / 2 + 4, row, anchor="end"))
        for week in weeks:
            value = cells.get((row, week))
            if value is None:
                continue
            fill = colours.get(value, colours[max(colours)])
            marks.append(
                f'<rect class="mark" x="{x_scale.x(week):.1f}" y="{y + 1:.1f}" '
                f'width="{x_scale.week_width() - 1:.1f}" '
                f'height="{row_height - 2}" fill="{fill}"><title>{escape(row)}, week of {week:%Y-%m-%d}: '
                f"{value}</title></rect>"
            )
    legend = [Series(text, (), colour) for _, colour, text in levels]
    parts = [*marks, _x_axis(weeks, x_scale, frame.top + row_height * len(rows)), _legend(legend, frame)]
    return _svg(frame, label, parts, kind="strip")


def _weeks_of(series: Sequence[Series]) -> list[date]:
    return sorted({week for s in series for week, _ in s.points})


def _stack_tops(layers: Sequence[Series]) -> dict[date, float]:
    """Where each week's stack ends: the layers' values laid end to end, for the drawing only."""
    tops: dict[date, float] = {}
    for layer in layers:
        for week, value in layer.points:
            tops[week] = tops.get(week, 0.0) + (value if is_value(value) else 0.0)
    return tops


def _line(series: Series, x_scale: TimeScale, y_scale: ValueScale) -> str:
    """The series as path segments broken where a value is missing; isolated values become dots."""
    segments: list[list[tuple[float, float]]] = [[]]
    for week, value in sorted(series.points):
        if is_value(value):
            segments[-1].append((x_scale.week_middle(week), y_scale.y(value)))
        elif segments[-1]:
            segments.append([])
    marks = []
    for segment in segments:
        if len(segment) > 1:
            path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(segment))
            marks.append(
                f'<path class="mark" d="{path}" fill="none" stroke="{series.color}" stroke-width="1.8" '
                'stroke-linejoin="round"/>'
            )
        elif segment:
            ((x, y),) = segment
            marks.append(f'<circle class="mark" cx="{x:.1f}" cy="{y:.1f}" r="2.2" fill="{series.color}"/>')
    return f'<g class="series"><title>{escape(series.name)}</title>{"".join(marks)}</g>'


def _stacked_bars(layers: Sequence[Series], x_scale: TimeScale, y_scale: ValueScale) -> str:
    base: dict[date, float] = {}
    bar_width = max(x_scale.week_width() - 1.5, 1.0)
    rects = []
    for layer in layers:
        for week, value in sorted(layer.points):
            if not is_value(value) or value <= 0:
                continue
            bottom = base.get(week, 0.0)
            base[week] = bottom + value
            y_top, y_bottom = y_scale.y(bottom + value), y_scale.y(bottom)
            rects.append(
                f'<rect class="mark" x="{x_scale.x(week) + 0.75:.1f}" y="{y_top:.1f}" '
                f'width="{bar_width:.1f}" '
                f'height="{y_bottom - y_top:.1f}" fill="{layer.color}"><title>{escape(layer.name)}, week of '
                f"{week:%Y-%m-%d}: {value:g}</title></rect>"
            )
    return f'<g class="bars">{"".join(rects)}</g>'


def _highlights(weeks: Sequence[date], x_scale: TimeScale) -> str:
    inside = [w for w in weeks if x_scale.first <= w < x_scale.last_end]
    rects = (
        f'<rect class="highlight" x="{x_scale.x(w):.1f}" y="{x_scale.frame.top}" '
        f'width="{x_scale.week_width():.1f}" height="{x_scale.frame.plot_height}" fill="{HIGHLIGHT_COLOR}"/>'
        for w in inside
    )
    return f'<g class="highlights">{"".join(rects)}</g>'


def _y_axis(y_scale: ValueScale, value_format: Formatter) -> str:
    frame = y_scale.frame
    lines = []
    for tick in y_scale.ticks:
        y = y_scale.y(tick)
        lines.append(
            f'<line x1="{frame.left}" x2="{frame.width - frame.right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOR}"/>'
        )
        lines.append(_text(frame.left - 6, y + 4, value_format(tick), anchor="end"))
    return f'<g class="y-axis">{"".join(lines)}</g>'


def _x_axis(weeks: Sequence[date], x_scale: TimeScale, y: float | None = None) -> str:
    """A baseline with a tick at the first of each month (its name; the year on January and the first)."""
    frame = x_scale.frame
    y = frame.plot_bottom if y is None else y
    parts = [
        f'<line x1="{frame.left}" x2="{frame.width - frame.right}" y1="{y}" y2="{y}" stroke="{AXIS_COLOR}"/>'
    ]
    months = _month_starts(weeks[0], weeks[-1] + WEEK)
    every = max(1, math.ceil(len(months) / max(frame.plot_width // 48, 1)))
    for index, month in enumerate(months[::every]):
        x = x_scale.x(month)
        text = f"{month:%b %Y}" if index == 0 or month.month == 1 else f"{month:%b}"
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y}" y2="{y + 4}" stroke="{AXIS_COLOR}"/>')
        parts.append(_text(x, y + 16, text, anchor="middle"))
    return f'<g class="x-axis">{"".join(parts)}</g>'


def _month_starts(first: date, end: date) -> list[date]:
    month = date(first.year, first.month, 1)
    if month < first:
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    months = []
    while month < end:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def _legend(series: Sequence[Series], frame: Frame) -> str:
    """Swatch and name of each series along the top, wrapping when the names run out of room."""
    items, x, y = [], frame.left, 12
    for s in series:
        item_width = 18 + 6.5 * len(s.name)
        if x + item_width > frame.width and x > frame.left:
            x, y = frame.left, y + 14
        items.append(f'<rect x="{x}" y="{y - 8}" width="10" height="10" rx="2" fill="{s.color}"/>')
        items.append(_text(x + 14, y + 1, s.name))
        x += item_width + 10
    return f'<g class="legend">{"".join(items)}</g>'


def _text(x: float, y: float, text: str, anchor: str = "start") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="11" fill="{TEXT_COLOR}" text-anchor="{anchor}">'
        f"{escape(text)}</text>"
    )


def _empty_chart(frame: Frame, label: str) -> str:
    message = _text(frame.width / 2, frame.height / 2, "no data in this period", anchor="middle")
    return _svg(frame, label, [message], kind="empty")


def _svg(frame: Frame, label: str, parts: Sequence[str], kind: str) -> str:
    return (
        f'<svg class="chart chart-{kind}" xmlns="http://www.w3.org/2000/svg" width="{frame.width}" '
        f'height="{frame.height}" viewBox="0 0 {frame.width} {frame.height}" role="img" '
        f'aria-label="{escape(label)}" {FONT}><title>{escape(label)}</title>{"".join(parts)}</svg>'
    )
