"""Where a run's time goes: wall seconds per named step, added up as the run goes (RunResult.step_seconds)."""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def timed(seconds: dict[str, float] | None, name: str) -> Iterator[None]:
    """Add the block's wall time to seconds[name] (nothing when `seconds` is None)."""
    began = time.perf_counter()
    try:
        yield
    finally:
        if seconds is not None:
            seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - began
