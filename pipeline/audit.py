"""`pipeline dq`: every check that applies to published tables, over every day, recorded as a run of its own."""

from __future__ import annotations

import datetime as dt
import time

import duckdb

from pipeline import runs
from pipeline.etl import QUALITY_SQL_DIR, quality_context
from pipeline.quality.checks import load_checks
from pipeline.quality.runner import evaluate, record, summary
from pipeline.runs import RunResult, utcnow
from pipeline.settings import Settings
from warehouse.db import run_sql


def check_published(con: duckdb.DuckDBPyConnection, settings: Settings, *, trigger: str = "cli",
                    requested_by: str | None = None, as_of: dt.datetime | None = None,
                    run_id: int | None = None) -> RunResult:
    """The run fails (nothing is changed) when an error-severity check fails; its results say which and why.
    `run_id`: a run already recorded (queued, then claimed) instead of a new one."""
    began = time.perf_counter()
    result = (RunResult(run_id=run_id, status="running", mode="dq") if run_id is not None
              else runs.start(con, "dq", trigger, requested_by, {}))
    now = utcnow()
    run_sql(con, QUALITY_SQL_DIR / "dq_scope_all.sql")
    checks = [c for c in load_checks() if not c.staging_only]
    result.checks = evaluate(con, checks, quality_context(settings, as_of or now))
    result.status = "failed" if result.failed_checks else "succeeded"
    result.message = summary(result.checks)
    if result.failed_checks:
        result.error = "failed checks: " + ", ".join(c.check.name for c in result.failed_checks)
    result.seconds = time.perf_counter() - began
    record(con, result.run_id, result.checks, now)
    runs.finish(con, result)
    return result
