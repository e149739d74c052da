"""The data behind each panel: Filters in, DataFrame out (through analytics.queries, which the web app caches),
plus the pure reshaping some panels need. Each function's DataFrame is exactly what its card draws and its CSV
download contains."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from itertools import combinations

import pandas as pd

from analytics.filters import ALL_AGE_GROUPS, ALL_SEGMENTS, NO_BREAKDOWN, DataSpan, Filters, platform_keys
from analytics.queries import query
from store import reference

MOVING_AVERAGE_DAYS = 7


def data_status() -> dict:
    """Days loaded and the latest check results: {first_day, last_day, checks_failed, checks_warned, ...}."""
    frame = query("data_status")  # a data-quality run changes it (queries.CHECKS_QUERIES)
    return frame.iloc[0].to_dict() if len(frame) else {}


def data_span() -> DataSpan | None:
    status = data_status()
    if not status or pd.isna(status.get("last_day")):
        return None
    return DataSpan(pd.Timestamp(status["first_day"]).date(), pd.Timestamp(status["last_day"]).date())


def in_data(f: Filters) -> tuple[Filters, DataSpan] | None:
    """The filters with their range clamped to the data, and the data's span; None when the range holds no day of
    the data (its panels show no data, never zeros)."""
    span = data_span()
    inside = f.within(span) if span else None
    return (inside, span) if inside else None


def no_data(columns: list[str]) -> pd.DataFrame:
    """A panel's empty frame for a range that holds no day of the data, marked so that it is drawn as "no data" and
    not as a filter that matches nobody."""
    frame = pd.DataFrame(columns=columns)
    frame.attrs["no_data"] = True
    return frame


RESTATEMENT_COLUMNS = ["run_id", "mode", "trigger", "requested_by", "ended_at", "first_day", "last_day", "days"]


def restatements(f: Filters, mark_days: int, today: dt.date | None = None) -> pd.DataFrame:
    """The days of the range that a run ended in the last `mark_days` days restated (published again: a backfill,
    a late or changed file), one row per run and run of consecutive days: run_id, mode, trigger, requested_by,
    ended_at, first_day, last_day, days (docs/metrics.md#restated-days). Empty when `mark_days` is 0."""
    if mark_days <= 0:
        return pd.DataFrame(columns=RESTATEMENT_COLUMNS)
    today = today or dt.datetime.now(dt.timezone.utc).date()
    since = dt.datetime.combine(today - dt.timedelta(days=mark_days), dt.time())  # a day's key: cached for the day
    frame = query("restatements", since=since)
    inside = (frame["last_day"] >= pd.Timestamp(f.start)) & (frame["first_day"] <= pd.Timestamp(f.end))
    return frame[inside].reset_index(drop=True)[RESTATEMENT_COLUMNS]


def restated_by(run_id: int) -> pd.DataFrame:
    """The days run `run_id` restated, whenever it ended: the rows of `restatements` for that run."""
    frame = query("restatements", since=dt.datetime(1900, 1, 1))
    return frame[frame["run_id"] == run_id].reset_index(drop=True)[RESTATEMENT_COLUMNS]


# -- overview -------------------------------------------------------------------------------------------------------

ACTIVITY_COLUMNS = ["day", "dau", "dau_ma7", "wau", "mau", "stickiness", "events", "new_users", "is_wau_complete",
                    "is_mau_complete"]


def overview_activity(f: Filters) -> pd.DataFrame:
    """Per day of the range inside the data: dau, dau_ma7 (7-day moving average over the days of data), wau, mau,
    stickiness, events, new_users, and whether the 7- and 30-day windows ending that day lie inside the data
    (stickiness is complete with MAU)."""
    scoped = in_data(f)
    return _activity(*scoped) if scoped else no_data(ACTIVITY_COLUMNS)


def _activity(f: Filters, span: DataSpan) -> pd.DataFrame:
    lead_in = dt.timedelta(days=MOVING_AVERAGE_DAYS - 1)
    frame = query("overview_activity", **{**f.params(), "start": max(f.start - lead_in, span.first_day)})
    frame["dau_ma7"] = frame["dau"].rolling(MOVING_AVERAGE_DAYS, min_periods=1).mean()
    frame = frame[frame["day"] >= pd.Timestamp(f.start)].reset_index(drop=True)
    frame["is_wau_complete"] = frame["day"] >= pd.Timestamp(span.first_complete_day(7))
    frame["is_mau_complete"] = frame["day"] >= pd.Timestamp(span.first_complete_day(30))
    return frame[ACTIVITY_COLUMNS]


COMPARED_COLUMNS = ACTIVITY_COLUMNS + ["previous_day", "dau_previous", "stickiness_previous"]


def overview_activity_compared(f: Filters) -> pd.DataFrame:
    """overview_activity with the period of the same length just before beside it, day by day: previous_day (the
    day as many days earlier as the range is long), dau_previous and stickiness_previous there (None where that day
    is before the data; stickiness only where its 30-day window is inside the data)."""
    scoped = in_data(f)
    if scoped is None:
        return no_data(COMPARED_COLUMNS)
    f, span = scoped
    frame = _activity(f, span)
    shift = pd.Timedelta(days=f.days)
    frame["previous_day"] = frame["day"] - shift
    before = f.previous().within(span)
    if before is None:
        frame["dau_previous"] = frame["stickiness_previous"] = None
        return frame[COMPARED_COLUMNS]
    prior = _activity(before, span).set_index("day")
    stickiness = prior["stickiness"].where(prior["is_mau_complete"].astype(bool))
    frame["dau_previous"] = frame["previous_day"].map(prior["dau"])
    frame["stickiness_previous"] = frame["previous_day"].map(stickiness)
    return frame[COMPARED_COLUMNS]


TOP_VALUES = 5  # a breakdown by country shows the top 5 countries and "Other"
OTHER = "Other"
BREAKDOWN_COLUMNS = ["day", "value", "dau"]


def _top(frame: pd.DataFrame, key: str, weight: str, top: int) -> pd.DataFrame:
    """A breakdown's rows (one per `key` and value) with the values cut to the `top` heaviest by `weight` summed over
    the frame and the rest summed as "Other"; ordered by `key`, then the values heaviest first."""
    totals = frame.groupby("value")[weight].sum().sort_values(ascending=False, kind="stable")
    order = list(totals.index)
    if len(order) > top + 1:
        order = order[:top] + [OTHER]
        frame = frame.assign(value=frame["value"].where(frame["value"].isin(order), OTHER))
        frame = frame.groupby([key, "value"], as_index=False).sum(numeric_only=True)
    rank = {v: i for i, v in enumerate(order)}
    return frame.sort_values([key, "value"], key=lambda c: c.map(rank) if c.name == "value" else c,
                             kind="stable").reset_index(drop=True)


def activity_breakdown(f: Filters) -> pd.DataFrame:
    """Per (day of the range inside the data, value of the filters' breakdown): DAU of the value, the people active
    that day with an event of that value (docs/metrics.md#breakdowns); a day with none is 0. Countries beyond the
    top 5 (by the range's summed DAU) are summed as "Other"."""
    scoped = in_data(f)
    if scoped is None or f.breakdown == NO_BREAKDOWN:
        return no_data(BREAKDOWN_COLUMNS)
    f, _ = scoped
    frame = query("breakdown_activity", **f.params(), dimension=f.breakdown)
    if frame.empty:
        return frame[BREAKDOWN_COLUMNS]
    days = pd.date_range(f.start, f.end, freq="D")
    grid = pd.MultiIndex.from_product([days, sorted(frame["value"].unique())], names=["day", "value"])
    frame = frame.set_index(["day", "value"]).reindex(grid, fill_value=0).reset_index()
    top = TOP_VALUES if f.breakdown == "country" else len(grid.levels[1])
    return _top(frame, "day", "dau", top)[BREAKDOWN_COLUMNS]


def _by_value(f: Filters) -> list[tuple[str, Filters]]:
    """For a breakdown by platform, segment or age group: each value and the filters showing it alone."""
    if f.breakdown == "platform":
        return [(p, replace(f, platforms=(p,))) for p in f.platforms]
    if f.breakdown == "age_group":
        ages = reference.age_groups() if f.age_group == ALL_AGE_GROUPS else (f.age_group,)
        return [(a, replace(f, age_group=a)) for a in ages]
    segments = reference.segments() if f.segment == ALL_SEGMENTS else (f.segment,)
    return [(s, replace(f, segment=s)) for s in segments]


RETENTION_BREAKDOWN_COLUMNS = ["value", "day_n", "cohort_users", "returned_users", "retention"]
RETENTION_BREAKDOWNS = ("platform", "segment", "age_group", "country")  # the first activity records no device


def retention_days_breakdown(f: Filters) -> pd.DataFrame:
    """N-day retention per value of the breakdown: by platform or segment, each value's N-day retention as the page
    shows it with that value alone as the filter; by age group or country, the new users grouped by their value at
    their first activity (countries beyond the top 5 by cohort size summed as "Other"). Device: not offered (the
    first activity records no device): empty."""
    scoped = in_data(f)
    if scoped is None or f.breakdown not in RETENTION_BREAKDOWNS:
        return no_data(RETENTION_BREAKDOWN_COLUMNS)
    f, _ = scoped
    if f.breakdown in ("platform", "segment"):
        parts = [retention_days(g).assign(value=v) for v, g in _by_value(f)]
        frame = pd.concat(parts, ignore_index=True) if parts else no_data(RETENTION_BREAKDOWN_COLUMNS)
        return frame[RETENTION_BREAKDOWN_COLUMNS]
    frame = query("retention_days_by", **f.params(), dimension=f.breakdown)
    if frame.empty:
        return frame[RETENTION_BREAKDOWN_COLUMNS]
    sizes = frame[frame["day_n"] == 1][["value", "cohort_users"]].rename(columns={"cohort_users": "size"})
    frame = frame.merge(sizes, on="value", how="left")
    top = TOP_VALUES if f.breakdown == "country" else frame["value"].nunique()
    frame = _top(frame.drop(columns=["retention"]), "day_n", "size", top)
    frame["retention"] = frame["returned_users"] / frame["cohort_users"].where(frame["cohort_users"] > 0)
    return frame[RETENTION_BREAKDOWN_COLUMNS]


# growth transitions are precomputed per segment, age group and platform mask: a value of these is a filter
GROWTH_BREAKDOWNS = ("platform", "segment", "age_group")


def growth_breakdown(f: Filters, grain: str = "week") -> pd.DataFrame:
    """Growth accounting per value of a breakdown by platform, segment or age group: each value's growth as the page shows it
    with that value alone as the filter, with a value column. Other breakdowns: empty (not offered)."""
    scoped = in_data(f)
    if scoped is None or f.breakdown not in GROWTH_BREAKDOWNS:
        return no_data(["value", "period_start", "new_users", "retained", "resurrected", "churned", "active",
                        "quick_ratio", "is_complete"])
    parts = [growth(g, grain).assign(value=v) for v, g in _by_value(scoped[0])]
    frame = pd.concat(parts, ignore_index=True)
    return frame[["value", *[c for c in frame.columns if c != "value"]]]


KPI_COLUMNS = ["kpi", "value", "previous", "change", "change_unit", "note"]
KPI_NAMES = ("Average DAU", "WAU (last day)", "MAU (last day)", "Stickiness (DAU/MAU)", "Events", "New users")
RATIO_KPIS = frozenset({"Stickiness (DAU/MAU)"})  # a ratio changes in percentage points, a count relatively


def _kpi_values(frame: pd.DataFrame) -> dict:
    """The KPIs of one period's overview_activity rows: a value, or None with why it is missing."""
    last = frame.iloc[-1]
    sticky = frame.loc[frame["is_mau_complete"] & frame["stickiness"].notna(), "stickiness"]
    return dict(zip(KPI_NAMES, (
        (frame["dau"].mean(), None),
        (int(last["wau"]), None) if last["is_wau_complete"] else
        (None, "fewer than 7 days of data before the last day"),
        (int(last["mau"]), None) if last["is_mau_complete"] else
        (None, "fewer than 30 days of data before the last day"),
        (sticky.mean(), None) if len(sticky) else
        (None, "no day with 30 days of data before it" if not frame["is_mau_complete"].any() else "no monthly user"),
        (int(frame["events"].sum()), None),
        (int(frame["new_users"].sum()), None),
    )))


def kpis(f: Filters) -> pd.DataFrame:
    """One row per KPI: its value over the range (clamped to the data), over the period of the same length just
    before, and the change (relative for counts, percentage points for ratios); note says why one is missing."""
    scoped = in_data(f)
    if scoped is None:
        return no_data(KPI_COLUMNS)
    f, span = scoped
    now = _kpi_values(_activity(f, span))
    before_f = f.previous()
    before = _kpi_values(_activity(before_f, span)) if span.holds(before_f.start, before_f.end) else None
    rows = []
    for name, (value, why) in now.items():
        ratio = name in RATIO_KPIS
        previous, why_before = before[name] if before else (None, "previous period not fully in the data")
        change = None
        if value is not None and previous is not None:
            change = value - previous if ratio else ((value - previous) / previous if previous else None)
        note = why or (why_before and f"no comparison: {why_before}") or \
            (None if change is not None else "no comparison: 0 in the previous period")
        rows.append({"kpi": name, "value": value, "previous": previous, "change": change,
                     "change_unit": "points" if ratio else "relative", "note": note})
    return pd.DataFrame(rows, columns=KPI_COLUMNS, dtype=object)  # counts stay whole numbers


# -- platforms ------------------------------------------------------------------------------------------------------

def platform_usage(f: Filters) -> pd.DataFrame:
    """Users by the exact combination of selected platforms they used in the range: platform_mask, users."""
    scoped = in_data(f)
    if scoped is None:
        return no_data(["platform_mask", "users"]).astype({"platform_mask": "int32", "users": "int64"})
    return query("platform_usage", **scoped[0].params())


COMPARISON_COLUMNS = ["platform", "display_name", "active_users", "events", "events_per_user", "stickiness",
                      "share_of_events", "avg_dau", "avg_mau"]


def platform_comparison(f: Filters) -> pd.DataFrame:
    """One row per selected platform: active users, events per user, stickiness (over the days whose 30-day window
    lies inside the data), share of events, average DAU and MAU over the days of the range inside the data."""
    scoped = in_data(f)
    if scoped is None:
        return no_data(COMPARISON_COLUMNS)
    f, span = scoped
    daily = query("platform_daily", **f.params(), days=f.days,
                  complete_from=span.first_complete_day(30))
    usage = query("platform_usage", **f.params())
    keys = platform_keys()
    active = {p: int(usage.loc[(usage["platform_mask"] & (1 << (keys[p] - 1))) != 0, "users"].sum())
              for p in daily["platform"]}
    daily["active_users"] = daily["platform"].map(active).astype("int64")
    daily["events_per_user"] = daily["events"] / daily["active_users"].where(daily["active_users"] > 0)
    total = daily["events"].sum()
    daily["share_of_events"] = daily["events"] / total if total else 0.0
    return daily[COMPARISON_COLUMNS]


def platforms_per_user(usage: pd.DataFrame) -> pd.DataFrame:
    """How many people used 1, 2, 3 ... of the selected platforms: apps, users, share."""
    apps = usage["platform_mask"].map(lambda m: bin(int(m)).count("1"))
    out = usage.groupby(apps)["users"].sum().rename_axis("apps").reset_index()
    out["share"] = out["users"] / out["users"].sum() if len(out) else []
    out.attrs.update(usage.attrs)
    return out


def platform_pairs(usage: pd.DataFrame, platforms: tuple[str, ...]) -> pd.DataFrame:
    """For each pair of selected platforms, the users active on both: platform_a, platform_b, users."""
    keys = platform_keys()
    rows = []
    for a, b in combinations(platforms, 2):
        both = (1 << (keys[a] - 1)) | (1 << (keys[b] - 1))
        rows.append({"platform_a": a, "platform_b": b,
                     "users": int(usage.loc[(usage["platform_mask"] & both) == both, "users"].sum())})
    out = pd.DataFrame(rows, columns=["platform_a", "platform_b", "users"])
    out.attrs.update(usage.attrs)
    return out


def cross_platform(f: Filters) -> pd.DataFrame:
    return platforms_per_user(platform_usage(f))


def pairs(f: Filters) -> pd.DataFrame:
    return platform_pairs(platform_usage(f), f.platforms)


# -- funnel, retention, growth ----------------------------------------------------------------------------------------

def _query_in_data(name: str, f: Filters, **extra) -> pd.DataFrame | None:
    """A panel query over the range clamped to the data; None when the range holds no day of it."""
    scoped = in_data(f)
    return query(name, **scoped[0].params(), **extra) if scoped else None


def funnel(f: Filters) -> pd.DataFrame:
    """One row per step: step, event_type, users, conversion from the previous step and from the first."""
    frame = _query_in_data("funnel", f)
    if frame is None:
        return no_data(["step", "event_type", "users", "from_previous", "from_first"])
    first = frame["users"].iloc[0] if len(frame) else 0
    frame["from_previous"] = frame["users"] / frame["users"].shift(1).where(lambda s: s > 0)
    frame.loc[frame.index[:1], "from_previous"] = 1.0 if first else None
    frame["from_first"] = frame["users"] / first if first else None
    return frame


def retention_cohorts(f: Filters) -> pd.DataFrame:
    """One row per (cohort week, period): cohort_size, active_users, retention, is_complete (the period's week is
    inside the data), is_cohort_complete (the cohort's own week is)."""
    frame = _query_in_data("retention_cohorts", f)
    return frame if frame is not None else no_data(
        ["cohort_week", "period", "cohort_size", "active_users", "retention", "is_complete", "is_cohort_complete"])


def weighted_retention(frame: pd.DataFrame) -> pd.DataFrame:
    """The weighted-average row of a retention_cohorts frame, one row per period: cohorts (whose cell is complete),
    cohort_users (their summed sizes), active_users, retention = active_users / cohort_users (None when no
    complete cell); docs/metrics.md#weekly-cohorts."""
    cells = frame[frame["is_complete"].astype(bool)] if len(frame) else frame
    out = (cells.groupby("period").agg(cohorts=("cohort_week", "count"), cohort_users=("cohort_size", "sum"),
                                       active_users=("active_users", "sum")).reset_index()
           if len(cells) else pd.DataFrame(columns=["period", "cohorts", "cohort_users", "active_users"]))
    out["retention"] = out["active_users"] / out["cohort_users"].where(out["cohort_users"] > 0)
    return out


def retention_days(f: Filters) -> pd.DataFrame:
    """One row per N (1, 3, 7, 14, 30): cohort_users (old enough to have day N), returned_users, retention."""
    frame = _query_in_data("retention_days", f)
    return frame if frame is not None else no_data(["day_n", "cohort_users", "returned_users", "retention"])


GROWTH_STEP = {"day": dt.timedelta(days=1), "week": dt.timedelta(days=7)}


def growth(f: Filters, grain: str = "week") -> pd.DataFrame:
    """Per period: new_users, retained, resurrected, churned, active, quick_ratio (None when nobody churned) and
    is_complete: the period and the one before it lie inside the data (retained, resurrected and churned compare
    the two; a partial period is kept out of summaries)."""
    if grain not in GROWTH_STEP:
        raise ValueError(f"grain {grain!r} is not day or week")
    scoped = in_data(f)
    if scoped is None:
        return no_data(["period_start", "new_users", "retained", "resurrected", "churned", "active", "quick_ratio",
                        "is_complete"])
    f, span = scoped
    frame = query("growth", **f.params(), grain=grain)
    churned = frame["churned"].where(frame["churned"] > 0)
    frame["quick_ratio"] = (frame["new_users"] + frame["resurrected"]) / churned
    step = pd.Timedelta(GROWTH_STEP[grain])
    frame["is_complete"] = ((frame["period_start"] - step >= pd.Timestamp(span.first_day))
                            & (frame["period_start"] + step - pd.Timedelta(days=1) <= pd.Timestamp(span.last_day)))
    return frame


def quick_ratio(frame: pd.DataFrame) -> float | None:
    """The Quick Ratio over a growth frame's complete periods: (new + resurrected) / churned; None when none churned."""
    complete = frame[frame["is_complete"]] if len(frame) else frame
    churned = complete["churned"].sum() if len(complete) else 0
    return float((complete["new_users"].sum() + complete["resurrected"].sum()) / churned) if churned else None


# -- geography, engagement --------------------------------------------------------------------------------------------

def geography(f: Filters) -> pd.DataFrame:
    """One row per home country: country_code, iso3, country_name, region, users, share of the range's users."""
    scoped = in_data(f)
    if scoped is None:
        return no_data(["country_code", "iso3", "country_name", "region", "users", "share"])
    frame = query("geography", **scoped[0].params())
    total = int(query("platform_usage", **scoped[0].params())["users"].sum())
    frame["share"] = frame["users"] / total if total else 0.0
    return frame


def engagement_distribution(f: Filters) -> pd.DataFrame:
    """One row per (segment, score_bin): users, avg_score; scores over the range's days inside the data."""
    scoped = in_data(f)
    if scoped is None:
        return no_data(["segment", "score_bin", "users", "avg_score"])
    return query("engagement_users", **scoped[0].params(), days=scoped[0].days)


def pareto(f: Filters) -> pd.DataFrame:
    """One row per percentile of users (most active first): users, events, cumulative_share."""
    frame = _query_in_data("engagement_pareto", f)
    return frame if frame is not None else no_data(["percentile", "users", "events", "cumulative_share"])
