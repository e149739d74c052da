"""The app served by a real gunicorn subprocess and spoken to over HTTP, as a browser or an orchestrator would:
shared by the server and deploy tests and by benchmarks/load.py."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "app:server"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(command: list[str], data_dir: Path, port: int, log: Path, **env: str) -> subprocess.Popen:
    """Run `command` from the project folder on `data_dir` and 127.0.0.1:`port` (whatever `env` says of them),
    output to `log`, in its own process group; `env` on top of this environment, the virtual environment's bin
    first on PATH."""
    full_env = {**os.environ, **env, "PA_DATA_DIR": str(data_dir), "PA_BIND": f"127.0.0.1:{port}",
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


def settled_last_run(base: str, timeout: float = 60) -> int:
    """The id of the last finished run once nothing is queued or running (the scheduler catches up at start)."""
    end = time.time() + timeout
    while time.time() < end:
        ready = requests.get(base + "/readyz").json()
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
