"""Deployment, without a Docker engine: the Dockerfile passes hadolint, and its own CMD (read from the file, run as
the container would, on a free port and a temp data folder) builds the demo, serves every page and an uncached
callback, restarts at once on existing data, and shuts down on SIGTERM leaving the warehouse consistent."""

from __future__ import annotations

import datetime as dt
import json
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from pipeline.generate import generate
from tests.conftest import START, make_settings, run_etl, warehouse
from tests.live_server import (ROOT, dash_callback, first_admin_password, free_port, log_in, readiness, start,
                               terminate, wait_healthy)
from tests.snapshots import fingerprint_of

PAGES = ["/", "/platforms", "/funnel", "/retention", "/growth", "/geography", "/engagement", "/admin"]


def dockerfile() -> tuple[dict[str, str], list[str]]:
    """The Dockerfile's ENV values and its CMD (exec form)."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    env: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            for token in shlex.split(line[4:]):
                key, _, value = token.partition("=")
                env[key] = value
    cmd = [line for line in text.splitlines() if line.startswith("CMD ")]
    assert len(cmd) == 1, "one CMD in exec form"
    return env, json.loads(cmd[0][4:])


def start_container_command(data_dir: Path, log: Path, **overrides) -> tuple[subprocess.Popen, str]:
    """Run the Dockerfile's CMD here, with its ENV, a temp data folder and a free port."""
    image_env, cmd = dockerfile()
    port = free_port()
    proc = start(cmd, data_dir, port, log, **{**image_env, "PA_THREADS": "4", **overrides})
    return proc, f"http://127.0.0.1:{port}"


def test_the_dockerfile_passes_hadolint():
    out = subprocess.run([str(Path(sys.executable).parent / "hadolint"), "Dockerfile"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_image_command_builds_the_demo_then_serves_then_restarts_at_once(tmp_path):
    data, log = tmp_path / "data", tmp_path / "first.log"
    proc, base = start_container_command(data, log, PA_DEMO_USERS="400", PA_DEMO_DAYS="14")
    try:
        wait_healthy(base, proc, log)
        text = log.read_text()
        assert "generating: 14/14 days" in text and "loading: " in text and "run 1 succeeded" in text
        assert "Listening at: http://127.0.0.1:" in text and "scheduler: started" in text
        ready = readiness(base)
        assert ready["ready"] and ready["warehouse"] == "open" and ready["data_age_days"] == 1

        # a safe first run: no users configured, so the first start made an admin and printed the password once
        assert requests.get(base + "/", allow_redirects=False).status_code == 302
        admin = log_in(base, "admin", first_admin_password(log))
        for path in PAGES:
            assert admin.get(base + path).status_code == 200
            page = dash_callback(base, "_pages_content.children", {"_pages_location.pathname": path,
                                                                    "_pages_location.search": ""}, admin)
            assert page["_pages_content"]["children"], path
            assert "Admins only" not in json.dumps(page), path
        # an uncached panel callback: the funnel for all platforms over all days
        last = dt.date.fromisoformat(ready["data_through"])
        store = {"platforms": ["facebook", "instagram", "messenger", "whatsapp", "threads"], "segment": "all",
                 "start": str(last - dt.timedelta(days=13)), "end": str(last), "preset": None}
        figure = dash_callback(base, "funnel-graph.figure", {"shell-filters.data": store},
                               admin)["funnel-graph"]["figure"]
        steps = figure["data"][0]
        assert steps["type"] == "funnel" and steps["y"] == ["View", "Like", "Comment", "Share", "Create"]
    finally:
        assert terminate(proc) == 0
    assert "Worker exiting" in log.read_text()
    # the panels viewed were saved at shutdown, with their inputs only
    viewed = json.loads((data / "web" / "viewed-panels.json").read_text())
    assert any(e["name"].startswith("rendered:webapp.pages.funnel.") and e["params"]["args"][0]["start"] ==
               store["start"] for e in viewed)
    assert "admin" not in json.dumps(viewed)

    # with data in the folder it serves at once: no demo is built again; the panels viewed before the restart are
    # drawn before /readyz says ready
    log2 = tmp_path / "second.log"
    proc, base = start_container_command(data, log2)
    try:
        wait_healthy(base, proc, log2, timeout=30)
        text = log2.read_text()
        assert "already holds data; nothing to do" in text and "generating" not in text
        assert "created the admin" not in text and "the first-run admin 'admin' of" in text  # printed only once
        deadline = time.time() + 60
        while requests.get(base + "/readyz", timeout=10).status_code != 200 and time.time() < deadline:
            time.sleep(0.2)
        assert f"warm-up: drew {len(viewed)} of {len(viewed)} panels viewed before the restart" in log2.read_text()
        assert readiness(base)["cache"]["entries"] >= len(viewed)
    finally:
        terminate(proc)


@pytest.mark.slow
def test_sigterm_during_a_run_leaves_the_warehouse_consistent(tmp_path):
    settings = make_settings(tmp_path / "data")
    generate(settings.lake_dir, users=20_000, days=5, start=START, seed=3)
    run_etl(settings)
    generate(settings.lake_dir, users=0, days=35)  # about 1.5M events waiting: the start-up catch-up loads them
    before = fingerprint_of(settings)

    log = tmp_path / "server.log"
    proc, base = start_container_command(settings.data_dir, log, PA_DUCKDB_MEMORY_LIMIT="1GB")
    try:
        wait_healthy(base, proc, log)
        end = time.time() + 60
        while time.time() < end and not readiness(base)["running"]:
            time.sleep(0.2)
        assert readiness(base)["running"], "no run started"
        time.sleep(0.5)
    finally:
        code = terminate(proc)
    text = log.read_text()
    assert code == 0 and "scheduler: interrupting the run in progress" in text, text[-2000:]

    assert fingerprint_of(settings) == before  # nothing of the interrupted run was published
    with warehouse(settings) as con:
        rows = con.execute("SELECT status, error FROM etl_runs WHERE json_extract_string(parameters, '$.mode') "
                           "= 'incremental' ORDER BY run_id DESC LIMIT 1").fetchall()
        running = con.execute("SELECT count(*) FROM etl_runs WHERE status = 'running'").fetchone()[0]
    assert rows[0][0] == "failed" and rows[0][1].startswith("interrupted: the process was stopping")
    assert running == 0
    # and the next run does the work
    result = run_etl(settings)
    assert result.status == "succeeded" and result.partitions == 70
