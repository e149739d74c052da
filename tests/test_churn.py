"""Churn risk's data (pipeline/churn.py, docs/churn.md): point-in-time feature snapshots that later days never
change, labels and features that match a recount from the lake, and the Parquet export."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections import defaultdict

import pyarrow.parquet as pq
import pytest

from analytics import churn_risk
from analytics.filters import Filters
from pipeline import churn
from pipeline.generate import generate
from store import reference
from tests import lakeread
from tests.conftest import make_settings, panels_on, run_etl, warehouse
from tests.live_server import ROOT

START, HORIZON = dt.date(2024, 3, 4), 14
KEYS = {row["platform_name"]: int(row["platform_key"]) for row in reference.seed_rows("platforms")}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """A lake of 800 people over 45 days, loaded; its feature snapshots as computed then (column -> rows)."""
    settings = make_settings(tmp_path_factory.mktemp("churn"))
    generate(settings.lake_dir, users=800, days=45, start=START, seed=11)
    run_etl(settings)
    with warehouse(settings) as con:
        days = churn.snapshot_days(con, count=12)
        churn.build_features(con, days)
        before = con.execute("SELECT * FROM churn_features ORDER BY ALL").fetchall()
    return settings, days, before


def test_snapshots_are_the_sundays_with_a_whole_window_and_the_last_day(loaded):
    _, days, before = loaded
    last = START + dt.timedelta(days=44)  # a Wednesday
    sundays = days[:-1]
    assert days[-1] == last and all(d.isoweekday() == 7 for d in sundays)
    assert all((b - a).days == 7 for a, b in zip(sundays, sundays[1:])) and last - sundays[-1] < dt.timedelta(7)
    assert sundays[0] - dt.timedelta(days=27) >= START > sundays[0] - dt.timedelta(days=34)  # no earlier whole window
    assert len(before) > 1000 and {row[0] for row in before} == set(days)


def test_features_at_a_day_do_not_change_when_later_days_arrive(loaded):
    """No leakage: 15 more days appended and loaded, the same snapshot days recomputed give the same rows."""
    settings, days, before = loaded
    generate(settings.lake_dir, users=800, days=15)  # continues the lake after its last day
    run_etl(settings)
    with warehouse(settings) as con:
        assert churn.snapshot_days(con)[-1] == START + dt.timedelta(days=59)  # the data moved on
        churn.build_features(con, days)
        after = con.execute("SELECT * FROM churn_features WHERE snapshot_date IN (SELECT unnest(?)) ORDER BY ALL",
                            [days]).fetchall()
    assert after == before


def loaded_lake(tmp_path, users: int, days: int, seed: int):
    """A generated lake of `users` people over `days` days from START in `tmp_path`, loaded; its settings."""
    settings = make_settings(tmp_path)
    generate(settings.lake_dir, users=users, days=days, start=START, seed=seed)
    run_etl(settings)
    return settings


def churn_command(settings, *args: str) -> subprocess.CompletedProcess:
    """`python -m pipeline churn ARGS --data-dir ...` in a process of its own, its output captured."""
    return subprocess.run([sys.executable, "-m", "pipeline", "churn", *args, "--data-dir", str(settings.data_dir)],
                          cwd=ROOT, capture_output=True, text=True)


def _lake_activity(lake_dir):
    """user -> day -> (events, platforms), from the lake files alone."""
    t = lakeread.events(lake_dir)
    out = defaultdict(lambda: defaultdict(lambda: [0, set()]))
    for user, platform, ts in zip(t["user_id"].to_pylist(), t["platform"].to_pylist(), t["event_ts"].to_pylist()):
        cell = out[user][ts.date()]
        cell[0] += 1
        cell[1].add(platform)
    return out


def test_the_export_matches_a_recount_from_the_lake(loaded, tmp_path):
    """Every exported row: the person was active in the 28 days (population), recency, active days, events and
    platforms as counted from the lake, and the label = no event in the 14 days after, known only when those days
    are all in the data."""
    settings, _, _ = loaded
    out = tmp_path / "features.parquet"
    result = churn_command(settings, "features", "--horizon", str(HORIZON), "--export", str(out))
    assert result.returncode == 0, result.stderr
    assert "exported" in result.stdout and not (tmp_path / "features.parquet.partial").exists()
    rows = pq.read_table(out).to_pylist()
    activity = _lake_activity(settings.lake_dir)
    last_day = max(d for days in activity.values() for d in days)
    labelled = 0
    for row in rows:
        t = row["snapshot_date"]
        days = {d: c for d, c in activity[row["user_id"]].items() if t - dt.timedelta(days=28) < d <= t}
        recent = {d: c for d, c in days.items() if d > t - dt.timedelta(days=7)}
        assert days, row
        assert row["recency_days"] == (t - max(days)).days
        assert (row["active_days_28"], row["active_days_7"]) == (len(days), len(recent))
        assert (row["events_28"], row["events_7"]) == (sum(c[0] for c in days.values()),
                                                       sum(c[0] for c in recent.values()))
        used = set().union(*(c[1] for c in days.values()))
        assert row["platforms_28"] == len(used)
        assert row["platform_mask_28"] == sum(1 << (KEYS[p] - 1) for p in used)
        if t + dt.timedelta(days=HORIZON) <= last_day:
            later = [d for d in activity[row["user_id"]] if t < d <= t + dt.timedelta(days=HORIZON)]
            assert row["churned"] is (not later), row
            labelled += 1
        else:
            assert row["churned"] is None
    everyone = {(t, u) for u, days in activity.items() for t in {r["snapshot_date"] for r in rows}
                for d in days if t - dt.timedelta(days=28) < d <= t}
    assert {(r["snapshot_date"], r["user_id"]) for r in rows} == everyone  # the whole population, nobody else
    assert 0 < labelled < len(rows)
    churned = sum(1 for r in rows if r["churned"])
    assert 0 < churned < labelled  # the demo's people do leave, and most stay


@pytest.mark.parametrize("platforms", [reference.platforms(), ("instagram", "threads")])
def test_observed_churn_from_every_app_and_from_the_selected_ones_matches_the_lake(loaded, platforms):
    """The churn page's observed churn (docs/metrics.md#churn-score-and-risk-bands) on the latest labelled snapshot:
    the people active on a selected platform in its 28 days, those with no event at all in the 14 days after, and
    those with no event on a selected platform in them, all recounted from the lake files."""
    settings, _, _ = loaded
    with warehouse(settings) as con:
        churn.build_features(con, churn.snapshot_days(con))
    activity = _lake_activity(settings.lake_dir)
    last_day = max(d for days in activity.values() for d in days)
    with panels_on(settings.data_dir):
        seen = churn_risk.observed(Filters(tuple(platforms), last_day, last_day), HORIZON)
    t = seen["labelled_day"]
    assert t.isoweekday() == 7 and t + dt.timedelta(days=HORIZON) <= last_day < t + dt.timedelta(days=HORIZON + 7)
    chosen = set(platforms)
    people = [u for u, days in activity.items()
              if any(t - dt.timedelta(days=28) < d <= t and c[1] & chosen for d, c in days.items())]

    def idle(user, on) -> bool:
        return not any(t < d <= t + dt.timedelta(days=HORIZON) and c[1] & on for d, c in activity[user].items())

    expected = {"labelled_day": t, "people": len(people),
                "churned": sum(idle(u, set(reference.platforms())) for u in people),
                "churned_from_selected": sum(idle(u, chosen) for u in people)}
    assert seen == expected
    assert 0 < expected["churned"] <= expected["churned_from_selected"] < expected["people"]


def test_observed_churn_under_an_age_group_counts_the_people_of_that_age_on_the_day(loaded):
    """Under an age-group filter the page shows the people whose user version at the end of the snapshot day was in
    that age group: the groups partition the whole, each recounted from the lake's user records."""
    settings, _, _ = loaded
    with warehouse(settings) as con:
        churn.build_features(con, churn.snapshot_days(con))
    activity = _lake_activity(settings.lake_dir)
    last_day = max(d for days in activity.values() for d in days)
    everyone = tuple(reference.platforms())
    with panels_on(settings.data_dir):
        whole = churn_risk.observed(Filters(everyone, last_day, last_day), HORIZON)
        t = whole["labelled_day"]
        end = dt.datetime.combine(t, dt.time.max)
        age_at: dict[int, str | None] = {}
        for r in sorted(lakeread.user_records(settings.lake_dir).to_pylist(), key=lambda r: r["updated_at"]):
            if r["updated_at"] <= end:
                age_at[r["user_id"]] = r["age_group"]
        people = [u for u, days in activity.items() if any(t - dt.timedelta(days=28) < d <= t for d in days)]
        summed = 0
        for age in reference.age_groups():
            seen = churn_risk.observed(Filters(everyone, last_day, last_day, age_group=age), HORIZON)
            mine = [u for u in people if age_at.get(u) == age]
            churned = sum(not any(t < d <= t + dt.timedelta(days=HORIZON) for d in activity[u]) for u in mine)
            assert (seen["people"], seen["churned"]) == (len(mine), churned), age
            summed += seen["people"]
    assert summed == whole["people"] - sum(age_at.get(u) is None for u in people) and summed > 0


def test_too_little_data_is_refused_in_one_line(tmp_path):
    result = churn_command(loaded_lake(tmp_path, users=50, days=20, seed=3), "features")
    assert result.returncode == 2
    assert result.stderr.strip() == ("error: fewer than 28 days of data: no snapshot has a whole window yet")
