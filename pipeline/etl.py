"""An ETL run, write-audit-publish: plan the partitions, inspect their files, then inside one DuckDB transaction
stage and publish dimensions, facts and aggregates, audit that state with the data-quality checks, and commit;
when a blocking check fails, or anything else does, roll it all back: the published tables stay exactly as they
were and the run is recorded as failed with the reason.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import duckdb

from pipeline import lake, lake_check, reference, runs
from pipeline.plan import Plan, manifest_versions, plan_backfill, plan_incremental
from pipeline.quality.checks import load_checks
from pipeline.quality.runner import CheckResult, evaluate, record, summary
from pipeline.runs import RunResult, utcnow
from pipeline.settings import Settings
from warehouse.db import connect, run_sql

log = logging.getLogger(__name__)

SQL_DIR = Path(__file__).parent / "sql"
QUALITY_SQL_DIR = Path(__file__).parent / "quality" / "sql"
BATCH_BYTES = 64 << 20  # event files staged together, by Parquet size (about 3.5M events)
RECENT_DAYS = 3  # masks of up to this many days are recomputed directly; longer spans by activity islands

Progress = Callable[[int, int], None]  # (partitions done, partitions in the run)


class LakeError(RuntimeError):
    """The lake cannot be read at all; the message names the folder and the problem."""


class RunFailed(RuntimeError):
    def __init__(self, result: RunResult):
        super().__init__(f"run {result.run_id} failed: {result.error}")
        self.result = result


class ChecksFailed(RuntimeError):
    """Blocking data-quality checks failed: the run must not publish."""


def sql(name: str) -> Path:
    return SQL_DIR / f"{name}.sql"


def init_warehouse(con: duckdb.DuckDBPyConnection) -> None:
    """Create the schema and load the reference dimensions; mark runs a dead process left running as failed."""
    run_sql(con, sql("ddl"))
    run_sql(con, sql("seed_reference"), {
        "platforms_csv": str(reference.seed_path("platforms")),
        "event_types_csv": str(reference.seed_path("event_types")),
        "countries_csv": str(reference.seed_path("countries")),
    })
    interrupted = runs.mark_interrupted(con)
    if interrupted:
        log.warning("%d interrupted run(s) marked failed", interrupted)


@contextmanager
def open_warehouse(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse opened read-write, schema ensured; closed on exit. For commands that own it for a while."""
    con = connect(settings)
    try:
        init_warehouse(con)
        yield con
    finally:
        con.close()


def make_plan(con: duckdb.DuckDBPyConnection, lake_dir: Path, start: dt.date | None = None,
              end: dt.date | None = None) -> Plan:
    """Incremental plan, or a backfill plan when a range is given."""
    if not Path(lake_dir).is_dir():
        raise LakeError(f"{lake_dir}: the lake folder does not exist (generate one with `python -m pipeline generate`)")
    listing = lake.list_lake(lake_dir)
    loaded = manifest_versions(run_sql(con, sql("etl_manifest_current")).fetchall())
    if start is None or end is None:
        waiting = {row[0] for row in run_sql(con, sql("quarantine_unknown_user_days")).fetchall()}
        return plan_incremental(listing, loaded, waiting)
    return plan_backfill(listing, loaded, start, end)


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


def _publish(con: duckdb.DuckDBPyConnection, plan: Plan, lake_dir: Path, run_id: int, as_of: dt.datetime,
             progress: Progress | None) -> tuple[int, int]:
    """Every write of the run, inside the caller's transaction; returns (rows read, rows loaded).

    Rows stamped after `as_of` are in the future; lineage timestamps use the clock.
    """
    now = utcnow()
    lake_prefix = str(Path(lake_dir).resolve()) + "/"
    accepted = {"devices": list(reference.devices()), "countries": list(reference.countries()),
                "segments": list(reference.segments()), "age_groups": list(reference.age_groups())}
    days = [d for _, d in plan.partitions]
    run_sql(con, sql("dim_date"), {"start_date": min(days), "end_date": max(days)})
    run_sql(con, sql("fct_clear_partitions"))

    total, done = len(plan.partitions), 0
    if plan.dates("users"):
        user_files = [f.path for f in plan.files_of("users")]
        if user_files:
            run_sql(con, sql("stg_users"), {"files": user_files, "lake_prefix": lake_prefix, "as_of": as_of,
                                            **accepted})
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
        run_sql(con, sql("stg_events"), {"files": [f.path for f in batch], "lake_prefix": lake_prefix,
                                         "as_of": as_of, **accepted})
        run_sql(con, sql("fct_events"), {"run_id": run_id, "now": now})
        done += len({f.partition_date for f in batch})
        if progress:
            progress(done, total)

    run_sql(con, sql("agg_user_activity_daily"))  # (nothing to do when no day is affected)
    from_date, to_date = run_sql(con, sql("etl_affected_from")).fetchone()
    if from_date is not None:
        run_sql(con, sql("fct_funnel_events"))
        run_sql(con, sql("agg_user_day"))
        run_sql(con, sql("agg_daily_volume"))
        run_sql(con, sql("agg_user_week"))
        run_sql(con, sql("agg_user_platform_first"))
        masks = "agg_active_masks_recent" if (to_date - from_date).days < RECENT_DAYS else "agg_active_masks"
        run_sql(con, sql(masks), {"from_date": from_date})
        run_sql(con, sql("agg_daily_metrics"), {"from_date": from_date})
        run_sql(con, sql("agg_growth_transitions"), {"from_date": from_date})
        run_sql(con, sql("agg_user_engagement"))
        run_sql(con, sql("agg_retention_cohorts"))

    run_sql(con, sql("etl_manifest"), {"run_id": run_id, "now": now})
    rows_read, rows_loaded = run_sql(con, sql("etl_run_totals")).fetchone()
    return int(rows_read), int(rows_loaded)


def quality_context(settings: Settings, as_of: dt.datetime) -> dict:
    """Values the check kinds may bind."""
    return {"expected_date": as_of.date() - dt.timedelta(days=settings.freshness_lag_days), "as_of": as_of}


def _audit(con: duckdb.DuckDBPyConnection, settings: Settings, as_of: dt.datetime) -> list[CheckResult]:
    """Every check, on the state the transaction is about to publish, limited to the days the run touched."""
    run_sql(con, QUALITY_SQL_DIR / "dq_scope_run.sql")
    return evaluate(con, load_checks(), quality_context(settings, as_of))


def run(con: duckdb.DuckDBPyConnection, settings: Settings, *, start: dt.date | None = None,
        end: dt.date | None = None, trigger: str = "cli", requested_by: str | None = None,
        progress: Progress | None = None, as_of: dt.datetime | None = None,
        run_id: int | None = None) -> RunResult:
    """One ETL run: incremental, or a backfill of [start, end]. Raises RunFailed (recorded) when it fails.

    `as_of` (UTC, default the clock) is what "in the future" and freshness are judged against. `run_id`: a run
    already recorded (queued, then claimed by the scheduler's worker) instead of a new one.
    """
    began = time.perf_counter()
    mode = "incremental" if start is None else "backfill"
    result = (RunResult(run_id=run_id, status="running", mode=mode) if run_id is not None
              else runs.start(con, mode, trigger, requested_by, {"start": start, "end": end}))
    try:
        plan = make_plan(con, settings.lake_dir, start, end)
        inspection = lake_check.inspect(con, plan.files)
        attempted = not plan.is_empty
        plan = plan.without(inspection.skipped)
        result.notices = plan.notices + inspection.notices()
        result.partitions = len(plan.partitions)
        for notice in result.notices:
            log.warning("run %s: %s", result.run_id, notice)
        as_of = as_of or utcnow()
        con.execute("BEGIN TRANSACTION")
        try:
            if attempted:
                run_sql(con, sql("etl_workspace"), {"partitions": plan.partition_rows(),
                                                    "files": plan.file_rows(inspection.row_counts()),
                                                    "lake_metrics": inspection.metric_rows()})
                if not plan.is_empty:
                    result.rows_read, result.rows_loaded = _publish(con, plan, settings.lake_dir, result.run_id,
                                                                    as_of, progress)
                result.checks = _audit(con, settings, as_of)
            if result.failed_checks:
                raise ChecksFailed("blocked by failed checks: " + "; ".join(
                    f"{c.check.name} ({c.message})" for c in result.failed_checks))
            result.rows_quarantined = result.rows_read - result.rows_loaded
            result.status = "succeeded"
            result.message = _summary(plan, inspection.skipped, result.checks)
            result.seconds = time.perf_counter() - began
            record(con, result.run_id, result.checks, utcnow())
            runs.finish(con, result)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    except Exception as exc:
        result.status, result.error = "failed", str(exc)
        if isinstance(exc, duckdb.InterruptException):
            result.error = "interrupted: the process was stopping; nothing this run did was published"
        result.rows_loaded = result.rows_quarantined = 0
        result.seconds = time.perf_counter() - began
        record(con, result.run_id, result.checks, utcnow())
        runs.finish(con, result)
        log.error("run %s failed: %s", result.run_id, exc)
        raise RunFailed(result) from exc
    return result


def _summary(plan: Plan, skipped: dict, checks: list[CheckResult]) -> str:
    parts = []
    for kind in lake.KINDS:
        days = plan.dates(kind)
        if days:
            span = days[0].isoformat() if len(days) == 1 else f"{days[0]}..{days[-1]}"
            parts.append(f"{kind} {len(days)} partition{'s' if len(days) > 1 else ''} ({span})")
    if skipped:
        parts.append(f"{len(skipped)} partition{'s' if len(skipped) > 1 else ''} skipped")
    if not parts:
        return "nothing new in the lake"
    return "; ".join(parts) + (f"; {summary(checks)}" if checks else "")
