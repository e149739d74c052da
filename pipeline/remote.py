"""The CLI's commands through the app's runs API, when the app holds the warehouse (DuckDB allows one writer):
`status`, `runs`, `dq`, `run` and `backfill` ask the app instead of refusing. A run is queued, executed by the
app's worker, waited for, and reported as the local command would, with the same exit statuses."""

from __future__ import annotations

import json
import sys

from pipeline import api_client, status
from store import runs
from store.settings import Settings

# Exit statuses of the CLI (README): 0 succeeded, 1 failed (nothing published; or the API refused), 2 bad
# arguments or nothing to run, 3 succeeded with warnings (partitions skipped: the rest published, they wait).
EXIT_FAILED, EXIT_USAGE, EXIT_WARNINGS = 1, 2, 3


def cmd_status(args, settings: Settings) -> int:
    print(status.render(status.from_json(api_client.call(settings, "GET", "/api/status"))))
    return 0


def cmd_runs(args, settings: Settings) -> int:
    listed = api_client.call(settings, "GET", f"/api/runs?limit={args.limit}")["runs"]
    print(status.render_runs([runs.from_json(r) for r in listed]))
    return 0


def _report(run: dict) -> int:
    """The ended run as the local command prints it: skipped partitions, flagged checks, a summary line."""
    for part in json.loads(run.get("skipped") or "[]"):
        print(f"warning: {part['kind']} partition {part['day']} skipped: {part['reason']}")
    for label, names in (("FAIL", run.get("failed_checks")), ("WARN", run.get("warned_checks"))):
        for name in filter(None, (names or "").split(", ")):
            print(f"{label} {name}")
    seconds = (run["ended_at"] - run["started_at"]).total_seconds() if run.get("started_at") else 0.0
    mode = " (dq)" if run["mode"] == "dq" else ""
    line = f"run {run['run_id']}{mode} {run['status']} in {seconds:.1f} s: {run['message'] or 'nothing published'}"
    if run["mode"] != "dq":
        line += (f"; {run['rows_read'] or 0:,} rows read, {run['rows_loaded'] or 0:,} loaded, "
                 f"{run['rows_quarantined'] or 0:,} quarantined")
    print(line + " (through the app's API)")
    if run["status"] in ("failed", "cancelled"):
        print(f"error: run {run['run_id']} {run['status']}: {run.get('error') or run.get('message')}",
              file=sys.stderr)
        return EXIT_FAILED
    return EXIT_WARNINGS if run["status"] == runs.WITH_WARNINGS else 0


def _queue_and_wait(settings: Settings, mode: str, start=None, end=None, engine: str | None = None) -> int:
    run_id = api_client.ask_for_run(settings, mode, start, end, engine)
    print(f"the app holds the warehouse: run {run_id} ({mode}) queued through its API at {settings.api_url}; "
          "waiting for it", file=sys.stderr)
    return _report(api_client.wait_for(settings, run_id))


def cmd_dq(args, settings: Settings) -> int:
    return _queue_and_wait(settings, "dq")


def cmd_run(args, settings: Settings) -> int:
    return _queue_and_wait(settings, "incremental", engine=args.engine)  # --engine, else the app's PA_ENGINE


def cmd_backfill(args, settings: Settings) -> int:
    return _queue_and_wait(settings, "backfill", args.start, args.end, args.engine)


COMMANDS = {"status": cmd_status, "runs": cmd_runs, "dq": cmd_dq, "run": cmd_run, "backfill": cmd_backfill}
