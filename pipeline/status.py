"""`python -m pipeline status`: what is loaded (partitions, rows, last run) and what the lake has that is not."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline import etl
from warehouse.db import run_sql


@dataclass
class Status:
    partitions: list[tuple]  # (kind, partitions, first_day, last_day, files, rows_read)
    tables: list[tuple]  # (table, rows)
    last_run: tuple | None  # etl_runs_recent columns
    pending: list[str]  # partitions an incremental run would load
    notices: list[str]


def collect(con: duckdb.DuckDBPyConnection, lake_dir: Path) -> Status:
    runs = run_sql(con, etl.sql("etl_runs_recent"), {"limit": 1}).fetchall()
    try:
        plan = etl.make_plan(con, lake_dir)
        pending = [f"{kind} {day}" for kind, day in plan.partitions]
        notices = plan.notices
    except etl.LakeError as exc:
        pending, notices = [], [str(exc)]
    return Status(
        partitions=run_sql(con, etl.sql("status_partitions")).fetchall(),
        tables=run_sql(con, etl.sql("status_tables")).fetchall(),
        last_run=runs[0] if runs else None,
        pending=pending,
        notices=notices,
    )


def render(s: Status) -> str:
    lines = ["Loaded partitions:"]
    if not s.partitions:
        lines.append("  none yet")
    for kind, parts, first, last, files, rows in s.partitions:
        lines.append(f"  {kind:<7} {parts:>5} partitions  {first} .. {last}  {files:>5} files  {rows:>12,} rows")
    lines.append("Tables:")
    lines += [f"  {name:<26} {rows:>12,}" for name, rows in s.tables]
    lines.append("Last run:")
    if s.last_run is None:
        lines.append("  none yet")
    else:
        run_id, trigger, who, _params, status, started, ended, parts, read, loaded, quarantined, message, error = s.last_run
        lines.append(f"  run {run_id} ({trigger}) {status}, started {started:%Y-%m-%d %H:%M:%S} UTC"
                     + (f", {(ended - started).total_seconds():.1f} s" if ended else ""))
        lines.append(f"  {parts or 0} partitions, {read or 0:,} rows read, {loaded or 0:,} loaded, "
                     f"{quarantined or 0:,} quarantined" + (f"; {message}" if message else ""))
        if error:
            lines.append(f"  error: {error}")
    lines.append(f"Pending in the lake: {len(s.pending)} partition(s)"
                 + (": " + ", ".join(s.pending[:6]) + (" ..." if len(s.pending) > 6 else "") if s.pending else ""))
    lines += [f"Notice: {n}" for n in s.notices]
    return "\n".join(lines)
