"""Bounded work for cache misses: a client (a logged-in user, or an anonymous address) has at most
PA_COMPUTATIONS_PER_CLIENT panel computations in flight (waiting or running); one more is answered 429 at once,
so no client can hold every request thread. In the whole process at most PA_COMPUTATIONS run at the same time; a
request waits up to WAIT_SECONDS for its turn, then gets 503. Hits never wait. A computation nested in one (a
panel's queries) runs in its turn; background work (the redraw after a run) takes turns as well, with no client.
"""

from __future__ import annotations

import contextvars
import threading
from collections import Counter
from contextlib import contextmanager
from typing import Iterator

from flask import g, has_request_context, request
from werkzeug.exceptions import ServiceUnavailable, TooManyRequests

WAIT_SECONDS = 10.0

_lock = threading.Lock()
_in_flight: Counter[str] = Counter()
_limits = {"per_client": 4, "process": 2}
_running = threading.BoundedSemaphore(2)
_held: contextvars.ContextVar[bool] = contextvars.ContextVar("compute_slot_held", default=False)


def configure(per_client: int, process: int) -> None:
    global _running
    _limits.update(per_client=per_client, process=process)
    _running = threading.BoundedSemaphore(process)


def client_key() -> str | None:
    """Who is asking: the logged-in user's name, or the client's address; None outside a request."""
    if not has_request_context():
        return None
    user = getattr(g, "user", None)
    return f"user:{user.name}" if user is not None else f"addr:{request.remote_addr}"


@contextmanager
def client_turn() -> Iterator[None]:
    """One of this client's computations in flight (waiting for an entry or computing it); 429 past the limit."""
    client = None if _held.get() else client_key()
    if client is None:
        yield
        return
    with _lock:
        if _in_flight[client] >= _limits["per_client"]:
            raise TooManyRequests(f"{_limits['per_client']} computations of yours are in flight: "
                                  "try again when they finish")
        _in_flight[client] += 1
    try:
        yield
    finally:
        with _lock:
            _in_flight[client] -= 1
            if not _in_flight[client]:
                del _in_flight[client]


@contextmanager
def running() -> Iterator[None]:
    """A turn to run a computation in this process (503 after WAIT_SECONDS); re-entrant within one computation."""
    if _held.get():
        yield
        return
    semaphore = _running
    if not semaphore.acquire(timeout=WAIT_SECONDS):
        raise ServiceUnavailable(f"the server is busy: no turn to compute within {WAIT_SECONDS:.0f} s, "
                                 "try again shortly")
    token = _held.set(True)
    try:
        yield
    finally:
        _held.reset(token)
        semaphore.release()
