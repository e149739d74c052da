"""The serving process's background jobs: the scheduler (pipeline/scheduler.py) started once in the process that
owns the warehouse (gunicorn's worker, or `python app.py`), never at import; each run it executes is wrapped in
the cache's hold (webapp/cache.py: dashboards serve the data from before it until its panels are drawn)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from flask import Flask

from pipeline.scheduler import Scheduler
from store import warehouse
from store.settings import load_settings
from webapp import warmup
from webapp.cache import publishing
from webapp.settings import load_web_settings

_scheduler: Scheduler | None = None


def start(server: Flask) -> bool:
    """Draw the panels viewed before the restart (webapp/warmup.py), and start the scheduler in this process (once
    per data folder: the lock file); whether the scheduler started here."""
    global _scheduler
    warmup.start(server, load_settings().data_dir, load_web_settings().warmup_seconds)
    if _scheduler is not None and _scheduler.running:
        return False

    @contextmanager
    def around_run() -> Iterator[None]:
        with server.app_context(), publishing(stop=scheduler.stopping):
            yield

    scheduler = Scheduler(load_settings(), warehouse.cursor, around_run=around_run)
    started = scheduler.start()
    _scheduler = scheduler if started else None
    return started


def scheduler_running() -> bool:
    """Whether this process runs the scheduler (for the admin page and /readyz)."""
    return _scheduler is not None and _scheduler.running


def next_refresh():
    """When the scheduler queues its next refresh (UTC datetime), None when it does not run here or schedules none."""
    return _scheduler.next_refresh() if _scheduler is not None else None


def stop(interrupt: bool = True) -> None:
    """On shutdown: stop taking work, interrupt a running ETL (it rolls back and is recorded as failed), close
    the warehouse cleanly."""
    global _scheduler
    warmup.stop()
    if _scheduler is not None:
        _scheduler.stop(wait=True, interrupt=interrupt)
        _scheduler = None
    warehouse.close_shared()
