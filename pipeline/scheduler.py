"""The in-process scheduler (APScheduler, one background thread). It only schedules:

- every PA_ETL_INTERVAL_MINUTES it queues an incremental ETL run and a data-quality run (appending a synthetic day
  to the lake first when PA_DEMO_APPEND=1): `queue_refresh`;
- every few seconds the queue's worker executes queued runs (these, and "Run now" / backfills asked for in the
  admin page) one at a time, oldest first (pipeline/run_queue.py); progress and results are in etl_runs.

The process that serves the app starts one (webapp/background.py), never at import. A lock file in the data folder
makes sure only one process per data folder schedules, whatever starts and however often. Jobs never overlap
(max_instances=1, coalesce=True); a run that fails is recorded with its error and the scheduler goes on.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from typing import IO

import duckdb
from apscheduler.schedulers.background import BackgroundScheduler

from pipeline import lockfile, run_queue
from pipeline.generate import generate
from store import runs
from store.settings import Settings

log = logging.getLogger(__name__)

WORKER_SECONDS = 2
LOCK_NAME = "scheduler.lock"
REFRESH_JOB = "refresh"
STOP_WAIT_SECONDS = 25  # within gunicorn's graceful_timeout


def queue_refresh(settings: Settings, cursor_factory: run_queue.CursorFactory) -> None:
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


class Scheduler:
    """One process's scheduler: started once (if enabled and the lock file is free), stopped on shutdown."""

    def __init__(self, settings: Settings, cursor_factory: run_queue.CursorFactory,
                 around_run: run_queue.AroundRun | None = None):
        self.settings = settings
        self._cursors = cursor_factory
        self._around_run = around_run
        self._apscheduler: BackgroundScheduler | None = None
        self._lock: IO | None = None
        self._busy = threading.Lock()  # held by the worker while it works
        self._stopping = False
        self._active: duckdb.DuckDBPyConnection | None = None  # the cursor of the run in progress

    @property
    def running(self) -> bool:
        return self._apscheduler is not None and self._apscheduler.running

    def stopping(self) -> bool:
        """Shutdown has begun: work in progress should end early."""
        return self._stopping

    def start(self) -> bool:
        """Start unless turned off, already running, or held by another process (the lock file)."""
        if not self.settings.scheduler_enabled:
            log.info("scheduler: off (PA_SCHEDULER_ENABLED=0)")
            return False
        if self.running:
            return False
        lock_path = self.settings.data_dir / LOCK_NAME
        lock = lockfile.acquire(lock_path)
        if lock is None:
            log.warning("scheduler: not started here, process %s holds %s", lockfile.holder(lock_path), lock_path)
            return False
        now = dt.datetime.now(dt.timezone.utc)
        aps = BackgroundScheduler(timezone=dt.timezone.utc,
                                  job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": 60})
        aps.add_job(self.work, "interval", seconds=WORKER_SECONDS, id="run-queue", next_run_time=now)
        interval = self.settings.etl_interval_minutes
        if interval > 0:
            aps.add_job(lambda: queue_refresh(self.settings, self._cursors), "interval", minutes=interval,
                        id=REFRESH_JOB, next_run_time=now)  # catch up at start, then every interval
        aps.start()
        self._apscheduler, self._lock, self._stopping = aps, lock, False
        log.info("scheduler: started (%s, lock %s)", f"refresh every {interval} min" if interval > 0 else
                 "no scheduled refresh (PA_ETL_INTERVAL_MINUTES=0): it executes the runs asked for", lock_path)
        return True

    def next_refresh(self) -> dt.datetime | None:
        """When the next scheduled refresh is queued (UTC); None when none is scheduled or the scheduler is off."""
        job = self._apscheduler.get_job(REFRESH_JOB) if self.running else None
        return job.next_run_time if job is not None else None

    def work(self) -> int:
        """The worker job: execute queued runs until none is left (or shutdown begins); how many ran."""
        with self._busy:
            return run_queue.work(self.settings, self._cursors, self._around_run, stopping=self.stopping,
                              executing=self._executing)

    def _executing(self, cur: duckdb.DuckDBPyConnection | None) -> None:
        self._active = cur

    def stop(self, wait: bool = True, interrupt: bool = False) -> None:
        """Stop taking work. With interrupt, the run in progress is interrupted: its transaction rolls back and it is
        recorded as failed ("interrupted"); with wait, return once it has ended. Then release the lock file."""
        self._stopping = True
        if self._apscheduler is not None:
            self._apscheduler.shutdown(wait=False)
            if interrupt and self._active is not None:
                log.warning("scheduler: interrupting the run in progress")
                self._active.interrupt()
            if wait and self._busy.acquire(timeout=STOP_WAIT_SECONDS):
                self._stopping = False  # nothing works any more: a later start may
                self._busy.release()
        lockfile.release(self._lock)
        self._apscheduler = self._lock = None
