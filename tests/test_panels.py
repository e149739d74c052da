"""Every panel query, on a warehouse built by the real pipeline, against the same figures computed independently
from the lake files (tests/reference_metrics.py), under several filter combinations."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analytics import panels
from analytics.filters import Filters
from store import reference
from tests import reference_metrics as ref
from tests.conftest import DAYS, START

ALL = tuple(reference.platforms())
LAST = START + dt.timedelta(days=DAYS - 1)
CASES = {
    "everything": Filters(ALL, START, LAST, "all", None),
    "two apps, power, a week": Filters(("instagram", "threads"), START + dt.timedelta(days=8),
                                       START + dt.timedelta(days=14), "power", None),
    "whatsapp, regular, 20 days": Filters(("whatsapp",), START + dt.timedelta(days=5),
                                          START + dt.timedelta(days=24), "regular", None),
    "messaging, casual, last 10 days": Filters(("messenger", "whatsapp"), LAST - dt.timedelta(days=9), LAST,
                                               "casual", None),
    "everything, ages 25-34": Filters(ALL, START, LAST, "all", None, age_group="25-34"),
    "three apps, regular, ages 35-44, 20 days": Filters(("facebook", "instagram", "threads"),
                                                        START + dt.timedelta(days=8), LAST, "regular", None,
                                                        age_group="35-44"),
}


@pytest.fixture(scope="module")
def lake(built) -> ref.Lake:
    return ref.Lake(built.lake_dir)


@pytest.fixture(params=list(CASES), ids=list(CASES))
def case(request, app_context) -> Filters:
    return CASES[request.param]


def who(f: Filters):
    """The population of the filters as tests/reference_metrics.py takes it: (segment, age group)."""
    return f.segment, f.age_group


def args(f: Filters):
    return f.platforms, who(f), f.start, f.end


def test_data_status_and_span(app_context):
    span = panels.data_span()
    assert (span.first_day, span.last_day) == (START, LAST)
    status = panels.data_status()
    assert status["checks_warned"] == 1 and status["checks_flagged"] == "fct_events.freshness"


def test_overview_activity(case, lake):
    got = panels.overview_activity(case)
    expected = ref.overview(lake, *args(case))
    assert [(r.day.date(), r.dau, r.wau, r.mau, r.events, r.new_users, r.is_wau_complete, r.is_mau_complete)
            for r in got.itertuples()] == expected
    for r in got.itertuples():
        assert (r.stickiness == pytest.approx(r.dau / r.mau)) if r.mau else pd.isna(r.stickiness)
    # the 7-day average reaches back before the range but not before the data
    days = {d: dau for d, dau, *_ in ref.overview(lake, case.platforms, who(case), START, LAST)}
    first = got.iloc[0]
    window = [days[case.start - dt.timedelta(days=k)] for k in range(7) if case.start - dt.timedelta(days=k) >= START]
    assert first.dau_ma7 == pytest.approx(sum(window) / len(window))


def test_kpis_compare_with_the_previous_period(case, lake):
    table = panels.kpis(case).set_index("kpi")
    expected = ref.kpis(lake, *args(case))
    for name, value in expected.items():
        got = table.loc[name, "value"]
        assert (got == pytest.approx(value)) if value is not None else got is None, name
    previous = case.previous()
    if previous.start < START:  # the previous period is not fully in the data: no comparison
        assert table["change"].isna().all() and table["previous"].isna().all()
        assert (table["note"].str.contains("previous period not fully in the data")
                | table["value"].isna()).all()
        return
    before = ref.kpis(lake, case.platforms, who(case), previous.start, previous.end)
    assert table.loc["Events", "previous"] == before["Events"]
    expected_change = (expected["Events"] - before["Events"]) / before["Events"] if before["Events"] else None
    assert (table.loc["Events", "change"] == pytest.approx(expected_change)) if expected_change is not None \
        else table.loc["Events", "change"] is None
    assert table.loc["Events", "value"] == int(table.loc["Events", "value"])  # a count, never 12.0


def test_platform_usage_and_cross_platform(case, lake):
    usage = ref.platform_usage(lake, *args(case))
    keys = {p: i for i, p in enumerate(reference.platforms())}
    got = {frozenset(p for p in ALL if m & (1 << keys[p])): u
           for m, u in zip(panels.platform_usage(case)["platform_mask"], panels.platform_usage(case)["users"])}
    assert got == usage
    per_user = panels.cross_platform(case)
    expected = {}
    for used, n in usage.items():
        expected[len(used)] = expected.get(len(used), 0) + n
    assert dict(zip(per_user["apps"], per_user["users"])) == expected
    for row in panels.pairs(case).itertuples():
        assert row.users == sum(n for used, n in usage.items() if {row.platform_a, row.platform_b} <= used)


def test_platform_comparison(case, lake):
    table = panels.platform_comparison(case).set_index("platform")
    assert list(table.index) == list(case.platforms)
    usage = ref.platform_usage(lake, *args(case))
    for p in case.platforms:
        events = sum(1 for e in lake.matching([p], who(case)) if case.start <= e.day <= case.end)
        active = sum(n for used, n in usage.items() if p in used)
        assert table.loc[p, "active_users"] == active and table.loc[p, "events"] == events
        if active:
            assert table.loc[p, "events_per_user"] == pytest.approx(events / active)
        daily = ref.overview(lake, [p], who(case), case.start, case.end)
        assert table.loc[p, "avg_dau"] == pytest.approx(sum(r[1] for r in daily) / len(daily))
        ratios = [r[1] / r[3] for r in daily if r[3] and r[7]]  # complete 30-day windows only
        if ratios:
            assert table.loc[p, "stickiness"] == pytest.approx(sum(ratios) / len(ratios))
        else:
            assert pd.isna(table.loc[p, "stickiness"])
    assert table["share_of_events"].sum() == pytest.approx(1.0 if table["events"].sum() else 0.0)


def test_funnel(case, lake):
    got = panels.funnel(case)
    expected = ref.funnel(lake, *args(case))
    assert list(got["event_type"]) == list(ref.FUNNEL)
    assert list(got["users"]) == expected
    assert expected == sorted(expected, reverse=True)
    if expected[0]:
        assert got["from_first"].iloc[-1] == pytest.approx(expected[-1] / expected[0])
        assert got["from_previous"].iloc[2] == pytest.approx(expected[2] / expected[1])


def test_retention_cohorts(case, lake):
    got = panels.retention_cohorts(case)
    expected = ref.cohorts(lake, *args(case))
    assert {(r.cohort_week.date(), r.period): (r.cohort_size, r.active_users) for r in got.itertuples()} == expected
    for r in got.itertuples():
        assert r.is_complete == (r.cohort_week.date() + dt.timedelta(days=7 * r.period + 6) <= LAST)
        if r.period == 0:
            assert r.retention == 1.0


def test_retention_days(case, lake):
    got = panels.retention_days(case)
    expected = ref.retention_days(lake, *args(case))
    assert {r.day_n: (r.cohort_users, r.returned_users) for r in got.itertuples()} == expected


@pytest.mark.parametrize("grain", ["day", "week"])
def test_growth_accounting(case, lake, grain):
    got = panels.growth(case, grain)
    expected = ref.growth(lake, *args(case), grain)
    assert [(r.period_start.date(), r.new_users, r.retained, r.resurrected, r.churned, r.is_complete)
            for r in got.itertuples()] == expected
    for r in got.itertuples():
        assert r.active == r.new_users + r.retained + r.resurrected
        if r.churned:
            assert r.quick_ratio == pytest.approx((r.new_users + r.resurrected) / r.churned)
        else:
            assert pd.isna(r.quick_ratio)


def test_geography(case, lake):
    got = panels.geography(case)
    assert dict(zip(got["country_code"], got["users"])) == ref.geography(lake, *args(case))
    assert got["iso3"].notna().all() and list(got["users"]) == sorted(got["users"], reverse=True)


def test_engagement_distribution(case, lake):
    got = panels.engagement_distribution(case)
    assert {(r.segment, r.score_bin): r.users for r in got.itertuples()} == ref.engagement(lake, *args(case))


def test_pareto(case, lake):
    got = panels.pareto(case)
    counts = ref.event_counts(lake, *args(case))
    if not counts:
        assert got.empty
        return
    assert got["users"].sum() == len(counts) and got["events"].sum() == sum(counts)
    # ntile(100): the first len % 100 percentiles hold one more user
    size, extra = divmod(len(counts), 100)
    top_10 = sum(size + (1 if i < extra else 0) for i in range(10))
    share = got.loc[got["percentile"] == 10, "cumulative_share"]
    if len(share):
        assert float(share.iloc[0]) == pytest.approx(sum(counts[:top_10]) / sum(counts))
    assert got["cumulative_share"].iloc[-1] == pytest.approx(1.0)


def test_a_range_outside_the_data_gives_no_data_not_zeros(app_context):
    later = LAST + dt.timedelta(days=40)
    f = Filters(ALL, later, later + dt.timedelta(days=6), "all", None)
    assert panels.overview_activity(f).empty and panels.kpis(f).empty
    assert panels.platform_usage(f).empty and panels.geography(f).empty and panels.pareto(f).empty
    assert panels.funnel(f).empty and panels.retention_cohorts(f).empty and panels.retention_days(f).empty
    assert panels.engagement_distribution(f).empty and panels.growth(f, "day").empty
    assert panels.platform_comparison(f).empty
    assert panels.overview_activity(f).attrs["no_data"] and panels.cross_platform(f).attrs["no_data"]
    assert not panels.overview_activity(Filters(ALL, START, START, "all", None)).attrs.get("no_data")


def test_a_filter_matching_nobody_inside_the_data_gives_real_zeros(app_context, lake):
    day, platform, segment = next((d, p, s) for d in lake.days for p in ALL for s in reference.segments()
                                  if not any(e.day == d for e in lake.matching([p], s)))
    f = Filters((platform,), day, day, segment, None)
    assert panels.overview_activity(f)["dau"].tolist() == [0]
    kpis = panels.kpis(f).set_index("kpi")
    assert kpis.loc["Average DAU", "value"] == 0 and kpis.loc["Events", "value"] == 0
    assert kpis.loc["Stickiness (DAU/MAU)", "value"] is None
    assert panels.platform_usage(f).empty and panels.funnel(f)["users"].sum() == 0
    assert panels.growth(f, "day")["active"].tolist() == [0]


def test_a_range_reaching_before_the_data_is_clamped_to_it(app_context, lake):
    f = Filters(ALL, START - dt.timedelta(days=20), START + dt.timedelta(days=9), "all", None)
    frame = panels.overview_activity(f)
    assert frame["day"].iloc[0].date() == START and len(frame) == 10
    assert not frame["is_mau_complete"].any() and not frame["is_wau_complete"].iloc[:6].any()
    assert frame["is_wau_complete"].iloc[6:].all()
    kpis = panels.kpis(f).set_index("kpi")
    assert kpis.loc["Average DAU", "value"] == pytest.approx(frame["dau"].mean())  # not diluted by days before
    assert kpis.loc["MAU (last day)", "value"] is None and kpis.loc["Stickiness (DAU/MAU)", "value"] is None
    assert kpis["change"].isna().all()  # the previous period lies before the data
    weekly = panels.growth(f, "week")
    assert not weekly["is_complete"].iloc[0] and weekly["period_start"].iloc[0].date() == START
    assert panels.quick_ratio(weekly) == pytest.approx(
        (weekly["new_users"][1:].sum() + weekly["resurrected"][1:].sum()) / weekly["churned"][1:].sum())


def test_the_previous_period_lies_beside_each_day(app_context):
    f = Filters(ALL, START + dt.timedelta(days=14), LAST, "all", None)  # 14 days, the 14 before inside the data
    got = panels.overview_activity_compared(f)
    before = panels.overview_activity(f.previous()).set_index("day")
    assert len(got) == 14 and list(got["previous_day"]) == list(before.index)
    assert list(got["dau_previous"]) == list(before["dau"])
    # the stickiness before is only where its 30-day window is inside the data: none of these 28 days
    assert got["stickiness_previous"].isna().all()
    # a range whose previous period reaches before the data: those days have no previous value, the rest do
    half = panels.overview_activity_compared(Filters(ALL, START + dt.timedelta(days=7), START + dt.timedelta(days=20),
                                                     "all", None))
    assert half["dau_previous"].isna().sum() == 7 and half["dau_previous"].notna().sum() == 7
