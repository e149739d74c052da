"""The runs API (webapp/runs_api.py) on a real gunicorn: bearer tokens and their scopes, every endpoint and its
errors, cancel and retry; and the CLI going through it while the app holds the warehouse."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import requests

from tests.live_server import ROOT, serving_copy
from webapp import api_tokens

ADMIN_TOKEN, ADMIN_ENTRY = api_tokens.new("ci")
READ_TOKEN, READ_ENTRY = api_tokens.new("watch")


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def api(built, tmp_path_factory):
    """The app on a copy of the built warehouse, with an admin and a read-only token and no scheduled runs (its
    worker executes what the API asks for); yields (base URL, data folder)."""
    with serving_copy(built.data_dir, tmp_path_factory.mktemp("api"), PA_THREADS="4", PA_API_TOKENS=ADMIN_ENTRY,
                      PA_API_READ_TOKENS=READ_ENTRY, PA_ETL_INTERVAL_MINUTES="0") as served:
        yield served


def ended(base: str, run_id: int, timeout: float = 60) -> dict:
    end = time.time() + timeout
    while time.time() < end:
        run = requests.get(f"{base}/api/runs/{run_id}", headers=auth(READ_TOKEN), timeout=10).json()
        if run["status"] in ("succeeded", "succeeded_with_warnings", "failed", "cancelled"):
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not end")


def post(base: str, path: str, body=None, token: str = ADMIN_TOKEN) -> requests.Response:
    return requests.post(base + path, json=body, headers=auth(token), timeout=10)


def test_every_request_needs_a_valid_token_and_changes_need_the_admin_scope(api):
    base, _ = api
    bare = requests.get(f"{base}/api/runs", timeout=10)
    assert bare.status_code == 401 and bare.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in bare.json()["error"]
    for wrong in (ADMIN_TOKEN[:-2] + "xx", "nobody.secret", "no-dot-at-all"):
        answer = requests.get(f"{base}/api/runs", headers=auth(wrong), timeout=10)
        assert answer.status_code == 401 and answer.json() == {"error": "the token is not valid"}
    assert requests.get(f"{base}/api/runs", headers=auth(READ_TOKEN), timeout=10).status_code == 200
    refused = post(base, "/api/runs", {"mode": "incremental"}, token=READ_TOKEN)
    assert refused.status_code == 403 and refused.json()["error"] == "the token 'watch' may only read"
    # a session cookie is no token: the API never acts on a browser's cookie (no cross-site request forgery)
    assert requests.get(f"{base}/api/runs", cookies={"session": "x"}, timeout=10).status_code == 401


def test_guessing_a_token_is_throttled(api):
    base, _ = api
    codes = [requests.get(f"{base}/api/runs", headers=auth(f"guessed.attempt{i}"), timeout=10).status_code
             for i in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    locked = requests.get(f"{base}/api/runs", headers=auth("guessed.attempt6"), timeout=10)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert requests.get(f"{base}/api/runs", headers=auth(READ_TOKEN), timeout=10).status_code == 200  # others not


def test_a_run_asked_for_is_executed_and_reported(api):
    base, _ = api
    asked = post(base, "/api/runs", {"mode": "dq"})
    assert asked.status_code == 202
    body = asked.json()
    assert body["status"] == "queued" and body["url"] == f"/api/runs/{body['run_id']}"
    run = ended(base, body["run_id"])
    assert run["status"] == "succeeded" and run["mode"] == "dq" and run["requested_by"] == "ci (api)"
    assert run["checks"] > 20 and run["checks_failed"] == 0 and run["ended_at"].endswith("Z")
    listed = requests.get(f"{base}/api/runs?limit=2", headers=auth(READ_TOKEN), timeout=10).json()["runs"]
    assert len(listed) == 2 and listed[0]["run_id"] == body["run_id"]
    status = requests.get(f"{base}/api/status", headers=auth(READ_TOKEN), timeout=10).json()
    assert {p[0] for p in status["partitions"]} == {"events", "users"} and status["pending"] == []
    assert status["last_run"]["run_id"] == body["run_id"]


@pytest.mark.parametrize("body, message", [
    ({"mode": "hourly"}, "mode must be one of incremental, backfill, dq; got 'hourly'"),
    ({"mode": "backfill", "end": "2024-01-02"}, 'a backfill needs "start" and "end" (YYYY-MM-DD)'),
    ({"mode": "backfill", "start": "2024-01-09", "end": "2024-01-02"}, "The end date 2024-01-02 is before"),
    ({"mode": "backfill", "start": "2024-13-01", "end": "2024-01-02"}, "is not a pair of dates (YYYY-MM-DD)"),
    ({"mode": "incremental", "start": "2024-01-02"}, "start and end are for a backfill"),
    ({"mode": "dq", "priority": 1}, "unknown field(s) 'priority'"),
    ({"mode": "incremental", "engine": "flink"},
     "engine must be one of duckdb, spark for a load (a dq run takes none); got 'flink'"),
    ({"mode": "dq", "engine": "spark"}, "(a dq run takes none)"),
    (["dq"], "send a JSON object"),
])
def test_a_bad_request_gets_400_saying_what_is_wrong(api, body, message):
    base, _ = api
    answer = post(base, "/api/runs", body)
    assert answer.status_code == 400 and message in answer.json()["error"], answer.text


@pytest.mark.parametrize("path, expected", [("/api/runs?limit=0", 400), ("/api/runs?limit=ten", 400),
                                            ("/api/runs?limit=501", 400), ("/api/runs/999999", 404),
                                            ("/api/runs/abc", 404), ("/api/nothing", 404)])
def test_bad_paths_and_limits_get_json_errors(api, path, expected):
    base, _ = api
    answer = requests.get(base + path, headers=auth(READ_TOKEN), timeout=10)
    assert answer.status_code == expected and answer.headers["Content-Type"] == "application/json"
    assert answer.json()["error"]


def test_a_queued_run_can_be_cancelled_and_retried(api):
    """Two backfills asked for at once: the second waits while the first runs, is cancelled (never starts), then
    retried as a new run with the same dates; a running or ended run cannot be cancelled."""
    base, _ = api
    span = {"mode": "backfill", "start": "2024-01-01", "end": "2024-01-28", "engine": "duckdb"}
    first = post(base, "/api/runs", span).json()["run_id"]
    second = post(base, "/api/runs", span).json()
    assert second["ahead"] >= 1
    cancelled = post(base, f"/api/runs/{second['run_id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["message"] == "cancelled by ci (api)"
    assert post(base, "/api/runs/999999/cancel").status_code == 404
    assert ended(base, first)["status"] == "succeeded"
    again = post(base, f"/api/runs/{first}/cancel")
    assert again.status_code == 409 and "only a queued run can be cancelled" in again.json()["error"]
    assert ended(base, second["run_id"])["started_at"] is None  # it never ran
    retried = post(base, f"/api/runs/{second['run_id']}/retry")
    assert retried.status_code == 202
    run = ended(base, retried.json()["run_id"])
    assert run["status"] == "succeeded" and run["parameters"] == span and run["engine"] == "duckdb"
    assert post(base, f"/api/runs/{first}/retry").status_code == 409  # it succeeded: nothing to retry


def _cli(data_dir, *args, **env):
    return subprocess.run([sys.executable, "-m", "pipeline", *args, "--data-dir", str(data_dir)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env={**os.environ, **env})


def test_the_cli_goes_through_the_api_while_the_app_holds_the_warehouse(api):
    base, data = api
    refused = _cli(data, "status", PA_API_URL=base, PA_API_TOKEN="")
    assert refused.returncode == 2 and "set PA_API_TOKEN" in refused.stderr
    env = {"PA_API_URL": base, "PA_API_TOKEN": ADMIN_TOKEN}
    status = _cli(data, "status", **env)
    assert status.returncode == 0 and "Loaded partitions:" in status.stdout and "Pending in the lake: 0" in status.stdout
    run = _cli(data, "run", **env)
    assert run.returncode == 0, run.stderr
    assert "queued through its API" in run.stderr and " succeeded in " in run.stdout
    runs = _cli(data, "runs", "--limit", "1", **env)
    assert runs.returncode == 0 and runs.stdout.startswith("run ")
    assert "(incremental, manual, duckdb engine) succeeded" in runs.stdout
    bad = _cli(data, "backfill", "--start", "2030-01-01", "--end", "2030-01-02", **env)
    assert bad.returncode == 1 and "400 No lake partition between 2030-01-01 and 2030-01-02" in bad.stderr
    down = _cli(data, "runs", PA_API_URL="http://127.0.0.1:9", PA_API_TOKEN=ADMIN_TOKEN)
    assert down.returncode == 1 and "cannot reach the app's API at http://127.0.0.1:9" in down.stderr


def test_without_a_worker_in_the_process_a_run_is_refused_not_left_waiting():
    """The app in this process, its scheduler not started (as with PA_SCHEDULER_ENABLED=0): 503, nothing queued."""
    from tests.browser.conftest import _app  # the app as the browser tests load it (once per process)
    from webapp import runs_api

    server = _app().server
    runs_api.configure_tokens(server, ADMIN_ENTRY)
    try:
        answer = server.test_client().post("/api/runs", json={"mode": "incremental"}, headers=auth(ADMIN_TOKEN))
    finally:
        runs_api.configure_tokens(server, "")
    assert answer.status_code == 503
    assert answer.get_json()["error"].startswith("no worker executes runs in this process")
