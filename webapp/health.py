"""Health endpoints for the container and its orchestrator, unauthenticated, JSON:

    /healthz   the process is up (always 200 while it answers)
    /readyz    the warehouse is open and answers: the last finished run's status, the data's age, runs in progress
               with their partitions done (from etl_runs), the data version the dashboards serve (the previous one
               while a run's panels are drawn again) (503 when the warehouse cannot be read)
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time

from flask import Flask, jsonify

from store import runs, warehouse
from webapp import SQL, background
from webapp.cache import refresh_status

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
    }


def install(server: Flask) -> None:
    @server.route("/healthz")
    def healthz():
        return jsonify(status="ok", pid=os.getpid(), uptime_s=round(time.time() - STARTED, 1))

    @server.route("/readyz")
    def readyz():
        try:
            return jsonify(_readiness())
        except Exception as exc:  # the orchestrator must get an answer, and the reason
            log.warning("not ready: %s", exc)
            return jsonify(ready=False, warehouse="unavailable", error=str(exc).splitlines()[0]), 503
