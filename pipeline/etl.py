"""An ETL run: plan the partitions, stage them, publish dimensions, facts and aggregates in one transaction.

Write-audit-publish: every step after planning runs inside one DuckDB transaction; a failure rolls all of it back, so
the published tables are exactly as they were, and the run is recorded as failed with the reason.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import duckdb

from pipeline import lake
from pipeline.plan import Plan, manifest_versions, plan_backfill, plan_incremental
from pipeline.reference import seed_path
from pipeline.settings import Settings
from warehouse.db import connect, run_sql

log = logging.getLogger(__name__)

SQL_DIR = Path(__file__).parent / "sql"
BATCH_BYTES = 64 << 20  # event files staged together, by Parquet size (about 3.5M events)

Progress = Callable[[int, int], None]  # (partitions done, partitions in the run)


class LakeError(RuntimeError):
    """The lake cannot be read as the contract says; the message names the file and the problem."""


class RunFailed(RuntimeError):
    def __init__(self, result: "RunResult"):
        super().__init__(f"run {result.run_id} failed: {result.error}")
        self.result = result


@dataclass
class RunResult:
    run_id: int
    status: str
    mode: str
    partitions: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    seconds: float = 0.0
    message: str = ""
    error: str | None = None
    notices: list[str] = field(default_factory=list)


def sql(name: str) -> Path:
    return SQL_DIR / f"{name}.sql"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def init_warehouse(con: duckdb.DuckDBPyConnection) -> None:
    """Create the schema and load the reference dimensions; mark runs a dead process left running as failed."""
    run_sql(con, sql("ddl"))
    run_sql(con, sql("seed_reference"), {
        "platforms_csv": str(seed_path("platforms")),
        "event_types_csv": str(seed_path("event_types")),
        "countries_csv": str(seed_path("countries")),
    })
    run_sql(con, sql("etl_runs_interrupted"), {"now": utcnow()})


@contextmanager
def open_warehouse(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse opened read-write, schema ensured; closed on exit. For commands that own it for a while."""
    con = connect(settings)
    try:
        init_warehouse(con)
        yield con
    finally:
        con.close()


def check_schemas(con: duckdb.DuckDBPyConnection, files: list[lake.LakeFile]) -> None:
    """Check every file's columns and types against the contract; LakeError naming each bad file and why."""
    if not files:
        return
    try:
        rows = run_sql(con, sql("lake_file_schemas"), {"files": [f.path for f in files]}).fetchall()
    except duckdb.Error:
        rows = []
        for f in files:  # find which file cannot be read
            try:
                rows += run_sql(con, sql("lake_file_schemas"), {"files": [f.path]}).fetchall()
            except duckdb.Error as exc:
                raise LakeError(f"{f.path}: not a readable Parquet file ({str(exc).splitlines()[0]})") from None
    found: dict[str, dict[str, str]] = {}
    for path, column, dtype in rows:
        found.setdefault(path, {})[column] = dtype
    problems = []
    for f in files:
        expected = lake.CONTRACT[f.kind]
        columns = found.get(f.path, {})
        missing = [c for c in expected if c not in columns]
        extra = [c for c in columns if c not in expected]
        wrong = [f"{c} is {columns[c]}, expected {t}" for c, t in expected.items() if c in columns and columns[c] != t]
        for what, items in (("missing column", missing), ("unexpected column", extra), ("wrong type", wrong)):
            if items:
                problems.append(f"{f.path}: {what}{'s' if len(items) > 1 else ''} {', '.join(items)}")
    if problems:
        raise LakeError("; ".join(problems))


def _batches(files: list[lake.LakeFile]) -> Iterator[list[lake.LakeFile]]:
    """Event files grouped by whole partitions, in date order, up to BATCH_BYTES of Parquet per batch."""
    batch: list[lake.LakeFile] = []
    size = 0
    for day in sorted({f.partition_date for f in files}):
        part = [f for f in files if f.partition_date == day]
        if batch and size + sum(f.size for f in part) > BATCH_BYTES:
            yield batch
            batch, size = [], 0
        batch += part
        size += sum(f.size for f in part)
    if batch:
        yield batch


def make_plan(con: duckdb.DuckDBPyConnection, lake_dir: Path, start: dt.date | None = None,
              end: dt.date | None = None) -> Plan:
    """Incremental plan, or a backfill plan when a range is given."""
    if not Path(lake_dir).is_dir():
        raise LakeError(f"{lake_dir}: the lake folder does not exist (generate one with `python -m pipeline generate`)")
    listing = lake.list_lake(lake_dir)
    loaded = manifest_versions(run_sql(con, sql("etl_manifest_current")).fetchall())
    if start is None or end is None:
        return plan_incremental(listing, loaded)
    return plan_backfill(listing, loaded, start, end)


def _publish(con: duckdb.DuckDBPyConnection, plan: Plan, lake_dir: Path, run_id: int, now: dt.datetime,
             progress: Progress | None) -> tuple[int, int]:
    """Every write of the run, inside the caller's transaction; returns (rows read, rows loaded)."""
    lake_prefix = str(Path(lake_dir).resolve()) + "/"
    run_sql(con, sql("etl_workspace"), {"partitions": plan.partition_rows(), "files": plan.file_rows()})

    days = [d for _, d in plan.partitions]
    run_sql(con, sql("dim_date"), {"start_date": min(days), "end_date": max(days)})
    run_sql(con, sql("fct_clear_partitions"))

    total, done = len(plan.partitions), 0
    if plan.dates("users"):
        user_files = [f.path for f in plan.files_of("users")]
        if user_files:
            run_sql(con, sql("stg_users"), {"files": user_files, "lake_prefix": lake_prefix})
        else:
            run_sql(con, sql("stg_users_none"))
        changed_from = run_sql(con, sql("dim_users"), {"run_id": run_id, "now": now}).fetchone()[0]
        if changed_from is not None:
            run_sql(con, sql("fct_repoint_users"), {"changed_from": changed_from})
        done += len(plan.dates("users"))
        if progress:
            progress(done, total)

    done += len(set(plan.dates("events")) - {f.partition_date for f in plan.files_of("events")})
    for batch in _batches(plan.files_of("events")):
        run_sql(con, sql("stg_events"), {"files": [f.path for f in batch], "lake_prefix": lake_prefix})
        run_sql(con, sql("fct_events"), {"run_id": run_id, "now": now})
        done += len({f.partition_date for f in batch})
        if progress:
            progress(done, total)

    from_date = run_sql(con, sql("etl_affected_from")).fetchone()[0]
    if from_date is not None:
        run_sql(con, sql("agg_user_activity_daily"))
        run_sql(con, sql("agg_daily_metrics"), {"from_date": from_date})
        run_sql(con, sql("agg_user_engagement"))
        run_sql(con, sql("agg_retention_cohorts"))

    run_sql(con, sql("etl_manifest"), {"run_id": run_id, "now": now})
    rows_read, rows_loaded = run_sql(con, sql("etl_run_totals")).fetchone()
    return int(rows_read), int(rows_loaded)


def _finish(con, result: RunResult, now: dt.datetime) -> None:
    run_sql(con, sql("etl_runs_finish"), {
        "run_id": result.run_id, "status": result.status, "now": now, "partitions": result.partitions,
        "partitions_done": result.partitions if result.status == "succeeded" else 0,
        "rows_read": result.rows_read, "rows_loaded": result.rows_loaded,
        "rows_quarantined": result.rows_quarantined, "message": result.message, "error": result.error,
    })


def run(con: duckdb.DuckDBPyConnection, lake_dir: Path, *, start: dt.date | None = None, end: dt.date | None = None,
        trigger: str = "cli", requested_by: str | None = None, progress: Progress | None = None) -> RunResult:
    """One ETL run: incremental, or a backfill of [start, end]. Raises RunFailed (recorded) when it fails."""
    began = time.perf_counter()
    mode = "incremental" if start is None else "backfill"
    parameters = json.dumps({"mode": mode, "start": start and start.isoformat(), "end": end and end.isoformat()})
    run_id = run_sql(con, sql("etl_runs_start"), {
        "trigger": trigger, "requested_by": requested_by, "parameters": parameters, "now": utcnow(),
    }).fetchone()[0]
    result = RunResult(run_id=run_id, status="running", mode=mode)
    try:
        plan = make_plan(con, lake_dir, start, end)
        result.notices = plan.notices
        result.partitions = len(plan.partitions)
        for notice in plan.notices:
            log.warning("run %s: %s", run_id, notice)
        check_schemas(con, plan.files)
        con.execute("BEGIN TRANSACTION")
        try:
            if not plan.is_empty:
                result.rows_read, result.rows_loaded = _publish(con, plan, lake_dir, run_id, utcnow(), progress)
            result.rows_quarantined = result.rows_read - result.rows_loaded
            result.status = "succeeded"
            result.message = _summary(plan)
            result.seconds = time.perf_counter() - began
            _finish(con, result, utcnow())
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    except Exception as exc:
        result.status, result.error = "failed", str(exc)
        result.rows_read = result.rows_loaded = result.rows_quarantined = 0
        result.seconds = time.perf_counter() - began
        _finish(con, result, utcnow())
        log.error("run %s failed: %s", run_id, exc)
        raise RunFailed(result) from exc
    return result


def _summary(plan: Plan) -> str:
    if plan.is_empty:
        return "nothing new in the lake"
    parts = []
    for kind in lake.KINDS:
        days = plan.dates(kind)
        if days:
            span = days[0].isoformat() if len(days) == 1 else f"{days[0]}..{days[-1]}"
            parts.append(f"{kind} {len(days)} partition{'s' if len(days) > 1 else ''} ({span})")
    return "; ".join(parts)
