"""The app served by a real gunicorn subprocess and spoken to over HTTP, as a browser or an orchestrator would:
shared by the server and deploy tests and by benchmarks/load.py."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import requests

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "app:server"]
SECRET_KEY = "live-server-test-secret-key-of-at-least-32-bytes"
HEALTH_TOKEN = "live-server-health-token"
BEARER = {"Authorization": f"Bearer {HEALTH_TOKEN}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(command: list[str], data_dir: Path, port: int, log: Path, **env: str) -> subprocess.Popen:
    """Run `command` from the project folder on `data_dir` and 127.0.0.1:`port` (whatever `env` says of them),
    output to `log`, in its own process group; `env` on top of this environment (and of a secret key and the
    health token BEARER sends), the virtual environment's bin first on PATH."""
    full_env = {**os.environ, "PA_SECRET_KEY": SECRET_KEY, "PA_HEALTH_TOKEN": HEALTH_TOKEN, **env,
                "PA_DATA_DIR": str(data_dir), "PA_BIND": f"127.0.0.1:{port}",
                "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    return subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def terminate(proc: subprocess.Popen, timeout: float = 60) -> int:
    """SIGTERM to the process group, as a container stop does; its exit status (SIGKILL, then raise, on timeout)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
    return proc.returncode


def wait_healthy(base: str, proc: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    """Until /healthz answers; AssertionError with the end of the server's log if it exits or the time passes."""
    end = time.time() + timeout
    while time.time() < end:
        assert proc.poll() is None, f"the server exited:\n{log.read_text()[-3000:]}"
        try:
            if requests.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"not healthy in time:\n{log.read_text()[-3000:]}")


def readiness(base: str) -> dict:
    """/readyz with its details (the health token)."""
    return requests.get(base + "/readyz", headers=BEARER, timeout=30).json()


def settled_last_run(base: str, timeout: float = 60) -> int:
    """The id of the last finished run once nothing is queued or running (the scheduler catches up at start)."""
    end = time.time() + timeout
    while time.time() < end:
        ready = readiness(base)
        if not ready["running"] and not ready["queued"] and ready["last_run"]:
            return ready["last_run"]["run_id"]
        time.sleep(0.5)
    raise AssertionError("runs still in flight")


def callback_body(dependencies: list[dict], output_part: str, values: dict) -> dict:
    """The request a browser sends for the callback whose output names `output_part`, its inputs and state given
    by "component-id.property" in `values` (None when absent), every input marked changed."""
    spec = next(d for d in dependencies if output_part in d["output"])
    outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in spec["output"].strip(".").split("...")]

    def named(items: list[dict]) -> list[dict]:
        return [{"id": i["id"], "property": i["property"], "value": values.get(f"{i['id']}.{i['property']}")}
                for i in items]

    return {"output": spec["output"], "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": named(spec["inputs"]), "state": named(spec["state"]),
            "changedPropIds": [f"{i['id']}.{i['property']}" for i in spec["inputs"]]}


def log_in(base: str, user: str, password: str, session: requests.Session | None = None) -> requests.Session:
    """A session logged in through the form, as a browser does it (the form's CSRF token sent back)."""
    s = session or requests.Session()
    s.post(base + "/login", data={"username": user, "password": password, "next": "/",
                                  "csrf_token": form_token(s, base + "/login")}, allow_redirects=False,
           timeout=30).raise_for_status()
    return s


def form_token(s: requests.Session, url: str) -> str:
    """The CSRF token of the form on the page at `url` (its cookie kept by the session)."""
    page = s.get(url, timeout=30)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text[:300]
    return found[1]


def first_admin_password(log: Path, timeout: float = 60) -> str:
    """The first-run admin's password, as the server printed it once in its log."""
    end = time.time() + timeout
    while time.time() < end:
        found = re.search(r"created the admin 'admin' with the password\s+(\S+)", log.read_text())
        if found:
            return found[1]
        time.sleep(0.2)
    raise AssertionError(f"no first-run admin in the log:\n{log.read_text()[-2000:]}")


def dependencies(session: requests.Session | None, base: str) -> list[dict]:
    """The app's callbacks as Dash serves them to the browser (logged in through `session` when logins are on)."""
    response = (session or requests).get(base + "/_dash-dependencies")
    response.raise_for_status()
    return response.json()


def dash_callback(base: str, output_part: str, values: dict, session: requests.Session | None = None) -> dict:
    """POST a callback as the browser would; the JSON response's "response" (asserting HTTP 200)."""
    client = session or requests
    body = callback_body(dependencies(session, base), output_part, values)
    response = client.post(base + "/_dash-update-component", json=body, timeout=30)
    assert response.status_code == 200, response.text[:500]
    return response.json()["response"]


@contextmanager
def serving_copy(source: Path, root: Path, prepare=None, **env: str) -> Iterator[tuple[str, Path]]:
    """A real gunicorn on a copy of the data folder `source` (in `root`/data; `prepare(data)` runs on it first),
    with `env`; yields (base URL, data folder) once healthy, and stops it after."""
    shutil.copytree(source, root / "data")
    if prepare:
        prepare(root / "data")
    port, log = free_port(), root / "server.log"
    proc = start(GUNICORN, root / "data", port, log, **env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, log, timeout=60)
        yield base, root / "data"
    finally:
        terminate(proc, timeout=30)
