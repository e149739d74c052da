"""Alerting (pipeline/alerts.py) received by a real local HTTP receiver after real runs: a failed run and its
failed check alert once however often they repeat, and are resolved once fixed; a skipped partition names its file
and reason; stale data says how old; a receiver that is down never fails a run and gets the alert once it is up."""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline import alerts, audit, run_queue
from pipeline.generate import generate
from pipeline.lifecycle import RunFailed
from tests.conftest import DAYS, START, run_etl, warehouse
from tests.test_bad_input import NEW_DAY, partition_file


class Receiver:
    """A webhook on 127.0.0.1: records each JSON body; answers `status` (500: as if broken)."""

    def __init__(self):
        self.bodies: list[dict] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if receiver.status == 200:
                    receiver.bodies.append(body)
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def take(self) -> list[dict]:
        out, self.bodies = self.bodies, []
        return out


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr(alerts, "BACKOFF_SECONDS", (0.01, 0.01))


def load(settings, **kwargs):
    """An incremental (or backfill) run and what follows it (pipeline/run_queue.after_run), as the worker does."""
    try:
        result = run_etl(settings, **kwargs)
    except RunFailed as exc:
        result = exc.result
    with warehouse(settings) as con:
        run_queue.after_run(con, settings, result)
    return result


def break_platforms(settings, day):
    """A third of the day's events on an unknown platform: the quarantine-share check fails, the run too."""
    path = partition_file(settings, "events", day)
    t = pq.read_table(path)
    platforms = t["platform"].to_pylist()
    pq.write_table(t.set_column(2, "platform", pa.array([p if i % 3 else "myspace" for i, p in
                                                         enumerate(platforms)])), path)
    return path, t


def test_a_failure_alerts_once_and_resolves_once(fresh_lake, receiver):
    settings = replace(fresh_lake, alert_webhook_url=receiver.url, freshness_lag_days=100_000)
    load(settings)
    assert receiver.take() == []  # nothing wrong
    generate(settings.lake_dir, users=0, days=1)
    path, good = break_platforms(settings, NEW_DAY)
    failed = load(settings)
    assert failed.status == "failed"
    sent = receiver.take()
    assert {m["incident"] for m in sent} == {"run_failed:etl"} | {f"check:etl:{c.check.name}"
                                                                  for c in failed.failed_checks}
    run_alert = next(m for m in sent if m["incident"] == "run_failed:etl")
    assert run_alert["status"] == "firing" and run_alert["run"] == {"run_id": failed.run_id, "mode": "incremental",
                                                                    "status": "failed"}
    assert run_alert["text"].startswith(f"[product-analytics] ALERT: Run {failed.run_id} (incremental) failed: ")
    assert run_alert["failed_checks"] == [c.check.name for c in failed.failed_checks]
    load(settings)  # the same failure again: no new alert
    assert receiver.take() == []
    with warehouse(settings) as con:  # an audit of the published data (unchanged) resolves none of it
        run_queue.after_run(con, settings, audit.check_published(con, settings))
    assert receiver.take() == []
    pq.write_table(good, path)  # fixed
    assert load(settings).status == "succeeded"
    resolved = receiver.take()
    assert {m["incident"] for m in resolved} == {m["incident"] for m in sent}
    assert {m["status"] for m in resolved} == {"resolved"} and all(m["resolved_at"] for m in resolved)
    load(settings)
    assert receiver.take() == []


def test_a_skipped_partition_alerts_with_its_file_and_reason_and_resolves_when_loaded(fresh_lake, receiver):
    settings = replace(fresh_lake, alert_webhook_url=receiver.url, freshness_lag_days=100_000)
    load(settings)
    generate(settings.lake_dir, users=0, days=1)
    bad = partition_file(settings, "events", NEW_DAY)
    good = bad.read_bytes()
    bad.write_bytes(b"PAR1 not parquet")
    assert load(settings).status == "succeeded_with_warnings"
    [alert] = receiver.take()
    assert alert["incident"] == f"skipped:events:{NEW_DAY}" and alert["kind"] == "partition_skipped"
    [part] = alert["skipped_partitions"]
    assert part["day"] == str(NEW_DAY) and str(bad) in part["reason"] and "not a readable Parquet" in part["reason"]
    # a backfill of other days says nothing about it; the incremental run that loads it resolves it
    load(settings, start=START, end=START)
    assert receiver.take() == []
    bad.write_bytes(good)
    load(settings)
    [resolved] = receiver.take()
    assert resolved["incident"] == alert["incident"] and resolved["status"] == "resolved"


def test_stale_data_alerts_with_its_age(fresh_lake, receiver):
    settings = replace(fresh_lake, alert_webhook_url=receiver.url)
    last_day = START + dt.timedelta(days=DAYS - 1)
    result = run_etl(settings)
    with warehouse(settings) as con:
        assert alerts.after_run(con, settings, result, today=last_day + dt.timedelta(days=1)) == []  # lag 1: fresh
        [stale] = alerts.after_run(con, settings, result, today=last_day + dt.timedelta(days=5))
        assert stale["incident"] == "stale" and stale["data_age_days"] == 5
        assert f"the newest day is {last_day}, 5 days before" in stale["summary"]
        assert alerts.after_run(con, settings, result, today=last_day + dt.timedelta(days=6)) == []  # once
        [back] = alerts.after_run(con, settings, result, today=last_day)
        assert back["incident"] == "stale" and back["status"] == "resolved"


def test_a_receiver_that_is_down_never_fails_the_run_and_gets_the_alert_later(fresh_lake, receiver, caplog):
    settings = replace(fresh_lake, alert_webhook_url=receiver.url, freshness_lag_days=100_000)
    load(settings)
    generate(settings.lake_dir, users=0, days=1)
    path, good = break_platforms(settings, NEW_DAY)
    receiver.status = 500
    failed = load(settings)
    assert failed.status == "failed" and receiver.take() == []
    assert f"alerts: delivery to {receiver.url} failed (attempt 3 of 3): status 500" in caplog.text
    receiver.status = 200
    load(settings)  # the failure again: its undelivered alerts go out now, once
    assert {m["incident"] for m in receiver.take()} >= {"run_failed:etl"}
    load(settings)
    assert receiver.take() == []
    down = replace(settings, alert_webhook_url="http://127.0.0.1:9/hook")  # nothing listens
    pq.write_table(good, path)
    assert load(down).status == "succeeded"  # the run succeeds; the resolved messages wait
    assert load(settings).status == "succeeded" and {m["status"] for m in receiver.take()} == {"resolved"}
