"""A failed run's reason in one line. Running out of memory or disk gets its cause, the step it stopped in, the
limit it met and what to change, in place of DuckDB's multi-line tuning advice; other errors keep their own text.
"""

from __future__ import annotations

import errno

import duckdb

from pipeline import SQL

STEP_ATTRIBUTE = "pipeline_step"  # set on an exception by pipeline.stopwatch.timed: the step it escaped from


def _setting(con: duckdb.DuckDBPyConnection, name: str) -> str:
    try:
        return str(SQL.run(con, "duckdb_setting", {"name": name}).fetchall()[0][0])
    except duckdb.Error:
        return "?"


def _disk_full(exc: BaseException, text: str) -> bool:
    return (getattr(exc, "errno", None) == errno.ENOSPC or "No space left on device" in text
            or "max_temp_directory_size" in text or "failed to offload" in text)


def reason(con: duckdb.DuckDBPyConnection, exc: BaseException) -> str:
    """What to record as the run's error."""
    text = str(exc).strip()
    first = text.splitlines()[0].rstrip(".") if text else type(exc).__name__
    step = getattr(exc, STEP_ATTRIBUTE, None)
    where = f" in step {step}" if step else ""
    if _disk_full(exc, text):
        return (f"disk full{where}: {first}; hint: free space on the disk of the spill folder "
                f"{_setting(con, 'temp_directory')} (PA_DUCKDB_TEMP_DIR; at most "
                f"{_setting(con, 'max_temp_directory_size')} there) or point PA_DUCKDB_TEMP_DIR at a larger disk")
    if isinstance(exc, duckdb.OutOfMemoryException) or first.startswith("Out of Memory Error"):
        return (f"out of memory{where}: {first}; hint: raise PA_DUCKDB_MEMORY_LIMIT (now "
                f"{_setting(con, 'memory_limit')}) or lower PA_DUCKDB_THREADS (now {_setting(con, 'threads')})")
    return text
