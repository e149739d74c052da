"""The engagement funnel and its options (docs/metrics.md#engagement-funnel): which steps in which order, a
conversion window, a breakdown, and the time to convert from each step to the next (#time-to-convert).

The options travel as one short text, the card's option (its CSV download, "About this panel" view and bundle go
through analytics/catalog.py with it): `1h;135;segment` is a 1-hour window, the steps view > comment > create (their
funnel_step keys) and a breakdown by segment. `parse` reads any text and never raises: a text it does not accept in
full is the default view. `Options.text()` writes the canonical form, which leaves out what is the default (the
default view is the empty text) and fits the web app's 20 characters for a card's option."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics.filters import Filters
from analytics.panels import in_data, no_data
from analytics.queries import query
from store import reference

# The event types a funnel can be made of, by their funnel_step key (dim_event_type): those fct_funnel_events holds.
STEP_KEYS: dict[str, int] = {r["event_type"]: int(r["funnel_step"]) for r in reference.seed_rows("event_types")
                             if r["funnel_step"]}
STEP_DIGITS = {str(key): name for name, key in STEP_KEYS.items()}  # how the option text names them (one digit each)
DEFAULT_STEPS: tuple[str, ...] = reference.funnel_steps()  # view > like > comment > share > create
MIN_STEPS, MAX_STEPS = 2, 6  # funnel_options.sql chains up to 6 steps; each event type at most once
WINDOWS: dict[str, int | None] = {"range": None, "1h": 3600, "1d": 86_400, "7d": 7 * 86_400}  # seconds; None: the range
WINDOW_NAMES = {"range": "Within the range", "1h": "1 hour", "1d": "1 day", "7d": "7 days"}
BREAKDOWNS = {"none": "No breakdown", "platform": "Platform", "segment": "Segment", "age_group": "Age group",
              "country": "Country", "device": "Device"}
# Option texts the funnel takes, the default first: the catalog lists them (tests compute every card with each).
EXAMPLES = ("", "1h;segment", "platform", "7d;135;country", "1d;21;age_group", "1h;device")
TOP_VALUES = {"country": 5}  # with more values than this and one, the rest are "Other" (funnel_options.sql)
MAX_TEXT = 200  # a longer option text is not read at all
STEP_COLUMNS = ["step", "event_type", "users", "from_previous", "from_first", "dropped", "median_seconds",
                "p10_seconds", "p25_seconds", "p75_seconds", "p90_seconds", "window"]
TIME_COLUMNS = ["median_seconds", "p10_seconds", "p25_seconds", "p75_seconds", "p90_seconds"]


@dataclass(frozen=True)
class Options:
    window: str = "range"  # a key of WINDOWS
    steps: tuple[str, ...] = field(default=DEFAULT_STEPS)  # 2 to 6 different keys of STEP_KEYS, in order
    breakdown: str = "none"  # a key of BREAKDOWNS

    def text(self) -> str:
        """The canonical option text: each part that is not the default, window, steps, breakdown: `1h;135;segment`
        (at most 19 characters)."""
        parts = [self.window] if self.window != "range" else []
        if self.steps != DEFAULT_STEPS:
            parts.append("".join(str(STEP_KEYS[s]) for s in self.steps))
        if self.breakdown != "none":
            parts.append(self.breakdown)
        return ";".join(parts)

    @property
    def is_default(self) -> bool:
        return self == Options()

    @property
    def columns(self) -> list[str]:
        """The columns of the card's data with these options: the breakdown's first (named after it), if any."""
        return ([self.breakdown] if self.breakdown != "none" else []) + STEP_COLUMNS


def _steps(value: str) -> tuple[str, ...] | None:
    """The steps a part of digits names (each an event type's funnel_step key), or None."""
    if not (value.isascii() and value.isdigit()) or len(set(value)) != len(value):
        return None
    if not MIN_STEPS <= len(value) <= MAX_STEPS or not all(d in STEP_DIGITS for d in value):
        return None
    return tuple(STEP_DIGITS[d] for d in value)


def parse(text) -> Options:
    """The options an option text means: up to three parts separated by `;`, each told by its form and at most one
    of each, any left out being the default: the window (1h, 1d, 7d or range), the steps (2 to 6 different funnel
    steps as the digits of their funnel_step keys, in order: 135 is view > comment > create) and the breakdown
    (none, platform, segment, age_group, country or device). Anything else (an unknown part, two of a kind, not text,
    longer than MAX_TEXT) is the default view, never an exception."""
    if not text or not isinstance(text, str) or len(text) > MAX_TEXT:
        return Options()
    found: dict[str, object] = {}
    for part in text.split(";"):
        kind, value = (("window", part) if part in WINDOWS else ("breakdown", part) if part in BREAKDOWNS
                       else ("steps", _steps(part)))
        if value is None or kind in found:
            return Options()
        found[kind] = value
    return Options(**found)


def canonical(text) -> str:
    """The canonical text of the options `text` means (the card's option: catalog.Panel.parse)."""
    return parse(text).text()


def option_text(window, steps, breakdown) -> str:
    """The canonical option text of the page's controls; a control's value the options do not take is its default
    (fewer than two steps: the default steps)."""
    names = (tuple(steps) if isinstance(steps, (list, tuple))
             and all(isinstance(s, str) and s in STEP_KEYS for s in steps) else ())
    chosen = _steps("".join(str(STEP_KEYS[s]) for s in names)) if names else None
    return Options(window=window if isinstance(window, str) and window in WINDOWS else "range",
                   steps=chosen or DEFAULT_STEPS,
                   breakdown=breakdown if isinstance(breakdown, str) and breakdown in BREAKDOWNS else "none").text()


def data(f: Filters, option: str | None = None) -> pd.DataFrame:
    """One row per step (and value of the breakdown, its column first, named after it; values with most people
    entering first, "Other" last): users reaching it, from_previous and from_first (conversion), dropped (from the
    step before), the time from the step before in seconds (median_seconds and the 10th, 25th, 75th, 90th
    percentiles; none for step 1) and the window. The default view reads funnel.sql, any other funnel_options.sql."""
    o = parse(option)
    scoped = in_data(f)
    if scoped is None:
        return no_data(o.columns)
    params = scoped[0].params()
    if o.is_default:
        frame = query("funnel", **params)
    else:
        frame = query("funnel_options", **params, steps=[STEP_KEYS[s] for s in o.steps],
                      window_seconds=WINDOWS[o.window], breakdown=o.breakdown,
                      top_values=TOP_VALUES.get(o.breakdown))
    return _with_conversions(frame, o)


def _with_conversions(frame: pd.DataFrame, o: Options) -> pd.DataFrame:
    """The card's frame: from_previous, from_first and dropped within each value's steps (its rows in step order,
    each value's first row its step 1), and the window: numpy on a few rows, so a cached card costs a millisecond."""
    users = frame["users"].to_numpy(dtype="int64")
    starts = frame["step"].to_numpy() == 1
    first = users[np.maximum.accumulate(np.where(starts, np.arange(len(users)), 0))] if len(users) else users
    previous = np.roll(users, 1).astype("float64")
    previous[starts] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        from_previous = np.where(previous > 0, users / previous, np.nan)
        from_first = np.where(first > 0, users / np.where(first > 0, first, 1), np.nan)
    from_previous[starts] = np.where(users[starts] > 0, 1.0, np.nan)
    dropped = pd.array(np.where(starts, 0, previous - users).astype("int64"), dtype="Int64")
    dropped[starts] = pd.NA
    columns = {o.breakdown: frame["value"]} if o.breakdown != "none" else {}
    columns.update({"step": frame["step"], "event_type": frame["event_type"], "users": frame["users"],
                    "from_previous": from_previous, "from_first": from_first, "dropped": dropped})
    columns.update({c: frame[c] for c in TIME_COLUMNS})
    columns["window"] = o.window
    return pd.DataFrame(columns)
