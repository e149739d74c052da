"""The dashboard's filters (platforms, date range, segment, age group), the breakdown the trends split by, and the bound
parameters every panel query takes.
Reading them from a URL or a form, with notices for bad values, is the web app's (webapp/url_filters.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from store import reference

PRESETS = {"7d": 7, "30d": 30, "90d": 90, "all": None}  # a preset range ends on the last day with data
DEFAULT_PRESET = "30d"
ALL_SEGMENTS = "all"
ALL_AGE_GROUPS = "all"
NO_BREAKDOWN = "none"
# What the overview trend, retention and growth can be broken down by (docs/metrics.md#breakdowns): the value of
# each is an identifier the queries bind (agg_breakdown_daily.dimension), never SQL.
BREAKDOWNS = {NO_BREAKDOWN: "Nothing", "platform": "Platform", "segment": "Segment", "age_group": "Age group",
              "country": "Country", "device": "Device"}
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2999, 12, 31)  # dates outside are typos or attacks, never data


@dataclass(frozen=True)
class DataSpan:
    """The days the warehouse holds activity for: its edges (docs/metrics.md#edges-of-the-data)."""

    first_day: dt.date
    last_day: dt.date

    def holds(self, start: dt.date, end: dt.date) -> bool:
        """Whether every day from start to end is inside the data."""
        return self.first_day <= start and end <= self.last_day

    def first_complete_day(self, window_days: int) -> dt.date:
        """The first day whose window of `window_days` days ending on it lies inside the data."""
        return self.first_day + dt.timedelta(days=window_days - 1)


@dataclass(frozen=True)
class Filters:
    platforms: tuple[str, ...]  # a non-empty subset of reference.platforms(), in reference order
    start: dt.date
    end: dt.date
    segment: str = ALL_SEGMENTS  # a reference segment, or "all"
    preset: str | None = DEFAULT_PRESET  # the range follows the data ("7d", "30d", "90d", "all"), or None: fixed dates
    breakdown: str = NO_BREAKDOWN  # a key of BREAKDOWNS: what the trends split by (not a filter: no query binds it)
    age_group: str = ALL_AGE_GROUPS  # a reference age group, or "all"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def platform_mask(self) -> int:
        keys = platform_keys()
        return sum(1 << (keys[p] - 1) for p in self.platforms)

    def params(self) -> dict:
        """The bound parameters of the panel queries."""
        return {"platform_mask": self.platform_mask, "start": self.start, "end": self.end, "segment": self.segment,
                "age_group": self.age_group}

    def previous(self) -> "Filters":
        """The period of the same length just before this one."""
        return replace(self, start=self.start - dt.timedelta(days=self.days), end=self.start - dt.timedelta(days=1),
                       preset=None)

    def within(self, span: DataSpan) -> "Filters | None":
        """These filters with the range clamped to the data; None when the range holds no day of it."""
        start, end = max(self.start, span.first_day), min(self.end, span.last_day)
        return replace(self, start=start, end=end) if start <= end else None

    def following(self, span: DataSpan) -> "Filters":
        """These filters on data that now spans `span`: a preset range moves with the data, fixed dates stay."""
        if not self.preset or self.preset not in PRESETS:
            return self
        start, end = preset_range(self.preset, span)
        return replace(self, start=start, end=end)


def platform_keys() -> dict[str, int]:
    return {row["platform_name"]: int(row["platform_key"]) for row in reference.seed_rows("platforms")}


def preset_range(preset: str, span: DataSpan) -> tuple[dt.date, dt.date]:
    """The days a preset shows: the last N days of the data (fewer when the data holds fewer)."""
    days = PRESETS[preset]
    if days is None:
        return span.first_day, span.last_day
    return max(span.last_day - dt.timedelta(days=days - 1), span.first_day), span.last_day


def default_filters(span: DataSpan) -> Filters:
    start, end = preset_range(DEFAULT_PRESET, span)
    return Filters(reference.platforms(), start, end, ALL_SEGMENTS, DEFAULT_PRESET)
