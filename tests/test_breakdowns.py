"""Breakdowns (docs/metrics.md#breakdowns) against counts made independently from the lake files: DAU per platform,
segment, age group, country and device (the attribute in effect at each event), under filters; N-day retention by
age group at the first activity; growth by platform equal to the page filtered to each platform."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import replace

import pytest

from analytics import panels
from analytics.filters import Filters
from store import reference
from tests import lakeread
from tests.conftest import DAYS, START

ALL = ("facebook", "instagram", "messenger", "whatsapp", "threads")
LAST = START + dt.timedelta(days=DAYS - 1)


@pytest.fixture(scope="module")
def tagged(built) -> list[dict]:
    return tag_events(built.lake_dir)


def tag_events(lake_dir) -> list[dict]:
    """Every event of the lake with the attributes of the user record in effect at it (`age_scope`: the age group
    as recorded, None when missing; `age_group`: as a breakdown shows it)."""
    records = lakeread.user_records(lake_dir).to_pylist()
    history = defaultdict(list)
    for r in records:
        history[r["user_id"]].append((r["updated_at"], r))
    for versions in history.values():
        versions.sort(key=lambda v: v[0])
    out = []
    for e in lakeread.events(lake_dir).to_pylist():
        versions = history[e["user_id"]]
        i = bisect.bisect_right([v[0] for v in versions], e["event_ts"]) - 1
        u = versions[i][1]
        out.append({"user": e["user_id"], "day": e["event_ts"].date(), "platform": e["platform"],
                    "segment": u["segment"], "age_group": u["age_group"] or "unknown", "age_scope": u["age_group"],
                    "country": u["country"] or "unknown", "device": e["device"] or "unknown"})
    return out


def expected_dau(tagged, f: Filters) -> dict[tuple[dt.date, str], int]:
    people = defaultdict(set)
    for e in tagged:
        if e["platform"] in f.platforms and (f.segment == "all" or e["segment"] == f.segment) \
                and (f.age_group == "all" or e["age_scope"] == f.age_group) and f.start <= e["day"] <= f.end:
            people[(e["day"], e[f.breakdown])].add(e["user"])
    return {k: len(v) for k, v in people.items()}


CASES = [
    Filters(ALL, START, LAST, "all", None, "age_group"),
    Filters(("instagram", "threads"), START + dt.timedelta(days=5), LAST, "power", None, "device"),
    Filters(("facebook", "whatsapp"), START, START + dt.timedelta(days=13), "all", None, "platform"),
    Filters(ALL, START + dt.timedelta(days=2), LAST, "casual", None, "segment"),
    Filters(("messenger",), START, LAST, "all", None, "country"),
]


@pytest.mark.parametrize("f", CASES, ids=[c.breakdown for c in CASES])
def test_dau_per_value_is_the_people_with_an_event_of_that_value(app_context, tagged, f):
    check_dau_per_value(tagged, f)


def check_dau_per_value(tagged, f: Filters) -> None:
    got = panels.activity_breakdown(f)
    expected = expected_dau(tagged, f)
    if f.breakdown == "country":  # the top 5 by summed DAU, the rest summed as Other
        totals = defaultdict(int)
        for (_, value), n in expected.items():
            totals[value] += n
        if len(totals) > 6:  # "Other" only when it gathers two values or more
            top = sorted(totals, key=lambda v: (-totals[v], v))[:5]
            folded = defaultdict(int)
            for (day, value), n in expected.items():
                folded[(day, value if value in top else "Other")] += n
            expected = dict(folded)
            assert set(got["value"]) == set(top) | {"Other"}
    shown = {(r.day.date(), r.value): r.dau for r in got.itertuples() if r.dau}
    assert shown == expected
    assert len(got) == f.days * got["value"].nunique()  # every day of the range for every value, 0 included


def test_n_day_retention_by_age_group_groups_new_users_by_their_first_event(app_context):
    f = Filters(ALL, START, LAST, "all", None, "age_group")
    got = panels.retention_days_breakdown(f)
    whole = panels.retention_days(f)
    # the groups partition the new users: cohort and returned counts add up to the page's
    summed = got.groupby("day_n")[["cohort_users", "returned_users"]].sum()
    assert list(summed["cohort_users"]) == list(whole["cohort_users"])
    assert list(summed["returned_users"]) == list(whole["returned_users"])
    assert got["value"].nunique() >= 5


def test_growth_and_retention_by_platform_equal_the_page_filtered_to_each(app_context):
    f = Filters(("facebook", "threads"), START, LAST, "all", None, "platform")
    growth = panels.growth_breakdown(f, "week")
    for platform in f.platforms:
        alone = panels.growth(replace(f, platforms=(platform,)), "week")
        mine = growth[growth["value"] == platform].drop(columns="value").reset_index(drop=True)
        assert mine.equals(alone), platform
    days = panels.retention_days_breakdown(f)
    assert list(days[days["value"] == "threads"]["returned_users"]) == \
        list(panels.retention_days(replace(f, platforms=("threads",)))["returned_users"])
    assert panels.growth_breakdown(replace(f, breakdown="country")).empty  # not offered: not precomputed


def test_growth_by_age_group_is_the_page_filtered_to_each_age_group(app_context):
    f = Filters(ALL, START, LAST, "regular", None, "age_group")
    growth = panels.growth_breakdown(f, "day")
    assert sorted(growth["value"].unique()) == sorted(reference.age_groups())
    for age in reference.age_groups():
        alone = panels.growth(replace(f, age_group=age, breakdown="none"), "day")
        mine = growth[growth["value"] == age].drop(columns="value").reset_index(drop=True)
        assert mine.equals(alone), age
    assert growth["active"].sum() > 0
    one = panels.growth_breakdown(replace(f, age_group="25-34"), "day")  # under an age filter: that group alone
    assert list(one["value"].unique()) == ["25-34"]
