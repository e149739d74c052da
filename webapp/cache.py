"""Query results and rendered panels cached in the app process, keyed by the data version: the
last succeeded run that loaded data.

A new run changes the version, so every panel's next read goes to the warehouse; the key also holds the query's (or
panel's) name and every parameter, so one filter's result is never served for another. A data-quality run changes
only the check results, so only the queries of `analytics.queries.CHECKS_QUERIES` (keyed by `checks_version` too)
are read again after one. `install` puts this cache in front of every panel query (analytics.queries.use_runner).

Preemptive refresh (what Metabase calls preemptive caching): the panels viewed in the last hour are remembered, and
around a run in this process (`publishing`) the dashboards keep serving the version from before the run while it
runs and while those panels are rendered again at the new version (at most HOLD_LIMIT_SECONDS); then the new
version is served, already drawn.
Concurrent requests for the same missing entry compute it once (the others wait for it). Entries live in memory
bounded by bytes (webapp/memory_cache.py, PA_CACHE_MB); once a new data version is served, the older versions'
entries are dropped. A miss computes within the request limits of webapp/compute_slots.py.
"""

from __future__ import annotations

import contextvars
import json
import logging
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from typing import Any, Callable, Iterator, NamedTuple

import pandas as pd

from analytics import queries
from webapp import compute_slots
from webapp.memory_cache import MemoryCache

log = logging.getLogger(__name__)

cache = MemoryCache(256 * 2**20)  # resized from PA_CACHE_MB by `install`
# How long a read of the data version is trusted. The serving process is the warehouse's only writer (DuckDB: one
# read-write process) and every run in it forgets the read (`publishing`), so this only bounds how long a change
# made some other way (a test, a shell on the live file) can go unseen; re-reading it every second cost a cached
# panel a warehouse query (a few ms) once a second.
VERSION_TTL_SECONDS = 30.0
DEMAND_LIMIT = 500  # how many recently viewed entries a new run renders again, most recent first
DEMAND_WINDOW_SECONDS = 3600  # ... viewed within this long
HOLD_LIMIT_SECONDS = 120  # the longest the previous version is served after a run; the rest are drawn on demand


class Versions(NamedTuple):
    data: int  # the last succeeded run that loaded data (0 before any)
    checks: int  # the last succeeded run of any kind (a data-quality run changes only the check results)


# Something recently viewed, to render again at a new version: () -> [(params, compute), ...] for that version.
Again = Callable[[], list[tuple[dict[str, Any], Callable[[], Any]]]]

_version_lock = threading.Lock()
_version: tuple[Versions, float] | None = None  # (versions, monotonic time read)
_held: Versions | None = None  # while a run publishes and its panels are rendered again: the versions still served
_rendering: contextvars.ContextVar[Versions | None] = contextvars.ContextVar("rendering", default=None)

_flights_lock = threading.Lock()
_flights: dict[str, threading.Lock] = {}  # key -> lock held by the request computing it

_demand_lock = threading.Lock()
# name+params -> (last used, a Unix time; name; params; again)
_demand: OrderedDict[str, tuple[float, str, dict[str, Any], Again]] = OrderedDict()

# Rendered panels by name: each draws its panel from saved params ({"args": [...]}) as a request would (validated,
# cached, remembered). What draws a panel viewed before a restart again (webapp/warmup.py); registered by
# webapp/pages/_common.rendered.
renderers: dict[str, Callable[[dict[str, Any]], Any]] = {}


def install(budget_mb: int = 256) -> None:
    """The cache, of `budget_mb` MiB, in front of every panel query."""
    cache.budget_bytes = budget_mb * 2**20
    queries.use_runner(cached_query)


def _read_versions() -> Versions:
    row = queries.run("data_version", {}).iloc[0]
    return Versions(int(row["version"]), int(row["checks_version"]))


def versions() -> Versions:
    """The versions served: during a refresh's rendering the new ones; while a run publishes the ones from before
    it; otherwise the warehouse's, read at most once per VERSION_TTL_SECONDS."""
    global _version
    rendering = _rendering.get()
    if rendering is not None:
        return rendering
    with _version_lock:
        if _held is not None:
            return _held
        if _version is not None and time.monotonic() - _version[1] < VERSION_TTL_SECONDS:
            return _version[0]
    read = _read_versions()
    with _version_lock:
        _version = (read, time.monotonic())
    return read


def data_version() -> int:
    return versions().data


def checks_version() -> int:
    return versions().checks


def forget_data_version() -> None:
    """Read the version afresh next time (after a run in this process, or in tests)."""
    global _version
    with _version_lock:
        _version = None


def cache_key(version: int, name: str, params: dict[str, Any]) -> str:
    return f"v{version}:{name}:" + json.dumps(params, sort_keys=True, default=str)


def _get_or_compute(key: str, version: int, compute: Callable[[], Any]) -> Any:
    """The cached value, or `compute()` stored under `key`, computed once however many ask at the same time (a
    miss within this client's and the process's computation limits)."""
    value = cache.get(key)
    if value is not None:
        return value
    with _flights_lock:
        flight = _flights.setdefault(key, threading.Lock())
    try:
        with compute_slots.client_turn(), flight:
            value = cache.get(key)  # computed by the request this one waited for
            if value is None:
                with compute_slots.running():
                    value = compute()
                cache.set(key, value, version)
    finally:
        with _flights_lock:
            if _flights.get(key) is flight:
                del _flights[key]
    return value


def cached(name: str, params: dict[str, Any], compute: Callable[[], Any], again: Again | None = None) -> Any:
    """`compute()` through the cache, under `name` and `params` at the current data version. Exceptions are not
    cached: the next call computes again. With `again`, the entry is remembered as recently viewed, and a new run
    in this process renders `again()`'s entries before its data is served."""
    if again is not None:
        _remember(name, params, again)
    version = data_version()
    return _get_or_compute(cache_key(version, name, params), version, compute)


def cached_query(name: str, params: dict[str, Any]) -> pd.DataFrame:
    """The panel query `name` through the cache; a copy, so callers may change it."""
    key = {**params, "checks_version": checks_version()} if name in queries.CHECKS_QUERIES else params
    return cached(name, key, lambda: queries.run(name, params)).copy()


def _remember(name: str, params: dict[str, Any], again: Again) -> None:
    key = f"{name}:" + json.dumps(params, sort_keys=True, default=str)
    with _demand_lock:
        _demand[key] = (time.time(), name, params, again)
        _demand.move_to_end(key)
        while len(_demand) > DEMAND_LIMIT:
            _demand.popitem(last=False)


def recently_viewed() -> list[tuple[str, Again]]:
    """(name, again) of the entries used within DEMAND_WINDOW_SECONDS, most recent first."""
    since = time.time() - DEMAND_WINDOW_SECONDS
    with _demand_lock:
        return [(name, again) for used, name, _, again in reversed(_demand.values()) if used >= since]


def viewed() -> list[tuple[str, dict[str, Any], float]]:
    """(name, params, last used as a Unix time) of every remembered entry, most recent first."""
    with _demand_lock:
        return [(name, params, used) for used, name, params, _ in reversed(_demand.values())]


def draw(name: str, params: dict[str, Any]) -> bool:
    """Draw the registered panel `name` from `params` into the cache at the current data version (invalid params
    raise as a request's would); False when no panel of that name is registered (one the app no longer has)."""
    render = renderers.get(name)
    if render is None:
        return False
    render(params)
    return True


def _release() -> None:
    """Serve the warehouse's versions again (the end of `publishing`'s hold); drop the older data versions'
    entries."""
    global _held
    with _version_lock:
        _held = None
    forget_data_version()
    try:
        dropped = cache.drop_versions_before(versions().data)
    except Exception as exc:  # noqa: BLE001 - the next run's release tries again; the byte budget holds meanwhile
        log.info("cache: could not read the data version to drop older entries: %s", exc)
    else:
        if dropped:
            log.info("cache: dropped %d entries of older data versions", dropped)


def refresh_status() -> dict:
    """For /readyz: the data version served, and whether the previous one is held while panels are drawn."""
    with _version_lock:
        held = _held
    return {"data_version_served": versions().data, "drawing_panels_for_new_run": held is not None}


def render_again(target: Versions, stop: Callable[[], bool] = lambda: False) -> int:
    """Compute the recently viewed entries at `target` (in this thread only the target is seen); returns how many
    were rendered. After HOLD_LIMIT_SECONDS the new version is served while the rest are still drawn. An entry
    that fails is skipped: whoever views it next sees the error themselves."""
    token = _rendering.set(target)
    rendered = 0
    started = time.monotonic()
    try:
        for name, again in recently_viewed():
            if stop():
                break
            if time.monotonic() - started > HOLD_LIMIT_SECONDS and _held is not None:
                log.info("cache: serving data version %d after %.0f s, %d panels drawn so far", target.data,
                         HOLD_LIMIT_SECONDS, rendered)
                _release()
            try:
                for params, compute in again():
                    _get_or_compute(cache_key(target.data, name, params), target.data, compute)
                    rendered += 1
            except Exception as exc:  # noqa: BLE001 - one panel's failure must not stop the refresh
                log.info("cache: could not render %s again: %s", name, exc)
    finally:
        _rendering.reset(token)
    log.info("cache: rendered %d recently viewed panels for data version %d in %.1f s", rendered, target.data,
             time.monotonic() - started)
    return rendered


@contextmanager
def publishing(stop: Callable[[], bool] = lambda: False) -> Iterator[None]:
    """Around a run in this process: serve the versions from before it while it runs, render the recently viewed
    panels at the new data version if it loaded data, then serve the new versions. A failure to read the versions
    is logged and never stops the run (its panels are then drawn on demand)."""
    global _held
    forget_data_version()
    try:
        before = versions()
    except Exception as exc:  # noqa: BLE001 - the run goes on; the run records its own errors
        log.warning("cache: could not read the data version before a run: %s", exc)
        yield
        return
    with _version_lock:
        _held = before
    try:
        yield
        _draw_new_data(before, stop)
    finally:
        _release()


def _draw_new_data(before: Versions, stop: Callable[[], bool]) -> None:
    """After a run: the recently viewed panels drawn at the new data version, if the run published any data."""
    try:
        after = _read_versions()
        if after.data != before.data:
            render_again(after, stop)
    except Exception as exc:  # noqa: BLE001 - the run has ended either way; panels are then drawn on demand
        log.warning("cache: could not draw panels for the new data: %s", exc)
