"""The warehouse schema: tables, macros and views created (idempotently) each time the file is opened read-write,
the reference dimensions loaded from the seeds, and runs a dead process left running marked as failed."""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb

from store import reference, runs
from store.sql import SqlFiles, quote

log = logging.getLogger(__name__)

SCHEMA = SqlFiles(Path(__file__).parent / "schema")
# In order: each file may use what the ones before it define.
FILES = ("helpers", "runs", "alerts", "dimensions", "facts", "marts", "metrics", "churn")
VIEWS_ONCE_TABLES = ("agg_daily_metrics", "agg_user_engagement", "agg_retention_cohorts")  # see legacy_tables.sql


def _drop_legacy_tables(con: duckdb.DuckDBPyConnection) -> None:
    names = [row[0] for row in SCHEMA.run(con, "legacy_tables", {"names": list(VIEWS_ONCE_TABLES)}).fetchall()]
    for name in names:  # each one of VIEWS_ONCE_TABLES: an allow-listed identifier, quoted
        con.execute(f"DROP TABLE {quote(name)}")
        log.warning("dropped the table %s of an earlier version: it is a view now", name)


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    """Create what is missing, load new reference rows, and fail runs left 'running' by a process that died."""
    _drop_legacy_tables(con)
    for name in FILES:
        SCHEMA.run(con, name)
    SCHEMA.run(con, "reference", {"platforms_csv": str(reference.seed_path("platforms")),
                                  "event_types_csv": str(reference.seed_path("event_types")),
                                  "countries_csv": str(reference.seed_path("countries"))})
    interrupted = runs.mark_interrupted(con)
    if interrupted:
        log.warning("%d interrupted run(s) marked failed", interrupted)
