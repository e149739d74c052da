"""The HTTP surface attacked as issue 11 found it, against a real gunicorn on loopback: a cookie replayed after
logout, demotion or a new password; hostile ranges and junk in the filters; big bodies; password guessing; a
cross-site login form; headers; Plotly's cloud link; a weak key; what anonymous callers learn; prefix paths;
malformed callback bodies. Each test failed on the main branch before the fix."""

from __future__ import annotations

import json
import re
import shutil
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest
import requests
from werkzeug.security import generate_password_hash

from tests.live_server import (GUNICORN, ROOT, callback_body, dependencies, form_token, free_port, log_in, start,
                               terminate, wait_healthy)

ADA, BOB, CARL = ("ada", "ada-secret-1"), ("bob", "bob-secret-1"), ("carl", "carl-secret-1")
ALL_PLATFORMS = ["facebook", "instagram", "messenger", "whatsapp", "threads"]
STORE = {"platforms": ALL_PLATFORMS, "start": "2024-01-01", "end": "2024-01-28", "segment": "all", "preset": None}
ADMIN_REFRESH = "admin-runs.rowData"  # an admin callback that only reads
HEADERS = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


def users_env(admins=(ADA,), analysts=(BOB,)) -> dict[str, str]:
    pairs = lambda users: ",".join(f"{n}:{generate_password_hash(p)}" for n, p in users)  # noqa: E731
    return {"PA_ADMIN_USERS": pairs(admins), "PA_ANALYST_USERS": pairs(analysts)}


@contextmanager
def served(data: Path, log: Path, **env):
    """gunicorn on `data` (scheduler off: nothing but the requests of the test runs), until it answers."""
    port = free_port()
    proc = start(GUNICORN, data, port, log, PA_THREADS="4", PA_SCHEDULER_ENABLED="0", **env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, log, timeout=60)
        yield base, proc
    finally:
        terminate(proc, timeout=30)


@pytest.fixture(scope="module")
def data(built, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("secured")
    shutil.copytree(built.data_dir, root / "data")
    return root / "data"


@pytest.fixture(scope="module")
def server(data, tmp_path_factory):
    with served(data, tmp_path_factory.mktemp("log") / "server.log", **users_env()) as (base, proc):
        yield base, proc


def worker_rss(proc) -> int:
    children = psutil.Process(proc.pid).children(recursive=True)
    return max(child.memory_info().rss for child in children)


def post_callback(session, base: str, output_part: str, values: dict) -> requests.Response:
    body = callback_body(dependencies(session, base), output_part, values)
    return (session or requests).post(base + "/_dash-update-component", json=body, timeout=60)


def refresh_values() -> dict:
    return {"admin-interval.n_intervals": 1, "admin-watch.data": None}


def log_out(session: requests.Session, base: str) -> None:
    r = session.post(base + "/logout", data={"csrf_token": form_token(session, base + "/logout")},
                     allow_redirects=False)
    assert r.status_code == 302 and r.headers["Location"] == "/login"


# 1. sessions the server can end ------------------------------------------------------------------------------------

def test_a_cookie_saved_before_logout_is_worth_nothing_after_it(server):
    base, _ = server
    admin = log_in(base, *ADA)
    assert post_callback(admin, base, ADMIN_REFRESH, refresh_values()).status_code == 200
    deps = dependencies(admin, base)
    saved = admin.cookies.copy()

    # logout by GET only asks: the session still works
    assert admin.get(base + "/logout").status_code == 200
    assert post_callback(admin, base, ADMIN_REFRESH, refresh_values()).status_code == 200
    log_out(admin, base)

    replay = requests.Session()
    replay.cookies.update(saved)
    body = callback_body(deps, ADMIN_REFRESH, refresh_values())
    assert replay.post(base + "/_dash-update-component", json=body).status_code == 401
    assert replay.get(base + "/admin", allow_redirects=False).status_code == 302


def test_a_new_password_a_demotion_or_a_removal_ends_sessions_across_a_restart(built, tmp_path):
    shutil.copytree(built.data_dir, tmp_path / "data")
    before = users_env(admins=(ADA, CARL))
    with served(tmp_path / "data", tmp_path / "first.log", **before) as (base, _):
        ada, carl = log_in(base, *ADA), log_in(base, *CARL)
        deps = dependencies(ada, base)
        cookies = {"ada": ada.cookies.copy(), "carl": carl.cookies.copy()}
        assert post_callback(ada, base, ADMIN_REFRESH, refresh_values()).status_code == 200

    # ada becomes an analyst with a new password; carl is removed; the same secret key signs cookies
    after = users_env(admins=(), analysts=(("ada", "ada-new-secret-2"),))
    with served(tmp_path / "data", tmp_path / "second.log", **after) as (base, _):
        body = callback_body(deps, ADMIN_REFRESH, refresh_values())
        for name, jar in cookies.items():
            replay = requests.Session()
            replay.cookies.update(jar)
            assert replay.post(base + "/_dash-update-component", json=body).status_code == 401, name
            assert replay.get(base + "/", allow_redirects=False).status_code == 302, name
        # the role comes from the configuration: ada, logged in again, is an analyst
        ada = log_in(base, "ada", "ada-new-secret-2")
        refused = ada.post(base + "/_dash-update-component", json=body)
        assert refused.status_code == 403 and refused.json() == {"error": "admins only"}
        assert ada.get(base + "/", allow_redirects=False).status_code == 200


def test_sessions_end_when_idle_or_too_old(tmp_path):
    from webapp.sessions import SessionStore

    store = SessionStore(tmp_path / "sessions.sqlite3", idle_seconds=0.6, max_seconds=1.5)
    idle, busy = store.open("ada", "stamp"), store.open("bob", "stamp")
    assert store.valid(idle) and store.valid(busy) and store.active() == 2
    import webapp.sessions as sessions

    sessions.TOUCH_EVERY_SECONDS = 0  # note every use
    try:
        for _ in range(3):
            time.sleep(0.4)
            assert store.valid(busy), "used within the idle timeout"
        assert store.valid(idle) is None  # idle 1.2 s
        time.sleep(0.4)
        assert store.valid(busy) is None  # opened 2 s ago: past the absolute timeout however active
    finally:
        sessions.TOUCH_EVERY_SECONDS = 60
    assert store.valid("forged-token") is None and store.valid(None) is None
    token = store.open("carl", "stamp")
    assert store.revoke_user("carl") == 1 and store.valid(token) is None


# 2. bounded work -------------------------------------------------------------------------------------------------

def test_the_widest_ranges_are_clamped_to_the_data(server):
    base, _ = server
    bob = log_in(base, *BOB)
    started = time.time()
    page = bob.get(base + "/growth?start=0001-01-01&end=9999-12-31")
    assert page.status_code == 200 and len(page.content) < 50_000
    # the URL's range, resolved by the filter bar: clamped to the data, with a notice
    shell = post_callback(bob, base, "shell-filters.data", {"shell-url.search": "?start=0001-01-01&end=9999-12-31"})
    resolved = shell.json()["response"]
    assert resolved["shell-filters"]["data"]["start"] == "2024-01-01"
    assert resolved["shell-filters"]["data"]["end"] == "2024-01-28"
    assert "reaches beyond the data" in json.dumps(resolved["shell-notice"])
    # a store forged with the widest dates the schema allows: drawn for the 28 days of the data only
    wide = dict(STORE, start="1900-01-01", end="2999-12-31")
    growth = post_callback(bob, base, "growth-graph.figure", {"shell-filters.data": wide, "growth-grain.value": "day"})
    assert growth.status_code == 200 and len(growth.content) < 200_000
    days = {x for trace in growth.json()["response"]["growth-graph"]["figure"]["data"] for x in trace.get("x", [])}
    assert 20 <= len(days) <= 28 and min(days) >= "2024-01-01" and max(days) <= "2024-01-28T23:59:59"
    # and a year 1 start is a 400 naming it, not a 500
    year_one = post_callback(bob, base, "growth-graph.figure",
                             {"shell-filters.data": dict(STORE, start="0001-01-01"), "growth-grain.value": "day"})
    assert year_one.status_code == 400 and "0001-01-01" in year_one.json()["error"]
    assert time.time() - started < 30


def test_junk_in_the_filters_and_big_bodies_are_refused_before_memory_grows(server):
    base, proc = server
    bob = log_in(base, *BOB)
    deps = dependencies(bob, base)
    rss_before = worker_rss(proc)
    for i in range(30):  # each a different 10 MB junk field in the filters store
        body = callback_body(deps, "growth-graph.figure", {"shell-filters.data": {**STORE, "junk": f"{i}" * 10**7},
                                                           "growth-grain.value": "week"})
        assert bob.post(base + "/_dash-update-component", json=body, timeout=60).status_code == 413
    # 30 MB from an anonymous caller: refused before anything reads it
    anonymous = requests.post(base + "/_dash-update-component", data=b"x" * 30 * 2**20,
                              headers={"Content-Type": "application/json"}, timeout=60)
    assert anonymous.status_code == 413
    login_flood = requests.post(base + "/login", data={"username": "x" * 30 * 2**20}, timeout=60)
    assert login_flood.status_code == 413
    # a junk field small enough to be read is still refused: the cache never keys on it
    small = callback_body(deps, "growth-graph.figure", {"shell-filters.data": {**STORE, "junk": "y" * 100_000},
                                                        "growth-grain.value": "week"})
    refused = bob.post(base + "/_dash-update-component", json=small)
    assert refused.status_code == 400 and "unknown fields 'junk'" in refused.json()["error"]
    grown = worker_rss(proc) - rss_before
    assert grown < 100 * 2**20, f"the worker grew by {grown / 2**20:.0f} MB"


def test_malformed_callback_bodies_get_400_naming_the_problem(server):
    base, _ = server
    bob = log_in(base, *BOB)
    deps = dependencies(bob, base)
    growth = lambda store, grain="week": callback_body(  # noqa: E731
        deps, "growth-graph.figure", {"shell-filters.data": store, "growth-grain.value": grain})
    short = growth(STORE)
    short["inputs"] = short["inputs"][:1]
    csv = callback_body(deps, "csv-download", {})
    csv["inputs"][0]["id"] = {"type": "csv-button", "panel": "no-such-panel"}
    csv["outputs"]["id"] = {"type": "csv-download", "panel": "no-such-panel"}
    csv["state"][1]["id"] = {"type": "panel-option", "panel": "no-such-panel"}
    mismatched = callback_body(deps, "csv-download", {"shell-filters.data": STORE})
    mismatched["inputs"][0]["id"] = {"type": "csv-button", "panel": "overview-activity"}
    mismatched["outputs"]["id"] = {"type": "csv-download", "panel": "funnel-steps"}
    mismatched["state"][1]["id"] = {"type": "panel-option", "panel": "overview-activity"}
    mismatched["changedPropIds"] = ['{"panel":"overview-activity","type":"csv-button"}.n_clicks']
    cases = {
        "a JSON list": [growth(STORE)],
        "outputs that are text": dict(growth(STORE), outputs="x"),
        "outputs of another callback": dict(growth(STORE), outputs=[{"id": "funnel-graph", "property": "figure"}] * 2),
        "a change to another callback's input": dict(growth(STORE), changedPropIds=["admin-run-now.n_clicks"]),
        "MATCH differing between ids": mismatched,
        "unknown platform": growth(dict(STORE, platforms=["myspace"])),
        "dict segment": growth(dict(STORE, segment={"$ne": 1})),
        "null start": growth(dict(STORE, start=None)),
        "start after end": growth(dict(STORE, start="2024-02-01")),
        "grain month": growth(STORE, "month"),
        "a store that is a list": growth(["facebook"]),
        "an unknown callback": dict(growth(STORE), output="nothing.here"),
        "too few inputs": short,
        "an unknown panel": csv,
        "a callback that runs in the browser": callback_body(deps, "shell-url-writer.data",
                                                             {"shell-filters.data": STORE}),
    }
    for case, body in cases.items():
        r = bob.post(base + "/_dash-update-component", json=body)
        assert r.status_code == 400 and r.json()["error"], (case, r.status_code, r.text[:300])
    not_json = bob.post(base + "/_dash-update-component", data="{nope", headers={"Content-Type": "application/json"})
    assert not_json.status_code == 400
    assert bob.post(base + "/_dash-update-component", json=growth(STORE)).status_code == 200


# 3-5. logins -----------------------------------------------------------------------------------------------------

def test_wrong_passwords_lock_the_name_and_unknown_names_cost_as_much(built, tmp_path):
    shutil.copytree(built.data_dir, tmp_path / "data")
    with served(tmp_path / "data", tmp_path / "server.log", PA_ANONYMOUS_ACCESS="1", **users_env()) as (base, _):
        s = requests.Session()
        token = form_token(s, base + "/login")

        def attempt(name: str, password: str) -> tuple[int, float]:
            began = time.perf_counter()
            r = s.post(base + "/login", data={"username": name, "password": password, "csrf_token": token},
                       allow_redirects=False)
            return r.status_code, time.perf_counter() - began

        unknown = [attempt(f"nobody-{i}", "guess") for i in range(4)]
        known = [attempt("bob", f"guess-{i}") for i in range(20)]
        assert [code for code, _ in known] == [401] * 5 + [429] * 15
        assert attempt("bob", BOB[1])[0] == 429  # locked: even the right password waits
        assert all(code == 401 for code, _ in unknown)
        slow_known = statistics.median(t for _, t in known[:5])
        slow_unknown = statistics.median(t for _, t in unknown)
        assert slow_unknown > slow_known / 3, (slow_unknown, slow_known)  # no shortcut for unknown names
        assert statistics.median(t for _, t in known[5:]) < slow_known / 3  # refused before any hashing
        # another user from the same address still logs in (9 failures from it, under its limit of 10)
        assert log_in(base, *ADA).get(base + "/admin").status_code == 200

        # anonymous visitors (PA_ANONYMOUS_ACCESS=1) read the dashboards, never an admin callback
        assert requests.get(base + "/", allow_redirects=False).status_code == 200
        body = callback_body(dependencies(None, base), ADMIN_REFRESH, refresh_values())
        assert requests.post(base + "/_dash-update-component", json=body).status_code == 403


def test_the_client_is_locked_after_failures_across_names():
    from webapp import login_throttle as T

    T.reset()
    for i in range(T.CLIENT_LIMIT):
        assert T.locked_for(f"name-{i}", "10.0.0.1", now=100.0 + i) == 0
        T.failed(f"name-{i}", "10.0.0.1", now=100.0 + i)
    assert T.locked_for("someone-else", "10.0.0.1", now=120.0) > 0
    assert T.locked_for("someone-else", "10.0.0.2", now=120.0) == 0
    assert T.locked_for("someone-else", "10.0.0.1", now=100.0 + T.WINDOW_SECONDS + 0.5) == 0  # it wears off
    T.reset()


def test_a_cross_site_login_form_and_a_forgotten_token_are_refused(server):
    base, _ = server
    victim = requests.Session()
    forged = {"username": "bob", "password": BOB[1], "next": "/"}
    assert victim.post(base + "/login", data=forged, headers={"Origin": "http://evil.example"},
                       allow_redirects=False).status_code == 403
    assert victim.post(base + "/login", data=forged, headers={"Sec-Fetch-Site": "cross-site"},
                       allow_redirects=False).status_code == 403
    assert victim.post(base + "/login", data=forged, allow_redirects=False).status_code == 400  # no token
    assert victim.post(base + "/login", data={**forged, "csrf_token": "guessed"}, allow_redirects=False
                       ).status_code == 400
    assert victim.get(base + "/", allow_redirects=False).status_code == 302  # nobody was logged in
    # a logout posted from elsewhere does not end the session either
    bob = log_in(base, *BOB)
    assert bob.post(base + "/logout", data={}, allow_redirects=False).status_code == 400
    assert bob.post(base + "/logout", headers={"Origin": "http://evil.example"}).status_code == 403
    assert bob.get(base + "/", allow_redirects=False).status_code == 200


# 6-10. what the server says ---------------------------------------------------------------------------------------

def test_every_response_carries_the_security_headers(server):
    base, _ = server
    bob = log_in(base, *BOB)
    responses = {
        "login": requests.get(base + "/login"), "asset": requests.get(base + "/assets/style.css"),
        "redirect": requests.get(base + "/", allow_redirects=False), "health": requests.get(base + "/healthz"),
        "page": bob.get(base + "/"), "layout": bob.get(base + "/_dash-layout"),
        "script": bob.get(base + re.search(r'src="(/_dash-component-suites/[^"]+)"', bob.get(base + "/").text)[1]),
        "callback": post_callback(bob, base, "funnel-graph.figure", {"shell-filters.data": STORE}),
        "bad callback": bob.post(base + "/_dash-update-component", json=[]),
        "unauthorized": requests.post(base + "/_dash-update-component", json={}),
        "too large": requests.post(base + "/login", data=b"x" * 2**20),
    }
    for kind, r in responses.items():
        for name, value in HEADERS.items():
            assert r.headers.get(name) == value, (kind, name)
        csp = r.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "script-src 'self'" in csp, kind
        assert "unsafe-eval" not in csp and "Strict-Transport-Security" not in r.headers, kind
    assert responses["page"].headers["Cache-Control"] == "no-store"
    assert "gunicorn/" not in responses["login"].headers.get("Server", "")  # no version banner


def test_hsts_only_when_served_over_https():
    from flask import Flask

    from webapp import security_headers

    for https in (True, False):
        app = Flask(__name__)
        security_headers.install(app, lambda: ["'sha256-abc'"], https=https)
        app.add_url_rule("/", "x", lambda: "ok")
        r = app.test_client().get("/")
        assert ("Strict-Transport-Security" in r.headers) is https
        assert "script-src 'self' 'sha256-abc'" in r.headers["Content-Security-Policy"]


def test_no_chart_offers_plotly_s_cloud(server):
    base, _ = server
    bob = log_in(base, *BOB)
    pages = ["/", "/platforms", "/funnel", "/retention", "/growth", "/geography", "/engagement"]
    graphs = 0
    for path in pages:
        r = post_callback(bob, base, "_pages_content.children", {"_pages_location.pathname": path,
                                                                  "_pages_location.search": ""})
        served_text = r.text
        configs = re.findall(r'"config":\s*(\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\})', served_text)
        assert configs, path
        for config in map(json.loads, configs):
            graphs += 1
            assert config["showSendToCloud"] is False and config["plotlyServerURL"] == "", path
            assert "sendChartToCloud" in config["modeBarButtonsToRemove"], path
        assert "plot.ly" not in served_text and "cloud.plotly" not in served_text, path
    assert graphs >= 10


def test_a_short_secret_key_stops_the_start_with_one_line(tmp_path):
    env = {"PA_SECRET_KEY": "x", "PA_BIND": f"127.0.0.1:{free_port()}", "PA_DATA_DIR": str(tmp_path)}
    import os

    for command in (GUNICORN, [sys.executable, "-c", "import app"]):
        out = subprocess.run(command, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True,
                             timeout=120)
        lines = [line for line in (out.stdout + out.stderr).splitlines() if line.strip()]
        assert out.returncode != 0 and lines[-1].startswith("error: PA_SECRET_KEY is 1 bytes; use at least 32")
        assert "Traceback" not in out.stderr, command
    assert not (tmp_path / "web").exists()  # nothing was created


def test_open_paths_are_exact_and_anonymous_callers_get_no_versions(server):
    base, _ = server
    for path in ("/loginx", "/healthzz", "/assets//etc/passwd", "/assets/../app.py", "/assets/", "/_dash-layout",
                 "/_dash-dependencies", "/assets/nothing.css", "/readyz/x", "/_reload-hash"):
        r = requests.get(base + path, allow_redirects=False)
        assert r.status_code in (302, 401, 404), (path, r.status_code)
        assert "DashRenderer" not in r.text and "_dash-component-suites" not in r.text, path
    script = re.search(r'src="(/_dash-component-suites/[^"]+)"', log_in(base, *BOB).get(base + "/").text)[1]
    assert requests.get(base + script, allow_redirects=False).status_code == 401
    assert requests.get(base + "/assets/style.css").status_code == 200
    # a shared link asks for a login, then comes back to the same view
    assert requests.get(base + "/growth?range=7d", allow_redirects=False).headers["Location"] == \
        "/login?next=/growth%3Frange%3D7d"
    assert requests.get(base + "/readyz").json() == {"ready": True}
    assert requests.get(base + "/healthz").json() == {"status": "ok"}


def test_no_mutation_of_a_callback_request_gets_a_500(server):
    """Every server callback's request, each part replaced by junk of every JSON type, 400 rounds: never a 500."""
    import random

    base, _ = server
    bob = log_in(base, *BOB)
    deps = [d for d in dependencies(bob, base) if not d.get("clientside_function")]
    junk = [None, 0, -1, 2**70, 1.5, True, "", "x" * 300, "2024-01-01", [], [None], {}, {"id": {}}, ["facebook"],
            {"$gt": ""}, dict(STORE), dict(STORE, start=None)]
    rng = random.Random(11)
    statuses = set()
    for _ in range(400):
        body = callback_body(deps, rng.choice(deps)["output"], {"shell-filters.data": STORE})
        for _ in range(rng.randint(1, 3)):
            part = rng.choice(["output", "outputs", "inputs", "state", "changedPropIds", "value", "id", "property"])
            items = [i for key in ("inputs", "state") if isinstance(body[key], list) for i in body[key]
                     if isinstance(i, dict)]
            if part in ("value", "id", "property") and items:
                rng.choice(items)[part] = rng.choice(junk)
            elif part not in ("value", "id", "property"):
                body[part] = rng.choice(junk)
        r = bob.post(base + "/_dash-update-component", json=body)
        statuses.add(r.status_code)
        assert r.status_code < 500, (body, r.text[:300])
    assert 400 in statuses
