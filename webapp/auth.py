"""Who may do what, checked on the server for every request before anything else runs.

- Users and roles come from the current configuration (webapp/users.py), never from the cookie: analysts see the
  dashboards, admins also /admin. Dashboards need a login unless PA_ANONYMOUS_ACCESS=1 (anonymous visitors then
  read them; never the admin page).
- A login opens a server-side session (webapp/sessions.py); the signed cookie holds its random token only. Logout
  (a POST), a password or role change and a removal end sessions at once; idle and absolute timeouts end them too.
- The login form carries a CSRF token bound to the browser's cookie; so does the logout form. A POST whose Origin
  (or Sec-Fetch-Site) names another site is refused. Failed logins are throttled (webapp/login_throttle.py);
  an unknown user costs the same password check as a known one.
- Every request body is capped (PA_MAX_BODY_KB, 413) before it is read, and read only once the request may be
  served; a Dash callback request must fit the schema of webapp/callback_inputs.py (400), and one writing an
  admin-* component is refused (403) unless the session is an admin's, however the request was made.
- Open to anyone: exactly /login, /logout, /healthz, /readyz (status only; details for admins or a token),
  /_favicon.ico and the files of assets/.
"""

from __future__ import annotations

import hmac
import html
import json
import logging
import secrets
import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Callable
from urllib.parse import quote, urlparse

from flask import Flask, Response, g, redirect, request, session
from werkzeug.security import check_password_hash, generate_password_hash

from store.settings import load_settings
from webapp import callback_inputs, login_throttle
from webapp.sessions import SessionStore, store_path
from webapp.settings import WebSettings
from webapp.users import ADMIN, ANALYST, Directory, User  # noqa: F401  (ANALYST: for callers configuring users)

log = logging.getLogger(__name__)

ADMIN_ID_PREFIX = "admin-"  # every component an admin callback writes has an id starting with this
OPEN_PATHS = frozenset({"/login", "/logout", "/healthz", "/readyz", "/_favicon.ico"})
ASSETS = Path(__file__).parent / "assets"
CALLBACK_PATH = "/_dash-update-component"
PASSWORD_CHECKS_AT_ONCE = 2  # each scrypt check takes ~100 ms of CPU and 32 MB: more wait (then 503)
MAX_NAME, MAX_PASSWORD = 200, 1024
MAX_NEXT = 4000  # the page to go back to after login: a path and its query string

_password_checks = threading.BoundedSemaphore(PASSWORD_CHECKS_AT_ONCE)
_dummy_hash = generate_password_hash(secrets.token_hex(16))  # checked for unknown names: the same work


@dataclass
class Access:
    """This server's access configuration (server.extensions["pa_access"])."""

    directory: Directory
    anonymous: bool
    idle_seconds: float
    max_seconds: float
    health_token: str = ""
    callbacks: Callable[[], dict] = dict  # the Dash app's callback_map, for the request schema
    _stores: dict | None = None

    def sessions(self) -> SessionStore:
        """The session store of the current data folder (tests move it between apps)."""
        path = store_path(load_settings().data_dir)
        self._stores = self._stores if self._stores is not None else {}
        if path not in self._stores:
            self._stores[path] = SessionStore(path, self.idle_seconds, self.max_seconds)
        return self._stores[path]


def _access() -> Access:
    from flask import current_app

    return current_app.extensions["pa_access"]


def configure_users(server: Flask, users: dict[str, User], anonymous: bool | None = None) -> None:
    """Who may log in (tests change them on a running app); `anonymous` changes PA_ANONYMOUS_ACCESS too."""
    access: Access = server.extensions["pa_access"]
    access.directory = Directory(users)
    if anonymous is not None:
        access.anonymous = anonymous


# who is asking --------------------------------------------------------------------------------------------------

def _resolve() -> User | None:
    """The user of this request's session, as the configuration has them now; None for anyone else."""
    token = session.get("sid")
    if not token:
        return None
    access = _access()
    found = access.sessions().valid(token)
    user = access.directory.get(found.user_name) if found else None
    if user is None or not hmac.compare_digest(user.stamp, found.user_stamp):
        session.pop("sid", None)  # ended (logout, timeout, a change of password or role, removal)
        return None
    return user


def current() -> User | None:
    if "user" not in g:
        g.user = _resolve()
    return g.user


def current_user() -> str | None:
    user = current()
    return user.name if user else None


def is_admin() -> bool:
    user = current()
    return user is not None and user.role == ADMIN


def anonymous_allowed() -> bool:
    return _access().anonymous


def health_token() -> str:
    return _access().health_token


def csrf_token() -> str:
    """The token forms of this browser must send back (kept in its signed cookie)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def _csrf_ok() -> bool:
    sent, kept = request.form.get("csrf_token", ""), session.get("csrf", "")
    return bool(sent and kept) and hmac.compare_digest(sent, kept)


# the guard --------------------------------------------------------------------------------------------------------

def _error(status: int, message: str, **headers) -> Response:
    return Response(json.dumps({"error": message}), status=status, mimetype="application/json", headers=headers)


def _cross_site() -> bool:
    """A state-changing request sent by a page of another site (the browser says so)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    origin = request.headers.get("Origin")
    if origin and origin != "null" and urlparse(origin).netloc != request.host:
        return True
    return origin == "null" or request.headers.get("Sec-Fetch-Site") == "cross-site"


def _open_path(path: str) -> bool:
    if path in OPEN_PATHS or path.startswith("/api/"):  # the runs API checks its own bearer tokens
        return True
    if not path.startswith("/assets/"):
        return False
    name = path[len("/assets/"):]
    if not name or name.startswith("/") or "//" in name or "\\" in name or ".." in name.split("/"):
        return False
    return (ASSETS / name).is_file()


def _admin_outputs(payload: dict) -> bool:
    outputs = payload.get("outputs") or []
    outputs = outputs if isinstance(outputs, list) else [outputs]
    ids = [o.get("id") for o in outputs if isinstance(o, dict)]
    text = payload.get("output") if isinstance(payload.get("output"), str) else ""
    return any((isinstance(i, str) and i.startswith(ADMIN_ID_PREFIX))
               or (isinstance(i, dict) and str(i.get("type", "")).startswith(ADMIN_ID_PREFIX)) for i in ids) \
        or f"..{ADMIN_ID_PREFIX}" in f"..{text}"


def _guard():
    path = request.path
    if _cross_site():
        log.warning("refused a cross-site %s %s from %s", request.method, path, request.remote_addr)
        return _error(403, "cross-site request refused")
    limit = request.max_content_length
    if limit is not None and (request.content_length or 0) > limit:
        return _error(413, f"the request body is over {limit // 1024} KiB")
    user = current()
    if _open_path(path):
        return None
    if user is None and not anonymous_allowed():
        if request.method == "GET" and not path.startswith("/_dash"):  # back to this view, filters and all
            return redirect(f"/login?next={quote(request.full_path.rstrip('?'), safe='/')}")
        return _error(401, "log in first")
    if path == CALLBACK_PATH and request.method == "POST":
        return _check_callback()
    return None


def _check_callback():
    payload = request.get_json(silent=True)
    if isinstance(payload, dict) and _admin_outputs(payload) and not is_admin():
        log.warning("refused an admin callback from %s (%s)", current_user() or "anonymous", request.remote_addr)
        return _error(403, "admins only")
    if payload is None:
        return _error(400, "a callback request is a JSON object (Content-Type: application/json)")
    try:
        callback_inputs.check_request(payload, _access().callbacks())
    except callback_inputs.Invalid as exc:
        log.info("refused a callback request from %s (%s): %s", current_user() or "anonymous", request.remote_addr,
                 exc)
        return _error(400, str(exc))
    return None


# the pages --------------------------------------------------------------------------------------------------------

def _page(title: str, body: str) -> str:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} - Product analytics</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/bootstrap.min.css"><link rel="stylesheet" href="/assets/style.css"></head>
<body><main class="container" style="max-width: 380px; margin-top: 12vh">
<h1 class="h4 mb-3">Product analytics</h1>{body}</main></body></html>"""


def _login_page(message: str = "", next_path: str = "/") -> str:
    note = f'<div class="alert alert-danger py-2" id="login-error">{html.escape(message)}</div>' if message else ""
    return _page("Log in", f"""{note}
<form method="post" action="/login" id="login-form">
<input type="hidden" name="csrf_token" value="{html.escape(csrf_token())}">
<input type="hidden" name="next" value="{html.escape(next_path)}">
<div class="mb-2"><label class="form-label small" for="username">User</label>
<input class="form-control" id="username" name="username" autocomplete="username" required autofocus
 maxlength="{MAX_NAME}"></div>
<div class="mb-3"><label class="form-label small" for="password">Password</label>
<input class="form-control" id="password" name="password" type="password" autocomplete="current-password" required
 maxlength="{MAX_PASSWORD}"></div><button class="btn btn-primary w-100" type="submit" id="login-submit">Log in</button>
</form>""")


def _logout_page() -> str:
    return _page("Log out", f"""<p>Log out of this browser?</p>
<form method="post" action="/logout" id="logout-form">
<input type="hidden" name="csrf_token" value="{html.escape(csrf_token())}">
<button class="btn btn-primary w-100" type="submit" id="logout-submit">Log out</button></form>""")


def _safe_next(value: str | None) -> str:
    r"""Only a path on this site (no scheme, no host) may be the page after login, its query string kept
    (`/growth?platforms=threads&range=90d`). Refused for "/": another host (`//evil`, `https://evil`, `/\evil`, which
    browsers read as `//evil`) and any space or control character (browsers drop tabs and newlines, so `/\t/evil`
    would be `//evil`; a CR or LF cannot go in a Location header)."""
    ok = (isinstance(value, str) and len(value) <= MAX_NEXT and value.startswith("/") and not value.startswith("//")
          and not any(c == "\\" or c <= " " or c == "\x7f" for c in value) and not urlparse(value).netloc)
    return value if ok else "/"


def _check_password(user: User | None, password: str) -> bool | None:
    """Whether the password is the user's (None: too many checks waiting, try later); an unknown user costs the
    same check."""
    if not _password_checks.acquire(timeout=10):
        return None
    try:
        matches = check_password_hash(user.password_hash if user else _dummy_hash, password)
    finally:
        _password_checks.release()
    return matches and user is not None


def _log_in():
    name, password = request.form.get("username", "")[:MAX_NAME], request.form.get("password", "")
    next_path = _safe_next(request.form.get("next"))
    if not _csrf_ok():
        session.pop("csrf", None)
        log.warning("login form without a valid CSRF token from %s", request.remote_addr)
        return _login_page("The form had expired or came from another page: log in again.", next_path), 400
    client = request.remote_addr or ""
    wait = login_throttle.locked_for(name, client)
    if wait > 0:
        minutes = max(1, round(wait / 60))
        log.warning("login for %r from %s refused: locked after repeated failures", name, client)
        return _login_page(f"Too many failed logins: try again in {minutes} minute{'s' if minutes > 1 else ''}.",
                           next_path), 429, {"Retry-After": str(int(wait) + 1)}
    user = _access().directory.get(name)
    matches = _check_password(user, password[:MAX_PASSWORD])
    if matches is None:
        return _login_page("The server is busy: try again in a moment.", next_path), 503, {"Retry-After": "5"}
    if not matches:
        login_throttle.failed(name, client)
        log.warning("failed login for %r from %s", name, client)
        return _login_page("Wrong user or password.", next_path), 401
    login_throttle.succeeded(name)
    store = _access().sessions()
    store.revoke(session.get("sid"))
    session.clear()  # a new cookie: nothing from before the login carries over (no fixation)
    session.permanent = True
    session["sid"] = store.open(user.name, user.stamp, client)
    csrf_token()
    log.info("%s %r logged in from %s", user.role, user.name, client)
    return redirect(next_path)


def _log_out():
    if request.method == "GET":
        return _logout_page() if current() else redirect("/login")
    if not _csrf_ok():
        return _page("Log out", '<div class="alert alert-danger py-2">The form had expired: '
                                '<a href="/logout">try again</a>.</div>'), 400
    _access().sessions().revoke(session.get("sid"))
    session.clear()
    return redirect("/login")


def install(server: Flask, settings: WebSettings, directory: Directory, callbacks: Callable[[], dict]) -> None:
    """Access control on `server`: the guard before every request, /login and /logout."""
    server.secret_key = settings.secret_key or secrets.token_hex(32)
    if not settings.secret_key:
        log.warning("PA_SECRET_KEY is not set: sessions are signed with a random key and end when the app "
                    "restarts (for local use only; set it in production)")
    server.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                         SESSION_COOKIE_SECURE=bool(settings.cookie_secure),
                         PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_max_hours),
                         SESSION_REFRESH_EACH_REQUEST=False,  # the server's record times the session out
                         MAX_CONTENT_LENGTH=settings.max_body_kb * 1024,
                         MAX_FORM_MEMORY_SIZE=settings.max_body_kb * 1024)
    server.extensions["pa_access"] = Access(directory, bool(settings.anonymous_access),
                                            settings.session_idle_minutes * 60, settings.session_max_hours * 3600,
                                            settings.health_token, callbacks)
    log.info("access: %s", "anonymous visitors may read the dashboards (PA_ANONYMOUS_ACCESS=1)"
             if settings.anonymous_access else "logging in is required")
    server.before_request(_guard)
    server.add_url_rule("/login", "login", lambda: _login_page(next_path=_safe_next(request.args.get("next")))
                        if request.method == "GET" else _log_in(), methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", _log_out, methods=["GET", "POST"])
