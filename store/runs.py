"""Run records: each ETL run and each data-quality run is a row of etl_runs (queued, running, then succeeded or
failed), its check results rows of dq_results. The pipeline's run lifecycle (pipeline/lifecycle.py) writes them;
the CLI, the admin page and /readyz read them."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from store.sql import SqlFiles

SQL = SqlFiles(Path(__file__).parent / "sql")
TRIGGERS = ("cli", "schedule", "manual", "backfill", "airflow")
MODES = ("incremental", "backfill", "dq")
ENGINES = ("duckdb", "spark")  # what stages a load's event partitions (PA_ENGINE; pipeline/spark/ for spark)
SUCCEEDED, WITH_WARNINGS = "succeeded", "succeeded_with_warnings"  # both published what they could
ENDED = (SUCCEEDED, WITH_WARNINGS, "failed", "cancelled")
RETRYABLE = ("failed", "cancelled")


def succeeded(status: str | None) -> bool:
    """Whether a run's status is a success (with warnings too: it skipped partitions, published the rest)."""
    return status in (SUCCEEDED, WITH_WARNINGS)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _check(trigger: str, mode: str) -> None:
    if trigger not in TRIGGERS:
        raise ValueError(f"trigger {trigger!r} is not one of {TRIGGERS}")
    if mode not in MODES:
        raise ValueError(f"mode {mode!r} is not incremental, backfill or dq")


def _iso(day) -> str | None:
    """A date (or ISO date text) as ISO text; ValueError for anything else."""
    if day is None:
        return None
    return (day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day))).isoformat()


def start(con: duckdb.DuckDBPyConnection, mode: str, trigger: str, requested_by: str | None,
          parameters: dict[str, Any]) -> int:
    """Record a run starting now; its run_id (a queued run is claimed instead: see claim_next)."""
    _check(trigger, mode)
    return SQL.run(con, "etl_runs_start", {
        "trigger": trigger, "requested_by": requested_by, "now": utcnow(),
        "parameters": json.dumps({"mode": mode, **parameters}, default=str),
    }).fetchone()[0]


@dataclass(frozen=True)
class QueuedRun:
    run_id: int
    trigger: str
    requested_by: str | None
    mode: str  # incremental, backfill, dq
    start: str | None = None  # ISO dates of a backfill
    end: str | None = None
    engine: str | None = None  # asked for with the run; None: the worker's PA_ENGINE

    def dates(self) -> tuple[dt.date | None, dt.date | None]:
        return tuple(dt.date.fromisoformat(d) if d else None for d in (self.start, self.end))


def enqueue(con: duckdb.DuckDBPyConnection, mode: str, trigger: str, requested_by: str | None,
            start=None, end=None, engine: str | None = None) -> int:
    """Record a run asked for as queued; the scheduler's worker executes queued runs one at a time, oldest first.
    `engine`: what stages its event partitions (None: the worker's PA_ENGINE)."""
    _check(trigger, mode)
    if engine is not None and (engine not in ENGINES or mode == "dq"):
        raise ValueError(f"engine {engine!r}: a load runs on one of {', '.join(ENGINES)}; a dq run takes none")
    return SQL.run(con, "etl_runs_enqueue", {
        "trigger": trigger, "requested_by": requested_by, "now": utcnow(),
        "parameters": json.dumps({"mode": mode, "start": _iso(start), "end": _iso(end),
                                  **({"engine": engine} if engine else {})}),
    }).fetchone()[0]


def claim_next(con: duckdb.DuckDBPyConnection) -> QueuedRun | None:
    """Mark the oldest queued run running and return it (None when the queue is empty)."""
    row = SQL.run(con, "etl_runs_claim", {"now": utcnow()}).fetchone()
    if row is None:
        return None
    run_id, trigger, requested_by, parameters = row
    p = json.loads(parameters or "{}")
    return QueuedRun(run_id, trigger, requested_by, p.get("mode", "incremental"), p.get("start"), p.get("end"),
                     p.get("engine"))


def progress(con: duckdb.DuckDBPyConnection, run_id: int, partitions: int, done: int) -> None:
    """Partitions planned and done so far. Call it on a cursor outside the run's transaction to make it visible."""
    SQL.run(con, "etl_runs_progress", {"run_id": run_id, "partitions": partitions, "partitions_done": done})


def finish(con: duckdb.DuckDBPyConnection, run_id: int, *, status: str, rows_read: int = 0, rows_loaded: int = 0,
           rows_quarantined: int = 0, message: str = "", error: str | None = None,
           step_seconds: dict[str, float] | None = None, skipped: list[dict] | None = None,
           planned: list[dict] | None = None, engine: str | None = None) -> None:
    SQL.run(con, "etl_runs_finish", {
        "engine": engine,
        "run_id": run_id, "status": status, "now": utcnow(), "rows_read": rows_read, "rows_loaded": rows_loaded,
        "rows_quarantined": rows_quarantined, "message": message, "error": error,
        "step_seconds": json.dumps({k: round(v, 3) for k, v in step_seconds.items()}) if step_seconds else None,
        "skipped": json.dumps(skipped, default=str) if skipped else None,
        "planned": json.dumps(planned, default=str) if planned else None,
    })


def cancel(con: duckdb.DuckDBPyConnection, run_id: int, by: str | None) -> bool:
    """Cancel a queued run (it never starts); False when it is not queued (running, ended, or no such run)."""
    message = f"cancelled by {by}" if by else "cancelled"
    return SQL.run(con, "etl_runs_cancel", {"run_id": run_id, "now": utcnow(), "message": message}).fetchone() \
        is not None


def as_json(row: dict) -> dict:
    """A run (a `recent` or `get` row) as the runs API shows it: timestamps ISO in UTC, JSON fields parsed."""
    out = {}
    for key, value in row.items():
        if isinstance(value, dt.datetime):
            value = value.isoformat() + "Z"
        elif key in ("parameters", "step_seconds", "skipped") and isinstance(value, str):
            value = json.loads(value)
        out[key] = value
    out.setdefault("skipped", [])
    out["skipped"] = out["skipped"] or []
    return out


def from_json(item: dict) -> dict:
    """A run as `as_json` gave it, back to a `recent` row (for the CLI's rendering)."""
    out = dict(item)
    for key in ("queued_at", "started_at", "ended_at"):
        if out.get(key):
            out[key] = dt.datetime.fromisoformat(out[key].rstrip("Z"))
    for key in ("parameters", "step_seconds", "skipped"):
        if out.get(key) is not None and not isinstance(out[key], str):
            out[key] = json.dumps(out[key])
    return out


def record_checks(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    """Check results of a run: dicts with run_id, check_name, family, table_name, severity, status, observed,
    threshold, message, checked_at."""
    if rows:
        SQL.run(con, "dq_results_insert", {"results": rows})


def mark_interrupted(con: duckdb.DuckDBPyConnection) -> int:
    """Runs a dead process left 'running' become failed; returns how many. Queued runs stay queued."""
    return len(SQL.run(con, "etl_runs_interrupted", {"now": utcnow()}).fetchall())


def queue(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Runs queued or running, oldest first, each with how many are ahead of it and its partitions done so far."""
    return _dicts(SQL.run(con, "etl_runs_queue"))


def recent(con: duckdb.DuckDBPyConnection, limit: int = 20) -> list[dict]:
    """The newest runs, each with its check counts and the names of its failed and warned checks."""
    return _dicts(SQL.run(con, "etl_runs_recent", {"limit": limit}))


def get(con: duckdb.DuckDBPyConnection, run_id: int) -> dict | None:
    """One run with its check counts (the columns of `recent`), `skipped` parsed to a list; None if none."""
    rows = _dicts(SQL.run(con, "etl_runs_get", {"run_id": run_id}))
    if not rows:
        return None
    row = rows[0]
    row["skipped"] = json.loads(row["skipped"] or "[]")
    return row


def last_finished(con: duckdb.DuckDBPyConnection) -> dict | None:
    """The newest run that has ended: run_id, mode, status, ended_at, error; None before any."""
    rows = _dicts(SQL.run(con, "etl_runs_last_finished"))
    return rows[0] if rows else None


def _dicts(cur) -> list[dict]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]
