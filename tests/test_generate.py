"""The demo generator: deterministic, structured like real product data, and able to append days."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pyarrow.compute as pc
import pytest

from store import reference
from pipeline.generate import generate
from pipeline.lake import list_lake
from tests import lakeread
from tests.conftest import DAYS, START, USERS


def _read(lake_dir):
    return lakeread.events(lake_dir).sort_by("event_id"), lakeread.user_records(lake_dir).sort_by(
        [("updated_at", "ascending"), ("user_id", "ascending")])


def test_same_seed_same_lake_other_seed_other_lake(tmp_path):
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        generate(tmp_path / name, users=200, days=5, start=START, seed=seed)
    a, b, c = (_read(tmp_path / n) for n in "abc")
    assert a[0].equals(b[0]) and a[1].equals(b[1])
    assert not a[0].equals(c[0])


def test_values_come_from_the_reference_data(lake_template):
    events, users = _read(lake_template / "lake")
    assert set(pc.unique(events["platform"]).to_pylist()) == set(reference.platforms())
    assert set(pc.unique(events["event_type"]).to_pylist()) == set(reference.event_types())
    assert set(pc.unique(events["device"]).to_pylist()) == set(reference.devices())
    assert set(pc.unique(events["country"]).to_pylist()) <= set(reference.countries())
    assert set(pc.unique(users["segment"]).to_pylist()) == set(reference.segments())
    assert set(pc.unique(users["age_group"]).to_pylist()) <= set(reference.age_groups())
    assert len(pc.unique(users["country"])) >= 20


def test_events_sit_inside_their_day_and_follow_their_user(lake_template):
    events, users = _read(lake_template / "lake")
    assert pc.all(pc.equal(pc.cast(events["event_ts"], "date32"), events["event_date"])).as_py()
    first_record = {}
    for u, at in zip(users["user_id"].to_pylist(), users["updated_at"].to_pylist()):
        first_record.setdefault(u, at)
    first_event = {}
    for u, ts in zip(events["user_id"].to_pylist(), events["event_ts"].to_pylist()):
        first_event[u] = min(ts, first_event.get(u, ts))
    assert all(first_record[u] <= ts for u, ts in first_event.items())
    assert len(pc.unique(events["event_id"])) == events.num_rows
    assert len(first_record) == USERS


def test_activity_is_heavy_tailed(lake_template):
    events, _ = _read(lake_template / "lake")
    per_user = sorted(Counter(events["user_id"].to_pylist()).values(), reverse=True)
    total = sum(per_user)
    top_10 = sum(per_user[: len(per_user) // 10]) / total
    top_1 = sum(per_user[: max(1, len(per_user) // 100)]) / total
    assert top_10 > 0.35  # a few power users produce a large share
    assert top_1 > 0.04


def test_weekends_are_quieter(lake_template):
    events, _ = _read(lake_template / "lake")
    per_day = Counter(events["event_date"].to_pylist())
    quieter_weeks = 0
    for week in range(DAYS // 7):
        days = [START + dt.timedelta(days=7 * week + i) for i in range(7)]
        weekday = sum(per_day[d] for d in days[:4]) / 4
        weekend = sum(per_day[d] for d in days[5:]) / 2
        quieter_weeks += weekend < 0.95 * weekday
    assert quieter_weeks >= DAYS // 7 - 1


def test_the_funnel_thins(lake_template):
    events, _ = _read(lake_template / "lake")
    counts = Counter(events["event_type"].to_pylist())
    steps = [counts[s] for s in reference.funnel_steps()]
    assert steps == sorted(steps, reverse=True) and steps[-1] > 0


def test_people_sign_up_churn_and_come_back(lake_template):
    events, users = _read(lake_template / "lake")
    signups = Counter(d for d in pc.cast(users["updated_at"], "date32").to_pylist())
    assert sum(1 for d in signups if d > START) >= DAYS - 2  # sign-ups spread over the period
    active = defaultdict(set)
    for u, d in zip(events["user_id"].to_pylist(), events["event_date"].to_pylist()):
        active[u].add(d)
    last_day = START + dt.timedelta(days=DAYS - 1)
    resurrected = sum(1 for days in active.values()
                      if any((b - a).days >= 8 for a, b in zip(sorted(days), sorted(days)[1:])))
    churned = sum(1 for days in active.values() if max(days) <= last_day - dt.timedelta(days=14))
    assert resurrected >= USERS * 0.02
    assert churned >= USERS * 0.02
    multi_platform = Counter(len(ps) for ps in _platforms_by_user(events).values())
    assert multi_platform[1] > 0 and sum(v for k, v in multi_platform.items() if k >= 3) > 0


def _platforms_by_user(events):
    out = defaultdict(set)
    for u, p in zip(events["user_id"].to_pylist(), events["platform"].to_pylist()):
        out[u].add(p)
    return out


def test_attributes_change_over_time(lake_template):
    _, users = _read(lake_template / "lake")
    history = defaultdict(list)
    for row in users.to_pylist():
        history[row["user_id"]].append(row)
    changed = [rows for rows in history.values() if len(rows) > 1]
    assert len(changed) >= 10
    kinds = Counter()
    for rows in changed:
        for before, after in zip(rows, rows[1:]):
            kinds.update(k for k in ("segment", "country", "age_group") if before[k] != after[k])
    assert kinds["segment"] > 0 and kinds["age_group"] > 0


def test_appending_continues_the_same_population(tmp_path):
    lake_dir = tmp_path / "lake"
    generate(lake_dir, users=300, days=5, start=START, seed=1)
    before = {f.rel_path: (f.size, f.mtime_ns) for files in list_lake(lake_dir).files.values() for f in files}
    result = generate(lake_dir, users=0, days=3)
    assert (result.first_day, result.last_day) == (START + dt.timedelta(days=5), START + dt.timedelta(days=7))
    after = {f.rel_path: (f.size, f.mtime_ns) for files in list_lake(lake_dir).files.values() for f in files}
    assert {k: after[k] for k in before} == before  # earlier partitions untouched
    events = lakeread.events(lake_dir)
    new_days = pc.greater_equal(events["event_date"], START + dt.timedelta(days=5))
    new_users = set(events.filter(new_days)["user_id"].to_pylist())
    old_users = set(events.filter(pc.invert(new_days))["user_id"].to_pylist())
    assert len(new_users & old_users) > 0.5 * len(new_users)  # the same people come back
    assert result.users > 300  # and new people sign up
    with pytest.raises(ValueError, match="--start must be after it"):
        generate(lake_dir, users=0, days=1, start=START + dt.timedelta(days=7))
