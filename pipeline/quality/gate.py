"""Which checks run where: inside an ETL run every check, on the state its transaction is about to publish and
limited to the days it touched; in `pipeline dq` the checks that apply to published tables, over every day."""

from __future__ import annotations

import datetime as dt

import duckdb

from pipeline.quality.checks import load_checks
from pipeline.quality.runner import SQL, CheckResult, evaluate
from pipeline.stopwatch import timed
from store.settings import Settings


def context(settings: Settings, as_of: dt.datetime) -> dict:
    """Values the check kinds may bind."""
    return {"expected_date": as_of.date() - dt.timedelta(days=settings.freshness_lag_days), "as_of": as_of}


def audit_run(con: duckdb.DuckDBPyConnection, settings: Settings, as_of: dt.datetime,
              seconds: dict[str, float] | None = None) -> list[CheckResult]:
    """Every check, on the state an ETL run's transaction is about to publish, limited to the days it touched."""
    SQL.run(con, "dq_scope_run")
    with timed(seconds, "dq_daily_metrics"):  # shared by the checks of the daily metrics
        SQL.run(con, "dq_daily_metrics")
    return evaluate(con, load_checks(), context(settings, as_of), seconds)


def audit_published(con: duckdb.DuckDBPyConnection, settings: Settings, as_of: dt.datetime) -> list[CheckResult]:
    """The checks that apply to published tables (not staging), over every day."""
    SQL.run(con, "dq_scope_all")
    SQL.run(con, "dq_daily_metrics")
    return evaluate(con, [c for c in load_checks() if not c.staging_only], context(settings, as_of))
