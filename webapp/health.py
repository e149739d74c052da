"""Health endpoints for the container and its orchestrator, JSON, open to anyone with their status only:

    /healthz   {"status": "ok"}: the process is up (always 200 while it answers)
    /readyz    {"ready": true}: the warehouse is open and answers (503 and {"ready": false} when it cannot be read,
               or while the panels viewed before a restart are drawn again: webapp/warmup.py)

An admin's session, or `Authorization: Bearer <PA_HEALTH_TOKEN>`, gets the details as well: the process and its
uptime; the last finished run's status and error, the data's age, runs in progress with their partitions done
(from etl_runs), the queue, the data version the dashboards serve (the previous one while a run's panels are drawn
again), the cache's size, the reason the warehouse cannot be read.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import os
import time

from flask import Flask, jsonify, request

from store import runs, warehouse
from webapp import SQL, auth, background, warmup
from webapp.cache import cache, refresh_status

log = logging.getLogger(__name__)
STARTED = time.time()


def _readiness() -> dict:
    with warehouse.cursor() as cur:
        last_day, = SQL.run(cur, "health_data_through").fetchone()
        last = runs.last_finished(cur)
        in_flight = runs.queue(cur)
    return {
        "ready": True,
        "warehouse": "open",
        "data_through": last_day.isoformat() if last_day else None,
        "data_age_days": (dt.date.today() - last_day).days if last_day else None,
        "last_run": {"run_id": last["run_id"], "mode": last["mode"], "status": last["status"],
                     "ended_at": last["ended_at"].isoformat() if last["ended_at"] else None,
                     "error": last["error"]} if last else None,
        "running": [{"run_id": r["run_id"], "trigger": r["trigger"], "partitions_done": r["partitions_done"],
                     "partitions": r["partitions"]} for r in in_flight if r["status"] == "running"],
        "queued": sum(1 for r in in_flight if r["status"] == "queued"),
        "scheduler": "running" if background.scheduler_running() else "off",
        **refresh_status(),
        "cache": cache.stats(),
    }


def may_see_details() -> bool:
    """An admin's session, or the health token (PA_HEALTH_TOKEN) as a bearer token."""
    token = auth.health_token()
    sent = request.headers.get("Authorization", "")
    if token and sent.startswith("Bearer ") and hmac.compare_digest(sent[7:].strip().encode(), token.encode()):
        return True
    return auth.is_admin()


def install(server: Flask) -> None:
    @server.route("/healthz")
    def healthz():
        if not may_see_details():
            return jsonify(status="ok")
        return jsonify(status="ok", pid=os.getpid(), uptime_s=round(time.time() - STARTED, 1))

    @server.route("/readyz")
    def readyz():
        details = may_see_details()
        try:
            ready = _readiness()
        except Exception as exc:  # the orchestrator must get an answer; the reason only for who may see it
            log.warning("not ready: %s", exc)
            reason = {"warehouse": "unavailable", "error": str(exc).splitlines()[0]} if details else {}
            return jsonify(ready=False, **reason), 503
        warming = warmup.status()
        if warming["warming"]:  # the panels viewed before a restart are being drawn: traffic waits for them
            return jsonify(ready=False, **({"warming": warming} if details else {})), 503
        return jsonify(ready if details else {"ready": True})
