"""Brute-force protection for the login form, as Grafana does it: after LIMIT failed logins for one user name
within WINDOW_SECONDS, that name is locked until the oldest of them is WINDOW_SECONDS old; one client (address) is
locked the same way after CLIENT_LIMIT failures, whatever names it tried. A locked attempt is refused before any
password is checked (no hashing work for an attacker to spend). In this process's memory, bounded in size.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque

LIMIT = 5  # failures per user name ...
CLIENT_LIMIT = 10  # ... and per client address ...
WINDOW_SECONDS = 300  # ... within this long
MAX_KEYS = 10_000  # names and addresses remembered at most (the oldest forgotten first)

_lock = threading.Lock()
_failures: OrderedDict[str, deque[float]] = OrderedDict()


def _keys(name: str, client: str) -> list[tuple[str, int]]:
    return [(f"user:{name.strip().lower()[:200]}", LIMIT), (f"client:{client}", CLIENT_LIMIT)]


def _recent(key: str, now: float) -> deque[float]:
    times = _failures.get(key, deque())
    while times and times[0] <= now - WINDOW_SECONDS:
        times.popleft()
    return times


def locked_for(name: str, client: str, now: float | None = None) -> float:
    """Seconds until a login for `name` from `client` is accepted again (0: now)."""
    now = time.monotonic() if now is None else now
    wait = 0.0
    with _lock:
        for key, limit in _keys(name, client):
            times = _recent(key, now)
            if len(times) >= limit:
                wait = max(wait, times[-limit] + WINDOW_SECONDS - now)
    return wait


def failed(name: str, client: str, now: float | None = None) -> None:
    now = time.monotonic() if now is None else now
    with _lock:
        for key, _limit in _keys(name, client):
            times = _recent(key, now)
            times.append(now)
            _failures[key] = times
            _failures.move_to_end(key)
        while len(_failures) > MAX_KEYS:
            _failures.popitem(last=False)


def succeeded(name: str) -> None:
    """A correct password clears the name's failures (not the client's)."""
    with _lock:
        _failures.pop(_keys(name, "")[0][0], None)


def reset() -> None:
    with _lock:
        _failures.clear()
