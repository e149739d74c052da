"""The data behind each panel: Filters in, DataFrame out (through analytics.queries, which the web app caches),
plus the pure reshaping some panels need. Each function's DataFrame is exactly what its card draws and its CSV
download contains."""

from __future__ import annotations

import datetime as dt
from itertools import combinations

import pandas as pd

from analytics.filters import DataSpan, Filters, platform_keys
from analytics.queries import query

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


# -- overview -------------------------------------------------------------------------------------------------------

def overview_activity(f: Filters) -> pd.DataFrame:
    """Per day of the range: dau, dau_ma7 (7-day moving average), wau, mau, stickiness, events, new_users."""
    lead_in = dt.timedelta(days=MOVING_AVERAGE_DAYS - 1)
    frame = query("overview_activity", **{**f.params(), "start": f.start - lead_in})
    span = data_span()
    loaded = frame["dau"].where(frame["day"] >= pd.Timestamp(span.first_day)) if span else frame["dau"]
    frame["dau_ma7"] = loaded.rolling(MOVING_AVERAGE_DAYS, min_periods=1).mean()  # days before the data: not zeros
    frame = frame[frame["day"] >= pd.Timestamp(f.start)].reset_index(drop=True)
    return frame[["day", "dau", "dau_ma7", "wau", "mau", "stickiness", "events", "new_users"]]


def kpis(f: Filters) -> pd.DataFrame:
    """One row per KPI: its value over the range, over the period of the same length before, and the change."""
    now, before = (query("overview_activity", **p.params()) for p in (f, f.previous()))
    return kpi_table(now, before)


def kpi_table(now: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    def summary(frame: pd.DataFrame) -> dict:
        if frame.empty:
            return {}
        return {"Average DAU": frame["dau"].mean(), "WAU (last day)": frame["wau"].iloc[-1],
                "MAU (last day)": frame["mau"].iloc[-1], "Stickiness (DAU/MAU)": frame["stickiness"].mean(),
                "Events": frame["events"].sum(), "New users": frame["new_users"].sum()}

    a, b = summary(now), summary(before)
    rows = []
    for name in a:
        value, previous = a[name], b.get(name)
        change = (value - previous) / previous if previous not in (None, 0) and pd.notna(previous) else None
        rows.append({"kpi": name, "value": value, "previous": previous, "change": change})
    return pd.DataFrame(rows, columns=["kpi", "value", "previous", "change"])


# -- platforms ------------------------------------------------------------------------------------------------------

def platform_usage(f: Filters) -> pd.DataFrame:
    """Users by the exact combination of selected platforms they used in the range: platform_mask, users."""
    return query("platform_usage", **f.params())


def platform_comparison(f: Filters) -> pd.DataFrame:
    """One row per selected platform: active users, events per user, stickiness, share of events, average DAU."""
    daily = query("platform_daily", **f.params())
    usage = platform_usage(f)
    keys = platform_keys()
    active = {p: int(usage.loc[(usage["platform_mask"] & (1 << (keys[p] - 1))) != 0, "users"].sum())
              for p in daily["platform"]}
    daily["active_users"] = daily["platform"].map(active)
    daily["events_per_user"] = daily["events"] / daily["active_users"].where(daily["active_users"] > 0)
    total = daily["events"].sum()
    daily["share_of_events"] = daily["events"] / total if total else 0.0
    return daily[["platform", "display_name", "active_users", "events", "events_per_user", "stickiness",
                  "share_of_events", "avg_dau", "avg_mau"]]


def platforms_per_user(usage: pd.DataFrame) -> pd.DataFrame:
    """How many people used 1, 2, 3 ... of the selected platforms: apps, users, share."""
    apps = usage["platform_mask"].map(lambda m: bin(int(m)).count("1"))
    out = usage.groupby(apps)["users"].sum().rename_axis("apps").reset_index()
    out["share"] = out["users"] / out["users"].sum() if len(out) else []
    return out


def platform_pairs(usage: pd.DataFrame, platforms: tuple[str, ...]) -> pd.DataFrame:
    """For each pair of selected platforms, the users active on both: platform_a, platform_b, users."""
    keys = platform_keys()
    rows = []
    for a, b in combinations(platforms, 2):
        both = (1 << (keys[a] - 1)) | (1 << (keys[b] - 1))
        rows.append({"platform_a": a, "platform_b": b,
                     "users": int(usage.loc[(usage["platform_mask"] & both) == both, "users"].sum())})
    return pd.DataFrame(rows, columns=["platform_a", "platform_b", "users"])


def cross_platform(f: Filters) -> pd.DataFrame:
    return platforms_per_user(platform_usage(f))


def pairs(f: Filters) -> pd.DataFrame:
    return platform_pairs(platform_usage(f), f.platforms)


# -- funnel, retention, growth ----------------------------------------------------------------------------------------

def funnel(f: Filters) -> pd.DataFrame:
    """One row per step: step, event_type, users, conversion from the previous step and from the first."""
    frame = query("funnel", **f.params())
    first = frame["users"].iloc[0] if len(frame) else 0
    frame["from_previous"] = frame["users"] / frame["users"].shift(1).where(lambda s: s > 0)
    frame.loc[frame.index[:1], "from_previous"] = 1.0 if first else None
    frame["from_first"] = frame["users"] / first if first else None
    return frame


def retention_cohorts(f: Filters) -> pd.DataFrame:
    return query("retention_cohorts", **f.params())


def retention_days(f: Filters) -> pd.DataFrame:
    return query("retention_days", **f.params())


def growth(f: Filters, grain: str = "week") -> pd.DataFrame:
    """Per period: new_users, retained, resurrected, churned, active, quick_ratio (None when nobody churned)."""
    if grain not in ("day", "week"):
        raise ValueError(f"grain {grain!r} is not day or week")
    frame = query("growth", **f.params(), grain=grain)
    churned = frame["churned"].where(frame["churned"] > 0)
    frame["quick_ratio"] = (frame["new_users"] + frame["resurrected"]) / churned
    return frame


# -- geography, engagement --------------------------------------------------------------------------------------------

def geography(f: Filters) -> pd.DataFrame:
    """One row per home country: country_code, iso3, country_name, region, users, share of the range's users."""
    frame = query("geography", **f.params())
    usage = platform_usage(f)
    total = int(usage["users"].sum())
    frame["share"] = frame["users"] / total if total else 0.0
    return frame


def engagement_distribution(f: Filters) -> pd.DataFrame:
    return query("engagement_users", **f.params(), days=f.days)


def pareto(f: Filters) -> pd.DataFrame:
    return query("engagement_pareto", **f.params())
