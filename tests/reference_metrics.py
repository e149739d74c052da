"""Dashboard metrics computed independently from the lake files, in plain Python (sets, bisect), to check the panel
queries against. Nothing here reads the warehouse or shares its SQL."""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from tests import lakeread

FUNNEL = ("view", "like", "comment", "share", "create")


@dataclass(frozen=True)
class Event:
    user_id: int
    platform: str
    event_type: str
    ts: dt.datetime
    segment: str
    home_country: str
    age_group: str | None = None

    @property
    def day(self) -> dt.date:
        return self.ts.date()


class Lake:
    """The lake's events, each with the user's segment, home country and age group valid at its time, and each user's
    sign-up date (the earliest their records give)."""

    def __init__(self, lake_dir: Path):
        records = lakeread.user_records(lake_dir)
        history: dict[int, list] = defaultdict(list)
        self.signup: dict[int, dt.date] = {}
        for u, at, seg, country, signup, age in zip(records["user_id"].to_pylist(), records["updated_at"].to_pylist(),
                                                    records["segment"].to_pylist(), records["country"].to_pylist(),
                                                    records["signup_date"].to_pylist(),
                                                    records["age_group"].to_pylist()):
            history[u].append((at, seg, country, age))
            if signup is not None:
                self.signup[u] = min(signup, self.signup.get(u, signup))
        for versions in history.values():
            versions.sort(key=lambda v: v[:3])
        t = lakeread.events(lake_dir)
        self.events: list[Event] = []
        for u, p, e, ts in zip(t["user_id"].to_pylist(), t["platform"].to_pylist(), t["event_type"].to_pylist(),
                               t["event_ts"].to_pylist()):
            versions = history[u]
            i = bisect.bisect_right([v[0] for v in versions], ts) - 1
            self.events.append(Event(u, p, e, ts, versions[i][1], versions[i][2], versions[i][3]))
        self.first_day = min(e.day for e in self.events)
        self.last_day = max(e.day for e in self.events)

    def known(self, user_id: int) -> bool:
        """Whether the lake holds the user's whole history: signed up on or after its first day."""
        signup = self.signup.get(user_id)
        return signup is not None and signup >= self.first_day

    def matching(self, platforms, segment: str) -> list[Event]:
        return [e for e in self.events if e.platform in platforms and member(e, segment)]

    @cached_property
    def days(self) -> list[dt.date]:
        return sorted({e.day for e in self.events})


def member(e, who) -> bool:
    """Whether an event's user version is in the population `who`: 'all', a segment, or (segment, age group) with
    'all' for either. Every function here taking `segment` takes either form."""
    segment, age = who if isinstance(who, tuple) else (who, "all")
    return (segment == "all" or e.segment == segment) and (age == "all" or e.age_group == age)


def active_by_day(events: list[Event]) -> dict[dt.date, set[int]]:
    out: dict[dt.date, set[int]] = defaultdict(set)
    for e in events:
        out[e.day].add(e.user_id)
    return out


def days_between(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def first_days(lake: Lake, platforms, segment: str) -> dict[int, dt.date]:
    """Per user whose whole history the lake holds, the first day ever active on the platforms, kept when their
    segment at that first event is `segment`."""
    first: dict[int, Event] = {}
    for e in lake.events:
        if e.platform in platforms and (e.user_id not in first or e.ts < first[e.user_id].ts):
            first[e.user_id] = e
    return {u: e.day for u, e in first.items() if lake.known(u) and member(e, segment)}


def clamp(lake: Lake, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date] | None:
    start, end = max(start, lake.first_day), min(end, lake.last_day)
    return (start, end) if start <= end else None


def overview(lake: Lake, platforms, segment: str, start: dt.date, end: dt.date) -> list[tuple]:
    """Per day: (day, dau, wau, mau, events, new_users, wau complete, mau complete)."""
    events = lake.matching(platforms, segment)
    active = active_by_day(events)
    counts: dict[dt.date, int] = defaultdict(int)
    for e in events:
        counts[e.day] += 1
    firsts = first_days(lake, platforms, segment)
    rows = []
    for d in days_between(start, end):
        def window(n):
            return len(set().union(*(active.get(d - dt.timedelta(days=k), set()) for k in range(n))))
        rows.append((d, window(1), window(7), window(30), counts.get(d, 0),
                     sum(1 for f in firsts.values() if f == d),
                     d - dt.timedelta(days=6) >= lake.first_day, d - dt.timedelta(days=29) >= lake.first_day))
    return rows


def kpis(lake: Lake, platforms, segment: str, start: dt.date, end: dt.date) -> dict[str, object]:
    """The overview's key figures over the range clamped to the data (None: n/a)."""
    start, end = clamp(lake, start, end)
    rows = overview(lake, platforms, segment, start, end)
    last = rows[-1]
    sticky = [r[1] / r[3] for r in rows if r[7] and r[3]]
    return {"Average DAU": sum(r[1] for r in rows) / len(rows), "WAU (last day)": last[2] if last[6] else None,
            "MAU (last day)": last[3] if last[7] else None,
            "Stickiness (DAU/MAU)": sum(sticky) / len(sticky) if sticky else None,
            "Events": sum(r[4] for r in rows), "New users": sum(r[5] for r in rows)}


def platform_usage(lake: Lake, platforms, segment: str, start: dt.date, end: dt.date) -> dict[frozenset, int]:
    per_user: dict[int, set] = defaultdict(set)
    for e in lake.matching(platforms, segment):
        if start <= e.day <= end:
            per_user[e.user_id].add(e.platform)
    out: dict[frozenset, int] = defaultdict(int)
    for used in per_user.values():
        out[frozenset(used)] += 1
    return out


def funnel(lake: Lake, platforms, segment: str, start: dt.date, end: dt.date) -> list[int]:
    """Users reaching each step, each step's time the first of its type after the previous step's."""
    per_user: dict[int, list] = defaultdict(list)
    for e in lake.matching(platforms, segment):
        if start <= e.day <= end and e.event_type in FUNNEL:
            per_user[e.user_id].append((e.ts, FUNNEL.index(e.event_type)))
    reached = [0] * len(FUNNEL)
    for steps in per_user.values():
        at, step = None, 0
        while step < len(FUNNEL):
            candidates = [ts for ts, s in steps if s == step and (at is None or ts > at)]
            if not candidates:
                break
            at = min(candidates)
            reached[step] += 1
            step += 1
    return reached


def week_of(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


def cohorts(lake: Lake, platforms, segment: str, start: dt.date, end: dt.date) -> dict[tuple, tuple]:
    """(cohort_week, period) -> (cohort_size, active_users): cohorts by the week of the known first activity."""
    weeks: dict[int, set] = defaultdict(set)
    for e in lake.matching(platforms, segment):
        weeks[e.user_id].add(week_of(e.day))
    members: dict[dt.date, list] = defaultdict(list)
    for u, first_day in first_days(lake, platforms, segment).items():
        if start <= first_day <= end:
            members[week_of(first_day)].append(u)
    out = {}
    for cohort, users in members.items():
        for period in range((week_of(lake.last_day) - cohort).days // 7 + 1):
            week = cohort + dt.timedelta(weeks=period)
            out[(cohort, period)] = (len(users), sum(1 for u in users if week in weeks[u]))
    return out


def retention_days(lake: Lake, platforms, segment: str, start: dt.date, end: dt.date) -> dict[int, tuple]:
    """N -> (eligible users, returned users) for N in 1, 3, 7, 14, 30."""
    firsts = {u: d for u, d in first_days(lake, platforms, segment).items() if start <= d <= end}
    active: dict[int, set] = defaultdict(set)
    for e in lake.matching(platforms, segment):
        active[e.user_id].add(e.day)
    out = {}
    for n in (1, 3, 7, 14, 30):
        eligible = [u for u, d in firsts.items() if d + dt.timedelta(days=n) <= lake.last_day]
        out[n] = (len(eligible), sum(1 for u in eligible if firsts[u] + dt.timedelta(days=n) in active[u]))
    return out


def growth(lake: Lake, platforms, segment: str, start: dt.date, end: dt.date, grain: str) -> list[tuple]:
    """Per period: (period_start, new, retained, resurrected, churned)."""
    def period(d: dt.date) -> dt.date:
        return week_of(d) if grain == "week" else d

    step = dt.timedelta(days=7 if grain == "week" else 1)
    active: dict[dt.date, set] = defaultdict(set)
    for e in lake.matching(platforms, segment):
        active[period(e.day)].add(e.user_id)
    firsts = first_days(lake, platforms, segment)
    rows, p = [], period(start)
    while p <= end:
        now, before = active.get(p, set()), active.get(p - step, set())
        new = {u for u, d in firsts.items() if period(d) == p}
        retained = now & before
        complete = p - step >= lake.first_day and p + step - dt.timedelta(days=1) <= lake.last_day
        rows.append((p, len(new), len(retained), len(now - before - new), len(before - now), complete))
        p += step
    return rows


def geography(lake: Lake, platforms, segment: str, start: dt.date, end: dt.date) -> dict[str, int]:
    people: dict[str, set] = defaultdict(set)
    for e in lake.matching(platforms, segment):
        if start <= e.day <= end:
            people[e.home_country].add(e.user_id)
    return {c: len(u) for c, u in people.items()}


def engagement(lake: Lake, platforms, segment: str, start: dt.date, end: dt.date) -> dict[tuple, int]:
    """(segment at the last event, 5-point score bin) -> users."""
    days: dict[int, set] = defaultdict(set)
    events: dict[int, int] = defaultdict(int)
    last: dict[int, Event] = {}
    for e in lake.matching(platforms, segment):
        if start <= e.day <= end:
            days[e.user_id].add(e.day)
            events[e.user_id] += 1
            if e.user_id not in last or e.ts > last[e.user_id].ts:
                last[e.user_id] = e
    n = (end - start).days + 1
    out: dict[tuple, int] = defaultdict(int)
    for u in days:
        score = 60 * len(days[u]) / n + 40 * min(1.0, math.log(1 + events[u] * 28 / n) / math.log(501))
        out[(last[u].segment, min(int(score // 5) * 5, 95))] += 1
    return out


def event_counts(lake: Lake, platforms, segment: str, start: dt.date, end: dt.date) -> list[int]:
    """Events per user in the range, most active first."""
    per_user: dict[int, int] = defaultdict(int)
    for e in lake.matching(platforms, segment):
        if start <= e.day <= end:
            per_user[e.user_id] += 1
    return sorted(per_user.values(), reverse=True)


# -- the funnel with options (docs/metrics.md#engagement-funnel, #time-to-convert) -----------------------------------

@dataclass(frozen=True)
class FunnelEvent:
    """An event of the lake with what a funnel breakdown reads: the user version's attributes at its time."""
    user_id: int
    platform: str
    event_type: str
    ts: dt.datetime
    device: str | None
    segment: str | None
    age_group: str | None
    home_country: str | None


def funnel_events(lake_dir: Path) -> list[FunnelEvent]:
    """Every event of the lake, each with the segment, age group and home country of the user version in effect at
    its time (the latest record updated at or before it), read afresh with pyarrow (not through `Lake`)."""
    records = lakeread.user_records(lake_dir)
    history: dict[int, list] = defaultdict(list)
    for u, at, seg, country, age in zip(records["user_id"].to_pylist(), records["updated_at"].to_pylist(),
                                        records["segment"].to_pylist(), records["country"].to_pylist(),
                                        records["age_group"].to_pylist()):
        history[u].append((at, seg, country, age))
    for versions in history.values():
        versions.sort(key=lambda v: v[0])
    starts = {u: [v[0] for v in versions] for u, versions in history.items()}
    t = lakeread.events(lake_dir)
    out = []
    for u, p, e, ts, device in zip(t["user_id"].to_pylist(), t["platform"].to_pylist(), t["event_type"].to_pylist(),
                                   t["event_ts"].to_pylist(), t["device"].to_pylist()):
        i = bisect.bisect_right(starts.get(u, []), ts) - 1
        if i < 0:  # no version yet: the ETL quarantines it
            continue
        _, seg, country, age = history[u][i]
        out.append(FunnelEvent(u, p, e, ts, device, seg, age, country))
    return out


@dataclass
class FunnelCount:
    users: list[int]  # per step, the people who reached it
    micros: list[list[int]]  # per step, each of them's microseconds from the step before (empty for step 1)


def funnel_with_options(events: list[FunnelEvent], platforms, segment: str, start: dt.date, end: dt.date,
                        steps=FUNNEL, window_seconds: int | None = None, breakdown: str = "none",
                        top: int | None = None) -> dict[str, FunnelCount]:
    """Per breakdown value ('all' without one): the people reaching each step and their times from the step before.
    A person enters at their earliest step-1 event of the range; step k is their earliest step-k event strictly
    after step k-1 and at most `window_seconds` after the entry (None: no limit). The value is the entry's (the
    smallest among step-1 events at the entry's time, a missing one 'unknown'); with `top`, beyond the `top` values
    with most people entering (then by name), the rest are 'Other' when that leaves out two or more."""
    per_user: dict[int, list[FunnelEvent]] = defaultdict(list)
    for e in events:
        if (e.platform in platforms and start <= e.ts.date() <= end and e.event_type in steps
                and member(e, segment)):
            per_user[e.user_id].append(e)
    window = None if window_seconds is None else dt.timedelta(seconds=window_seconds)
    attribute = {"platform": "platform", "segment": "segment", "age_group": "age_group", "country": "home_country",
                 "device": "device"}.get(breakdown)
    reached: dict[int, list[dt.datetime]] = {}
    value_of: dict[int, str] = {}
    for u, evs in per_user.items():
        firsts = [e for e in evs if e.event_type == steps[0]]
        if not firsts:
            continue
        entry = min(e.ts for e in firsts)
        times = [entry]
        for step in steps[1:]:
            later = [e.ts for e in evs if e.event_type == step and e.ts > times[-1]
                     and (window is None or e.ts - entry <= window)]
            if not later:
                break
            times.append(min(later))
        reached[u] = times
        value_of[u] = "all" if attribute is None else min(
            getattr(e, attribute) or "unknown" for e in firsts if e.ts == entry)
    entering: dict[str, int] = defaultdict(int)
    for v in value_of.values():
        entering[v] += 1
    ranked = sorted(entering, key=lambda v: (-entering[v], v))
    if top is not None and len(ranked) > top + 1:
        kept = set(ranked[:top])
        value_of = {u: v if v in kept else "Other" for u, v in value_of.items()}
    out: dict[str, FunnelCount] = {}
    for u, times in reached.items():
        count = out.setdefault(value_of[u], FunnelCount([0] * len(steps), [[] for _ in steps]))
        for k, at in enumerate(times):
            count.users[k] += 1
            if k:
                count.micros[k].append((at - times[k - 1]) // dt.timedelta(microseconds=1))
    # values in the order of the people entering (most first, then by name), "Other" last
    return dict(sorted(out.items(), key=lambda item: (item[0] == "Other", -item[1].users[0], item[0])))


def quantile(values: list[int], q: float) -> float | None:
    """The q-quantile by linear interpolation between the closest ranks (rank 1 + q(n - 1)); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
