"""Query results cached in the app process (Flask-Caching), keyed by the data version: the last succeeded run.

A new run (ETL or `pipeline dq`) changes the version, so every panel's next read goes to the warehouse; the key
also holds the query's name and every parameter, so one filter's result is never served for another.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pandas as pd
from flask_caching import Cache

from warehouse.queries import query

cache = Cache(config={"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 0, "CACHE_THRESHOLD": 5000})
VERSION_TTL_SECONDS = 1.0  # how long a read of the data version is trusted (a panel's queries share one read)

_version_lock = threading.Lock()
_version: tuple[int, float] | None = None  # (version, monotonic time read)


def init_cache(server) -> None:
    cache.init_app(server)


def data_version() -> int:
    """The last succeeded run, read from the warehouse at most once per VERSION_TTL_SECONDS."""
    global _version
    with _version_lock:
        if _version is not None and time.monotonic() - _version[1] < VERSION_TTL_SECONDS:
            return _version[0]
    version = int(query("data_version").iloc[0, 0])
    with _version_lock:
        _version = (version, time.monotonic())
    return version


def forget_data_version() -> None:
    """Read the version afresh next time (after a run in this process, or in tests)."""
    global _version
    with _version_lock:
        _version = None


def cache_key(version: int, name: str, params: dict[str, Any]) -> str:
    return f"v{version}:{name}:" + json.dumps(params, sort_keys=True, default=str)


def cached_query(name: str, **params: Any) -> pd.DataFrame:
    """`query(name, **params)` through the cache; a copy, so callers may change it."""
    key = cache_key(data_version(), name, params)
    frame = cache.get(key)
    if frame is None:
        frame = query(name, **params)
        cache.set(key, frame)
    return frame.copy()
