"""Age group as a filter, beside segment, on a lake where many people cross into another age group, lose it or change
segment in the middle of a day inside the 7- and 30-day windows: every panel against tests/reference_metrics.py for
populations of each kind (the panel tests of tests/test_panels.py, run here on this lake), the marts of an
incremental load equal to those of one load, and a warehouse whose marts predate the age group rebuilt by its next
run."""

from __future__ import annotations

import datetime as dt
import shutil

import pyarrow as pa
import pytest

from analytics import panels
from analytics.filters import Filters
from pipeline import lake as lakes
from store import reference
from tests import lakeread
from tests import reference_metrics as ref
from tests.conftest import DAYS, START, make_settings, panels_on_copy, run_etl, warehouse
from tests.snapshots import snapshot_of
from tests.test_breakdowns import check_dau_per_value, tag_events
from tests.test_panels import (  # noqa: F401  (collected here too: the same checks on the lake below)
    test_engagement_distribution, test_funnel, test_geography, test_growth_accounting,
    test_kpis_compare_with_the_previous_period, test_overview_activity, test_pareto,
    test_platform_comparison, test_platform_usage_and_cross_platform, test_retention_cohorts, test_retention_days)

ALL = tuple(reference.platforms())
LAST = START + dt.timedelta(days=DAYS - 1)
AGES = reference.age_groups()
MARTS = ("agg_user_activity_daily", "agg_user_day", "agg_user_week", "agg_daily_volume", "agg_user_platform_first",
         "agg_active_masks", "agg_growth_transitions", "agg_breakdown_daily", "fct_funnel_events")
CASES = {
    "everything, ages 18-24": Filters(ALL, START, LAST, "all", None, age_group="18-24"),
    "everything, ages 25-34, the last 10 days": Filters(ALL, LAST - dt.timedelta(days=9), LAST, "all", None,
                                                        age_group="25-34"),
    "two apps, regular, ages 35-44": Filters(("facebook", "instagram"), START + dt.timedelta(days=5), LAST,
                                             "regular", None, age_group="35-44"),
    "whatsapp, casual, ages 25-34, two weeks": Filters(("whatsapp",), START + dt.timedelta(days=7),
                                                       START + dt.timedelta(days=20), "casual", None,
                                                       age_group="25-34"),
    "power, every age": Filters(ALL, START + dt.timedelta(days=3), LAST, "power", None),
}


def _next_age(age: str | None) -> str | None:
    return None if age not in AGES else AGES[(AGES.index(age) + 1) % len(AGES)]


def _changes(latest: dict[int, dict], when: dt.datetime, pick) -> list[dict]:
    """New user records at `when` for the users `pick(position, record)` changes (a dict of the fields changed)."""
    rows = []
    for i, (user_id, record) in enumerate(sorted(latest.items())):
        change = pick(i, record)
        if change:
            record = {**record, **change, "updated_at": when}
            latest[user_id] = record
            rows.append(record)
    return rows


@pytest.fixture(scope="module")
def aged(lake_template, tmp_path_factory):
    """The generated lake with two more rounds of user records: at noon on day 10 every third person moves to the
    next age group, every seventh loses it (unknown), every fifth changes segment, and a few get a segment or an age
    group outside the reference lists; at midnight on day 19 every sixth moves on again. Loaded by one run."""
    root = tmp_path_factory.mktemp("aged")
    shutil.copytree(lake_template / "lake", root / "lake")
    records = lakeread.user_records(root / "lake").to_pylist()
    latest = {r["user_id"]: r for r in sorted(records, key=lambda r: r["updated_at"])}
    segments = reference.segments()
    first = START + dt.timedelta(days=9)
    second = START + dt.timedelta(days=18)
    rounds = [
        (first, _changes(latest, dt.datetime.combine(first, dt.time(12, 0, 7)), lambda i, r: {
            **({"age_group": _next_age(r["age_group"])} if i % 3 == 0 else {}),
            **({"age_group": None} if i % 7 == 0 else {}),
            **({"segment": segments[(segments.index(r["segment"]) + 1) % len(segments)]}
               if i % 5 == 0 and r["segment"] in segments else {}),
            **({"segment": "vip"} if i % 23 == 0 else {}),  # outside the reference lists: loaded as is
            **({"age_group": "90+"} if i % 29 == 0 else {})})),
        (second, _changes(latest, dt.datetime.combine(second, dt.time(0, 0, 7)), lambda i, r: (
            {"age_group": _next_age(r["age_group"]) or AGES[1]} if i % 6 == 0 else {}))),
    ]
    for day, rows in rounds:
        assert len(rows) >= 100
        lakes.write_partition(root / "lake", "users", day, pa.Table.from_pylist(rows, lakes.arrow_schema("users")),
                              name="part-ages.parquet")
    settings = make_settings(root)
    assert run_etl(settings).status in ("succeeded", "succeeded_with_warnings")
    return settings


@pytest.fixture(scope="module")
def lake(aged) -> ref.Lake:
    return ref.Lake(aged.lake_dir)


@pytest.fixture(scope="module")
def app_context(aged, tmp_path_factory):
    with panels_on_copy(aged, tmp_path_factory):
        yield


@pytest.fixture(params=list(CASES), ids=list(CASES))
def case(request, app_context) -> Filters:
    return CASES[request.param]


def test_the_lake_has_people_crossing_age_groups_inside_the_windows(lake):
    ages: dict[int, set] = {}
    for e in lake.events:
        ages.setdefault(e.user_id, set()).add(e.age_group)
    assert sum(len(a) > 1 for a in ages.values()) > 100 and sum(None in a for a in ages.values()) > 30


def test_every_age_group_and_segment_pair_has_the_reference_active_users(app_context, lake):
    """DAU, WAU and MAU of every population from day 13 on, from the masks mart."""
    for segment in ("all", "vip") + reference.segments():  # "vip", "90+": outside the reference lists
        for age in ("all", "90+") + AGES:
            f = Filters(ALL, START + dt.timedelta(days=12), LAST, segment, None, age_group=age)
            got = [(r.day.date(), r.dau, r.wau, r.mau) for r in panels.overview_activity(f).itertuples()]
            expected = [row[:4] for row in ref.overview(lake, ALL, (segment, age), f.start, f.end)]
            assert got == expected, (segment, age)


BREAKDOWN_CASES = [
    Filters(ALL, START, LAST, "all", None, "segment", age_group="25-34"),
    Filters(ALL, START + dt.timedelta(days=6), LAST, "regular", None, "age_group"),
    Filters(("instagram", "whatsapp", "threads"), START, LAST, "casual", None, "device", age_group="18-24"),
    Filters(ALL, START, LAST, "all", None, "platform", age_group="90+"),
    Filters(ALL, START, LAST, "vip", None, "country", age_group="35-44"),
]


@pytest.mark.parametrize("f", BREAKDOWN_CASES, ids=[f"{c.breakdown} {c.segment} {c.age_group}" for c in BREAKDOWN_CASES])
def test_dau_per_value_under_a_population_is_the_people_with_an_event_of_that_value(app_context, aged, f):
    check_dau_per_value(tag_events(aged.lake_dir), f)


def _marts(settings) -> dict[str, list]:
    published = snapshot_of(settings)
    return {t: published[t] for t in MARTS}


def test_an_incremental_load_builds_the_marts_one_load_does(aged, tmp_path):
    """The last two days loaded by a second run (the masks' few-days way) give the marts of one run (islands)."""
    settings = make_settings(tmp_path)
    shutil.copytree(aged.lake_dir, settings.lake_dir)
    held = tmp_path / "held"
    held.mkdir()
    for day in (LAST - dt.timedelta(days=1), LAST):
        shutil.move(lakes.partition_dir(settings.lake_dir, "events", day), held / day.isoformat())
    run_etl(settings)
    for day in (LAST - dt.timedelta(days=1), LAST):
        shutil.move(held / day.isoformat(), lakes.partition_dir(settings.lake_dir, "events", day))
    run_etl(settings)
    expected, got = _marts(aged), _marts(settings)
    for table in MARTS:
        assert got[table] == expected[table], table
    assert any(row[-1] not in ("all", None) for row in got["agg_active_masks"])


def test_marts_built_before_the_age_group_are_rebuilt_by_the_next_run(aged, tmp_path):
    """A warehouse whose marts carry no age group (layout 1) gets them all from its next run that loads anything."""
    settings = make_settings(tmp_path)
    shutil.copytree(aged.lake_dir, settings.lake_dir)
    shutil.copy(aged.warehouse_path, settings.warehouse_path)
    with warehouse(settings) as con:
        con.execute("UPDATE marts_layout SET version = 1")
        for table in ("agg_user_activity_daily", "agg_user_day", "agg_user_week", "agg_daily_volume",
                      "agg_user_platform_first", "fct_funnel_events"):
            con.execute(f"UPDATE {table} SET age_group = NULL")
        for table in ("agg_active_masks", "agg_growth_transitions", "agg_breakdown_daily"):
            con.execute(f"DELETE FROM {table} WHERE age_group <> 'all'")
    result = run_etl(settings, start=LAST, end=LAST)  # a backfill of one day
    assert result.status in ("succeeded", "succeeded_with_warnings")
    with warehouse(settings) as con:
        assert con.execute("SELECT version FROM marts_layout").fetchall() == [(2,)]
    expected, got = _marts(aged), _marts(settings)
    for table in MARTS:
        assert got[table] == expected[table], table
