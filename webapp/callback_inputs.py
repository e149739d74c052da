"""The schema of every callback request: the envelope Dash sends (which callback, its inputs and state), and each
input's value by component id and property, declared next to the component (`declare`). A request that does not
fit gets a 400 naming what was wrong, before any callback runs; an input nobody declared is refused too.

    declare("growth-grain", "value", one_of("day", "week"))
    declare({"type": "csv-button"}, "n_clicks", count)          # a pattern-matching id, by its type
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Callable

from analytics.filters import ALL_AGE_GROUPS, ALL_SEGMENTS, BREAKDOWNS, EARLIEST, LATEST, PRESETS
from store import reference

Check = Callable[[Any], None]  # raises Invalid when the value does not fit
STORE_KEYS = {"platforms", "start", "end", "segment", "age_group", "preset", "breakdown", "query"}

_declared: dict[tuple[str, str], Check] = {}


class Invalid(ValueError):
    """A callback request that does not fit the schema (answered 400 with this message)."""


def declare(component_id: str | dict, prop: str, check: Check) -> None:
    _declared[(_id_key(component_id), prop)] = check


def _id_key(component_id) -> str:
    return f"type:{component_id.get('type')}" if isinstance(component_id, dict) else str(component_id)


# value checks ------------------------------------------------------------------------------------------------------

def text(max_length: int = 200) -> Check:
    def check(value):
        if value is not None and not (isinstance(value, str) and len(value) <= max_length):
            raise Invalid(f"expected text of at most {max_length} characters, got {_shown(value)}")
    return check


def count(value) -> None:
    if value is not None and not (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
        raise Invalid(f"expected a count, got {_shown(value)}")


def one_of(*allowed) -> Check:
    def check(value):
        if value not in allowed:
            raise Invalid(f"expected one of {', '.join(map(repr, allowed))}, got {_shown(value)}")
    return check


def known(is_known: Callable[[str], bool], what: str) -> Check:
    """Text naming something that exists (e.g. a registered panel)."""
    def check(value):
        if not (isinstance(value, str) and len(value) <= 200 and is_known(value)):
            raise Invalid(f"no {what} {_shown(value)}")
    return check


def text_list(max_items: int, max_length: int = 50) -> Check:
    def check(value):
        if value is None:
            return
        if not isinstance(value, list) or len(value) > max_items:
            raise Invalid(f"expected a list of at most {max_items} items, got {_shown(value)}")
        for item in value:
            text(max_length)(item)
    return check


def any_value(max_bytes: int) -> Check:
    """Anything JSON of at most `max_bytes` (a component's own content, shown back to the same page)."""
    def check(value):
        if len(json.dumps(value, default=str)) > max_bytes:
            raise Invalid(f"expected at most {max_bytes} bytes")
    return check


def selected_row(key: str, what: str) -> Check:
    """An AG Grid's selectedRows: none, or one row of it (as the grid sent it, at most 20 KB) with an integer `key`."""
    def check(value):
        any_value(20_000)(value)
        if value is not None and not (isinstance(value, list) and len(value) <= 1 and all(
                isinstance(row, dict) and isinstance(row.get(key), int) for row in value)):
            raise Invalid(f"expected the selected {what}: a list of at most one row with its {key}")
    return check


def date_text(value) -> dt.date:
    """An ISO date (YYYY-MM-DD, optionally with a time) from EARLIEST to LATEST."""
    try:
        day = dt.date.fromisoformat(value[:10]) if isinstance(value, str) and len(value) <= 40 else None
    except ValueError:
        day = None
    if day is None or not EARLIEST <= day <= LATEST:
        raise Invalid(f"expected a date from {EARLIEST} to {LATEST} (YYYY-MM-DD), got {_shown(value)}")
    return day


def filters_store(value) -> None:
    """The shell's filters store (webapp/url_filters.to_store): known platforms, dates, segment, age group, preset and
    breakdown only."""
    if value is None:
        return
    if not isinstance(value, dict):
        raise Invalid(f"the filters must be an object, got {_shown(value)}")
    extra = set(value) - STORE_KEYS
    if extra:
        raise Invalid(f"the filters hold unknown fields {', '.join(sorted(map(repr, extra)))[:200]}")
    platforms = value.get("platforms")
    known = reference.platforms()
    if not isinstance(platforms, list) or not platforms or not all(p in known for p in platforms):
        raise Invalid(f"the filters' platforms must be a non-empty list of {', '.join(known)}; "
                      f"got {_shown(platforms)}")
    if date_text(value.get("start")) > date_text(value.get("end")):
        raise Invalid(f"the filters end {value['end']!r} before they start {value['start']!r}")
    segment = value.get("segment")
    if segment != ALL_SEGMENTS and segment not in reference.segments():
        raise Invalid(f"the filters' segment must be one of {ALL_SEGMENTS}, {', '.join(reference.segments())}; "
                      f"got {_shown(segment)}")
    age_group = value.get("age_group")
    if age_group is not None and age_group != ALL_AGE_GROUPS and age_group not in reference.age_groups():
        raise Invalid(f"the filters' age group must be one of {ALL_AGE_GROUPS}, {', '.join(reference.age_groups())}; "
                      f"got {_shown(age_group)}")
    if value.get("preset") is not None and value["preset"] not in PRESETS:
        raise Invalid(f"the filters' preset must be one of {', '.join(PRESETS)} or null; "
                      f"got {_shown(value['preset'])}")
    if value.get("breakdown") is not None and value["breakdown"] not in BREAKDOWNS:
        raise Invalid(f"the filters' breakdown must be one of {', '.join(BREAKDOWNS)} or null; "
                      f"got {_shown(value['breakdown'])}")
    text(2000)(value.get("query"))


def _shown(value) -> str:
    shown = json.dumps(value, default=str)
    return shown if len(shown) <= 60 else shown[:57] + "..."


# the request -------------------------------------------------------------------------------------------------------

def check_request(body, callbacks: dict[str, dict]) -> None:
    """Invalid when the body is not a callback request Dash would send for one of `callbacks` (the app's
    callback_map): its outputs, inputs and state exactly the callback's (a pattern-matching id's MATCH the same
    in all of them), the inputs it says changed among its inputs, each input's value fitting its declaration."""
    if not isinstance(body, dict):
        raise Invalid("a callback request is a JSON object")
    output = body.get("output")
    if not isinstance(output, str) or output not in callbacks:
        raise Invalid(f"no callback has the output {_shown(output)}")
    spec = callbacks[output]
    if spec.get("callback") is None:
        raise Invalid(f"the callback of {output[:80]} runs in the browser")
    matched: dict[str, set] = {}
    outputs = _outputs_of(output)
    sent = body.get("outputs")
    sent = sent if len(outputs) > 1 else [sent]  # one output: its item (a list of them for an ALL id)
    _check_part(sent, [{"id": i, "property": p} for i, p in outputs], "outputs", matched, values=False)
    changeable = set()
    for part in ("inputs", "state"):
        items = body.get(part, [])
        _check_part(items, spec.get(part, []), part, matched, values=True)
        if part == "inputs":
            changeable = {f"{_id_text(one.get('id'))}.{one['property']}" for item in items
                          for one in (item if isinstance(item, list) else [item])}
    if any(len(values) > 1 for values in matched.values()):
        raise Invalid("a pattern-matching callback's MATCH differs between its ids")
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) and c in changeable for c in changed):
        raise Invalid("changedPropIds must name the callback's own inputs")


def _outputs_of(output: str) -> list[tuple[Any, str]]:
    """(id, property) of each output in Dash's output text ("..a.b...c.d.." or "a.b")."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [(_spec_id(part.rsplit(".", 1)[0]), part.rsplit(".", 1)[-1]) for part in parts]


def _spec_id(raw):
    return json.loads(raw) if isinstance(raw, str) and raw.startswith("{") else raw


def _id_text(component) -> str:
    """An id as the browser writes it in changedPropIds (a pattern id: JSON, keys sorted, no spaces)."""
    if isinstance(component, dict):
        return json.dumps(component, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return str(component)


def _check_part(items, expected: list[dict], part: str, matched: dict[str, set], values: bool) -> None:
    if not isinstance(items, list) or len(items) != len(expected):
        raise Invalid(f"{part}: expected a list of {len(expected)} item(s)")
    for item, declared in zip(items, expected):
        for one in (item if isinstance(item, list) else [item]):
            _check_item(one, declared, part, matched, values)


def _check_item(item, declared: dict, part: str, matched: dict[str, set], values: bool) -> None:
    if not isinstance(item, dict) or not isinstance(item.get("property"), str):
        raise Invalid(f"{part}: each item is an object with an id and a property")
    component, prop = item.get("id"), item["property"]
    expected_id = _spec_id(declared["id"])
    if not _same_id(component, expected_id, matched) or prop != declared["property"]:
        raise Invalid(f"{part}: expected {_id_key(expected_id)}.{declared['property']}, got {_shown(component)}"
                      f".{prop[:40]}")
    if isinstance(component, dict):
        check_pattern_id(component)
    if not values:
        return
    check = _declared.get((_id_key(component), prop))
    if check is None:
        raise Invalid(f"{part}: {_id_key(component)}.{prop} is not an input this app declares")
    try:
        check(item.get("value"))
    except Invalid as exc:
        raise Invalid(f"{_id_key(component)}.{prop}: {exc}") from None


def _same_id(component, expected, matched: dict[str, set]) -> bool:
    """Whether a sent id is the declared one: equal, or for a pattern id the same keys, each fixed value equal and
    each MATCH value noted (to be the same across the request)."""
    if not isinstance(expected, dict):
        return component == expected
    if not isinstance(component, dict) or set(component) != set(expected):
        return False
    for key, wanted in expected.items():
        if wanted == ["MATCH"]:
            matched.setdefault(key, set()).add(json.dumps(component[key], sort_keys=True))
        elif wanted not in (["ALL"], ["ALLSMALLER"]) and component[key] != wanted:
            return False
    return True


_pattern_keys: dict[str, Check] = {}


def declare_pattern_key(key: str, check: Check) -> None:
    """A check for one key of pattern-matching ids (e.g. "panel": a registered panel)."""
    _pattern_keys[key] = check


def check_pattern_id(component: dict) -> None:
    for key, value in component.items():
        if key != "type":
            check = _pattern_keys.get(key)
            if check is None:
                raise Invalid(f"unexpected id key {key[:40]!r}")
            check(value)
