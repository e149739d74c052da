"""The runs API, for the CLI, Airflow and scripts: the app owns the warehouse (its one writer), so runs are asked
for here and executed by its scheduler's worker. JSON in and out; a bearer token (webapp/api_tokens.py) on every
request, never a session cookie.

    POST /api/runs                {"mode": "incremental" | "backfill" | "dq", "start": "YYYY-MM-DD", "end": ...,
                                   "engine": "duckdb" | "spark" (a load's; default the app's PA_ENGINE)}
                                  -> 202 {"run_id", "status": "queued", "ahead", "url"}
    GET  /api/runs?limit=N        -> 200 {"runs": [run, ...]} newest first (N: 1..500, default 20)
    GET  /api/runs/<id>           -> 200 run: status, progress, rows, checks, skipped partitions, message, error
    POST /api/runs/<id>/cancel    -> 200 the run, cancelled (only a queued run: 409 otherwise)
    POST /api/runs/<id>/retry     -> 202 a new run with the same mode, dates and engine (a failed or cancelled run)
    GET  /api/status              -> 200 partitions and rows loaded, the last run, partitions pending in the lake

401 without a valid token, 403 for a read-only token asking for a change, 400 for a bad request (what was wrong),
404 for no such run, 429 after too many bad tokens, 503 when no worker in this process would execute a run.
"""

from __future__ import annotations

import json

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from pipeline import run_queue, status
from store import runs, warehouse
from store.settings import load_settings
from webapp import api_tokens, background
from webapp.admin_data import lake_span, validate_backfill

api = Blueprint("runs_api", __name__, url_prefix="/api")
MAX_LIMIT = 500


class Refused(Exception):
    """A request answered with an error: status and message."""

    def __init__(self, status: int, message: str, **headers):
        super().__init__(message)
        self.status, self.headers = status, headers


def _caller(write: bool) -> api_tokens.Token:
    verifier: api_tokens.Verifier = current_app.extensions["pa_api_tokens"]
    try:
        token = verifier.verify(request.headers.get("Authorization"), request.remote_addr or "?")
    except api_tokens.Invalid as exc:
        if exc.retry_after:
            raise Refused(429, str(exc), **{"Retry-After": str(int(exc.retry_after) + 1)}) from None
        raise Refused(401, str(exc), **{"WWW-Authenticate": 'Bearer realm="runs"'}) from None
    if write and token.scope != api_tokens.ADMIN:
        raise Refused(403, f"the token {token.name!r} may only read")
    return token


def _run_or_404(cur, run_id: int) -> dict:
    found = runs.get(cur, run_id)
    if found is None:
        raise Refused(404, f"no run {run_id}")
    return found


def _shown(run: dict) -> dict:
    out = runs.as_json(run)
    out["url"] = f"/api/runs/{run['run_id']}"
    return out


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Refused(400, 'send a JSON object, e.g. {"mode": "incremental"} (Content-Type: application/json)')
    extra = set(body) - {"mode", "start", "end", "engine"}
    if extra:
        raise Refused(400, f"unknown field(s) {', '.join(sorted(map(repr, extra)))[:200]}: mode, start, end, "
                           f"engine only")
    return body


def _worker_ready() -> None:
    if not background.scheduler_running():
        raise Refused(503, "no worker executes runs in this process: its scheduler is off (PA_SCHEDULER_ENABLED=0) "
                           "or runs in another process; a queued run would wait forever")


def _queued(run_id: int, ahead: int):
    return jsonify(run_id=run_id, status="queued", ahead=ahead, url=f"/api/runs/{run_id}"), 202


@api.post("/runs")
def ask_for_run():
    token = _caller(write=True)
    body = _body()
    mode = body.get("mode", "incremental")
    if mode not in runs.MODES:
        raise Refused(400, f"mode must be one of {', '.join(runs.MODES)}; got {str(mode)[:40]!r}")
    start = end = None
    if mode == "backfill":
        if not body.get("start") or not body.get("end"):
            raise Refused(400, 'a backfill needs "start" and "end" (YYYY-MM-DD)')
        checked = validate_backfill(body.get("start"), body.get("end"), lake_span(load_settings()))
        if isinstance(checked, str):
            raise Refused(400, checked)
        start, end = checked
    elif body.get("start") is not None or body.get("end") is not None:
        raise Refused(400, f"start and end are for a backfill; a {mode} run takes none")
    engine = body.get("engine")
    if engine is not None and (mode == "dq" or engine not in runs.ENGINES):
        raise Refused(400, f"engine must be one of {', '.join(runs.ENGINES)} for a load (a dq run takes none); "
                           f"got {str(engine)[:40]!r}")
    _worker_ready()
    with warehouse.cursor() as cur:
        run_id, ahead = run_queue.request(cur, mode, f"{token.name} (api)", start, end, engine)
    return _queued(run_id, ahead)


@api.get("/runs")
def list_runs():
    _caller(write=False)
    raw = request.args.get("limit", "20")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise Refused(400, f"limit must be a whole number from 1 to {MAX_LIMIT}; got {raw[:20]!r}")
    with warehouse.cursor() as cur:
        return jsonify(runs=[_shown(r) for r in runs.recent(cur, int(raw))])


@api.get("/runs/<int:run_id>")
def one_run(run_id: int):
    _caller(write=False)
    with warehouse.cursor() as cur:
        return jsonify(_shown(_run_or_404(cur, run_id)))


@api.post("/runs/<int:run_id>/cancel")
def cancel_run(run_id: int):
    token = _caller(write=True)
    with warehouse.cursor() as cur:
        run = _run_or_404(cur, run_id)
        if not runs.cancel(cur, run_id, f"{token.name} (api)"):
            raise Refused(409, f"run {run_id} is {run['status']}: only a queued run can be cancelled")
        return jsonify(_shown(_run_or_404(cur, run_id)))


@api.post("/runs/<int:run_id>/retry")
def retry_run(run_id: int):
    token = _caller(write=True)
    _worker_ready()
    with warehouse.cursor() as cur:
        run = _run_or_404(cur, run_id)
        try:
            new_id, ahead = run_queue.retry(cur, run, f"{token.name} (api)")
        except ValueError as exc:
            raise Refused(409, str(exc)) from None
    return _queued(new_id, ahead)


@api.get("/status")
def pipeline_status():
    _caller(write=False)
    settings = load_settings()
    with warehouse.cursor() as cur:
        s = status.collect(cur, settings.lake_dir)
    return jsonify(status.as_json(s))


@api.route("/<path:_rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_here(_rest: str):
    """Anything else under /api/: a JSON 404, not the dashboard's page (Dash answers every other path)."""
    raise Refused(404, f"{request.method} {request.path}: no such endpoint (see the README's Runs API)")


@api.errorhandler(Refused)
def refused(exc: Refused):
    return Response(json.dumps({"error": str(exc)}), status=exc.status, mimetype="application/json",
                    headers=exc.headers)


@api.errorhandler(405)
def wrong_method(exc):
    return Response(json.dumps({"error": f"{request.method} {request.path}: {exc.description}"}), status=405,
                    mimetype="application/json")


def configure_tokens(server: Flask, admin_tokens: str, read_tokens: str = "") -> None:
    """The tokens the API accepts (PA_API_TOKENS, PA_API_READ_TOKENS; tests change them on a running app);
    ValueError naming a bad entry."""
    server.extensions["pa_api_tokens"] = api_tokens.Verifier(api_tokens.parse(admin_tokens, read_tokens))


def install(server: Flask, admin_tokens: str, read_tokens: str) -> None:
    """The API on `server` with the configured tokens (ValueError naming a bad entry)."""
    configure_tokens(server, admin_tokens, read_tokens)
    server.register_blueprint(api)
