"""The pieces that bound the web app's work and keep its access safe, each on its own: the byte-bounded cache, the
computation turns per client and per process, query timeouts, the callback schema covering every callback, the
first-run admin and its password reset, the settings refused at start."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from flask import Flask, g
from werkzeug.exceptions import ServiceUnavailable, TooManyRequests
from werkzeug.security import check_password_hash

from store.sql import SqlFiles
from store.warehouse import QueryTimeout, Warehouse, WarehouseClosed
from tests.conftest import make_settings
from tests.live_server import ROOT
from webapp import compute_slots, users
from webapp.memory_cache import MemoryCache, size_of
from webapp.settings import WebSettings, check


def test_the_cache_holds_at_most_its_budget_dropping_the_least_recently_used():
    frame = pd.DataFrame({"x": range(10_000)})  # 80 kB of int64
    assert 80_000 <= size_of(frame) < 90_000
    cache = MemoryCache(budget_bytes=800_000)
    for i in range(20):
        assert cache.set(f"k{i}", frame.copy(), version=1 if i < 10 else 2)
        if i == 5:
            assert cache.get("k0") is not None  # k0 used again: k1 goes first
    stats = cache.stats()
    assert stats["bytes"] <= 800_000 and stats["entries"] < 20
    assert cache.get("k1") is None and cache.get("k19") is not None
    assert not cache.set("huge", pd.DataFrame({"x": range(20_000)}))  # over an eighth of the budget: not kept
    assert cache.get("huge") is None
    kept_old = sum(cache.get(f"k{i}") is not None for i in range(10))
    assert cache.drop_versions_before(2) == kept_old and all(cache.get(f"k{i}") is None for i in range(10))
    assert cache.stats()["entries"] == sum(cache.get(f"k{i}") is not None for i in range(10, 20))


def test_figures_and_components_are_sized_by_content():
    from dash import html

    figure = {"data": [{"x": list(range(1000)), "y": ["a" * 10] * 1000}], "layout": {"title": "t"}}
    assert size_of(figure) > 1000 * 20
    assert size_of(html.Div("x" * 50_000)) > 50_000


@pytest.fixture
def request_as():
    app = Flask(__name__)

    def run(who: str, work):
        with app.test_request_context("/", environ_base={"REMOTE_ADDR": who}):
            g.user = None
            return work()
    compute_slots.configure(per_client=2, process=1)
    yield run
    compute_slots.configure(per_client=4, process=2)


def test_a_client_past_its_computations_in_flight_gets_429_at_once(request_as, monkeypatch):
    monkeypatch.setattr(compute_slots, "WAIT_SECONDS", 0.3)
    release, started = threading.Event(), threading.Semaphore(0)
    outcomes: list = []

    def hold(who: str):
        def work():
            with compute_slots.client_turn(), compute_slots.running():
                started.release()
                release.wait(5)
        try:
            request_as(who, work)
            outcomes.append("ok")
        except (TooManyRequests, ServiceUnavailable) as exc:
            outcomes.append(exc.code)

    first = threading.Thread(target=hold, args=("10.0.0.1",))
    first.start()
    assert started.acquire(timeout=5)  # 10.0.0.1 computes, holding the process's one turn
    second = threading.Thread(target=hold, args=("10.0.0.1",))  # waits for a turn: 2 in flight for 10.0.0.1
    second.start()
    time.sleep(0.05)
    began = time.monotonic()
    with pytest.raises(TooManyRequests):  # a third from 10.0.0.1: refused at once
        request_as("10.0.0.1", lambda: compute_slots.client_turn().__enter__())
    assert time.monotonic() - began < 0.1
    second.join()  # no turn within WAIT_SECONDS: 503
    assert outcomes == [503]
    # nested work runs in the turn it was given (no deadlock with one turn)
    release.set()
    first.join()
    assert request_as("10.0.0.2", lambda: _nested()) == "nested ok"


def _nested() -> str:
    with compute_slots.client_turn(), compute_slots.running():
        with compute_slots.client_turn(), compute_slots.running():
            return "nested ok"


def test_a_query_past_its_time_limit_is_stopped(tmp_path):
    folder = tmp_path / "sql"
    folder.mkdir()
    (folder / "slow.sql").write_text("-- One row: a count that takes minutes.\n"
                                     "SELECT count(*) FROM range(100000000000) a;\n")
    with Warehouse(make_settings(tmp_path)) as wh:
        began = time.monotonic()
        with pytest.raises(QueryTimeout, match="slow ran longer than 0.5 s"):
            wh.query(SqlFiles(folder), "slow", timeout=0.5)
        assert time.monotonic() - began < 5
        assert wh.connection.execute("SELECT 42").fetchone() == (42,)  # the warehouse goes on


def _query_in_thread(wh: Warehouse, sql: str) -> tuple[threading.Thread, list]:
    """A thread running `sql` on a cursor of `wh`; the list gets its result or its exception."""
    outcome: list = []
    started = threading.Event()

    def work() -> None:
        try:
            with wh.cursor() as cur:
                started.set()
                outcome.append(cur.execute(sql).fetchall())
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            outcome.append(exc)
            started.set()

    thread = threading.Thread(target=work)
    thread.start()
    assert started.wait(10)
    return thread, outcome


def test_closing_waits_for_running_queries_then_interrupts_them(tmp_path):
    """Shutdown while a request's query runs: DuckDB refuses to close a connection with a busy cursor, so close()
    lets it finish within the grace, interrupts it past that, and hands out no new cursor meanwhile."""
    wh = Warehouse(make_settings(tmp_path))
    quick, quick_outcome = _query_in_thread(wh, "SELECT count(*) FROM range(30000000) a, range(3) b")
    wh.close(grace_seconds=30)
    quick.join()
    assert quick_outcome == [[(90000000,)]]  # finished, not interrupted

    wh = Warehouse(make_settings(tmp_path))
    slow, slow_outcome = _query_in_thread(wh, "SELECT count(*) FROM range(100000000000) a")
    time.sleep(0.2)
    began = time.monotonic()
    wh.close(grace_seconds=0.5)
    slow.join()
    assert time.monotonic() - began < 5
    assert isinstance(slow_outcome[0], duckdb.InterruptException)
    with pytest.raises(WarehouseClosed, match="is closing"):
        with wh.cursor():
            pass


SCHEMA_COVERAGE = """
import json
from app import app
from webapp import callback_inputs
app.server.test_client().get("/login")  # Dash fills its callback map on the first request
found = []
for output, spec in app.callback_map.items():
    if spec.get("callback") is None:
        continue  # runs in the browser: refused if posted
    for item in spec["inputs"] + spec["state"]:
        component = json.loads(item["id"]) if item["id"].startswith("{") else item["id"]
        found.append([output, item["property"],
                      (callback_inputs._id_key(component), item["property"]) in callback_inputs._declared])
print(json.dumps(found))
"""


def test_every_server_callback_input_is_declared_in_the_schema(tmp_path):
    """In a process of its own: the app as gunicorn imports it, once (a test run may hold other instances)."""
    import os

    out = subprocess.run([sys.executable, "-c", SCHEMA_COVERAGE], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, env={**os.environ, "PA_DATA_DIR": str(tmp_path)})
    assert out.returncode == 0, out.stderr[-2000:]
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(found) >= 28
    assert [f for f in found if not f[2]] == []


def test_the_first_start_creates_one_admin_and_the_reset_gives_a_new_password(tmp_path, caplog):
    from webapp.sessions import SessionStore, store_path

    caplog.set_level("INFO", logger="webapp.users")
    first = users.directory("", "", tmp_path)
    printed = caplog.text.split("with the password")[1].split()[0]
    admin = first.get("admin")
    assert admin.role == users.ADMIN and check_password_hash(admin.password_hash, printed)
    path = users.first_admin_path(tmp_path)
    assert oct(path.stat().st_mode & 0o777) == "0o600" and printed not in path.read_text()
    caplog.clear()
    again = users.directory("", "", tmp_path)  # a restart: the same admin, nothing printed
    assert again.get("admin") == admin and "with the password" not in caplog.text

    token = SessionStore(store_path(tmp_path), 3600, 3600).open("admin", admin.stamp)
    out = subprocess.run([sys.executable, "-m", "webapp", "reset-admin-password", "--data-dir", str(tmp_path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    new = out.stdout.split("with the password")[1].split()[0]
    time.sleep(0.01)
    assert check_password_hash(again.get("admin").password_hash, new)  # read again: the file changed
    assert again.get("admin").stamp != admin.stamp  # so sessions opened before end, even in a running app
    assert SessionStore(store_path(tmp_path), 3600, 3600).valid(token) is None and "1 session(s) ended" in out.stdout
    # configured users take over: no first-run admin is used
    assert users.directory("ada:scrypt:1$x$y", "", tmp_path).get("admin") is None


def test_unsafe_settings_are_refused_with_the_variable_named():
    with pytest.raises(ValueError, match="PA_SECRET_KEY is 5 bytes; use at least 32"):
        check(WebSettings(secret_key="short"))
    with pytest.raises(ValueError, match="PA_MAX_BODY_KB must be at least 1"):
        check(WebSettings(max_body_kb=0))
    check(WebSettings(secret_key=""))  # unset: a random key, with a warning in the log
    check(WebSettings(secret_key="k" * 32))
    assert WebSettings().bind.startswith("127.0.0.1:") and WebSettings().anonymous_access == 0


def test_the_image_binds_every_interface_and_make_run_only_loopback():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "PA_BIND=0.0.0.0:8050" in dockerfile
    assert "PA_BIND" not in (ROOT / "Makefile").read_text()  # the default: 127.0.0.1:8050
    assert Path(ROOT / "gunicorn.conf.py").read_text().count("_settings.bind") == 1
