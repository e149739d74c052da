"""Who may see what: analysts see the dashboards, admins also /admin. Checked on the server, for every request.

Users come from PA_ADMIN_USERS and PA_ANALYST_USERS (name:hash pairs, werkzeug password hashes). With none set,
the dashboards are open and the admin page is disabled (the log says so), rather than open to everyone.
Sessions are signed with PA_SECRET_KEY; the cookie is HttpOnly and SameSite=Lax (Secure with PA_COOKIE_SECURE=1).
A Dash callback request whose outputs are admin components is refused (403) unless the session is an admin's,
so a direct POST to the callback endpoint cannot start anything either.
"""

from __future__ import annotations

import html
import json
import logging
import secrets
from dataclasses import dataclass
from urllib.parse import urlparse

from flask import Flask, Response, redirect, request, session
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.settings import WebSettings

log = logging.getLogger(__name__)

ADMIN, ANALYST = "admin", "analyst"
ADMIN_ID_PREFIX = "admin-"  # every component an admin callback writes has an id starting with this
OPEN_PATHS = ("/login", "/logout", "/assets/", "/healthz", "/readyz", "/_favicon.ico")


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password_hash: str


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def parse_users(admins: str, analysts: str) -> dict[str, User]:
    """name:hash pairs separated by commas; ValueError naming the entry that is not one."""
    users: dict[str, User] = {}
    for role, text in ((ADMIN, admins), (ANALYST, analysts)):
        for entry in filter(None, (e.strip() for e in (text or "").split(","))):
            name, sep, digest = entry.partition(":")
            if not sep or not name or not digest or "$" not in digest:
                raise ValueError(f"PA_{role.upper()}_USERS: {name or entry[:12]!r} is not name:password-hash "
                                 "(make a hash with `python -m webapp hash-password`)")
            if name in users:
                raise ValueError(f"user {name!r} is listed twice")
            users[name] = User(name, role, digest)
    return users


def _users() -> dict[str, User]:
    from flask import current_app

    return current_app.extensions.get("pa_users", {})


def enabled() -> bool:
    """Whether users are configured (and so logins required, and the admin page available)."""
    return bool(_users())


def current_user() -> str | None:
    return session.get("user") if enabled() else None


def is_admin() -> bool:
    return enabled() and session.get("role") == ADMIN and session.get("user") in _users()


def _admin_outputs(payload: dict) -> bool:
    outputs = payload.get("outputs") or []
    outputs = outputs if isinstance(outputs, list) else [outputs]
    ids = [o.get("id") for o in outputs if isinstance(o, dict)]
    text = payload.get("output") or ""
    return any((isinstance(i, str) and i.startswith(ADMIN_ID_PREFIX))
               or (isinstance(i, dict) and str(i.get("type", "")).startswith(ADMIN_ID_PREFIX)) for i in ids) \
        or f"..{ADMIN_ID_PREFIX}" in f"..{text}"


def _guard():
    path = request.path
    if path.endswith("/_dash-update-component") and request.method == "POST":
        payload = request.get_json(silent=True) or {}
        if _admin_outputs(payload) and not is_admin():
            log.warning("refused an admin callback from %s (%s)", current_user() or "anonymous",
                        request.remote_addr)
            return Response(json.dumps({"error": "admins only"}), status=403, mimetype="application/json")
    if not enabled() or path.startswith(OPEN_PATHS) or session.get("user") in _users():
        return None
    if request.method == "GET" and not path.startswith("/_dash"):
        return redirect(f"/login?next={path}")
    return Response(json.dumps({"error": "log in first"}), status=401, mimetype="application/json")


def _login_page(message: str = "", next_path: str = "/") -> str:
    note = f'<div class="alert alert-danger py-2">{html.escape(message)}</div>' if message else ""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Log in - Product analytics</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/bootstrap.min.css"><link rel="stylesheet" href="/assets/style.css"></head>
<body><main class="container" style="max-width: 380px; margin-top: 12vh">
<h4 class="mb-3">Product analytics</h4>{note}
<form method="post" action="/login" id="login-form">
<input type="hidden" name="next" value="{html.escape(next_path)}">
<div class="mb-2"><label class="form-label small" for="username">User</label>
<input class="form-control" id="username" name="username" autocomplete="username" required autofocus></div>
<div class="mb-3"><label class="form-label small" for="password">Password</label>
<input class="form-control" id="password" name="password" type="password" autocomplete="current-password" required>
</div><button class="btn btn-primary w-100" type="submit" id="login-submit">Log in</button></form></main></body></html>"""


def _safe_next(value: str | None) -> str:
    """Only a path on this site (no scheme, no host) may be the page after login."""
    parsed = urlparse(value or "/")
    return value if value and value.startswith("/") and not value.startswith("//") and not parsed.netloc else "/"


def configure_users(server: Flask, users: dict[str, User]) -> None:
    """Who may log in (install reads them from the settings; tests change them on a running app)."""
    server.extensions["pa_users"] = users


def install(server: Flask, settings: WebSettings) -> None:
    server.secret_key = settings.secret_key or secrets.token_hex(32)
    if not settings.secret_key:
        log.warning("PA_SECRET_KEY is not set: sessions are signed with a random key and end when the app restarts")
    server.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                         SESSION_COOKIE_SECURE=bool(settings.cookie_secure))
    users = parse_users(settings.admin_users, settings.analyst_users)
    configure_users(server, users)
    if not users:
        log.warning("no users configured (PA_ADMIN_USERS, PA_ANALYST_USERS): the dashboards are open and the "
                    "admin page is disabled")
    else:
        roles = {r: sum(1 for u in users.values() if u.role == r) for r in (ADMIN, ANALYST)}
        log.info("access: %d admin(s), %d analyst(s); logging in is required", roles[ADMIN], roles[ANALYST])

    server.before_request(_guard)

    @server.route("/login", methods=["GET", "POST"])
    def login():
        if request.method == "GET":
            return _login_page(next_path=_safe_next(request.args.get("next")))
        name, password = request.form.get("username", ""), request.form.get("password", "")
        user = _users().get(name)
        if user is None or not check_password_hash(user.password_hash, password):
            log.warning("failed login for %r from %s", name, request.remote_addr)
            return _login_page("Wrong user or password.", _safe_next(request.form.get("next"))), 401
        session.clear()
        session["user"], session["role"] = user.name, user.role
        return redirect(_safe_next(request.form.get("next")))

    @server.route("/logout")
    def logout():
        session.clear()
        return redirect("/login" if enabled() else "/")
