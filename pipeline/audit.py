"""`pipeline dq`: every check that applies to published tables, over every day, recorded as a run of its own."""

from __future__ import annotations

import datetime as dt

import duckdb

from pipeline.lifecycle import RunResult, run_lifecycle
from pipeline.quality import gate
from pipeline.quality.runner import summary
from store.runs import utcnow
from store.settings import Settings


def check_published(con: duckdb.DuckDBPyConnection, settings: Settings, *, trigger: str = "cli",
                    requested_by: str | None = None, as_of: dt.datetime | None = None,
                    run_id: int | None = None) -> RunResult:
    """The run fails (nothing is changed) when an error-severity check fails; its results say which and why.
    `run_id`: a run already recorded (queued, then claimed) instead of a new one."""
    with run_lifecycle(con, "dq", trigger=trigger, requested_by=requested_by, run_id=run_id) as run:
        result = run.result
        run.planned(0)  # a data-quality run loads no partition
        result.checks = gate.audit_published(con, settings, as_of or utcnow())
        result.status = "failed" if result.failed_checks else "succeeded"
        result.message = summary(result.checks)
        if result.failed_checks:
            result.error = "failed checks: " + ", ".join(c.check.name for c in result.failed_checks)
    return result
