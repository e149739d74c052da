"""A client of the app's runs API (webapp/runs_api.py) for processes that cannot open the warehouse while the app
holds it: the CLI and the Airflow DAG. Standard library only; the URL and token come from PA_API_URL and
PA_API_TOKEN."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Callable

from store import runs
from store.settings import Settings

POLL_SECONDS = 1.0


class ApiError(RuntimeError):
    """The API refused or could not be reached: `status` (0 when unreachable) and its message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def call(settings: Settings, method: str, path: str, body: dict | None = None, timeout: float = 30) -> dict:
    """The API's JSON answer to one request; ApiError for an error status or no answer."""
    if not settings.api_token:
        raise ApiError(0, "no API token: set PA_API_TOKEN to a token of the app's PA_API_TOKENS "
                          "(`python -m webapp new-api-token NAME` makes one)")
    url = settings.api_url.rstrip("/") + path
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"Bearer {settings.api_token}", "Accept": "application/json",
        **({"Content-Type": "application/json"} if data is not None else {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            message = json.loads(exc.read() or b"{}").get("error") or exc.reason
        except ValueError:
            message = exc.reason
        raise ApiError(exc.code, f"{method} {url}: {exc.code} {message}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ApiError(0, f"cannot reach the app's API at {url}: {reason} (PA_API_URL)") from None


def ask_for_run(settings: Settings, mode: str, start=None, end=None, engine: str | None = None) -> int:
    """Queue a run through the API (on `engine`, or the app's PA_ENGINE); its run id."""
    body = {"mode": mode, **({"start": str(start), "end": str(end)} if start is not None else {}),
            **({"engine": engine} if engine else {})}
    return int(call(settings, "POST", "/api/runs", body)["run_id"])


def run(settings: Settings, run_id: int) -> dict:
    """A run as the API shows it, back in the shape of a store.runs.recent row."""
    return runs.from_json(call(settings, "GET", f"/api/runs/{run_id}"))


def wait_for(settings: Settings, run_id: int, *, timeout: float | None = None,
             on_progress: Callable[[dict], None] | None = None) -> dict:
    """Poll a run until it has ended (or `timeout` seconds: ApiError); the ended run."""
    began = time.monotonic()
    while True:
        current = run(settings, run_id)
        if current["status"] in runs.ENDED:
            return current
        if on_progress:
            on_progress(current)
        if timeout is not None and time.monotonic() - began > timeout:
            raise ApiError(0, f"run {run_id} is still {current['status']} after {timeout:.0f} s")
        time.sleep(POLL_SECONDS)
