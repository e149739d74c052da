"""Dashboard filters (platforms, date range, segment): parsed from the URL query string, written back to it, and
turned into the bound parameters every panel query takes.

    ?platforms=facebook,instagram&range=30d&segment=power        a preset range that follows the data
    ?platforms=whatsapp&start=2025-01-01&end=2025-01-31           fixed dates

A bad value falls back to its default with a notice that says what was wrong; it never raises.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Mapping
from urllib.parse import urlencode

from pipeline import reference

PRESETS = {"7d": 7, "30d": 30, "90d": 90, "all": None}
PRESET_LABELS = {"7d": "Last 7 days", "30d": "Last 30 days", "90d": "Last 90 days", "all": "All"}
DEFAULT_PRESET = "30d"
ALL_SEGMENTS = "all"


@dataclass(frozen=True)
class DataSpan:
    """The days the warehouse holds activity for."""

    first_day: dt.date
    last_day: dt.date


@dataclass(frozen=True)
class Filters:
    platforms: tuple[str, ...]  # a non-empty subset of reference.platforms(), in reference order
    start: dt.date
    end: dt.date
    segment: str = ALL_SEGMENTS  # a reference segment, or "all"
    preset: str | None = DEFAULT_PRESET  # the range follows the data ("7d", "30d", "90d", "all"), or None: fixed dates

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def platform_mask(self) -> int:
        keys = platform_keys()
        return sum(1 << (keys[p] - 1) for p in self.platforms)

    def params(self) -> dict:
        """The bound parameters of the panel queries."""
        return {"platform_mask": self.platform_mask, "start": self.start, "end": self.end, "segment": self.segment}

    def previous(self) -> "Filters":
        """The period of the same length just before this one."""
        return replace(self, start=self.start - dt.timedelta(days=self.days), end=self.start - dt.timedelta(days=1),
                       preset=None)

    def following(self, span: DataSpan) -> "Filters":
        """These filters on data that now spans `span`: a preset range moves with the data, fixed dates stay."""
        if not self.preset or self.preset not in PRESETS:
            return self
        start, end = preset_range(self.preset, span)
        return replace(self, start=start, end=end)

    def query_string(self) -> str:
        query: dict[str, str] = {}
        if set(self.platforms) != set(reference.platforms()):
            query["platforms"] = ",".join(self.platforms)
        if self.preset:
            query["range"] = self.preset
        else:
            query["start"], query["end"] = self.start.isoformat(), self.end.isoformat()
        if self.segment != ALL_SEGMENTS:
            query["segment"] = self.segment
        return "?" + urlencode(query, safe=",") if query else ""

    def to_store(self) -> dict:
        return {"platforms": list(self.platforms), "start": self.start.isoformat(), "end": self.end.isoformat(),
                "segment": self.segment, "preset": self.preset}

    @classmethod
    def from_store(cls, data: Mapping) -> "Filters":
        return cls(tuple(data["platforms"]), dt.date.fromisoformat(data["start"]), dt.date.fromisoformat(data["end"]),
                   data["segment"], data.get("preset"))


def platform_keys() -> dict[str, int]:
    return {row["platform_name"]: int(row["platform_key"]) for row in reference.seed_rows("platforms")}


def preset_range(preset: str, span: DataSpan) -> tuple[dt.date, dt.date]:
    days = PRESETS[preset]
    if days is None:
        return span.first_day, span.last_day
    return span.last_day - dt.timedelta(days=days - 1), span.last_day


def default_filters(span: DataSpan) -> Filters:
    start, end = preset_range(DEFAULT_PRESET, span)
    return Filters(reference.platforms(), start, end, ALL_SEGMENTS, DEFAULT_PRESET)


def build(platforms, start, end, segment, preset, span: DataSpan) -> tuple[Filters, list[str]]:
    """Filters from raw values (the URL or the filter bar), each bad one replaced by its default with a notice."""
    notices: list[str] = []
    known = reference.platforms()
    if isinstance(platforms, str):
        platforms = [p for p in platforms.split(",") if p.strip()]
    chosen = [p.strip() for p in platforms or []]
    unknown = [p for p in chosen if p not in known]
    if unknown:
        notices.append(f"Unknown platform{'s' if len(unknown) > 1 else ''} {', '.join(repr(p) for p in unknown)} "
                       f"ignored (known: {', '.join(known)}).")
    picked = tuple(p for p in known if p in chosen) or known

    segment = segment or ALL_SEGMENTS
    if segment != ALL_SEGMENTS and segment not in reference.segments():
        notices.append(f"Unknown segment {segment!r}: showing all segments "
                       f"(known: {', '.join(reference.segments())}).")
        segment = ALL_SEGMENTS

    if preset:
        if preset in PRESETS:
            first, last = preset_range(preset, span)
            return Filters(picked, first, last, segment, preset), notices
        notices.append(f"Unknown range {preset!r}: showing the {PRESET_LABELS[DEFAULT_PRESET].lower()} "
                       f"(known: {', '.join(PRESETS)}).")
    elif start or end:
        try:
            first, last = dt.date.fromisoformat(str(start)[:10]), dt.date.fromisoformat(str(end)[:10])
        except ValueError:
            notices.append(f"The dates {start!r} to {end!r} are not both dates (YYYY-MM-DD): showing the "
                           f"{PRESET_LABELS[DEFAULT_PRESET].lower()}.")
        else:
            if last >= first:
                return Filters(picked, first, last, segment, None), notices
            notices.append(f"The end date {last} is before the start date {first}: showing the "
                           f"{PRESET_LABELS[DEFAULT_PRESET].lower()}.")
    first, last = preset_range(DEFAULT_PRESET, span)
    return Filters(picked, first, last, segment, DEFAULT_PRESET), notices


def from_query(query: Mapping[str, str], span: DataSpan) -> tuple[Filters, list[str]]:
    """Filters from a parsed URL query string."""
    return build(query.get("platforms"), query.get("start"), query.get("end"), query.get("segment"),
                 query.get("range"), span)
