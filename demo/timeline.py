"""Time in the demo year: business hours in a team's timezone, long-tailed durations and the API formats.

Times are plain floats (seconds since the Unix epoch, UTC) inside the generator; they become strings only
when a response body is written. Nothing here reads the clock: the year is fixed.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from datetime import datetime

from .organisation import DEMO_YEAR_END, DEMO_YEAR_START, STATUS_RENAME_DATE

MINUTE = 60.0
HOUR = 3600.0
DAY = 86400.0
WEEK = 7 * DAY


def parse_utc(text: str) -> float:
    """Seconds since the epoch of an ISO 8601 UTC timestamp or date."""
    if len(text) == 10:
        text += "T00:00:00Z"
    return datetime.fromisoformat(text).timestamp()


YEAR_START = parse_utc(DEMO_YEAR_START)
YEAR_END = parse_utc(DEMO_YEAR_END)
STATUS_RENAME_AT = parse_utc(STATUS_RENAME_DATE)


class YearEnded(Exception):
    """Raised when a simulated event would fall after the end of the demo year: the story stops there."""


def check_in_year(t: float) -> float:
    if t > YEAR_END:
        raise YearEnded
    return t


def day_index(t: float, offset_min: int = 0) -> int:
    return math.floor((t + offset_min * MINUTE) / DAY)


def weekday(t: float, offset_min: int = 0) -> int:
    """0 = Monday. The epoch was a Thursday."""
    return (day_index(t, offset_min) + 3) % 7


def local_day_start(day: int, offset_min: int) -> float:
    """UTC seconds of local midnight of a day index."""
    return day * DAY - offset_min * MINUTE


def working_time(
    t: float,
    offset_min: int,
    rng: random.Random,
    *,
    day_start: float = 9.0,
    day_end: float = 18.5,
    overtime: float = 0.03,
) -> float:
    """The first moment at or after `t` when someone in that timezone is at work.

    A few moments stay outside business hours (people do work late), weekends almost never.
    """
    local = t + offset_min * MINUTE
    day = math.floor(local / DAY)
    hour = (local - day * DAY) / HOUR
    is_weekday = (day + 3) % 7 < 5
    if is_weekday and day_start <= hour < day_end:
        return t
    if is_weekday and 7.0 <= hour < 22.0 and rng.random() < overtime:
        return t
    if not is_weekday and 10.0 <= hour < 17.0 and rng.random() < overtime / 3:
        return t  # the odd Saturday push before a deadline
    target = day if (is_weekday and hour < day_start) else day + 1
    while (target + 3) % 7 >= 5:
        target += 1
    return local_day_start(target, offset_min) + (day_start + rng.random() * 1.5) * HOUR


def lognormal(rng: random.Random, median: float, sigma: float) -> float:
    """A long-tailed duration: half the draws are below `median`, a few are many times it."""
    return median * math.exp(rng.gauss(0.0, sigma))


def hours(rng: random.Random, median_hours: float, sigma: float, cap_hours: float | None = None) -> float:
    value = lognormal(rng, median_hours, sigma)
    if cap_hours is not None:
        value = min(value, cap_hours)
    return value * HOUR


@dataclass(frozen=True)
class Slowdown:
    """Work inside [start, end) runs `factor` times slower (the planted pre-release drag)."""

    start: float
    end: float
    factor: float

    def stretch(self, t: float, seconds: float, intensity: float = 1.0) -> float:
        """Calendar seconds needed, from `t`, for `seconds` of normal-speed work (`intensity` < 1 softens)."""
        factor = 1.0 + (self.factor - 1.0) * intensity
        cursor, remaining = t, seconds
        if cursor < self.start:
            step = min(remaining, self.start - cursor)
            cursor += step
            remaining -= step
        if remaining > 0 and cursor < self.end:
            capacity = (self.end - cursor) / factor
            step = min(remaining, capacity)
            cursor += step * factor
            remaining -= step
        return cursor + remaining - t


# --- API formats --------------------------------------------------------------------------------------------


def github_time(t: float) -> str:
    """GitHub: `2026-03-02T10:15:00Z`."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(t)))


def jira_time(t: float, offset_min: int) -> str:
    """Jira: `2026-03-02T10:15:00.000+0000`, the site's offset without a colon."""
    total_ms = int(t * 1000)
    seconds, millis = divmod(total_ms, 1000)
    local = time.gmtime(seconds + offset_min * 60)
    sign = "+" if offset_min >= 0 else "-"
    hh, mm = divmod(abs(offset_min), 60)
    return f"{time.strftime('%Y-%m-%dT%H:%M:%S', local)}.{millis:03d}{sign}{hh:02d}{mm:02d}"


def sprint_time(t: float) -> str:
    """Jira Agile sprint dates: `2026-03-02T09:00:00.000Z`."""
    total_ms = int(t * 1000)
    seconds, millis = divmod(total_ms, 1000)
    return f"{time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(seconds))}.{millis:03d}Z"


def pagerduty_time(t: float, microseconds: bool = False) -> str:
    """PagerDuty: `2026-03-03T06:23:06Z`, some integrations send `2026-03-03T06:23:06.000000Z`."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(t)))
    return f"{stamp}.000000Z" if microseconds else f"{stamp}Z"
