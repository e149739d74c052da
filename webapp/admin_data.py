"""What the admin page reads and does: run history, check results, the run queue, and asking for runs.

Never cached: an operator wants the state as it is. Asking for a run only records it as queued; the scheduler's
worker executes it, never the web request.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from pipeline import etl, lake, run_queue
from store import runs, warehouse
from store.settings import Settings
from webapp import SQL


def run_history(limit: int = 200) -> pd.DataFrame:
    """One row per run, newest first, with its duration and check counts."""
    with warehouse.cursor() as cur:
        frame = pd.DataFrame(runs.recent(cur, limit))
    if frame.empty:
        return frame
    frame["duration_s"] = (frame["ended_at"] - frame["started_at"]).dt.total_seconds().round(1)
    return frame


def run(run_id: int) -> dict | None:
    """One run as runs.get has it (its skipped partitions parsed), None when there is no such run."""
    with warehouse.cursor() as cur:
        return runs.get(cur, run_id)


def checks_of_run(run_id: int) -> pd.DataFrame:
    return warehouse.query(SQL, "dq_of_run", {"run_id": int(run_id)})


def latest_checks() -> pd.DataFrame:
    return warehouse.query(SQL, "dq_latest")


def queue() -> list[dict]:
    """Runs queued or running, with their partitions done (etl_runs)."""
    with warehouse.cursor() as cur:
        return runs.queue(cur)


PARTITION_STATES = ("loaded", "pending", "skipped", "failed")  # the order of the grid's colours


def partitions(settings: Settings) -> pd.DataFrame:
    """One row per lake partition (kind, day), in the lake or loaded: state (loaded: its current files are
    published; pending: in the lake, not loaded yet or changed since; skipped: the last run that tried it skipped
    it; failed: the last run that tried it failed), the run that loaded or last tried it, and why (a skip's file
    and reason, a failure's error)."""
    with warehouse.cursor() as cur:
        loaded = {(r[0], r[1]): r for r in SQL.run(cur, "partitions_loaded").fetchall()}
        attempts = {(r[0], r[1]): r for r in SQL.run(cur, "partition_attempts").fetchall()}
        try:
            plan = etl.make_plan(cur, settings.lake_dir)
            waiting = set(plan.partitions) | set(plan.skipped)
        except etl.LakeError:
            waiting = set()
    rows = []
    for kind, day in sorted(set(loaded) | waiting):
        attempt = attempts.get((kind, day))
        state, run_id, reason = "loaded", None, None
        if (kind, day) in waiting:
            state = "pending"
            if attempt is not None:
                _k, _d, run_id, status, error, skip_reason = attempt
                if skip_reason:
                    state, reason = "skipped", skip_reason
                elif status == "failed":
                    state, reason = "failed", error
        if state == "loaded" or (state == "pending" and (kind, day) in loaded):
            run_id = run_id or loaded[(kind, day)][2]
        rows.append({"kind": kind, "day": day, "state": state, "run_id": run_id, "reason": reason,
                     "rows": int(loaded[(kind, day)][3]) if (kind, day) in loaded else None})
    return pd.DataFrame(rows, columns=["kind", "day", "state", "run_id", "reason", "rows"])


def lake_span(settings: Settings) -> tuple[dt.date, dt.date] | None:
    """The first and last day the lake has event partitions for (None when it has none)."""
    days = lake.list_lake(settings.lake_dir).partitions("events") if settings.lake_dir.is_dir() else []
    return (days[0], days[-1]) if days else None


def validate_backfill(start, end, span: tuple[dt.date, dt.date] | None) -> tuple[dt.date, dt.date] | str:
    """The range to backfill, or a message saying what is wrong with it."""
    if not start or not end:
        within = f" from {span[0]} to {span[1]} (the lake's days)" if span else ""
        return f"Choose a start and an end date{within}."
    try:
        first, last = dt.date.fromisoformat(str(start)[:10]), dt.date.fromisoformat(str(end)[:10])
    except ValueError:
        return f"{start!r} to {end!r} is not a pair of dates (YYYY-MM-DD)."
    if last < first:
        return f"The end date {last} is before the start date {first}."
    if span is None:
        return "The lake holds no event partitions to backfill."
    if last < span[0] or first > span[1]:
        return f"No lake partition between {first} and {last}: the lake holds {span[0]} to {span[1]}."
    return first, last


def cancel_run(run_id: int, who: str | None) -> tuple[bool, str]:
    """Cancel a queued run; (whether it was, a sentence saying what happened)."""
    with warehouse.cursor() as cur:
        found = runs.get(cur, run_id)
        if found is None:
            return False, f"There is no run {run_id}."
        if not runs.cancel(cur, run_id, who):
            return False, f"Run {run_id} is {found['status']}: only a queued run can be cancelled."
    return True, f"Run {run_id} cancelled: it will not start."


def retry_run(run_id: int, who: str | None) -> tuple[int | None, str]:
    """Queue a failed or cancelled run again; (the new run id or None, a sentence saying what happened)."""
    with warehouse.cursor() as cur:
        found = runs.get(cur, run_id)
        if found is None:
            return None, f"There is no run {run_id}."
        try:
            new_id, _ahead = run_queue.retry(cur, found, who)
        except ValueError as exc:
            return None, f"{str(exc)[0].upper()}{str(exc)[1:]}."
    return new_id, f"Run {run_id} queued again as run {new_id}."


def request_run(mode: str, requested_by: str, start: dt.date | None = None, end: dt.date | None = None
                ) -> tuple[int, int]:
    """Queue a run (incremental, backfill or dq); returns its id and how many runs are ahead of it."""
    with warehouse.cursor() as cur:
        return run_queue.request(cur, mode, requested_by, start, end)
