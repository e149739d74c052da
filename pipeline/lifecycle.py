"""One run's bookkeeping, whoever runs it (the CLI, the scheduler's worker, `pipeline dq`): start it (or adopt a
run that was queued and claimed), time it, write its progress where everyone can read it, record its check
results and its end, and record a failure with its reason, never leaving it 'running'.

    with run_lifecycle(con, "incremental", trigger="cli") as run:
        run.planned(12)
        ...; run.progress(3)              # etl_runs.partitions_done, visible while the run's transaction is open
        run.result.status = "succeeded"
        run.finish(con)                   # the end, inside the run's transaction (or at exit when not called)

An exception inside the block rolls nothing back by itself (the caller owns its transaction); it is recorded as
the run's failure (an interrupt as "interrupted: ...") and raised again as RunFailed carrying the result.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator

import duckdb

from pipeline import failure
from pipeline.quality.runner import CheckResult
from pipeline.stopwatch import slowest
from store import runs

log = logging.getLogger(__name__)

INTERRUPTED = "interrupted: the process was stopping; nothing this run did was published"
Progress = Callable[[int, int], None]  # (partitions done, partitions in the run)


@dataclass
class RunResult:
    run_id: int
    status: str  # running, succeeded, succeeded_with_warnings (partitions skipped), failed
    mode: str  # incremental, backfill, dq
    partitions: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    seconds: float = 0.0
    message: str = ""
    error: str | None = None
    notices: list[str] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    step_seconds: dict[str, float] = field(default_factory=dict)  # step (or "check <name>") -> seconds, as run
    skipped: list[dict] = field(default_factory=list)  # lake partitions skipped: {kind, day, reason}
    days: tuple[dt.date, dt.date] | None = None  # a backfill's first and last day (None: the whole lake)
    planned: list[dict] = field(default_factory=list)  # the partitions it set out to load: {kind, day}
    engine: str | None = None  # what staged its event partitions: duckdb or spark (None: a dq run)

    @property
    def failed_checks(self) -> list[CheckResult]:
        return [c for c in self.checks if c.status == "fail"]


class RunFailed(RuntimeError):
    def __init__(self, result: RunResult):
        super().__init__(f"run {result.run_id} failed: {result.error}")
        self.result = result


class Run:
    """A run in progress: its result so far, and a cursor of its own that writes its progress outside the run's
    transaction (so other cursors see it at once)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, result: RunResult, listener: Progress | None):
        self.result = result
        self.finished = False
        self._began = time.perf_counter()
        self._books = con.cursor()
        self._listener = listener
        self._reported: int | None = None

    def planned(self, partitions: int) -> None:
        self.result.partitions = partitions
        self._reported = 0
        runs.progress(self._books, self.result.run_id, partitions, 0)

    def progress(self, done: int) -> None:
        if done == self._reported:
            return
        self._reported = done
        runs.progress(self._books, self.result.run_id, self.result.partitions, done)
        if self._listener:
            self._listener(done, self.result.partitions)

    def finish(self, con: duckdb.DuckDBPyConnection) -> None:
        """Record the checks and the end as the result says, on `con` (inside the run's transaction if it has one)."""
        r = self.result
        r.seconds = time.perf_counter() - self._began
        runs.record_checks(con, [c.row(r.run_id, runs.utcnow()) for c in r.checks])
        runs.finish(con, r.run_id, status=r.status, rows_read=r.rows_read, rows_loaded=r.rows_loaded,
                    rows_quarantined=r.rows_quarantined, message=r.message, error=r.error,
                    step_seconds=r.step_seconds, skipped=r.skipped, planned=r.planned, engine=r.engine)
        if r.step_seconds:
            log.info("run %s: %.1f s; slowest steps: %s", r.run_id, r.seconds, slowest(r.step_seconds, 5))
        self.finished = True

    def fail(self, con: duckdb.DuckDBPyConnection, exc: BaseException) -> None:
        r = self.result
        r.status = "failed"
        r.error = INTERRUPTED if isinstance(exc, duckdb.InterruptException) else failure.reason(con, exc)
        r.rows_loaded = r.rows_quarantined = 0
        self.finish(con)
        runs.progress(self._books, r.run_id, r.partitions, 0)  # nothing was published
        log.error("run %s failed: %s", r.run_id, r.error)

    def close(self) -> None:
        self._books.close()


@contextmanager
def run_lifecycle(con: duckdb.DuckDBPyConnection, mode: str, *, trigger: str = "cli", requested_by: str | None = None,
                  parameters: dict | None = None, run_id: int | None = None,
                  on_progress: Progress | None = None) -> Iterator[Run]:
    """A run from its start to its recorded end. `run_id`: a run already recorded (queued, then claimed) rather
    than a new one. `on_progress(done, total)` hears each progress step (a terminal's progress bar)."""
    if run_id is None:
        run_id = runs.start(con, mode, trigger, requested_by, parameters or {})
    run = Run(con, RunResult(run_id=run_id, status="running", mode=mode), on_progress)
    try:
        yield run
        if not run.finished:
            run.finish(con)
    except Exception as exc:
        run.fail(con, exc)
        raise RunFailed(run.result) from exc
    finally:
        run.close()
