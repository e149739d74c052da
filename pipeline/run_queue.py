"""The run queue: asking for a run records it as queued (the admin page, the scheduler's refresh); a worker
claims queued runs one at a time, oldest first, and executes each through its run lifecycle."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import replace
from contextlib import AbstractContextManager, nullcontext
from typing import Callable, ContextManager

import duckdb

from pipeline import alerts, audit, churn_model, etl
from pipeline.lifecycle import RunFailed, RunResult
from store import runs, snapshot
from store.settings import Settings

log = logging.getLogger(__name__)

CursorFactory = Callable[[], ContextManager[duckdb.DuckDBPyConnection]]  # a cursor of the process's warehouse
AroundRun = Callable[[], AbstractContextManager]  # each run executes inside one (the app: its cache's hold)


def request(con: duckdb.DuckDBPyConnection, mode: str, requested_by: str, start: dt.date | None = None,
            end: dt.date | None = None, engine: str | None = None) -> tuple[int, int]:
    """Queue a run asked for by a person (incremental, backfill or dq), on an engine or the worker's; its id and how
    many runs are ahead of it."""
    trigger = "backfill" if mode == "backfill" else "manual"
    run_id = runs.enqueue(con, mode, trigger, requested_by, start, end, engine)
    ahead = next((r["ahead"] for r in runs.queue(con) if r["run_id"] == run_id), 0)
    return run_id, int(ahead)


def retry(con: duckdb.DuckDBPyConnection, run: dict, requested_by: str) -> tuple[int, int]:
    """Queue a failed or cancelled run (a runs.get row) again with the same mode and dates; its new id and how many
    runs are ahead of it. ValueError for a run in any other state."""
    if run["status"] not in runs.RETRYABLE:
        raise ValueError(f"run {run['run_id']} is {run['status']}: only a failed or cancelled run is retried")
    p = json.loads(run["parameters"] or "{}")
    return request(con, p.get("mode", "incremental"), requested_by, p.get("start"), p.get("end"), p.get("engine"))


def execute(con: duckdb.DuckDBPyConnection, settings: Settings, queued: runs.QueuedRun) -> RunResult:
    """Run a claimed run to its end; a failure is recorded by its lifecycle, logged, and returned, not raised."""
    try:
        if queued.mode == "dq":
            return audit.check_published(con, settings, run_id=queued.run_id)
        start, end = queued.dates()
        if queued.engine:
            settings = replace(settings, engine=queued.engine)
        result = etl.run(con, settings, start=start, end=end, run_id=queued.run_id)
    except RunFailed as exc:
        log.warning("queue: %s", exc)
        result = exc.result
    after_run(con, settings, result)
    return result


def after_run(con: duckdb.DuckDBPyConnection, settings: Settings, result: RunResult) -> list[str]:
    """What follows every run, whoever ran it (the worker, the CLI, the Airflow DAG): after a load that published
    data, the churn scores refreshed; the marts snapshot written (store/snapshot.py); then the alerts
    (pipeline/alerts.py) for what the run found. Never raises: the run has ended either way. The lines saying what
    was done."""
    lines = []
    if result.mode != "dq" and runs.succeeded(result.status) and result.partitions:
        lines.append(refresh_churn(con, settings))
    lines.append(write_snapshot(con, settings, result.run_id))
    sent = alerts.after_run(con, settings, result)
    if sent:
        lines.append(f"alerts: {len(sent)} sent ({', '.join(m['summary'][:80] for m in sent)})")
    return lines


def refresh_churn(con: duckdb.DuckDBPyConnection, settings: Settings) -> str:
    """After a load that published data: churn snapshots, model and scores brought up to date
    (pipeline/churn_model.refresh); a failure is logged and never fails the load, which is already published. The
    line saying what was done (or what failed)."""
    try:
        line = churn_model.refresh(con, settings.data_dir, settings.churn_horizon_days)
    except Exception as exc:  # noqa: BLE001 - the load has succeeded; its scores are refreshed by the next one
        log.exception("queue: could not refresh the churn scores")
        return f"churn: could not refresh the scores: {exc}"
    log.info("queue: %s", line)
    return line


def write_snapshot(con: duckdb.DuckDBPyConnection, settings: Settings, run_id: int) -> str:
    """The marts snapshot after a run, for readers outside this process; a failure is logged, never raised."""
    try:
        path = snapshot.write(con, settings.data_dir, run_id, settings.marts_snapshots_kept)
    except Exception as exc:  # noqa: BLE001 - the run has ended; the next one writes the snapshot again
        log.exception("queue: could not write the marts snapshot")
        return f"marts snapshot: could not be written: {exc}"
    return f"marts snapshot: {path}" if path else "marts snapshot: none (PA_MARTS_SNAPSHOTS_KEPT=0)"


def work(settings: Settings, cursor_factory: CursorFactory, around_run: AroundRun | None = None, *,
         stopping: Callable[[], bool] = lambda: False,
         executing: Callable[[duckdb.DuckDBPyConnection | None], None] = lambda cur: None) -> int:
    """Execute queued runs one at a time, oldest first, until none is left or `stopping()`; how many ran. Each
    runs inside `around_run()` when given, on a cursor of its own that `executing` is told about (to interrupt it
    on shutdown), then None."""
    done = 0
    while not stopping():
        with cursor_factory() as cur:
            queued = runs.claim_next(cur)
            if queued is None:
                return done
            with (around_run or nullcontext)():
                executing(cur)
                try:
                    execute(cur, settings, queued)
                finally:
                    executing(None)
            done += 1
    return done
