"""Demo data: a vectorised simulation of people using a family of five apps, written to the lake day by day.

The model, per day and all in NumPy over whole arrays (no loop over users or events):
- a population that grows (sign-ups spread over the period, a base that existed before it);
- per person a heavy-tailed intensity (log-normal), a segment (casual / regular / power / creator) that sets how
  often they come back, the platforms they adopted (age shapes which) and how much they like each one;
- spells of dormancy (more likely in the first weeks after sign-up), most short, some long: churn and resurrection;
- a weekly rhythm; sessions; a device; a country (a few people travel); event types whose mix depends on the
  platform and the segment, so the funnel view > like > comment > share > create thins;
- attributes that change (segment moves, people relocate, birthdays move them to the next age group), written as
  change records so `dim_users` gets real SCD type 2 history.

The simulation state is kept in `<lake>/_generator/` so `--start` after the last day continues the same population.
Every day draws from its own random stream (seed, day), so a seed reproduces the lake exactly.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from store import reference
from pipeline.lake import write_partition

STATE_DIR = "_generator"
STATE_VERSION = 1
MICROS_PER_DAY = 86_400_000_000
ID_STRIDE = 100_000_000  # ids are day ordinal * stride + sequence within the day

# -- behaviour, keyed by the reference values so a change of seeds cannot silently shift them -------------------
COUNTRY_WEIGHTS = {
    "US": 12.0, "IN": 14.0, "BR": 7.5, "ID": 7.0, "MX": 5.0, "PH": 4.5, "VN": 3.8, "TH": 2.8, "EG": 2.6, "BD": 2.4,
    "PK": 2.3, "NG": 2.2, "TR": 2.2, "GB": 2.4, "FR": 2.0, "DE": 1.9, "IT": 1.7, "ES": 1.5, "CO": 1.6, "AR": 1.4,
    "JP": 1.3, "KR": 0.8, "CA": 1.2, "AU": 0.8, "PE": 1.0, "MY": 1.0, "SA": 1.0, "ZA": 1.0, "PL": 0.9, "KE": 0.8,
    "NL": 0.5,
}
SEGMENT_SHARE = {"casual": 0.55, "regular": 0.28, "power": 0.12, "creator": 0.05}
SEGMENT_VISIT = {"casual": 0.22, "regular": 0.48, "power": 0.80, "creator": 0.78}  # chance to use an adopted app
SEGMENT_EVENTS = {"casual": 0.6, "regular": 1.0, "power": 2.4, "creator": 2.0}  # mean extra events per app-day
SEGMENT_HAZARD = {"casual": 0.020, "regular": 0.009, "power": 0.004, "creator": 0.003}  # daily chance to go dormant
SEGMENT_MOVES = {"casual": ("regular",), "regular": ("casual", "power"), "power": ("regular", "creator"),
                 "creator": ("power",)}
AGE_SHARE = {"13-17": 0.06, "18-24": 0.22, "25-34": 0.29, "35-44": 0.19, "45-54": 0.12, "55-64": 0.08, "65+": 0.04}
DEVICE_SHARE = {"ios": 0.38, "android": 0.47, "web": 0.08, "desktop": 0.07}
PLATFORM_ADOPTION = {"facebook": 0.70, "instagram": 0.58, "messenger": 0.45, "whatsapp": 0.56, "threads": 0.14}
PLATFORM_YOUTH_SHIFT = {"facebook": -0.25, "instagram": 0.22, "messenger": -0.05, "whatsapp": 0.0, "threads": 0.10}
PLATFORM_VISIT = {"facebook": 1.0, "instagram": 1.05, "messenger": 0.8, "whatsapp": 1.15, "threads": 0.65}
PLATFORM_EVENTS = {"facebook": 1.0, "instagram": 1.2, "messenger": 0.8, "whatsapp": 0.9, "threads": 0.6}
# event-type mix per platform, in reference.event_types() order: view like comment share create message login
EVENT_MIX = {
    "facebook": (0.58, 0.19, 0.07, 0.035, 0.015, 0.04, 0.07),
    "instagram": (0.60, 0.22, 0.05, 0.025, 0.02, 0.02, 0.06),
    "messenger": (0.08, 0.04, 0.01, 0.01, 0.004, 0.77, 0.076),
    "whatsapp": (0.05, 0.02, 0.005, 0.01, 0.008, 0.83, 0.077),
    "threads": (0.62, 0.17, 0.08, 0.04, 0.02, 0.0, 0.07),
}
CREATOR_BOOST = {"create": 5.0, "share": 1.8, "comment": 1.5}
DOW_FACTOR = (1.00, 1.03, 1.04, 1.02, 0.95, 0.82, 0.87)  # Monday .. Sunday
HOUR_WEIGHTS = (2, 1.2, 0.8, 0.6, 0.6, 1, 2.2, 3.6, 4.2, 4, 4, 4.3, 4.8, 4.6, 4.2, 4.1, 4.4, 5, 5.8, 6.6, 7, 6.4, 5,
                3.4)
PRE_EXISTING_SHARE = 0.4  # users who signed up before the first generated day
TRAVEL_RATE = 0.015
SEGMENT_CHANGE_RATE = 0.004
RELOCATION_RATE = 0.0004


@dataclass
class Population:
    """Generator state: one array per attribute, one slot per user (users sorted by sign-up day)."""

    user_id: np.ndarray  # int64
    signup_day: np.ndarray  # int32, date ordinal
    birth_day: np.ndarray  # int32, date ordinal
    segment: np.ndarray  # int8, index into reference.segments()
    country: np.ndarray  # int8, index into reference.countries()
    age_group: np.ndarray  # int8, index into reference.age_groups(); as last written to the lake
    device: np.ndarray  # int8, primary device, index into reference.devices()
    intensity: np.ndarray  # float32, log-normal activity multiplier
    adopted: np.ndarray  # bool (n, platforms)
    affinity: np.ndarray  # float32 (n, platforms)
    dormant_until: np.ndarray  # int32, date ordinal of the first day active again
    announced: np.ndarray  # bool, the user's first record is in the lake

    def __len__(self) -> int:
        return len(self.user_id)

    def concat(self, other: "Population") -> "Population":
        return Population(**{f.name: np.concatenate([getattr(self, f.name), getattr(other, f.name)])
                             for f in fields(self)})


@dataclass(frozen=True)
class GenerateResult:
    first_day: dt.date
    last_day: dt.date
    days: int
    events: int
    user_records: int
    users: int


def _probs(weights: dict[str, float], names: tuple[str, ...]) -> np.ndarray:
    missing = set(weights) - set(names)
    if missing:
        raise ValueError(f"generator weights name values missing from the seeds: {sorted(missing)}")
    p = np.array([weights.get(n, 0.0) for n in names], dtype=np.float64)
    return p / p.sum()


def _choice(rng: np.random.Generator, p: np.ndarray, size: int) -> np.ndarray:
    """Vectorised categorical draw (indices into p)."""
    return np.searchsorted(np.cumsum(p), rng.random(size) * p.sum(), side="right").clip(0, len(p) - 1).astype(np.int8)


def _age_group_index(age_years: np.ndarray) -> np.ndarray:
    bounds = np.array([int(r["min_age"]) for r in reference.seed_rows("age_groups")])
    return (np.searchsorted(bounds, age_years, side="right") - 1).clip(0, len(bounds) - 1).astype(np.int8)


def _age_at(birth_day: np.ndarray, day: int) -> np.ndarray:
    return np.floor((day - birth_day) / 365.2425).astype(np.int32)


def _new_users(rng: np.random.Generator, signup_days: np.ndarray, first_id: int, on_day: int) -> Population:
    """Draw the attributes of new users who sign up on the given days."""
    n = len(signup_days)
    platforms, segments, ages = reference.platforms(), reference.segments(), reference.age_groups()
    age_idx = _choice(rng, _probs(AGE_SHARE, ages), n)
    lo = np.array([int(r["min_age"]) for r in reference.seed_rows("age_groups")])[age_idx]
    hi = np.minimum(np.array([int(r["max_age"]) for r in reference.seed_rows("age_groups")])[age_idx], 80)
    age_days = (rng.uniform(lo, hi + 1) * 365.2425).astype(np.int32)
    birth_day = (on_day - age_days).astype(np.int32)
    young = age_idx <= ages.index("18-24")
    old = age_idx >= ages.index("45-54")
    base = np.array([PLATFORM_ADOPTION[p] for p in platforms])
    shift = np.array([PLATFORM_YOUTH_SHIFT[p] for p in platforms])
    p_adopt = (base + np.outer(young, shift) - 0.8 * np.outer(old, shift)).clip(0.03, 0.95)
    adopted = rng.random((n, len(platforms))) < p_adopt
    none = ~adopted.any(axis=1)
    adopted[none, _choice(rng, base / base.sum(), int(none.sum()))] = True
    return Population(
        user_id=np.arange(first_id, first_id + n, dtype=np.int64),
        signup_day=signup_days.astype(np.int32),
        birth_day=birth_day,
        segment=_choice(rng, _probs(SEGMENT_SHARE, segments), n),
        country=_choice(rng, _probs(COUNTRY_WEIGHTS, reference.countries()), n),
        age_group=np.full(n, -1, dtype=np.int8),
        device=_choice(rng, _probs(DEVICE_SHARE, reference.devices()), n),
        intensity=rng.lognormal(0.0, 0.85, n).astype(np.float32),
        adopted=adopted,
        affinity=rng.uniform(0.35, 1.0, (n, len(platforms))).astype(np.float32),
        dormant_until=np.zeros(n, dtype=np.int32),
        announced=np.zeros(n, dtype=bool),
    )


def _initial_population(seed: int, users: int, start: int, days: int) -> tuple[Population, float]:
    """The population of a new lake and the sign-up rate (users/day) at its last day."""
    rng = np.random.default_rng([seed, 0])
    n_before = int(round(users * PRE_EXISTING_SHARE))
    n_during = users - n_before
    before = start - rng.integers(1, 366, n_before)
    growth = math.log(2.0) / max(days, 1)  # the daily sign-up rate doubles over the period
    u = rng.random(n_during)
    offsets = np.log1p(u * math.expm1(growth * days)) / growth if days else np.zeros(n_during)
    during = start + np.floor(offsets).astype(np.int64).clip(0, max(days - 1, 0))
    signup = np.sort(np.concatenate([before, during]))
    pop = _new_users(rng, signup, first_id=1, on_day=start)
    # the base that existed before the period is already partly dormant
    pre = pop.signup_day < start
    sleeping = pre & (rng.random(users) < 0.25)
    pop.dormant_until[sleeping] = start + rng.geometric(1 / 20, int(sleeping.sum()))
    end_rate = n_during * growth * math.exp(growth * days) / math.expm1(growth * days) if days and n_during else 0.0
    return pop, end_rate


def _day_rng(seed: int, day: int) -> np.random.Generator:
    return np.random.default_rng([seed, day])


def _user_records(pop: Population, idx: np.ndarray, day: int) -> pa.Table:
    """Change records (full attribute rows) for the given users, effective at the start of `day`."""
    ts = np.full(len(idx), (day - dt.date(1970, 1, 1).toordinal()) * MICROS_PER_DAY, dtype=np.int64)
    return pa.table({
        "user_id": pa.array(pop.user_id[idx]),
        "segment": _labels(pop.segment[idx], reference.segments()),
        "country": _labels(pop.country[idx], reference.countries()),
        "age_group": _labels(pop.age_group[idx], reference.age_groups()),
        "signup_date": pa.array(pop.signup_day[idx] - dt.date(1970, 1, 1).toordinal(), pa.int32()).cast(pa.date32()),
        "updated_at": pa.array(ts, pa.timestamp("us")),
    })


def _labels(codes: np.ndarray, names: tuple[str, ...]) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(names)).cast(pa.string())


def _evolve_attributes(rng: np.random.Generator, pop: Population, day: int) -> np.ndarray:
    """Apply today's attribute changes to announced users; return the indices of users who changed."""
    segments = reference.segments()
    known = np.flatnonzero(pop.announced)
    changed = np.zeros(len(pop), dtype=bool)

    moving = known[rng.random(len(known)) < SEGMENT_CHANGE_RATE]
    if len(moving):
        options = [[segments.index(t) for t in SEGMENT_MOVES[s]] for s in segments]
        pick = rng.random(len(moving))
        current = pop.segment[moving]
        for s, opts in enumerate(options):  # a loop over the four segments, not over users
            sel = current == s
            pop.segment[moving[sel]] = np.array(opts, dtype=np.int8)[(pick[sel] * len(opts)).astype(int)]
        changed[moving] = True

    relocating = known[rng.random(len(known)) < RELOCATION_RATE]
    if len(relocating):
        p = _probs(COUNTRY_WEIGHTS, reference.countries())
        pop.country[relocating] = _choice(rng, p, len(relocating))
        changed[relocating] = True

    ages = _age_group_index(_age_at(pop.birth_day[known], day))
    aged = known[ages != pop.age_group[known]]
    pop.age_group[aged] = ages[ages != pop.age_group[known]]
    changed[aged] = True
    return np.flatnonzero(changed)


def _update_dormancy(rng: np.random.Generator, pop: Population, day: int, existing: np.ndarray) -> None:
    awake = existing[pop.dormant_until[existing] <= day]
    segments = reference.segments()
    hazard = np.array([SEGMENT_HAZARD[s] for s in segments])[pop.segment[awake]]
    tenure = (day - pop.signup_day[awake]).astype(np.float64)
    hazard = hazard * (1.0 + 3.0 * np.exp(-tenure / 10.0))  # new users churn more
    falling = awake[rng.random(len(awake)) < hazard]
    long_spell = rng.random(len(falling)) < 0.35
    length = np.where(long_spell, rng.geometric(1 / 45, len(falling)), rng.geometric(1 / 6, len(falling)))
    pop.dormant_until[falling] = day + length


def _events(rng: np.random.Generator, pop: Population, day: int, existing: np.ndarray) -> pa.Table:
    """One day of events for the users who are awake."""
    platforms, segments, event_types = reference.platforms(), reference.segments(), reference.event_types()
    n_plat = len(platforms)
    awake = existing[pop.dormant_until[existing] <= day]
    dow = DOW_FACTOR[(day - 1) % 7]
    tenure = day - pop.signup_day[awake]
    boost = 1.0 + 0.6 * np.exp(-tenure / 7.0)  # the first days after sign-up are busier

    visit = np.array([SEGMENT_VISIT[s] for s in segments])[pop.segment[awake]] * boost * dow
    plat_visit = np.array([PLATFORM_VISIT[p] for p in platforms])
    p_use = (visit[:, None] * plat_visit[None, :] * pop.affinity[awake]).clip(0, 0.97)
    uses = pop.adopted[awake] & (rng.random((len(awake), n_plat)) < p_use)
    u_local, plat = np.nonzero(uses)
    users = awake[u_local]

    seg = pop.segment[users]
    lam = (pop.intensity[users] * np.array([SEGMENT_EVENTS[s] for s in segments])[seg]
           * np.array([PLATFORM_EVENTS[p] for p in platforms])[plat] * dow)
    n_events = 1 + rng.poisson(lam)
    n_sessions = np.minimum(n_events, 1 + rng.poisson((n_events - 1) / 5.0))

    # sessions: one row per (user, platform, session)
    sess_pair = np.repeat(np.arange(len(users)), n_sessions)
    hour_p = np.array(HOUR_WEIGHTS) / sum(HOUR_WEIGHTS)
    sess_start = (_choice(rng, hour_p, len(sess_pair)).astype(np.int64) * 3_600_000_000
                  + rng.integers(0, 3_600_000_000, len(sess_pair)))
    sess_len = rng.exponential(8 * 60_000_000, len(sess_pair)).astype(np.int64)
    sess_first = np.concatenate([[0], np.cumsum(n_sessions)[:-1]])

    # events: one row per event, each placed in one of its pair's sessions
    ev_pair = np.repeat(np.arange(len(users)), n_events)
    ev_sess = sess_first[ev_pair] + (rng.random(len(ev_pair)) * n_sessions[ev_pair]).astype(np.int64)
    offset = (sess_start[ev_sess] + (rng.random(len(ev_pair)) * sess_len[ev_sess]).astype(np.int64))
    offset = offset.clip(0, MICROS_PER_DAY - 1)
    day_us = (day - dt.date(1970, 1, 1).toordinal()) * MICROS_PER_DAY

    ev_user = users[ev_pair]
    ev_plat = plat[ev_pair]
    mix = np.array([EVENT_MIX[p] for p in platforms])[ev_plat]
    if "creator" in segments:
        is_creator = pop.segment[ev_user] == segments.index("creator")
        for name, factor in CREATOR_BOOST.items():
            mix[is_creator, event_types.index(name)] *= factor
    cum = np.cumsum(mix, axis=1)
    ev_type = (rng.random(len(ev_pair))[:, None] * cum[:, -1:] > cum).sum(axis=1).clip(0, len(event_types) - 1)

    devices = len(reference.devices())
    other_device = rng.random(len(ev_pair)) < 0.1
    ev_device = np.where(other_device, rng.integers(0, devices, len(ev_pair)), pop.device[ev_user])

    travelling = rng.random(len(pop)) < TRAVEL_RATE
    away = _choice(rng, _probs(COUNTRY_WEIGHTS, reference.countries()), len(pop))
    ev_country = np.where(travelling[ev_user], away[ev_user], pop.country[ev_user])

    base_id = day * ID_STRIDE
    return pa.table({
        "event_id": pa.array(base_id + np.arange(len(ev_pair), dtype=np.int64)),
        "user_id": pa.array(pop.user_id[ev_user]),
        "platform": _labels(ev_plat, platforms),
        "event_type": _labels(ev_type, event_types),
        "event_ts": pa.array(day_us + offset, pa.timestamp("us")),
        "session_id": pa.array(base_id + ev_sess.astype(np.int64)),
        "device": _labels(ev_device, reference.devices()),
        "country": _labels(ev_country, reference.countries()),
    })


def simulate_day(seed: int, pop: Population, day: int, first_day: int) -> tuple[pa.Table, pa.Table]:
    """Advance the population by one day: (events, user change records) for that day."""
    rng = _day_rng(seed, day)
    existing = np.flatnonzero(pop.signup_day <= day)
    changed = _evolve_attributes(rng, pop, day)
    newcomers = existing[~pop.announced[existing]]
    pop.age_group[newcomers] = _age_group_index(_age_at(pop.birth_day[newcomers], day))
    pop.announced[newcomers] = True
    if day > first_day:
        _update_dormancy(rng, pop, day, existing)
    records = _user_records(pop, np.union1d(changed, newcomers), day)
    return _events(rng, pop, day, existing), records


# -- state -------------------------------------------------------------------------------------------------------

def _state_dir(lake_dir: Path) -> Path:
    return Path(lake_dir) / STATE_DIR


def save_state(lake_dir: Path, pop: Population, meta: dict) -> None:
    folder = _state_dir(lake_dir)
    folder.mkdir(parents=True, exist_ok=True)
    columns = {}
    for f in fields(pop):
        arr = getattr(pop, f.name)
        if arr.ndim == 2:
            for j in range(arr.shape[1]):
                columns[f"{f.name}_{j}"] = arr[:, j]
        else:
            columns[f.name] = arr
    pq.write_table(pa.table(columns), folder / "state.parquet")
    (folder / "meta.json").write_text(json.dumps(meta, indent=2, default=str))


def load_state(lake_dir: Path) -> tuple[Population, dict] | None:
    folder = _state_dir(lake_dir)
    if not (folder / "meta.json").exists():
        return None
    meta = json.loads((folder / "meta.json").read_text())
    if meta.get("version") != STATE_VERSION:
        raise ValueError(f"{folder}: generator state version {meta.get('version')} is not {STATE_VERSION}")
    table = pq.read_table(folder / "state.parquet")
    values = {}
    for f in fields(Population):
        if f.name in table.column_names:
            values[f.name] = table[f.name].to_numpy()
        else:
            cols = sorted((c for c in table.column_names if c.startswith(f.name + "_")),
                          key=lambda c: int(c.rsplit("_", 1)[1]))
            values[f.name] = np.column_stack([table[c].to_numpy() for c in cols])
    return Population(**{k: np.array(v) for k, v in values.items()}), meta


# -- entry point -------------------------------------------------------------------------------------------------

def generate(lake_dir: Path, *, users: int, days: int, start: dt.date | None = None, seed: int = 42,
             progress: Callable[[int], None] | None = None) -> GenerateResult:
    """Write `days` days of events and user records to the lake.

    A new lake gets `users` people starting at `start` (default: so the last day is yesterday). When the lake has
    generator state, the days are appended after its last day (`start` must be later than it) and the population
    keeps growing at the sign-up rate it had at its last day; `users` and `seed` then come from the state.
    """
    if days < 1:
        raise ValueError("--days must be at least 1")
    state = load_state(lake_dir)
    if state is None:
        if users < 1:
            raise ValueError("--users must be at least 1")
        start = start or (dt.date.today() - dt.timedelta(days=days))
        pop, rate = _initial_population(seed, users, start.toordinal(), days)
        meta = {"version": STATE_VERSION, "seed": seed, "first_day": start.isoformat(), "signup_rate": rate}
        first_day = start.toordinal()
    else:
        pop, meta = state
        seed = int(meta["seed"])
        last = dt.date.fromisoformat(meta["last_day"])
        start = start or last + dt.timedelta(days=1)
        if start <= last:
            raise ValueError(f"the lake already has generated days up to {last}; --start must be after it "
                             f"(or omit --start to continue at {last + dt.timedelta(days=1)})")
        first_day = dt.date.fromisoformat(meta["first_day"]).toordinal()
        rng = np.random.default_rng([seed, start.toordinal(), 1])
        arrivals = rng.poisson(float(meta["signup_rate"]), days)
        signup = np.repeat(np.arange(start.toordinal(), start.toordinal() + days), arrivals)
        if len(signup):
            pop = pop.concat(_new_users(rng, signup, int(pop.user_id.max()) + 1, start.toordinal()))

    n_events = n_records = 0
    for i in range(days):
        day = start.toordinal() + i
        events, records = simulate_day(seed, pop, day, first_day)
        date = dt.date.fromordinal(day)
        write_partition(lake_dir, "events", date, events)
        if records.num_rows:
            write_partition(lake_dir, "users", date, records)
        n_events += events.num_rows
        n_records += records.num_rows
        if progress:
            progress(events.num_rows)
    last_day = start + dt.timedelta(days=days - 1)
    meta["last_day"] = last_day.isoformat()
    save_state(lake_dir, pop, meta)
    return GenerateResult(start, last_day, days, n_events, n_records, int((pop.signup_day <= last_day.toordinal()).sum()))
