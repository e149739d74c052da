"""Alerting: after every run, what it found that an operator must hear about, posted as JSON to
PA_ALERT_WEBHOOK_URL (Slack-compatible `text`, plus structured fields) — once per incident, and once more when it
is resolved.

Incidents (table `alert_incidents`), each keyed so that the same condition found again is the same incident:
- `run_failed:etl` / `run_failed:dq`: a load (incremental or backfill) or a data-quality run failed; resolved by
  the next one of its kind that succeeds;
- `check:etl:<name>` / `check:dq:<name>`: a check failed in a load or a data-quality run; resolved by the next
  run of the same kind that evaluates it without failing;
- `skipped:<kind>:<day>`: a lake partition was skipped (its file and reason); resolved by the next load covering
  that day that does not skip it;
- `stale`: the newest day with data is more than PA_FRESHNESS_LAG_DAYS before today; resolved when it is not.

Delivery never fails a run: each message is tried a few times, a failure is logged and the message stays
undelivered, to be tried again after the next run (an alert for an incident still open; a "resolved" message only
when its alert was delivered). With no webhook configured, incidents are recorded and nothing is sent.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

import duckdb

from pipeline import SQL
from pipeline.lifecycle import RunResult
from store import runs
from store.settings import Settings

log = logging.getLogger(__name__)

ATTEMPTS = 3
BACKOFF_SECONDS = (0.5, 1.0)  # between attempts
TIMEOUT_SECONDS = 5
SOURCE = "product-analytics"


@dataclass(frozen=True)
class Condition:
    """Something a run found: its incident key and kind, one line, and the alert's structured fields."""

    key: str
    kind: str
    summary: str
    details: dict


def _group(mode: str) -> str:
    return "dq" if mode == "dq" else "etl"


def found(result: RunResult, last_day: dt.date | None, today: dt.date,
          lag_days: int) -> tuple[list[Condition], set[str]]:
    """What a run found: the conditions present, and the incident keys it shows resolved (skipped partitions
    apart: `_skipped_resolved`)."""
    run = {"run_id": result.run_id, "mode": result.mode, "status": result.status}
    present: list[Condition] = []
    resolved: set[str] = set()
    group = _group(result.mode)
    if result.status == "failed":
        failed = [c.check.name for c in result.failed_checks]
        present.append(Condition(f"run_failed:{group}", "run_failed",
                                 f"Run {result.run_id} ({result.mode}) failed: {result.error}",
                                 {"run": run, "error": result.error, "failed_checks": failed}))
    else:
        resolved.add(f"run_failed:{group}")
    for c in result.checks:
        # by the kind of run: a load checks what it stages, a data-quality run what is published; a load blocked by
        # a check must not be called resolved by an hourly audit of the (unchanged) published data
        key = f"check:{group}:{c.check.name}"
        if c.status == "fail":
            present.append(Condition(key, "check_failed", f"Check {c.check.name} failed: {c.message}",
                                     {"run": run, "failed_checks": [c.check.name], "check": c.check.name,
                                      "severity": c.check.severity, "message": c.message}))
        else:
            resolved.add(key)
    if result.mode != "dq" and result.status != "failed":
        for part in result.skipped:
            present.append(Condition(f"skipped:{part['kind']}:{part['day']}", "partition_skipped",
                                     f"{part['kind']} partition {part['day']} skipped: {part['reason']}",
                                     {"run": run, "skipped_partitions": [part]}))
    if last_day is not None:
        age = (today - last_day).days
        if age > lag_days:
            present.append(Condition("stale", "stale_data",
                                     f"Data is stale: the newest day is {last_day}, {age} days before {today} "
                                     f"(allowed: {lag_days})",
                                     {"run": run, "data_age_days": age, "last_day": str(last_day)}))
        else:
            resolved.add("stale")
    return present, resolved


def _skipped_resolved(open_keys: list[str], result: RunResult) -> set[str]:
    """The open skipped-partition incidents a successful load shows resolved: those of partitions it covered (every
    partition for an incremental run, the backfill's days otherwise) and did not skip again."""
    scope = result.days
    if result.mode == "dq" or result.status == "failed":
        return set()
    again = {f"skipped:{p['kind']}:{p['day']}" for p in result.skipped}
    out = set()
    for key in open_keys:
        if not key.startswith("skipped:") or key in again:
            continue
        day = dt.date.fromisoformat(key.rsplit(":", 1)[1])
        if scope is None or scope[0] <= day <= scope[1]:
            out.add(key)
    return out


def after_run(con: duckdb.DuckDBPyConnection, settings: Settings, result: RunResult,
              today: dt.date | None = None) -> list[dict]:
    """Open, refresh and resolve incidents for what `result` found, then deliver what is undelivered; the messages
    delivered. Never raises (a failure is logged)."""
    try:
        return _after_run(con, settings, result, today or runs.utcnow().date())
    except Exception:  # noqa: BLE001 - alerting must never fail or hide the run it reports on
        log.exception("alerts: could not evaluate run %s", result.run_id)
        return []


def _after_run(con, settings: Settings, result: RunResult, today: dt.date) -> list[dict]:
    last_day = SQL.run(con, "alert_data_age").fetchone()[0]
    present, resolved = found(result, last_day, today, settings.freshness_lag_days)
    now = runs.utcnow()
    open_keys = [row[0] for row in SQL.run(con, "alert_incidents_open").fetchall()]
    resolved |= _skipped_resolved(open_keys, result)
    present_keys = {c.key for c in present}
    for c in present:
        params = {"incident_key": c.key, "summary": c.summary, "details": json.dumps(c.details, default=str),
                  "now": now, "run_id": result.run_id}
        SQL.run(con, "alert_incident_seen" if c.key in open_keys else "alert_incident_open",
                params if c.key in open_keys else {**params, "kind": c.kind})
    for key in sorted((resolved & set(open_keys)) - present_keys):
        SQL.run(con, "alert_incident_resolve", {"incident_key": key, "now": now, "run_id": result.run_id})
    return deliver_pending(con, settings)


def message(kind: str, summary: str, details: dict, *, resolved: bool, incident: str | None = None,
            opened_at=None, resolved_at=None) -> dict:
    """The JSON an alert posts: Slack's `text`, and the fields a program reads."""
    mark = "RESOLVED" if resolved else "ALERT"
    return {"text": f"[{SOURCE}] {mark}: {summary}", "status": "resolved" if resolved else "firing",
            "source": SOURCE, "kind": kind, "incident": incident, "summary": summary,
            "opened_at": str(opened_at) if opened_at else None, "resolved_at": str(resolved_at) if resolved_at else None,
            **{k: details.get(k) for k in ("run", "failed_checks", "skipped_partitions", "data_age_days", "error")
               if k in details}}


def deliver_pending(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[dict]:
    """Post every undelivered message (oldest first) and mark what was delivered; the messages delivered."""
    if not settings.alert_webhook_url:
        return []
    delivered = []
    for row in SQL.run(con, "alert_incidents_undelivered").fetchall():
        key, kind, summary, details, opened_at, _opened_by, _seen, resolved_at, _by, notified_at, resolved = row
        mark = {"incident_key": key, "opened_at": opened_at, "resolved": resolved, "now": runs.utcnow()}
        if resolved and notified_at is None:  # never alerted: nothing to call resolved
            SQL.run(con, "alert_incident_delivered", mark)
            continue
        body = message(kind, summary, json.loads(details), resolved=resolved, incident=key, opened_at=opened_at,
                       resolved_at=resolved_at)
        if not send(settings, body):
            break  # the webhook is down: the rest waits for the next run, in order
        SQL.run(con, "alert_incident_delivered", mark)
        delivered.append(body)
    return delivered


def send(settings: Settings, body: dict) -> bool:
    """POST one message to the webhook, tried ATTEMPTS times; whether it was delivered (a 2xx answer)."""
    url = settings.alert_webhook_url
    data = json.dumps(body, default=str).encode()
    for attempt in range(ATTEMPTS):
        request = urllib.request.Request(url, data=data, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:
                if 200 <= answer.status < 300:
                    return True
                problem = f"status {answer.status}"
        except urllib.error.HTTPError as exc:
            problem = f"status {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            problem = str(getattr(exc, "reason", exc))
        log.warning("alerts: delivery to %s failed (attempt %d of %d): %s", url, attempt + 1, ATTEMPTS, problem)
        if attempt < ATTEMPTS - 1:
            time.sleep(BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS) - 1)])
    return False


def notify_task_failure(settings: Settings, *, dag_id: str, task_id: str, run_id: str, error: str,
                        try_number: int | None = None) -> bool:
    """An orchestrator's failure (the Airflow DAG's failure and deadline callbacks): one message, posted now
    (those processes cannot open the warehouse the app holds, so it is not kept as an incident); whether it was
    delivered. Never raises."""
    if not settings.alert_webhook_url:
        return False
    try:
        summary = f"Airflow {dag_id}.{task_id} failed (run {run_id}" + \
            (f", try {try_number}" if try_number else "") + f"): {error}"
        return send(settings, {**message("task_failed", summary, {"error": error}, resolved=False,
                                         incident=f"airflow:{dag_id}:{task_id}"),
                               "dag_id": dag_id, "task_id": task_id, "dag_run_id": run_id})
    except Exception:  # noqa: BLE001 - a callback must not raise
        log.exception("alerts: could not post the failure of %s.%s", dag_id, task_id)
        return False
