"""Where a run's time goes: wall seconds per named step, added up as the run goes (RunResult.step_seconds)."""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator

from pipeline import failure


@contextmanager
def timed(seconds: dict[str, float] | None, name: str) -> Iterator[None]:
    """Add the block's wall time to seconds[name] (nothing when `seconds` is None); an exception leaving the block
    carries `name` as its `pipeline_step`."""
    began = time.perf_counter()
    try:
        yield
    except BaseException as exc:
        if not hasattr(exc, failure.STEP_ATTRIBUTE):  # the innermost step names where a run failed
            try:
                setattr(exc, failure.STEP_ATTRIBUTE, name)
            except AttributeError:  # an exception type that takes no attributes
                pass
        raise
    finally:
        if seconds is not None:
            seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - began


def slowest(seconds: dict[str, float], top: int) -> str:
    """The `top` slowest steps as "name 1.2 s, name 0.8 s" (the run log, `pipeline runs`)."""
    ranked = sorted(seconds.items(), key=lambda kv: -kv[1])[:top]
    return ", ".join(f"{name} {took:.1f} s" for name, took in ranked)
