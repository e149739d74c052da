"""Filters from the URL and back: defaults, presets, and a notice (not an error) for every bad value."""

from __future__ import annotations

import datetime as dt

from analytics import filters as A
from webapp import url_filters as F

SPAN = A.DataSpan(dt.date(2024, 1, 1), dt.date(2024, 3, 31))
ALL = ("facebook", "instagram", "messenger", "whatsapp", "threads")


def test_defaults_are_all_platforms_all_segments_the_last_30_days():
    f, notices = F.from_query({}, SPAN)
    assert notices == []
    assert (f.platforms, f.segment, f.preset) == (ALL, "all", "30d")
    assert (f.start, f.end, f.days) == (dt.date(2024, 3, 2), dt.date(2024, 3, 31), 30)
    assert F.query_string(f) == "?range=30d" and f.platform_mask == 31


def test_presets_follow_the_data_and_fixed_dates_stay_fixed():
    assert F.from_query({"range": "7d"}, SPAN)[0].start == dt.date(2024, 3, 25)
    assert F.from_query({"range": "all"}, SPAN)[0].start == SPAN.first_day
    f, notices = F.from_query({"start": "2024-02-01", "end": "2024-02-10", "platforms": "threads,whatsapp",
                               "segment": "creator"}, SPAN)
    assert notices == [] and f.preset is None and f.days == 10
    assert f.platforms == ("whatsapp", "threads")  # reference order
    assert F.query_string(f) == "?platforms=whatsapp,threads&start=2024-02-01&end=2024-02-10&segment=creator"
    assert F.from_query(dict(kv.split("=") for kv in F.query_string(f)[1:].split("&")), SPAN)[0] == f
    assert f.platform_mask == (1 << 3) | (1 << 4)


def test_on_new_data_a_preset_moves_as_the_url_would_and_fixed_dates_stay():
    later = A.DataSpan(SPAN.first_day, SPAN.last_day + dt.timedelta(days=1))
    preset = F.from_query({"range": "7d", "platforms": "threads", "segment": "power"}, SPAN)[0]
    assert preset.following(later) == F.from_query({"range": "7d", "platforms": "threads", "segment": "power"},
                                                    later)[0]
    assert preset.following(later).end == later.last_day and preset.following(later).days == 7
    fixed = F.from_query({"start": "2024-02-01", "end": "2024-02-10"}, SPAN)[0]
    assert fixed.following(later) == fixed


def test_every_bad_value_falls_back_with_a_notice():
    f, notices = F.from_query({"platforms": "myspace", "segment": "vip", "range": "decade"}, SPAN)
    assert f == A.default_filters(SPAN)
    assert any("Unknown platform 'myspace'" in n for n in notices)
    assert any("Unknown segment 'vip'" in n for n in notices)
    assert any("Unknown range 'decade'" in n for n in notices)
    f, notices = F.from_query({"start": "2024-02-30", "end": "2024-03-01"}, SPAN)
    assert f.preset == "30d" and "not both dates" in notices[0]
    f, notices = F.from_query({"start": "2024-03-10", "end": "2024-03-01"}, SPAN)
    assert f.preset == "30d" and "is before the start date" in notices[0]
    f, notices = F.from_query({"start": "2024-03-10"}, SPAN)
    assert f.preset == "30d" and notices
    f, notices = F.from_query({"start": "0001-01-01", "end": "0001-01-05"}, SPAN)  # a year-1 start was a 500
    assert f.preset == "30d" and "outside 1900-01-01 to 2999-12-31" in notices[0]
    f, notices = F.from_query({"start": "1900-01-01", "end": "2999-12-31"}, SPAN)
    assert (f.start, f.end) == (SPAN.first_day, SPAN.last_day) and "reaches beyond the data" in notices[0]


def test_the_previous_period_has_the_same_length():
    f = A.Filters(ALL, dt.date(2024, 2, 1), dt.date(2024, 2, 10), "all", None)
    p = f.previous()
    assert (p.start, p.end, p.days) == (dt.date(2024, 1, 22), dt.date(2024, 1, 31), 10)


def test_store_round_trip():
    f = A.Filters(("instagram",), dt.date(2024, 2, 1), dt.date(2024, 2, 10), "power", None)
    assert F.from_store(F.to_store(f) | {"query": F.query_string(f)}) == f


def test_a_range_reaching_beyond_the_data_is_clamped_with_a_notice():
    f, notices = F.from_query({"start": "2023-12-01", "end": "2024-01-10"}, SPAN)
    assert (f.start, f.end) == (SPAN.first_day, dt.date(2024, 1, 10))
    assert notices == ["The range 2023-12-01 to 2024-01-10 reaches beyond the data (the data covers 2024-01-01 to "
                       "2024-03-31): showing 2024-01-01 to 2024-01-10."]
    short = A.DataSpan(dt.date(2024, 3, 2), dt.date(2024, 3, 31))  # 30 days of data
    f, notices = F.from_query({"range": "90d"}, short)
    assert (f.start, f.end, f.preset) == (short.first_day, short.last_day, "90d")
    assert notices == ["Last 90 days: only 30 days of data, showing 2024-03-02 to 2024-03-31."]
    assert F.from_query({"range": "30d"}, short)[1] == []


def test_a_range_outside_the_data_is_kept_and_says_there_is_no_data():
    f, notices = F.from_query({"start": "2020-01-01", "end": "2020-01-31"}, SPAN)
    assert (f.start, f.end) == (dt.date(2020, 1, 1), dt.date(2020, 1, 31)) and f.within(SPAN) is None
    assert notices == ["No data from 2020-01-01 to 2020-01-31: the data covers 2024-01-01 to 2024-03-31."]


def test_a_span_holds_only_ranges_inside_the_data():
    assert SPAN.holds(dt.date(2024, 1, 1), dt.date(2024, 3, 31)) and not SPAN.holds(dt.date(2024, 3, 25),
                                                                                   dt.date(2024, 4, 1))


def test_an_age_group_round_trips_and_an_unknown_one_falls_back_with_a_notice():
    f, notices = F.from_query({"range": "7d", "segment": "power", "age_group": "25-34"}, SPAN)
    assert notices == [] and (f.segment, f.age_group) == ("power", "25-34")
    assert F.query_string(f) == "?range=7d&segment=power&age_group=25-34"
    assert F.from_store(F.to_store(f) | {"query": F.query_string(f)}) == f
    f, notices = F.from_query({"range": "7d", "age_group": "99-120"}, SPAN)
    assert f.age_group == A.ALL_AGE_GROUPS and f.preset == "7d"
    assert notices == ["Unknown age group '99-120': showing all ages (known: 13-17, 18-24, 25-34, 35-44, 45-54, "
                       "55-64, 65+)."]
