"""The app served by real gunicorn processes: one scheduler per data folder, logins, cookie flags, and an admin
callback refused to anyone but an admin, even as a direct POST."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import requests
from werkzeug.security import generate_password_hash

from tests.live_server import (BEARER, GUNICORN, form_token, free_port, log_in, readiness, settled_last_run, start,
                               terminate, wait_healthy)

ADMIN_CALLBACK = "..admin-action-message.children...admin-watch.data.."


def serve(data_dir: Path, port: int, log: Path, users: dict[str, str]) -> subprocess.Popen:
    return start(GUNICORN, data_dir, port, log, PA_THREADS="4", **users)


def payload(run_now: int | None = 1) -> dict:
    return {"output": ADMIN_CALLBACK,
            "outputs": [{"id": "admin-action-message", "property": "children"},
                        {"id": "admin-watch", "property": "data"}],
            "inputs": [{"id": "admin-run-now", "property": "n_clicks", "value": run_now},
                       {"id": "admin-backfill", "property": "n_clicks", "value": None}],
            "changedPropIds": ["admin-run-now.n_clicks"],
            "state": [{"id": "admin-backfill-dates", "property": "start_date", "value": None},
                      {"id": "admin-backfill-dates", "property": "end_date", "value": None}]}


@pytest.fixture(scope="module")
def two_servers(built, tmp_path_factory):
    root = tmp_path_factory.mktemp("served")
    shutil.copytree(built.data_dir, root / "data")
    users = {"PA_ADMIN_USERS": f"ada:{generate_password_hash('ada-secret-1')}",
             "PA_ANALYST_USERS": f"bob:{generate_password_hash('bob-secret-1')}"}
    ports = [free_port(), free_port()]
    logs = [root / "first.log", root / "second.log"]
    first = serve(root / "data", ports[0], logs[0], users)
    try:
        wait_healthy(f"http://127.0.0.1:{ports[0]}", first, logs[0], timeout=60)
        second = serve(root / "data", ports[1], logs[1], users)
        wait_healthy(f"http://127.0.0.1:{ports[1]}", second, logs[1], timeout=60)
    except BaseException:
        terminate(first, timeout=30)
        raise
    time.sleep(1)
    yield ports, logs, first, second
    terminate(second, timeout=30)
    terminate(first, timeout=30)


def test_two_processes_on_one_data_folder_schedule_once(two_servers):
    ports, logs, first, second = two_servers
    texts = [log.read_text() for log in logs]
    assert "scheduler: started" in texts[0]
    assert "scheduler: started" not in texts[1]
    holder = re.search(r"scheduler: not started here, process (\d+) holds", texts[1])
    assert holder and int(holder[1]) != second.pid


def login(port: int, user: str, password: str) -> requests.Session:
    s = requests.Session()
    base = f"http://127.0.0.1:{port}"
    r = s.post(base + "/login", data={"username": user, "password": password, "next": "/",
                                      "csrf_token": form_token(s, base + "/login")}, allow_redirects=False)
    assert r.status_code == 302, r.text
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    return s


def test_health_endpoints_answer_anyone_with_status_and_admins_with_details(two_servers):
    base = f"http://127.0.0.1:{two_servers[0][0]}"
    health = requests.get(base + "/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok"}  # no pid to anonymous callers
    assert set(requests.get(base + "/healthz", headers=BEARER).json()) == {"status", "pid", "uptime_s"}
    settled_last_run(base)
    assert requests.get(base + "/readyz").json() == {"ready": True}
    wrong = requests.get(base + "/readyz", headers={"Authorization": "Bearer nope"}).json()
    assert wrong == {"ready": True}
    ready = readiness(base)
    assert ready["ready"] and ready["warehouse"] == "open" and ready["scheduler"] == "running"
    assert ready["data_through"] == "2024-01-28" and ready["data_age_days"] > 300
    assert ready["last_run"]["status"] == "succeeded" and ready["last_run"]["mode"] in ("incremental", "dq")
    # the start-up catch-up found nothing new: the dashboards still serve the first run's data, nothing held
    assert ready["data_version_served"] == 1 and ready["drawing_panels_for_new_run"] is False
    # the second process cannot open the warehouse the first one owns, and says so
    second_base = f"http://127.0.0.1:{two_servers[0][1]}"
    assert requests.get(second_base + "/readyz").json() == {"ready": False}  # the reason only for who may see it
    second = requests.get(second_base + "/readyz", headers=BEARER)
    assert second.status_code == 503 and "in use by another process" in second.json()["error"]
    admin = log_in(second_base, "ada", "ada-secret-1")
    assert "in use by another process" in admin.get(second_base + "/readyz").json()["error"]


def test_logins_and_the_admin_callback_guard(two_servers):
    port = two_servers[0][0]
    base = f"http://127.0.0.1:{port}"
    before = settled_last_run(base)
    anonymous = requests.get(base + "/", allow_redirects=False)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")
    wrong = requests.Session()
    assert wrong.post(base + "/login", data={"username": "ada", "password": "nope",
                                             "csrf_token": form_token(wrong, base + "/login")}).status_code == 401

    # nobody but an admin gets the admin callback to run, however the request is made
    assert requests.post(base + "/_dash-update-component", json=payload()).status_code == 401  # body unread
    analyst = login(port, "bob", "bob-secret-1")
    refused = analyst.post(base + "/_dash-update-component", json=payload())
    assert refused.status_code == 403 and refused.json() == {"error": "admins only"}
    assert analyst.get(base + "/").status_code == 200  # analysts do see the dashboards

    admin = login(port, "ada", "ada-secret-1")
    accepted = admin.post(base + "/_dash-update-component", json=payload())
    assert accepted.status_code == 200
    queued = re.search(r"Incremental run queued as run (\d+)", accepted.text)
    # the refused requests created nothing: the admin's run comes right after the last one
    assert queued and int(queued[1]) == before + 1


def test_hash_password_prints_a_hash_the_login_accepts():
    import sys

    from werkzeug.security import check_password_hash

    from tests.live_server import ROOT

    out = subprocess.run([sys.executable, "-m", "webapp", "hash-password"], input="correct-horse\n", cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert check_password_hash(out.stdout.strip(), "correct-horse")
    short = subprocess.run([sys.executable, "-m", "webapp", "hash-password"], input="short\n", cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
    assert short.returncode == 2 and "at least 8 characters" in short.stderr
