"""A least-recently-used store bounded by bytes, for the app's cache (webapp/cache.py): each value's size is
estimated when it is stored (DataFrames by their memory use, figures and components by their content); storing
past the budget drops the least recently used entries; a value larger than an eighth of the budget is not kept.
`drop_versions_before` evicts what older data versions left behind."""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from typing import Any

import numpy as np
import pandas as pd


def size_of(value: Any, _depth: int = 0) -> int:
    """Roughly the bytes `value` holds: exact for DataFrames and arrays, by content for dicts, lists, text and
    Dash components (their JSON form)."""
    if isinstance(value, pd.DataFrame):
        return int(value.memory_usage(deep=True, index=True).sum()) + 200 + sum(size_of(v) for v in value.attrs.values())
    if isinstance(value, (pd.Series, pd.Index)):
        return int(value.memory_usage(deep=True)) + 100
    if isinstance(value, np.ndarray):
        return int(value.nbytes) + 100
    if isinstance(value, (str, bytes)):
        return len(value) + 50
    if _depth > 40:
        return 100
    if isinstance(value, dict):
        return 100 + sum(size_of(k, _depth + 1) + size_of(v, _depth + 1) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return 60 + sum(size_of(v, _depth + 1) for v in value)
    if hasattr(value, "to_plotly_json"):
        return size_of(value.to_plotly_json(), _depth + 1)
    return sys.getsizeof(value)


class MemoryCache:
    """key -> value, at most `budget_bytes` in all (estimated); thread-safe."""

    def __init__(self, budget_bytes: int):
        self.budget_bytes = budget_bytes
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[Any, int, int]] = OrderedDict()  # key -> (value, size, version)
        self._bytes = 0

    def get(self, key: str) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def set(self, key: str, value: Any, version: int = 0) -> bool:
        """Keep `value` under `key`; False when it is too large to keep."""
        size = size_of(value) + len(key) + 100
        if size > self.budget_bytes // 8:
            return False
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size, version)
            self._bytes += size
            while self._bytes > self.budget_bytes and self._entries:
                _key, (_value, dropped, _version) = self._entries.popitem(last=False)
                self._bytes -= dropped
        return True

    def drop_versions_before(self, version: int) -> int:
        """Evict the entries of data versions older than `version`; how many."""
        with self._lock:
            old = [k for k, (_v, _s, ver) in self._entries.items() if ver < version]
            for key in old:
                self._bytes -= self._entries.pop(key)[1]
        return len(old)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def stats(self) -> dict:
        with self._lock:
            return {"entries": len(self._entries), "bytes": self._bytes, "budget_bytes": self.budget_bytes}
