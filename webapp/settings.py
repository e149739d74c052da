"""The web app's settings: logins, cookies and how gunicorn serves it (store/settings.py holds the rest)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from store.settings import load, setting


@dataclass(frozen=True)
class WebSettings:
    admin_users: str = setting("PA_ADMIN_USERS", "", "Admins, as name:password-hash pairs separated by commas (hash with `python -m webapp hash-password`).")
    analyst_users: str = setting("PA_ANALYST_USERS", "", "Analysts, same format. With no users at all, dashboards are open and the admin page is disabled.")
    secret_key: str = setting("PA_SECRET_KEY", "", "Signs session cookies; set it in production (empty: a random key per process, sessions end on restart).")
    cookie_secure: int = setting("PA_COOKIE_SECURE", 0, "1 marks the session cookie Secure (serve the app over HTTPS).")
    bind: str = setting("PA_BIND", "0.0.0.0:8050", "Address gunicorn listens on (host:port).")
    threads: int = setting("PA_THREADS", 8, "Request threads of the one gunicorn worker process.")


def load_web_settings(environ: Mapping[str, str] | None = None) -> WebSettings:
    return load(WebSettings, environ)
