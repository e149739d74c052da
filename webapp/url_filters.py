"""The dashboard filters as the browser holds them: parsed from the URL query string or the filter bar's values
(every bad value replaced by its default, with a notice saying what was wrong), written back to the URL, and kept
in the filters store as JSON.

    ?platforms=facebook,instagram&range=30d&segment=power        a preset range that follows the data
    ?range=90d&age_group=25-34                                      people aged 25-34 at their events
    ?platforms=whatsapp&start=2025-01-01&end=2025-01-31           fixed dates
    ?range=90d&breakdown=age_group                                  the trends broken down by age group
"""

from __future__ import annotations

import datetime as dt
from typing import Mapping
from urllib.parse import urlencode

from dataclasses import replace

from analytics.filters import (ALL_AGE_GROUPS, ALL_SEGMENTS, BREAKDOWNS, DEFAULT_PRESET, EARLIEST, LATEST, NO_BREAKDOWN,
                               PRESETS, DataSpan, Filters, preset_range)
from store import reference

PRESET_LABELS = {"7d": "Last 7 days", "30d": "Last 30 days", "90d": "Last 90 days", "all": "All"}


def build(platforms, start, end, segment, preset, span: DataSpan,
          breakdown: str | None = None, age_group: str | None = None) -> tuple[Filters, list[str]]:
    """Filters from raw values (the URL or the filter bar), each bad one replaced by its default with a notice, and
    the range clamped to the data with a notice (one holding no day of the data is kept: its panels say no data)."""
    notices: list[str] = []
    f = _parse(platforms, start, end, segment, preset, span, notices)
    breakdown = breakdown or NO_BREAKDOWN
    if breakdown not in BREAKDOWNS:
        notices.append(f"Unknown breakdown {breakdown!r}: showing none (known: {', '.join(BREAKDOWNS)}).")
        breakdown = NO_BREAKDOWN
    age_group = age_group or ALL_AGE_GROUPS
    if age_group != ALL_AGE_GROUPS and age_group not in reference.age_groups():
        notices.append(f"Unknown age group {age_group!r}: showing all ages "
                       f"(known: {', '.join(reference.age_groups())}).")
        age_group = ALL_AGE_GROUPS
    return replace(_clamped(f, span, notices), breakdown=breakdown, age_group=age_group), notices


def _clamped(f: Filters, span: DataSpan, notices: list[str]) -> Filters:
    covers = f"the data covers {span.first_day} to {span.last_day}"
    days = PRESETS.get(f.preset or "")
    if days and span.last_day - dt.timedelta(days=days - 1) < span.first_day:
        notices.append(f"{PRESET_LABELS[f.preset]}: only {(span.last_day - span.first_day).days + 1} days of data, "
                       f"showing {f.start} to {f.end}.")
    inside = f.within(span)
    if inside is None:
        notices.append(f"No data from {f.start} to {f.end}: {covers}.")
        return f
    if inside != f:
        notices.append(f"The range {f.start} to {f.end} reaches beyond the data ({covers}): "
                       f"showing {inside.start} to {inside.end}.")
    return inside


def _parse(platforms, start, end, segment, preset, span: DataSpan, notices: list[str]) -> Filters:
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
            return Filters(picked, first, last, segment, preset)
        notices.append(f"Unknown range {preset!r}: showing the {PRESET_LABELS[DEFAULT_PRESET].lower()} "
                       f"(known: {', '.join(PRESETS)}).")
    elif start or end:
        try:
            first, last = dt.date.fromisoformat(str(start)[:10]), dt.date.fromisoformat(str(end)[:10])
        except ValueError:
            notices.append(f"The dates {start!r} to {end!r} are not both dates (YYYY-MM-DD): showing the "
                           f"{PRESET_LABELS[DEFAULT_PRESET].lower()}.")
        else:
            sane = EARLIEST <= first and last <= LATEST
            around_the_data = first <= span.last_day and span.first_day <= last  # clamped to it by `build`
            if last < first:
                notices.append(f"The end date {last} is before the start date {first}: showing the "
                               f"{PRESET_LABELS[DEFAULT_PRESET].lower()}.")
            elif sane or around_the_data:
                return Filters(picked, first, last, segment, None)
            else:
                notices.append(f"The dates {first} to {last} are outside {EARLIEST} to {LATEST}: showing the "
                               f"{PRESET_LABELS[DEFAULT_PRESET].lower()}.")
    first, last = preset_range(DEFAULT_PRESET, span)
    return Filters(picked, first, last, segment, DEFAULT_PRESET)


def from_query(query: Mapping[str, str], span: DataSpan) -> tuple[Filters, list[str]]:
    """Filters from a parsed URL query string."""
    return build(query.get("platforms"), query.get("start"), query.get("end"), query.get("segment"),
                 query.get("range"), span, query.get("breakdown"), query.get("age_group"))


def query_string(f: Filters) -> str:
    """The URL query string that gives these filters back ("" for the defaults)."""
    query: dict[str, str] = {}
    if set(f.platforms) != set(reference.platforms()):
        query["platforms"] = ",".join(f.platforms)
    if f.preset:
        query["range"] = f.preset
    else:
        query["start"], query["end"] = f.start.isoformat(), f.end.isoformat()
    if f.segment != ALL_SEGMENTS:
        query["segment"] = f.segment
    if f.age_group != ALL_AGE_GROUPS:
        query["age_group"] = f.age_group
    if f.breakdown != NO_BREAKDOWN:
        query["breakdown"] = f.breakdown
    return "?" + urlencode(query, safe=",") if query else ""


def to_store(f: Filters) -> dict:
    """The filters as the browser's filters store holds them (JSON)."""
    return {"platforms": list(f.platforms), "start": f.start.isoformat(), "end": f.end.isoformat(),
            "segment": f.segment, "preset": f.preset, "breakdown": f.breakdown, "age_group": f.age_group}


def from_store(data: Mapping) -> Filters:
    return Filters(tuple(data["platforms"]), dt.date.fromisoformat(data["start"]), dt.date.fromisoformat(data["end"]),
                   data["segment"], data.get("preset"), data.get("breakdown") or NO_BREAKDOWN,
                   data.get("age_group") or ALL_AGE_GROUPS)
