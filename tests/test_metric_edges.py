"""The disagreements and edges of docs/metrics.md, each on a hand-written lake whose answer is known by reading it:
people who signed up before the lake starts, attributes that change in the middle of a day, a partial last week, a
range before the data, a platform nobody used for days."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from analytics import panels
from analytics.filters import Filters
from pipeline import lake
from tests.conftest import make_settings, panels_on, run_etl

D = dt.date
FIRST, LAST = D(2024, 1, 1), D(2024, 1, 24)  # a Monday; a Wednesday: the last week holds 3 days
ALL = ("facebook", "instagram", "messenger", "whatsapp", "threads")


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


def user(user_id, when, segment, country, signup):
    return {"user_id": user_id, "segment": segment, "country": country, "age_group": "25-34",
            "signup_date": signup, "updated_at": when}


USERS = [
    user(1, at(FIRST, 0), "casual", "US", D(2023, 6, 1)),       # signed up before the lake: never new
    user(2, at(D(2024, 1, 2), 0), "casual", "US", D(2024, 1, 2)),
    user(2, at(D(2024, 1, 2), 12), "power", "US", D(2024, 1, 2)),   # becomes power at noon of their first day
    user(3, at(D(2024, 1, 8), 0), "regular", "US", D(2024, 1, 8)),
    user(3, at(D(2024, 1, 9), 10), "regular", "BR", D(2024, 1, 8)),  # moves at 10:00
    user(4, at(D(2024, 1, 8), 0), "casual", "IN", D(2024, 1, 8)),
    user(4, at(D(2024, 1, 15), 15), "power", "IN", D(2024, 1, 8)),   # becomes power at 15:00
    user(5, at(FIRST, 0), "casual", "IN", FIRST),
    user(9, at(FIRST, 0), "regular", "BR", D(2023, 1, 1)),        # an old, steady user
]
EVENTS = (
    [(1, "facebook", at(d, 10)) for d in (FIRST, D(2024, 1, 3), D(2024, 1, 22))]
    + [(2, "facebook", at(D(2024, 1, 2), 8)), (2, "instagram", at(D(2024, 1, 2), 13)),
       (2, "instagram", at(D(2024, 1, 3), 9)), (2, "instagram", at(D(2024, 1, 9), 9))]
    + [(3, "facebook", at(D(2024, 1, 8), 12)), (3, "facebook", at(D(2024, 1, 9), 9)),
       (3, "facebook", at(D(2024, 1, 9), 11))]
    + [(4, "facebook", at(D(2024, 1, 8), 9)), (4, "facebook", at(D(2024, 1, 15), 10)),
       (4, "facebook", at(D(2024, 1, 15), 16))]
    + [(5, "whatsapp", at(FIRST + dt.timedelta(days=k), 9)) for k in range(5)]
    + [(5, "whatsapp", at(D(2024, 1, 20), 9))]
    + [(9, "facebook", at(FIRST + dt.timedelta(days=k), h)) for k in range(24) for h in (7, 12, 18)]
)


@pytest.fixture(scope="module")
def edges(tmp_path_factory):
    """The lake above, loaded by the real ETL; the panels read it as the app would."""
    settings = make_settings(tmp_path_factory.mktemp("edges"))
    for day in sorted({r["updated_at"].date() for r in USERS}):
        rows = [r for r in USERS if r["updated_at"].date() == day]
        lake.write_partition(settings.lake_dir, "users", day, pa.Table.from_pylist(rows, lake.arrow_schema("users")))
    for day in sorted({ts.date() for _, _, ts in EVENTS}):
        rows = [{"event_id": i, "user_id": u, "platform": p, "event_type": "view", "event_ts": ts, "session_id": i,
                 "device": "ios", "country": "US"} for i, (u, p, ts) in enumerate(EVENTS) if ts.date() == day]
        lake.write_partition(settings.lake_dir, "events", day, pa.Table.from_pylist(rows, lake.arrow_schema("events")))
    assert run_etl(settings).status == "succeeded"
    with panels_on(settings.data_dir):
        yield


def everything(segment="all", platforms=ALL, start=FIRST, end=LAST) -> Filters:
    return Filters(platforms, start, end, segment, None)


def test_people_who_signed_up_before_the_data_are_never_new(edges):
    daily = panels.overview_activity(everything()).set_index("day")["new_users"]
    assert {d.date(): n for d, n in daily.items() if n} == {FIRST: 1, D(2024, 1, 2): 1, D(2024, 1, 8): 2}
    first = panels.growth(everything(), "day").iloc[0]
    assert (first.new_users, first.resurrected, first.active) == (1, 2, 3)  # users 1 and 9 were there before
    assert not first.is_complete  # the day before is not in the data
    kpis = panels.kpis(everything()).set_index("kpi")
    assert kpis.loc["New users", "value"] == 4


def test_a_cohort_is_defined_by_first_activity_whatever_the_segment_filter(edges):
    # users 2 and 4 become power later: they never join a power cohort (the old rule put them in one)
    assert panels.retention_cohorts(everything("power")).empty
    casual = panels.retention_cohorts(everything("casual"))
    sizes = casual.groupby("cohort_week")["cohort_size"].first()
    assert {w.date(): n for w, n in sizes.items()} == {FIRST: 2, D(2024, 1, 8): 1}
    week_1 = casual[(casual["cohort_week"] == str(FIRST)) & (casual["period"] == 1)].iloc[0]
    assert week_1.active_users == 0  # user 2 came back in week 1, but as power
    both = panels.retention_cohorts(everything())
    row = both[(both["cohort_week"] == str(FIRST)) & (both["period"] == 1)].iloc[0]
    assert (row.cohort_size, row.active_users, row.is_complete, row.is_cohort_complete) == (2, 1, True, True)
    last_week = both[both["cohort_week"] == str(D(2024, 1, 8))]
    assert not last_week[last_week["period"] == 2]["is_complete"].iloc[0]  # the week of the 22nd has 3 days
    days = panels.retention_days(everything()).set_index("day_n")
    assert (days.loc[1, "cohort_users"], days.loc[1, "returned_users"]) == (4, 3)
    assert panels.retention_days(everything("power"))["cohort_users"].sum() == 0


def test_geography_uses_the_home_country_in_effect_at_each_event(edges):
    day = D(2024, 1, 9)
    frame = panels.geography(everything(start=day, end=day)).set_index("country_code")
    assert frame["users"].to_dict() == {"US": 2, "BR": 2}  # user 3 moved at 10:00: in both
    assert frame.loc["US", "share"] == pytest.approx(2 / 3)  # of the 3 people active that day


def test_engagement_uses_the_segment_at_the_last_event(edges):
    day = D(2024, 1, 15)
    frame = panels.engagement_distribution(everything(start=day, end=day))
    assert frame.groupby("segment")["users"].sum().to_dict() == {"power": 1, "regular": 1}


def test_stickiness_is_zero_not_blank_on_a_day_nobody_was_active(edges):
    whatsapp = panels.overview_activity(everything(platforms=("whatsapp",))).set_index("day")
    assert whatsapp.loc[str(D(2024, 1, 10)), "dau"] == 0 and whatsapp.loc[str(D(2024, 1, 10)), "mau"] == 1
    assert whatsapp.loc[str(D(2024, 1, 10)), "stickiness"] == 0.0


def test_average_dau_means_one_thing_on_every_page(edges):
    f = everything(platforms=("whatsapp",), start=D(2023, 12, 1))  # reaches a month before the data
    kpi = panels.kpis(f).set_index("kpi").loc["Average DAU", "value"]
    comparison = panels.platform_comparison(f).set_index("platform").loc["whatsapp", "avg_dau"]
    assert kpi == pytest.approx(6 / 24) and comparison == pytest.approx(6 / 24)


def test_a_partial_last_week_is_marked_and_kept_out_of_the_quick_ratio(edges):
    weekly = panels.growth(everything(), "week")
    assert [p.date() for p in weekly["period_start"]] == [FIRST, D(2024, 1, 8), D(2024, 1, 15), D(2024, 1, 22)]
    assert weekly["is_complete"].tolist() == [False, True, True, False]
    complete = weekly[weekly["is_complete"]]
    expected = (complete["new_users"].sum() + complete["resurrected"].sum()) / complete["churned"].sum()
    assert panels.quick_ratio(weekly) == pytest.approx(expected)


def test_windows_before_the_data_are_incomplete_and_out_of_the_key_figures(edges):
    frame = panels.overview_activity(everything())
    assert not frame["is_mau_complete"].any()  # 24 days of data: no 30-day window is whole
    assert frame["is_wau_complete"].tolist() == [False] * 6 + [True] * 18
    kpis = panels.kpis(everything()).set_index("kpi")
    assert kpis.loc["MAU (last day)", "value"] is None and kpis.loc["Stickiness (DAU/MAU)", "value"] is None
    assert kpis.loc["WAU (last day)", "value"] == 3  # users 1, 5 and 9 in the 18th to the 24th
    assert "30 days" in kpis.loc["MAU (last day)", "note"]
