"""`python -m pipeline status` and `runs`: what is loaded, what the lake has that is not, and the run history."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline import SQL, etl
from pipeline.stopwatch import slowest
from store import runs


@dataclass
class Status:
    partitions: list[tuple]  # (kind, partitions, first_day, last_day, files, rows_read)
    tables: list[tuple]  # (table, rows)
    last_run: dict | None  # a runs.recent() row
    pending: list[str]  # partitions an incremental run would load
    notices: list[str]


def collect(con: duckdb.DuckDBPyConnection, lake_dir: Path) -> Status:
    recent = runs.recent(con, 1)
    try:
        plan = etl.make_plan(con, lake_dir)
        pending = [f"{kind} {day}" for kind, day in plan.partitions]
        notices = plan.notices
    except etl.LakeError as exc:
        pending, notices = [], [str(exc)]
    return Status(
        partitions=SQL.run(con, "status_partitions").fetchall(),
        tables=SQL.run(con, "status_tables").fetchall(),
        last_run=recent[0] if recent else None,
        pending=pending,
        notices=notices,
    )


def _run_lines(r: dict) -> list[str]:
    if r["started_at"] is None:  # queued: asked for, not started yet
        when = f"queued {r['queued_at']:%Y-%m-%d %H:%M:%S} UTC" if r.get("queued_at") else "not started"
    else:
        duration = f", {(r['ended_at'] - r['started_at']).total_seconds():.1f} s" if r["ended_at"] else ""
        when = f"started {r['started_at']:%Y-%m-%d %H:%M:%S} UTC{duration}"
    engine = f", {r['engine']} engine" if r.get("engine") else ""
    lines = [f"run {r['run_id']} ({r['mode']}, {r['trigger']}{engine}) {r['status']}, {when}"]
    if r["mode"] != "dq":
        lines.append(f"  {r['partitions'] or 0} partitions, {r['rows_read'] or 0:,} rows read, "
                     f"{r['rows_loaded'] or 0:,} loaded, {r['rows_quarantined'] or 0:,} quarantined")
    if r["message"]:
        lines.append(f"  {r['message']}")
    if r["checks"]:
        lines.append(f"  checks: {r['checks_passed']} passed, {r['checks_warned']} warned, "
                     f"{r['checks_failed']} failed")
    if r["failed_checks"]:
        lines.append(f"  failed: {r['failed_checks']}")
    if r["warned_checks"]:
        lines.append(f"  warned: {r['warned_checks']}")
    for part in json.loads(r.get("skipped") or "[]"):
        lines.append(f"  skipped {part['kind']} {part['day']}: {part['reason']}")
    if r["error"]:
        lines.append(f"  error: {r['error']}")
    if r.get("step_seconds"):
        lines.append("  slowest steps: " + slowest(json.loads(r["step_seconds"]), 3))
    return lines


def render_runs(recent: list[dict]) -> str:
    if not recent:
        return "No runs yet."
    return "\n".join(line for r in recent for line in _run_lines(r))


def as_json(s: Status) -> dict:
    """The status as the runs API sends it (GET /api/status)."""
    return {"partitions": [[kind, parts, str(first), str(last), files, rows]
                           for kind, parts, first, last, files, rows in s.partitions],
            "tables": [list(t) for t in s.tables],
            "last_run": runs.as_json(s.last_run) if s.last_run else None,
            "pending": s.pending, "notices": s.notices}


def from_json(data: dict) -> Status:
    """A status as `as_json` gave it (the CLI's view through the API)."""
    return Status([tuple(p) for p in data["partitions"]], [tuple(t) for t in data["tables"]],
                  runs.from_json(data["last_run"]) if data.get("last_run") else None, data["pending"],
                  data["notices"])


def render(s: Status) -> str:
    lines = ["Loaded partitions:"]
    if not s.partitions:
        lines.append("  none yet")
    for kind, parts, first, last, files, rows in s.partitions:
        lines.append(f"  {kind:<7} {parts:>5} partitions  {first} .. {last}  {files:>5} files  {rows:>12,} rows")
    lines.append("Tables:")
    lines += [f"  {name:<30} {rows:>12,}" for name, rows in s.tables]
    lines.append("Last run:")
    lines += ["  " + line for line in _run_lines(s.last_run)] if s.last_run else ["  none yet"]
    lines.append(f"Pending in the lake: {len(s.pending)} partition(s)"
                 + (": " + ", ".join(s.pending[:6]) + (" ..." if len(s.pending) > 6 else "") if s.pending else ""))
    lines += [f"Notice: {n}" for n in s.notices]
    return "\n".join(lines)
