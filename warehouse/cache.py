"""Query results cached in the app process (Flask-Caching), keyed by the data version: the last succeeded run.

A new run (ETL or `pipeline dq`) changes the version, so every panel's next read goes to the warehouse; the key
also holds the query's name and every parameter, so one filter's result is never served for another.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from flask_caching import Cache

from warehouse.queries import query

cache = Cache(config={"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 0, "CACHE_THRESHOLD": 5000})


def init_cache(server) -> None:
    cache.init_app(server)


def data_version() -> int:
    return int(query("data_version").iloc[0, 0])


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
