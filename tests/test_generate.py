"""The demo generator: deterministic, structured like real product data, and able to append days."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import numpy as np
import pyarrow as pa
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


# -- the shapes of a product: retention that decays, churn, stickiness by app ------------------------------------

SHAPE_USERS, SHAPE_DAYS = 8000, 70


class Activity:
    """A lake read into boolean (user x day) activity matrices, per platform and for the family, with sign-ups."""

    def __init__(self, lake_dir):
        events, users = _read(lake_dir)
        self.events, self.users = events, users
        self.ids = np.unique(users["user_id"].to_numpy())
        row = np.searchsorted(self.ids, events["user_id"].to_numpy())
        day = (events["event_date"].cast(pa.int32()).to_numpy() - START.toordinal() + dt.date(1970, 1, 1).toordinal())
        self.days = int(day.max()) + 1
        self.active = {}
        for p in reference.platforms():
            on = pc.equal(events["platform"], p).to_numpy(zero_copy_only=False)
            m = np.zeros((len(self.ids), self.days), dtype=bool)
            m[row[on], day[on]] = True
            self.active[p] = m
        self.active["family"] = np.logical_or.reduce([self.active[p] for p in reference.platforms()])
        first = users.sort_by("updated_at").group_by("user_id", use_threads=False).aggregate([("signup_date", "first")])
        order = np.argsort(first["user_id"].to_numpy())
        signup = first["signup_date_first"].cast(pa.int32()).to_numpy()[order]
        self.signup = signup - (START.toordinal() - dt.date(1970, 1, 1).toordinal())  # days from START, < 0 before

    def dau_mau(self, scope: str, rows=None, last: int | None = None) -> float:
        """DAU / MAU (active that day / active in the 30 days ending that day) averaged over the last 14 days."""
        m = self.active[scope] if rows is None else self.active[scope][rows]
        last = self.days - 1 if last is None else last
        ratios = [m[:, d].sum() / m[:, d - 29:d + 1].any(axis=1).sum() for d in range(last - 13, last + 1)]
        return float(np.mean(ratios))

    def mau(self, scope: str, day: int) -> int:
        return int(self.active[scope][:, day - 29:day + 1].any(axis=1).sum())

    def day_n_retention(self, n: int) -> float:
        """Of the people who signed up in the lake, the share active exactly n days after their first active day."""
        m = self.active["family"]
        newcomers = np.flatnonzero((self.signup >= 0) & m.any(axis=1))
        first = m[newcomers].argmax(axis=1)
        ok = first + n < self.days
        return float(m[newcomers[ok], first[ok] + n].mean())

    def week_n_retention(self, n: int) -> float:
        """Of the people who signed up in the lake, by their first active week: the share active n weeks later."""
        weeks = self.days // 7
        m = self.active["family"][:, :weeks * 7].reshape(len(self.ids), weeks, 7).any(axis=2)
        newcomers = np.flatnonzero((self.signup >= 0) & m.any(axis=1))
        first = m[newcomers].argmax(axis=1)
        ok = first + n < weeks
        return float(m[newcomers[ok], first[ok] + n].mean())


@pytest.fixture(scope="module")
def shaped(tmp_path_factory) -> Activity:
    lake_dir = tmp_path_factory.mktemp("shaped") / "lake"
    generate(lake_dir, users=SHAPE_USERS, days=SHAPE_DAYS, start=START, seed=5)
    return Activity(lake_dir)


def test_new_users_retention_decays_then_flattens(shaped):
    d1, d7, d30 = (shaped.day_n_retention(n) for n in (1, 7, 30))
    assert 0.3 < d1 < 0.6 and d1 > 1.3 * d7 and d7 > 1.2 * d30 and d30 > 0.08, (d1, d7, d30)
    w1, w2, w4, w8 = (shaped.week_n_retention(n) for n in (1, 2, 4, 8))
    assert 0.35 < w1 < 0.65 and w1 > w2 > w4 > w8 > 0.1, (w1, w2, w4, w8)
    assert w1 - w4 > 2 * (w4 - w8), (w1, w4, w8)  # the loss slows down: most leave in the first weeks


def test_people_leave_and_the_base_has_history(shaped):
    last = shaped.days - 1
    signed_up = int((shaped.signup <= last).sum())
    assert 0.4 < shaped.mau("family", last) / signed_up < 0.75
    before = shaped.signup < 0
    assert 0.3 < before.mean() < 0.8 and shaped.signup.min() < -365  # a base that signed up long before
    never = ~shaped.active["family"].any(axis=1)
    assert 0.1 < never[before].mean() < 0.5  # many of them had already left
    assert never[~before].sum() == 0  # newcomers use an app on the day they sign up...
    m = shaped.active["family"]
    assert (m[~before].argmax(axis=1) == shaped.signup[~before]).all()
    gone = ~m[~before & (shaped.signup < last - 40), -21:].any(axis=1)
    assert gone.mean() > 0.4  # ... and many of those who came early in the lake have left for good


def test_established_users_are_stickier_than_newcomers(shaped):
    established = shaped.dau_mau("family", rows=shaped.signup < 0)
    newcomers = shaped.dau_mau("family", rows=shaped.signup >= 0)
    assert established > newcomers + 0.1, (established, newcomers)


def test_messaging_is_the_daily_habit_and_threads_the_least(shaped):
    ratio = {p: shaped.dau_mau(p) for p in (*reference.platforms(), "family")}
    assert ratio["whatsapp"] > ratio["messenger"] > ratio["facebook"] > ratio["instagram"] > ratio["threads"], ratio
    assert ratio["whatsapp"] > 0.5 and ratio["threads"] < 0.3 and 0.4 < ratio["family"] < 0.62, ratio

    def reach(p, day):  # share of the family's monthly users who used the app in those 30 days
        return shaped.mau(p, day) / shaped.mau("family", day)

    last = shaped.days - 1
    growth = {p: reach(p, last) / reach(p, 29) for p in ("threads", "facebook")}
    assert growth["threads"] > growth["facebook"] + 0.05, growth  # people adopt Threads later than they sign up


def test_signups_have_a_weekly_rhythm_and_noise(shaped):
    per_day = np.bincount(shaped.signup[shaped.signup >= 0], minlength=shaped.days)
    weekday = np.array([(START + dt.timedelta(days=d)).weekday() for d in range(shaped.days)])
    assert per_day[weekday >= 5].mean() < 0.95 * per_day[weekday < 5].mean()
    steps = np.diff(per_day[weekday < 5])
    assert (steps < 0).sum() > 0.25 * len(steps)  # not a smooth ramp


def test_some_changes_happen_during_the_day(shaped):
    users, events = shaped.users, shaped.events
    ts = users["updated_at"].cast(pa.int64()).to_numpy()
    in_day = ts % 86_400_000_000
    assert (ts // 86_400_000_000 == users["change_date"].cast(pa.int32()).to_numpy()).all()  # on their day's partition
    rows = users.to_pylist()  # sorted by updated_at
    previous, last_seen = {}, {}  # row -> the same user's row before it
    for i, r in enumerate(rows):
        if r["user_id"] in last_seen:
            previous[i] = last_seen[r["user_id"]]
        last_seen[r["user_id"]] = i
    firsts = [i for i in range(len(rows)) if i not in previous]
    assert (in_day[firsts] == 0).all()  # a user's first record is effective from midnight
    midday = np.flatnonzero(in_day > 0)
    assert len(midday) >= 20
    kinds = Counter(k for i in midday for k in ("segment", "country", "age_group")
                    if rows[previous[i]][k] != rows[i][k])
    assert kinds["segment"] > 0 and kinds["age_group"] == 0  # segment moves and relocations, not birthdays
    # some people have events under both versions that day, and the events before a relocation are in the old country
    ev_user, ev_ts = events["user_id"].to_numpy(), events["event_ts"].cast(pa.int64()).to_numpy()
    ev_country = np.array(events["country"].to_pylist())
    both = 0
    in_old = Counter()  # (before or after the move, in the old country or not) -> events
    for i in midday:
        new, old = rows[i], rows[previous[i]]
        mine = (ev_user == new["user_id"]) & (ev_ts // 86_400_000_000 == ts[i] // 86_400_000_000)
        before, after = mine & (ev_ts < ts[i]), mine & (ev_ts >= ts[i])
        both += bool(before.any() and after.any())
        if old["country"] != new["country"]:
            for when, sel in (("before", before), ("after", after)):
                in_old[when, True] += int((ev_country[sel] == old["country"]).sum())
                in_old[when, False] += int((ev_country[sel] != old["country"]).sum())
    assert both >= 5
    assert in_old["before", True] > 2 * in_old["before", False] and in_old["after", False] > 2 * in_old["after", True]
