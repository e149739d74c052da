"""What the admin page reads and does: run history, check results, the run queue, and asking for runs.

Never cached: an operator wants the state as it is. Asking for a run only records it as queued; the scheduler's
worker executes it, never the web request.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from pipeline import lake, run_queue
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


def lake_span(settings: Settings) -> tuple[dt.date, dt.date] | None:
    """The first and last day the lake has event partitions for (None when it has none)."""
    days = lake.list_lake(settings.lake_dir).partitions("events") if settings.lake_dir.is_dir() else []
    return (days[0], days[-1]) if days else None


def validate_backfill(start, end, span: tuple[dt.date, dt.date] | None) -> tuple[dt.date, dt.date] | str:
    """The range to backfill, or a message saying what is wrong with it."""
    if not start or not end:
        return "Choose a start and an end date."
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


def request_run(mode: str, requested_by: str, start: dt.date | None = None, end: dt.date | None = None
                ) -> tuple[int, int]:
    """Queue a run (incremental, backfill or dq); returns its id and how many runs are ahead of it."""
    with warehouse.cursor() as cur:
        return run_queue.request(cur, mode, requested_by, start, end)
