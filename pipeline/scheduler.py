"""The in-process scheduler of the app (APScheduler, one background thread):

- every PA_ETL_INTERVAL_MINUTES it queues an incremental ETL run and a data-quality run (appending a synthetic day
  to the lake first when PA_DEMO_APPEND=1);
- every few seconds its worker executes queued runs (these, and "Run now" / backfills asked for in the admin page)
  one at a time, oldest first, each through its own cursor of the process's warehouse connection.

`start` is called once by the process that serves the app (gunicorn's post_worker_init, or `python app.py`), never
at import. A lock file in the data folder makes sure only one process per data folder schedules, whatever starts
and however often. Jobs never overlap (max_instances=1, coalesce=True); a run that fails is recorded with its error
and the scheduler goes on. Progress of the running run (partitions done of total) is kept in memory for the page.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import IO, Callable

from apscheduler.schedulers.background import BackgroundScheduler

from pipeline import audit, etl, lockfile, runs
from pipeline.generate import generate
from pipeline.settings import Settings

log = logging.getLogger(__name__)

WORKER_SECONDS = 2
LOCK_NAME = "scheduler.lock"


@dataclass
class _State:
    scheduler: BackgroundScheduler | None = None
    lock: IO | None = None
    settings: Settings | None = None
    stopping: bool = False
    active_cursor: object | None = None  # the cursor of the run in progress, to interrupt it on shutdown


_state = _State()
_busy = threading.Lock()
STOP_WAIT_SECONDS = 25  # within gunicorn's graceful_timeout
_progress_lock = threading.Lock()
_progress: dict[int, tuple[int, int]] = {}  # run_id -> (partitions done, partitions in the run)
AroundRun = Callable[[], AbstractContextManager]  # each run executes inside one (the app: see warehouse/cache.py)


def progress(run_id: int) -> tuple[int, int] | None:
    with _progress_lock:
        return _progress.get(run_id)


def stopping() -> bool:
    """Shutdown has begun: work in progress should end early."""
    return _state.stopping


def is_running() -> bool:
    return _state.scheduler is not None and _state.scheduler.running


def start(settings: Settings, cursor_factory, around_run: AroundRun | None = None) -> bool:
    """Start the scheduler unless it is off, already running here, or held by another process (the lock file).

    `cursor_factory()` gives a context manager yielding a cursor of the process's warehouse connection; each run
    executes inside `around_run()` when given.
    """
    if not settings.scheduler_enabled:
        log.info("scheduler: off (PA_SCHEDULER_ENABLED=0)")
        return False
    if is_running():
        return False
    lock_path = settings.data_dir / LOCK_NAME
    lock = lockfile.acquire(lock_path)
    if lock is None:
        log.warning("scheduler: not started here, process %s holds %s", lockfile.holder(lock_path), lock_path)
        return False
    scheduler = BackgroundScheduler(timezone=dt.timezone.utc,
                                    job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": 60})
    scheduler.add_job(lambda: work_queue(settings, cursor_factory, around_run), "interval", seconds=WORKER_SECONDS,
                      id="run-queue", next_run_time=dt.datetime.now(dt.timezone.utc))
    scheduler.add_job(lambda: queue_refresh(settings, cursor_factory), "interval",
                      minutes=settings.etl_interval_minutes, id="refresh",
                      next_run_time=dt.datetime.now(dt.timezone.utc))  # catch up at start, then every interval
    scheduler.start()
    _state.scheduler, _state.lock, _state.settings, _state.stopping = scheduler, lock, settings, False
    log.info("scheduler: started (refresh every %d min, lock %s)", settings.etl_interval_minutes, lock_path)
    return True


def stop(wait: bool = True, interrupt: bool = False) -> None:
    """Stop taking work. With interrupt, the run in progress is interrupted: its transaction rolls back and it is
    recorded as failed ("interrupted"); with wait, return once it has ended. Then release the lock file."""
    _state.stopping = True
    if _state.scheduler is not None:
        _state.scheduler.shutdown(wait=False)
        if interrupt and _state.active_cursor is not None:
            log.warning("scheduler: interrupting the run in progress")
            _state.active_cursor.interrupt()
        if wait and _busy.acquire(timeout=STOP_WAIT_SECONDS):  # the worker holds it while it works
            _state.stopping = False  # nothing works any more: a later start, or a direct work_queue, may
            _busy.release()
    lockfile.release(_state.lock)
    _state.scheduler = _state.lock = None


def queue_refresh(settings: Settings, cursor_factory) -> None:
    """Queue the scheduled incremental run and data-quality run (not twice while earlier ones still wait)."""
    try:
        if settings.demo_append:
            result = generate(settings.lake_dir, users=0, days=1)
            log.info("scheduler: appended demo day %s (%d events)", result.first_day, result.events)
        with cursor_factory() as cur:
            waiting = {json.loads(r["parameters"] or "{}").get("mode") for r in runs.queue(cur)
                       if r["trigger"] == "schedule"}
            for mode in ("incremental", "dq"):
                if mode not in waiting:
                    runs.enqueue(cur, mode, "schedule", "scheduler")
    except Exception:  # the scheduler goes on; the next interval tries again
        log.exception("scheduler: could not queue the scheduled runs")


def work_queue(settings: Settings, cursor_factory, around_run: AroundRun | None = None) -> None:
    """Execute queued runs one at a time until none is left (or the scheduler is stopping), each inside
    `around_run()` when given."""
    with _busy:
        _work_queue(settings, cursor_factory, around_run or nullcontext)


def _work_queue(settings: Settings, cursor_factory, around_run: AroundRun) -> None:
    while not _state.stopping:
        with cursor_factory() as cur:
            queued = runs.claim_next(cur)
            if queued is None:
                return
            with around_run():
                _state.active_cursor = cur
                try:
                    execute(cur, settings, queued)
                finally:
                    _state.active_cursor = None


def execute(con, settings: Settings, queued: runs.QueuedRun) -> runs.RunResult | None:
    """Run a claimed run; its failure is recorded in etl_runs, logged, and not raised."""
    def report(done: int, total: int) -> None:
        with _progress_lock:
            _progress[queued.run_id] = (done, total)

    try:
        if queued.mode == "dq":
            return audit.check_published(con, settings, run_id=queued.run_id)
        start = dt.date.fromisoformat(queued.start) if queued.start else None
        end = dt.date.fromisoformat(queued.end) if queued.end else None
        return etl.run(con, settings, start=start, end=end, run_id=queued.run_id, progress=report)
    except etl.RunFailed as exc:
        log.warning("scheduler: %s", exc)
        return exc.result
    except Exception as exc:  # recorded so the run does not stay 'running'
        log.exception("scheduler: run %s crashed", queued.run_id)
        result = runs.RunResult(run_id=queued.run_id, status="failed", mode=queued.mode, error=str(exc))
        runs.finish(con, result)
        return result
    finally:
        with _progress_lock:
            _progress.pop(queued.run_id, None)
