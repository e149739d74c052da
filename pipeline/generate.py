"""Demo data: a vectorised simulation of people using a family of five apps, written to the lake day by day.

The model, per day and all in NumPy over whole arrays (no loop over users or events):
- a population that grows (sign-ups spread over the period with a weekly rhythm and day-to-day noise, a base that
  signed up up to a few years before it, of which a realistic share is still active);
- per person a heavy-tailed intensity (log-normal), a segment (casual / regular / power / creator) that sets how
  often they come back, a habit strength, the platforms they adopted (age shapes which; some are adopted later
  than sign-up, Threads most of all, so its reach grows) and how much they like each one;
- new users busy at first, then leaving for good at a hazard that is highest in their first weeks and falls with
  tenure (lower for power users and strong habits): retention decays and flattens, the established base is
  stickier than newcomers;
- spells of dormancy (more likely in the first weeks after sign-up), most short, some long: churn and resurrection;
- a weekly rhythm; visits to the apps correlated within a day and stickier for messaging than for feeds; sessions;
  a device; a country (a few people travel); event types whose mix depends on the platform and the segment, so the
  funnel view > like > comment > share > create thins;
- attributes that change (segment moves, people relocate, birthdays move them to the next age group), written as
  change records so `dim_users` gets real SCD type 2 history; a share of segment moves and relocations happen
  during the day (their record's `updated_at` is that time), so a user can have events under two versions in a day.

The simulation state is kept in `<lake>/_generator/` so `--start` after the last day continues the same population.
Every day draws from its own random stream (seed, day), so a seed reproduces the lake exactly.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, fields
from pathlib import Path
from statistics import NormalDist
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from store import reference
from pipeline.lake import write_partition

STATE_DIR = "_generator"
STATE_VERSION = 2
MICROS_PER_DAY = 86_400_000_000
ID_STRIDE = 100_000_000  # ids are day ordinal * stride + sequence within the day
NEVER = np.iinfo(np.int32).max  # a day that never comes: `dormant_until` of people gone for good, unadopted apps
EPOCH = dt.date(1970, 1, 1).toordinal()

# -- behaviour, keyed by the reference values so a change of seeds cannot silently shift them -------------------
COUNTRY_WEIGHTS = {
    "US": 12.0, "IN": 14.0, "BR": 7.5, "ID": 7.0, "MX": 5.0, "PH": 4.5, "VN": 3.8, "TH": 2.8, "EG": 2.6, "BD": 2.4,
    "PK": 2.3, "NG": 2.2, "TR": 2.2, "GB": 2.4, "FR": 2.0, "DE": 1.9, "IT": 1.7, "ES": 1.5, "CO": 1.6, "AR": 1.4,
    "JP": 1.3, "KR": 0.8, "CA": 1.2, "AU": 0.8, "PE": 1.0, "MY": 1.0, "SA": 1.0, "ZA": 1.0, "PL": 0.9, "KE": 0.8,
    "NL": 0.5,
}
SEGMENT_SHARE = {"casual": 0.55, "regular": 0.28, "power": 0.12, "creator": 0.05}
# chance that a typical member comes back to an app on a given day (before platform, habit, weekday and novelty)
SEGMENT_VISIT = {"casual": 0.12, "regular": 0.40, "power": 0.78, "creator": 0.76}
SEGMENT_EVENTS = {"casual": 0.35, "regular": 0.6, "power": 1.45, "creator": 1.2}  # mean extra events per app-day
SEGMENT_CHURN = {"casual": 1.4, "regular": 0.8, "power": 0.4, "creator": 0.35}  # multiplies the leaving hazard
SEGMENT_HAZARD = {"casual": 0.012, "regular": 0.006, "power": 0.003, "creator": 0.002}  # daily chance to go dormant
DORMANCY_NEW = 3.0  # ... times 1 + DORMANCY_NEW in the first days after sign-up, fading over ten days
SEGMENT_MOVES = {"casual": ("regular",), "regular": ("casual", "power"), "power": ("regular", "creator"),
                 "creator": ("power",)}
AGE_SHARE = {"13-17": 0.06, "18-24": 0.22, "25-34": 0.29, "35-44": 0.19, "45-54": 0.12, "55-64": 0.08, "65+": 0.04}
DEVICE_SHARE = {"ios": 0.38, "android": 0.47, "web": 0.08, "desktop": 0.07}
PLATFORM_ADOPTION = {"facebook": 0.70, "instagram": 0.58, "messenger": 0.45, "whatsapp": 0.56, "threads": 0.04}
PLATFORM_YOUTH_SHIFT = {"facebook": -0.25, "instagram": 0.22, "messenger": -0.05, "whatsapp": 0.0, "threads": 0.03}
# how much a stronger habit (one standard deviation) raises the chance to adopt an app: the messaging apps gather
# the people who come back every day
PLATFORM_HABIT_ADOPTION = {"facebook": 0.0, "instagram": 0.03, "messenger": 0.12, "whatsapp": 0.20, "threads": 0.02}
# of the people who did not adopt an app at sign-up, the share who adopt it later, after a delay (mean, days) that
# starts at sign-up or at the app's launch (days relative to the lake's first day), whichever is later
LATE_ADOPTION = {"facebook": 0.04, "instagram": 0.12, "messenger": 0.12, "whatsapp": 0.10, "threads": 0.38}
LATE_ADOPTION_DAYS = {"facebook": 240, "instagram": 200, "messenger": 200, "whatsapp": 200, "threads": 90}
PLATFORM_LAUNCH = {"threads": -60}
# stickiness of each app (probit shift of the daily visit chance): messaging is a daily habit, Threads is not yet
PLATFORM_VISIT = {"facebook": 0.2, "instagram": 0.05, "messenger": 0.5, "whatsapp": 1.0, "threads": -1.4}
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
DOW_FACTOR = (1.00, 1.03, 1.04, 1.02, 0.95, 0.82, 0.87)  # Monday .. Sunday: visits, events and sign-ups
HOUR_WEIGHTS = (2, 1.2, 0.8, 0.6, 0.6, 1, 2.2, 3.6, 4.2, 4, 4, 4.3, 4.8, 4.6, 4.2, 4.1, 4.4, 5, 5.8, 6.6, 7, 6.4, 5,
                3.4)
HABIT_SD = 0.45  # person-level spread of the daily visit chance (probit scale)
AFFINITY_SD = 0.5  # person-and-app spread of it
DAY_CORRELATION = 0.8  # how much one person's visits to their apps go together within a day
NOVELTY = 0.1  # extra visit chance (probit) right after sign-up, fading over NOVELTY_DAYS
NOVELTY_DAYS = 6.0
CHURN_SHAPE, CHURN_SCALE = 0.40, 0.7  # daily chance to leave for good: shape / (tenure days + scale) x segment ...
HABIT_CHURN = 0.2  # ... x exp(-HABIT_CHURN x habit / HABIT_SD) ...
CHURN_SETTLE_DAYS = 180.0  # ... / sqrt(1 + tenure days / CHURN_SETTLE_DAYS): after the first months it falls faster
PRE_EXISTING_SHARE = 0.6  # users who signed up before the first generated day
PRE_EXISTING_YEARS = 3  # how far back their sign-ups go (sign-ups doubling every year)
PRE_EXISTING_CHURN = 0.12  # the leaving hazard of the base's history, relative to today's newcomers'
PRE_EXISTING_DORMANT = 0.08  # share of the base's remaining users in a dormancy spell on the first day
SIGNUP_NOISE = 0.12  # day-to-day spread (log-normal sigma) of the sign-up rate
TRAVEL_RATE = 0.015
SEGMENT_CHANGE_RATE = 0.004
RELOCATION_RATE = 0.0004
MIDDAY_CHANGE_SHARE = 0.3  # share of segment moves and relocations that happen at a time of day, not at midnight
# Precursors of leaving for good, as products see them: people who will leave fade first, over a geometric number
# of days with mean tenure / 3, at most FADE_MEAN_DAYS (newcomers who leave mostly just do not come back; regulars
# drift away over weeks); as the fade progresses (0 -> 1) they visit less (a probit shift of FADE_VISIT), drop the
# apps they care least about (FADE_APPS more on all but their favourite), and stop going past views (a share
# FADE_DEPTH of their likes, comments, shares and creations become views).
FADE_MEAN_DAYS = 12
FADE_VISIT, FADE_APPS, FADE_DEPTH = 1.0, 1.2, 0.7


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
    habit: np.ndarray  # float32, probit shift of the person's daily visit chance (normal, sd HABIT_SD)
    adopt_day: np.ndarray  # int32 (n, platforms), date ordinal from which the person uses the app, NEVER if not
    affinity: np.ndarray  # float32 (n, platforms), probit shift of the visit chance per app (normal, sd AFFINITY_SD)
    dormant_until: np.ndarray  # int32, date ordinal of the first day active again; NEVER: gone for good
    fading_from: np.ndarray  # int32, date ordinal the fade before leaving began; NEVER: not leaving
    leaving_on: np.ndarray  # int32, date ordinal the person is gone for good from; NEVER: not leaving
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


def _values(table: dict[str, float], names: tuple[str, ...], default: float = 0.0) -> np.ndarray:
    """The table's values in the order of the reference names (`default` for names it does not give)."""
    missing = set(table) - set(names)
    if missing:
        raise ValueError(f"generator settings name values missing from the seeds: {sorted(missing)}")
    return np.array([table.get(n, default) for n in names], dtype=np.float64)


def _probit(p: float) -> float:
    return NormalDist().inv_cdf(min(max(p, 1e-4), 1 - 1e-4))


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    """The standard normal distribution function, by a logistic approximation (absolute error below 2e-4)."""
    x = np.clip(x, -9.0, 9.0)
    return 1.0 / (1.0 + np.exp(-x * (np.float32(1.5976) + np.float32(0.070566) * x * x)))


def _choice(rng: np.random.Generator, p: np.ndarray, size: int) -> np.ndarray:
    """Vectorised categorical draw (indices into p)."""
    return np.searchsorted(np.cumsum(p), rng.random(size) * p.sum(), side="right").clip(0, len(p) - 1).astype(np.int8)


def _age_group_index(age_years: np.ndarray) -> np.ndarray:
    bounds = np.array([int(r["min_age"]) for r in reference.seed_rows("age_groups")])
    return (np.searchsorted(bounds, age_years, side="right") - 1).clip(0, len(bounds) - 1).astype(np.int8)


def _age_at(birth_day: np.ndarray, day: int) -> np.ndarray:
    return np.floor((day - birth_day) / 365.2425).astype(np.int32)


def _new_users(rng: np.random.Generator, signup_days: np.ndarray, first_id: int, on_day: int,
               first_day: int) -> Population:
    """Draw the attributes of new users who sign up on the given days (`first_day`: the lake's first day)."""
    n = len(signup_days)
    signup_days = signup_days.astype(np.int32)
    platforms, segments, ages = reference.platforms(), reference.segments(), reference.age_groups()
    age_idx = _choice(rng, _probs(AGE_SHARE, ages), n)
    lo = np.array([int(r["min_age"]) for r in reference.seed_rows("age_groups")])[age_idx]
    hi = np.minimum(np.array([int(r["max_age"]) for r in reference.seed_rows("age_groups")])[age_idx], 80)
    age_days = (rng.uniform(lo, hi + 1) * 365.2425).astype(np.int32)
    birth_day = (on_day - age_days).astype(np.int32)
    young = age_idx <= ages.index("18-24")
    old = age_idx >= ages.index("45-54")
    habit = rng.normal(0.0, HABIT_SD, n).astype(np.float32)
    base = _values(PLATFORM_ADOPTION, platforms)
    shift = _values(PLATFORM_YOUTH_SHIFT, platforms)
    p_adopt = (base + np.outer(young, shift) - 0.8 * np.outer(old, shift)
               + np.outer(habit / HABIT_SD, _values(PLATFORM_HABIT_ADOPTION, platforms))).clip(0.01, 0.95)
    adopted = rng.random((n, len(platforms))) < p_adopt
    none = ~adopted.any(axis=1)
    adopted[none, _choice(rng, base / base.sum(), int(none.sum()))] = True
    # later adopters: a share of the others, after a delay from sign-up or from the app's launch
    late_share = _values(LATE_ADOPTION, platforms) * (1.0 + 2.0 * np.outer(young, shift) - np.outer(old, shift))
    late = ~adopted & (rng.random((n, len(platforms))) < late_share.clip(0, 1))
    launch = first_day + _values(PLATFORM_LAUNCH, platforms, default=-100_000).astype(np.int64)
    delay = np.ceil(rng.exponential(1.0, (n, len(platforms))) * _values(LATE_ADOPTION_DAYS, platforms, 200.0))
    late_day = np.maximum(signup_days[:, None].astype(np.int64), launch[None, :]) + delay.astype(np.int64)
    adopt_day = np.where(adopted, signup_days[:, None], np.where(late, np.minimum(late_day, NEVER - 1), NEVER))
    return Population(
        user_id=np.arange(first_id, first_id + n, dtype=np.int64),
        signup_day=signup_days,
        birth_day=birth_day,
        segment=_choice(rng, _probs(SEGMENT_SHARE, segments), n),
        country=_choice(rng, _probs(COUNTRY_WEIGHTS, reference.countries()), n),
        age_group=np.full(n, -1, dtype=np.int8),
        device=_choice(rng, _probs(DEVICE_SHARE, reference.devices()), n),
        intensity=rng.lognormal(0.0, 0.85, n).astype(np.float32),
        habit=habit,
        adopt_day=adopt_day.astype(np.int32),
        affinity=rng.normal(0.0, AFFINITY_SD, (n, len(platforms))).astype(np.float32),
        dormant_until=np.zeros(n, dtype=np.int32),
        fading_from=np.full(n, NEVER, dtype=np.int32),
        leaving_on=np.full(n, NEVER, dtype=np.int32),
        announced=np.zeros(n, dtype=bool),
    )


def _signup_weights(rng: np.random.Generator, first: int, days: int, growth: float) -> np.ndarray:
    """Relative sign-up rate of each day: a trend times the weekly rhythm times day-to-day noise."""
    day = np.arange(first, first + days)
    dow = np.array(DOW_FACTOR)[(day - 1) % 7]
    return np.exp(growth * (day - first)) * dow * rng.lognormal(-SIGNUP_NOISE ** 2 / 2, SIGNUP_NOISE, days)


def _churn_proneness(pop: Population, idx: np.ndarray) -> np.ndarray:
    """How prone to leave each person is: segment and habit (1 = a typical member of a typical segment)."""
    seg = _values(SEGMENT_CHURN, reference.segments())[pop.segment[idx]]
    return seg * np.exp(-HABIT_CHURN / HABIT_SD * pop.habit[idx])


def _leaving_hazard(pop: Population, idx: np.ndarray, tenure: np.ndarray) -> np.ndarray:
    """Daily chance to leave for good at the given tenure (days since sign-up)."""
    return (CHURN_SHAPE / (tenure + CHURN_SCALE) / np.sqrt(1.0 + tenure / CHURN_SETTLE_DAYS)
            * _churn_proneness(pop, idx))


def _initial_population(seed: int, users: int, start: int, days: int) -> tuple[Population, float]:
    """The population of a new lake and the sign-up rate (users/day) at its last day."""
    rng = np.random.default_rng([seed, 0])
    n_before = int(round(users * PRE_EXISTING_SHARE))
    n_during = users - n_before
    # the base: sign-ups doubling every year over the years before the period
    yearly = math.log(2.0) / 365.0
    span = 365 * PRE_EXISTING_YEARS
    u = rng.random(n_before)
    before = start - np.ceil(-np.log1p(-u * -math.expm1(-yearly * span)) / yearly).astype(np.int64).clip(1, span)
    growth = math.log(2.0) / max(days, 1)  # the daily sign-up rate doubles over the period
    weights = _signup_weights(rng, start, days, growth)
    during = np.repeat(np.arange(start, start + days), rng.multinomial(n_during, weights / weights.sum()))
    signup = np.sort(np.concatenate([before, during]))
    pop = _new_users(rng, signup, first_id=1, on_day=start, first_day=start)
    # the base has a history: many left before the period (fewer of those who signed up longer ago stayed), and
    # some of those who stayed are dormant
    pre = np.flatnonzero(pop.signup_day < start)
    tenure = (start - pop.signup_day[pre]).astype(np.float64)
    exponent = PRE_EXISTING_CHURN * CHURN_SHAPE * _churn_proneness(pop, pre)
    stayed = rng.random(len(pre)) < (1.0 + tenure / CHURN_SCALE) ** -exponent
    pop.dormant_until[pre[~stayed]] = NEVER
    sleeping = pre[stayed & (rng.random(len(pre)) < PRE_EXISTING_DORMANT)]
    pop.dormant_until[sleeping] = start + rng.geometric(1 / 20, len(sleeping))
    end_rate = n_during * math.exp(growth * (days - 1)) / np.exp(growth * np.arange(days)).sum() if n_during else 0.0
    return pop, float(end_rate)


def _day_rng(seed: int, day: int) -> np.random.Generator:
    return np.random.default_rng([seed, day])


def _user_records(pop: Population, idx: np.ndarray, day: int, at: np.ndarray | None = None) -> pa.Table:
    """Change records (full attribute rows) for the given users, effective at the start of `day` or, for those with
    `at` (microseconds into the day) above 0, at that time of the day."""
    ts = np.full(len(idx), (day - EPOCH) * MICROS_PER_DAY, dtype=np.int64)
    if at is not None:
        ts += at
    return pa.table({
        "user_id": pa.array(pop.user_id[idx]),
        "segment": _labels(pop.segment[idx], reference.segments()),
        "country": _labels(pop.country[idx], reference.countries()),
        "age_group": _labels(pop.age_group[idx], reference.age_groups()),
        "signup_date": pa.array(pop.signup_day[idx] - EPOCH, pa.int32()).cast(pa.date32()),
        "updated_at": pa.array(ts, pa.timestamp("us")),
    })


def _labels(codes: np.ndarray, names: tuple[str, ...]) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(names)).cast(pa.string())


@dataclass
class _Changes:
    """Today's attribute changes: who changed, when in the day (microseconds; 0 = midnight), the country before."""

    users: np.ndarray
    at: np.ndarray
    old_country: np.ndarray


def _evolve_attributes(rng: np.random.Generator, pop: Population, day: int) -> _Changes:
    """Apply today's attribute changes to announced users."""
    segments = reference.segments()
    known = np.flatnonzero(pop.announced)
    changed = np.zeros(len(pop), dtype=bool)
    midday = np.zeros(len(pop), dtype=bool)  # a segment move or relocation, not a birthday
    old_country = pop.country.copy() if len(known) else pop.country

    moving = known[rng.random(len(known)) < SEGMENT_CHANGE_RATE]
    if len(moving):
        options = [[segments.index(t) for t in SEGMENT_MOVES[s]] for s in segments]
        pick = rng.random(len(moving))
        current = pop.segment[moving]
        for s, opts in enumerate(options):  # a loop over the four segments, not over users
            sel = current == s
            pop.segment[moving[sel]] = np.array(opts, dtype=np.int8)[(pick[sel] * len(opts)).astype(int)]
        changed[moving] = midday[moving] = True

    relocating = known[rng.random(len(known)) < RELOCATION_RATE]
    if len(relocating):
        p = _probs(COUNTRY_WEIGHTS, reference.countries())
        pop.country[relocating] = _choice(rng, p, len(relocating))
        changed[relocating] = midday[relocating] = True

    ages = _age_group_index(_age_at(pop.birth_day[known], day))
    aged = known[ages != pop.age_group[known]]
    pop.age_group[aged] = ages[ages != pop.age_group[known]]
    changed[aged] = True
    midday[aged] = False  # a birthday counts from midnight, and so does anything else that changes with it

    users = np.flatnonzero(changed)
    later = midday[users] & (rng.random(len(users)) < MIDDAY_CHANGE_SHARE)
    at = np.where(later, rng.integers(1, MICROS_PER_DAY, len(users)), 0).astype(np.int64)
    return _Changes(users, at, old_country[users])


def _update_churn(rng: np.random.Generator, pop: Population, day: int, existing: np.ndarray) -> None:
    """Some people start to leave for good (most in their first weeks): they fade, then are gone (the fade's
    precursors are in `_fade`); some of the others fall into a dormancy spell."""
    gone = existing[pop.leaving_on[existing] <= day]
    pop.dormant_until[gone] = NEVER
    alive = existing[(pop.dormant_until[existing] != NEVER) & (pop.leaving_on[existing] == NEVER)]
    tenure = (day - pop.signup_day[alive]).astype(np.float64)
    leaving = (tenure > 0) & (rng.random(len(alive)) < _leaving_hazard(pop, alive, tenure))
    starting = alive[leaving]
    pop.fading_from[starting] = day
    mean = np.clip(tenure[leaving] / 3.0, 1.0, FADE_MEAN_DAYS)
    pop.leaving_on[starting] = day + rng.geometric(1 / mean)

    awake = alive[~leaving & (pop.dormant_until[alive] <= day) & (tenure > 0)]
    hazard = _values(SEGMENT_HAZARD, reference.segments())[pop.segment[awake]]
    tenure = (day - pop.signup_day[awake]).astype(np.float64)
    hazard = hazard * (1.0 + DORMANCY_NEW * np.exp(-tenure / 10.0))  # new users lapse more
    falling = awake[rng.random(len(awake)) < hazard]
    long_spell = rng.random(len(falling)) < 0.35
    length = np.where(long_spell, rng.geometric(1 / 45, len(falling)), rng.geometric(1 / 6, len(falling)))
    pop.dormant_until[falling] = day + length


def _fade(pop: Population, idx: np.ndarray, day: int) -> np.ndarray:
    """How far each person's fade before leaving has gone on `day`: 0 (not leaving) to 1 (their last day)."""
    start, end = pop.fading_from[idx].astype(np.int64), pop.leaving_on[idx].astype(np.int64)
    fading = start <= day
    return np.where(fading, (day - start + 1) / np.maximum(end - start, 1), 0.0).clip(0.0, 1.0).astype(np.float32)


LOOKUP_BITS = 12  # categorical draws with many rows go through a table of 2**12 equally likely buckets


def _lookup(p: np.ndarray) -> np.ndarray:
    """A table of 2**LOOKUP_BITS category indices in which each category holds a share of the rows close to its
    probability in p (the last axis; leading axes are independent tables): a uniform bucket draws a category."""
    cum = np.cumsum(p, axis=-1) / np.sum(p, axis=-1, keepdims=True)
    mid = (np.arange(1 << LOOKUP_BITS) + 0.5) / (1 << LOOKUP_BITS)
    flat = cum.reshape(-1, cum.shape[-1])
    out = np.stack([np.searchsorted(c, mid, side="right").clip(0, cum.shape[-1] - 1) for c in flat])
    return out.reshape(*cum.shape[:-1], 1 << LOOKUP_BITS).astype(np.int8)


def _buckets(rng: np.random.Generator, size: int) -> np.ndarray:
    return rng.integers(0, 1 << LOOKUP_BITS, size, dtype=np.int16)


def _event_type_lookup(platforms, event_types) -> np.ndarray:
    """Event-type lookup tables (see `_lookup`) per platform and creator or not: shape (platforms, 2, buckets)."""
    mix = np.array([EVENT_MIX[p] for p in platforms], dtype=np.float64)
    boosted = mix.copy()
    for name, factor in CREATOR_BOOST.items():
        if name in event_types:
            boosted[:, event_types.index(name)] *= factor
    return _lookup(np.stack([mix, boosted], axis=1))


def _events(rng: np.random.Generator, pop: Population, day: int, existing: np.ndarray,
            changes: _Changes) -> pa.Table:
    """One day of events for the users who are awake."""
    platforms, segments, event_types = reference.platforms(), reference.segments(), reference.event_types()
    n_plat = len(platforms)
    awake = existing[pop.dormant_until[existing] <= day]
    dow = DOW_FACTOR[(day - 1) % 7]  # ordinal 1 is a Monday
    tenure = day - pop.signup_day[awake]

    # visits: a threshold per (person, app) on the probit scale, crossed by noise shared within the person's day
    seg_level = np.array([_probit(SEGMENT_VISIT[s]) for s in segments])
    day_shift = _probit(0.5 * dow)
    fade = _fade(pop, awake, day)
    level = (seg_level[pop.segment[awake]] + pop.habit[awake] + day_shift
             + NOVELTY * np.exp(-tenure / NOVELTY_DAYS) - FADE_VISIT * fade).astype(np.float32)
    threshold = level[:, None] + pop.affinity[awake] + _values(PLATFORM_VISIT, platforms).astype(np.float32)
    if fade.any():  # a fading person drops all but their favourite app first
        favourite = np.argmax(np.where(pop.adopt_day[awake] <= day, threshold, -np.inf), axis=1)
        others = np.ones_like(threshold, dtype=bool)
        others[np.arange(len(awake)), favourite] = False
        threshold -= np.where(others, FADE_APPS * fade[:, None], 0.0).astype(np.float32)
    adopted = pop.adopt_day[awake] <= day
    # (shared + own < threshold, shared and own normal with variances DAY_CORRELATION and 1 - DAY_CORRELATION)
    shared = rng.standard_normal(len(awake), dtype=np.float32) * np.float32(math.sqrt(DAY_CORRELATION))
    p_use = _normal_cdf((threshold - shared[:, None]) * np.float32(1 / math.sqrt(1 - DAY_CORRELATION)))
    uses = adopted & (rng.random((len(awake), n_plat), dtype=np.float32) < p_use)
    # everyone uses an app on the day they sign up: their favourite, if the draw gave them none
    first = np.flatnonzero(tenure == 0)
    first = first[~uses[first].any(axis=1)]
    if len(first):
        uses[first, np.argmax(np.where(adopted[first], threshold[first], -np.inf), axis=1)] = True
    u_local, plat = np.nonzero(uses)
    users = awake[u_local]

    seg = pop.segment[users]
    lam = (pop.intensity[users] * np.array([SEGMENT_EVENTS[s] for s in segments])[seg]
           * np.array([PLATFORM_EVENTS[p] for p in platforms])[plat] * dow)
    n_events = 1 + rng.poisson(lam)

    # events: one row per event, in sessions: a pair's first event opens one, each later one opens another with
    # chance 1/5; sessions are numbered in order over the day
    ev_pair = np.repeat(np.arange(len(users)), n_events)
    opens = rng.random(len(ev_pair), dtype=np.float32) < 0.2
    opens[np.cumsum(n_events) - n_events] = True
    ev_sess = np.cumsum(opens) - 1
    n_sess = int(ev_sess[-1]) + 1 if len(ev_sess) else 0
    hour = _lookup(np.array(HOUR_WEIGHTS, dtype=np.float64))[_buckets(rng, n_sess)]
    sess_start = hour.astype(np.int64) * 3_600_000_000 + (rng.random(n_sess) * 3_600_000_000).astype(np.int64)
    sess_len = rng.exponential(8 * 60_000_000, n_sess).astype(np.int64)
    offset = (sess_start[ev_sess] + (rng.random(len(ev_pair)) * sess_len[ev_sess]).astype(np.int64))
    offset = offset.clip(0, MICROS_PER_DAY - 1)
    day_us = (day - EPOCH) * MICROS_PER_DAY

    ev_local = u_local[ev_pair]
    ev_user = awake[ev_local]
    ev_plat = plat[ev_pair]
    creator = ((pop.segment[ev_user] == segments.index("creator")).astype(np.int8) if "creator" in segments
               else np.zeros(len(ev_pair), dtype=np.int8))
    cell = (ev_plat * 2 + creator) << LOOKUP_BITS  # flat index into the (platform, creator, bucket) tables
    ev_type = _event_type_lookup(platforms, event_types).ravel()[cell + _buckets(rng, len(ev_pair))]
    ev_fade = fade[ev_local]
    if "view" in event_types and ev_fade.any():  # a fading person stops going past views
        deep = np.isin(ev_type, [event_types.index(t) for t in reference.funnel_steps()[1:] if t in event_types])
        shallow = deep & (rng.random(len(ev_pair), dtype=np.float32) < FADE_DEPTH * ev_fade)
        ev_type[shallow] = event_types.index("view")

    ev_device = pop.device[ev_user]
    other_device = np.flatnonzero(rng.random(len(ev_pair), dtype=np.float32) < 0.1)
    ev_device[other_device] = rng.integers(0, len(reference.devices()), len(other_device), dtype=np.int8)

    home = pop.country[ev_user]
    moved = changes.at > 0
    if moved.any():  # relocated during the day: the events before the move are still in the old country
        change_at = np.zeros(len(pop), dtype=np.int64)
        change_at[changes.users[moved]] = changes.at[moved]
        before = change_at[ev_user] > offset
        old = np.zeros(len(pop), dtype=np.int8)
        old[changes.users[moved]] = changes.old_country[moved]
        home = np.where(before, old[ev_user], home)
    travelling = np.flatnonzero(rng.random(len(awake)) < TRAVEL_RATE)
    away = np.full(len(awake), -1, dtype=np.int8)
    away[travelling] = _choice(rng, _probs(COUNTRY_WEIGHTS, reference.countries()), len(travelling))
    ev_away = away[ev_local]
    ev_country = np.where(ev_away >= 0, ev_away, home)

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
    existing = np.arange(np.searchsorted(pop.signup_day, day, side="right"))  # users are sorted by sign-up day
    changes = _evolve_attributes(rng, pop, day)
    newcomers = existing[~pop.announced[existing]]
    pop.age_group[newcomers] = _age_group_index(_age_at(pop.birth_day[newcomers], day))
    pop.announced[newcomers] = True
    if day > first_day:
        _update_churn(rng, pop, day, existing)
    idx = np.concatenate([changes.users, newcomers])  # disjoint: only announced users change
    at = np.concatenate([changes.at, np.zeros(len(newcomers), dtype=np.int64)])  # newcomers: from midnight
    order = np.argsort(idx, kind="stable")
    records = _user_records(pop, idx[order], day, at[order])
    return _events(rng, pop, day, existing, changes), records


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
        elif f.name in ("fading_from", "leaving_on"):  # a state written before fades existed: nobody is fading
            values[f.name] = np.full(table.num_rows, NEVER, dtype=np.int32)
        else:
            cols = sorted((c for c in table.column_names if c.startswith(f.name + "_")),
                          key=lambda c: int(c.rsplit("_", 1)[1]))
            values[f.name] = np.column_stack([table[c].to_numpy() for c in cols])
    return Population(**{k: np.array(v) for k, v in values.items()}), meta


# -- entry point -------------------------------------------------------------------------------------------------

def _write_day(lake_dir: Path, date: dt.date, events: pa.Table, records: pa.Table) -> int:
    write_partition(lake_dir, "events", date, events)
    if records.num_rows:
        write_partition(lake_dir, "users", date, records)
    return events.num_rows


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
        weights = _signup_weights(rng, start.toordinal(), days, 0.0) / np.mean(DOW_FACTOR)
        arrivals = rng.poisson(float(meta["signup_rate"]) * weights)
        signup = np.repeat(np.arange(start.toordinal(), start.toordinal() + days), arrivals)
        if len(signup):
            pop = pop.concat(_new_users(rng, signup, int(pop.user_id.max()) + 1, start.toordinal(), first_day))

    # a day is written while the next one is simulated (Parquet encoding and NumPy both release the GIL)
    n_events = n_records = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="generate-write") as writer:
        pending: Future | None = None
        for i in range(days):
            day = start.toordinal() + i
            events, records = simulate_day(seed, pop, day, first_day)
            if pending is not None:
                done = pending.result()
                if progress:
                    progress(done)
            pending = writer.submit(_write_day, lake_dir, dt.date.fromordinal(day), events, records)
            n_events += events.num_rows
            n_records += records.num_rows
        if pending is not None:
            done = pending.result()
            if progress:
                progress(done)
    last_day = start + dt.timedelta(days=days - 1)
    meta["last_day"] = last_day.isoformat()
    save_state(lake_dir, pop, meta)
    return GenerateResult(start, last_day, days, n_events, n_records, int((pop.signup_day <= last_day.toordinal()).sum()))
