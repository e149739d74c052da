"""Run history: each ETL run and each `pipeline dq` run is a row of etl_runs, its check results rows of dq_results."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline.quality.runner import CheckResult
from warehouse.db import run_sql

SQL_DIR = Path(__file__).parent / "sql"
TRIGGERS = ("cli", "schedule", "manual", "backfill")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


@dataclass
class RunResult:
    run_id: int
    status: str  # running, succeeded, failed
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

    @property
    def failed_checks(self) -> list[CheckResult]:
        return [c for c in self.checks if c.status == "fail"]


def _check_trigger(trigger: str) -> None:
    if trigger not in TRIGGERS:
        raise ValueError(f"trigger {trigger!r} is not one of {TRIGGERS}")


def start(con: duckdb.DuckDBPyConnection, mode: str, trigger: str, requested_by: str | None,
          parameters: dict) -> RunResult:
    """Record a run starting now (a run that was queued is claimed instead: see claim_next)."""
    _check_trigger(trigger)
    run_id = run_sql(con, SQL_DIR / "etl_runs_start.sql", {
        "trigger": trigger, "requested_by": requested_by, "now": utcnow(),
        "parameters": json.dumps({"mode": mode, **parameters}, default=str),
    }).fetchone()[0]
    return RunResult(run_id=run_id, status="running", mode=mode)


@dataclass(frozen=True)
class QueuedRun:
    run_id: int
    trigger: str
    requested_by: str | None
    mode: str  # incremental, backfill, dq
    start: str | None = None  # ISO dates of a backfill
    end: str | None = None


def enqueue(con: duckdb.DuckDBPyConnection, mode: str, trigger: str, requested_by: str | None,
            start=None, end=None) -> int:
    """Record a run asked for as queued; the scheduler's worker executes queued runs one at a time, oldest first."""
    _check_trigger(trigger)
    if mode not in ("incremental", "backfill", "dq"):
        raise ValueError(f"mode {mode!r} is not incremental, backfill or dq")
    return run_sql(con, SQL_DIR / "etl_runs_enqueue.sql", {
        "trigger": trigger, "requested_by": requested_by, "now": utcnow(),
        "parameters": json.dumps({"mode": mode, "start": start, "end": end}, default=str),
    }).fetchone()[0]


def claim_next(con: duckdb.DuckDBPyConnection) -> QueuedRun | None:
    """Mark the oldest queued run running and return it (None when the queue is empty)."""
    row = run_sql(con, SQL_DIR / "etl_runs_claim.sql", {"now": utcnow()}).fetchone()
    if row is None:
        return None
    run_id, trigger, requested_by, parameters = row
    p = json.loads(parameters or "{}")
    return QueuedRun(run_id, trigger, requested_by, p.get("mode", "incremental"), p.get("start"), p.get("end"))


def queue(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Runs queued or running, oldest first, each with how many are ahead of it."""
    return _dicts(run_sql(con, SQL_DIR / "etl_runs_queue.sql"))


def finish(con: duckdb.DuckDBPyConnection, result: RunResult) -> None:
    run_sql(con, SQL_DIR / "etl_runs_finish.sql", {
        "run_id": result.run_id, "status": result.status, "now": utcnow(), "partitions": result.partitions,
        "partitions_done": result.partitions if result.status == "succeeded" else 0,
        "rows_read": result.rows_read, "rows_loaded": result.rows_loaded,
        "rows_quarantined": result.rows_quarantined, "message": result.message, "error": result.error,
    })


def mark_interrupted(con: duckdb.DuckDBPyConnection) -> int:
    """Runs a dead process left 'running' become failed; returns how many. Queued runs stay queued."""
    return len(run_sql(con, SQL_DIR / "etl_runs_interrupted.sql", {"now": utcnow()}).fetchall())


def recent(con: duckdb.DuckDBPyConnection, limit: int = 20) -> list[dict]:
    """The newest runs, each with its check counts and the names of its failed and warned checks."""
    return _dicts(run_sql(con, SQL_DIR / "etl_runs_recent.sql", {"limit": limit}))


def last_finished(con: duckdb.DuckDBPyConnection) -> dict | None:
    """The newest run that has ended: run_id, mode, status, ended_at, error; None before any."""
    rows = _dicts(run_sql(con, SQL_DIR / "etl_runs_last_finished.sql"))
    return rows[0] if rows else None


def _dicts(cur) -> list[dict]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]
