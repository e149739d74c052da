"""An ETL run, write-audit-publish: plan the partitions, inspect their files, then inside one DuckDB transaction
run the model graph's phases (pipeline/steps.py: staging, dimensions, facts, marts), audit that state with the
data-quality checks, and commit; when a blocking check fails, or anything else does, roll it all back: the
published tables stay exactly as they were and the run is recorded as failed with the reason.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Iterator

import duckdb

from pipeline import SQL, lake, lake_check, notices, steps
from pipeline.lifecycle import Progress, Run, RunResult, run_lifecycle
from pipeline.plan import Plan, manifest_versions, plan_backfill, plan_incremental
from pipeline.quality import gate
from pipeline.quality.runner import CheckResult, summary
from pipeline.spark import runner as spark
from pipeline.stopwatch import timed
from store import reference
from store.runs import SUCCEEDED, WITH_WARNINGS, utcnow
from store.settings import Settings

log = logging.getLogger(__name__)

BATCH_BYTES = 64 << 20  # event files staged together, by Parquet size (about 3.5M events)
RECENT_DAYS = 3  # masks of up to this many days are recomputed directly; longer spans by activity islands


class LakeError(RuntimeError):
    """The lake cannot be read at all; the message names the folder and the problem."""


class ChecksFailed(RuntimeError):
    """Blocking data-quality checks failed: the run must not publish."""


def make_plan(con: duckdb.DuckDBPyConnection, lake_dir: Path, start: dt.date | None = None,
              end: dt.date | None = None) -> Plan:
    """Incremental plan, or a backfill plan when a range is given."""
    if not Path(lake_dir).is_dir():
        raise LakeError(f"{lake_dir}: the lake folder does not exist (generate one with `python -m pipeline generate`)")
    listing = lake.list_lake(lake_dir)
    loaded = manifest_versions(SQL.run(con, "manifest_current").fetchall())
    if start is None or end is None:
        waiting = {row[0] for row in SQL.run(con, "quarantine_unknown_user_days").fetchall()}
        return plan_incremental(listing, loaded, waiting)
    return plan_backfill(listing, loaded, start, end)


def _batches(files: list[lake.LakeFile]) -> Iterator[list[lake.LakeFile]]:
    """Whole partitions grouped up to BATCH_BYTES of Parquet."""
    batch, size = [], 0
    for day in sorted({f.partition_date for f in files}):
        part = [f for f in files if f.partition_date == day]
        if batch and size + sum(f.size for f in part) > BATCH_BYTES:
            yield batch
            batch, size = [], 0
        batch += part
        size += sum(f.size for f in part)
    if batch:
        yield batch


def publish(con: duckdb.DuckDBPyConnection, plan: Plan, workspace: dict, run: Run, as_of: dt.datetime,
            settings: Settings) -> tuple[int, int]:
    """Every write of the run, phase by phase (pipeline/steps.py), inside the caller's transaction; returns (rows
    read, rows loaded). Rows stamped after `as_of` are in the future; lineage timestamps use the clock. On the
    Spark engine its job stages every event file of the plan once the users are loaded, and each batch publishes
    the job's rows of its days (it must stage every row the event files' footers declare)."""
    lake_dir, engine = settings.lake_dir, settings.engine
    days = [d for _, d in plan.partitions]
    params = {
        **workspace, "run_id": run.result.run_id, "now": utcnow(), "as_of": as_of,
        "lake_prefix": str(Path(lake_dir).resolve()) + "/", "start_date": min(days), "end_date": max(days),
        "devices": list(reference.devices()), "countries": list(reference.countries()),
        "segments": list(reference.segments()), "age_groups": list(reference.age_groups()),
    }
    seconds = run.result.step_seconds  # each step's time, kept with the run
    steps.run_phase(con, "prepare", params, seconds=seconds)

    done = 0
    if plan.dates("users"):
        user_files = [f.path for f in plan.files_of("users")]
        ran = steps.run_phase(con, "users", {**params, "files": user_files}, has_files=bool(user_files),
                              seconds=seconds)
        changed_from = ran["dim_users"].fetchone()[0]
        if changed_from is not None:
            steps.run_phase(con, "versions", {**params, "changed_from": changed_from}, seconds=seconds)
        done += len(plan.dates("users"))
        run.progress(done)

    job = None
    if engine == "spark" and plan.files_of("events"):
        folder = spark.fresh_folder(settings, run.result.run_id)
        steps.run_phase(con, "engine", {**params, **spark.input_files(folder)}, seconds=seconds, engine=engine)
        with timed(seconds, "spark job"):
            job = spark.run_job(settings, run.result.run_id, folder, plan.files_of("events"), as_of, lake_dir,
                                sum(f["row_count"] for f in workspace["files"] if f["kind"] == "events"))
        seconds.update({f"spark {name}": s for name, s in job.report["seconds"].items() if name != "total"})

    done += len(set(plan.dates("events")) - {f.partition_date for f in plan.files_of("events")})  # gone from the lake
    for batch in _batches(plan.files_of("events")):
        days = sorted({f.partition_date for f in batch})
        engine_files = ({"staged_files": job.staged_files(days), "activity_files": job.activity_files(days)}
                        if job else {})
        steps.run_phase(con, "batch", {**params, **engine_files, "files": [f.path for f in batch], "days": days},
                        seconds=seconds, engine=engine)
        done += len({f.partition_date for f in batch})
        run.progress(done)

    steps.run_phase(con, "activity", params, seconds=seconds)
    from_date, to_date = SQL.run(con, "run_affected_span").fetchone()
    if from_date is not None:
        steps.run_phase(con, "affected", {**params, "from_date": from_date,
                                          "recent": (to_date - from_date).days < RECENT_DAYS}, seconds=seconds)
    steps.run_phase(con, "record", params, seconds=seconds)
    run.progress(len(plan.partitions))
    rows_read, rows_loaded = SQL.run(con, "run_totals").fetchone()
    return int(rows_read), int(rows_loaded)


def run(con: duckdb.DuckDBPyConnection, settings: Settings, *, start: dt.date | None = None,
        end: dt.date | None = None, trigger: str = "cli", requested_by: str | None = None,
        progress: Progress | None = None, as_of: dt.datetime | None = None,
        run_id: int | None = None) -> RunResult:
    """One ETL run: incremental, or a backfill of [start, end]. Raises RunFailed (recorded) when it fails.

    `as_of` (UTC, default the clock) is what "in the future" and freshness are judged against. `run_id`: a run
    already recorded (queued, then claimed by the scheduler's worker) instead of a new one.
    """
    mode = "incremental" if start is None else "backfill"
    with run_lifecycle(con, mode, trigger=trigger, requested_by=requested_by,
                       parameters={"start": start, "end": end, "engine": settings.engine}, run_id=run_id,
                       on_progress=progress) as current:
        result = current.result
        if settings.engine not in steps.ENGINES:  # recorded as the run's failure, a queued run's included
            raise ValueError(f"PA_ENGINE={settings.engine!r} is not an engine (known: {', '.join(steps.ENGINES)})")
        result.engine = settings.engine
        result.days = (start, end) if start is not None else None
        with timed(result.step_seconds, "plan"):
            plan = make_plan(con, settings.lake_dir, start, end)
        with timed(result.step_seconds, "lake_check"):
            inspection = lake_check.inspect(con, plan.files)
        attempted = not plan.is_empty
        plan = plan.without(inspection.skipped)
        result.notices = notices.grouped(plan.findings + inspection.findings)  # one line per cause
        result.skipped = [{"kind": kind, "day": day.isoformat(), "reason": reason}
                          for (kind, day), reason in sorted(plan.skipped.items())]
        result.planned = [{"kind": kind, "day": day.isoformat()}
                          for kind, day in sorted(set(plan.partitions) | set(plan.skipped))]
        current.planned(len(plan.partitions))
        for notice in result.notices:
            log.info("run %s: %s", result.run_id, notice)  # the CLI prints them itself: a warning would print twice
        as_of = as_of or utcnow()
        con.execute("BEGIN TRANSACTION")
        try:
            if attempted:
                workspace = {"partitions": plan.partition_rows(), "files": plan.file_rows(inspection.row_counts()),
                             "lake_metrics": inspection.metric_rows()}
                if plan.is_empty:  # every partition skipped: the checks still see what the lake inspection found
                    SQL.run(con, "run_workspace", workspace)
                else:
                    result.rows_read, result.rows_loaded = publish(con, plan, workspace, current, as_of, settings)
                result.checks = gate.audit_run(con, settings, as_of, result.step_seconds)
            if result.failed_checks:
                raise ChecksFailed("blocked by failed checks: " + "; ".join(
                    f"{c.check.name} ({c.message})" for c in result.failed_checks))
            result.rows_quarantined = result.rows_read - result.rows_loaded
            result.status = WITH_WARNINGS if result.skipped else SUCCEEDED
            result.message = _summary(plan, plan.skipped, result.checks)
            current.finish(con)
            with timed(result.step_seconds, "commit"):
                con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
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
