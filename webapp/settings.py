"""The web app's settings: logins, sessions, limits, health details and how gunicorn serves it (store/settings.py
holds the rest)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from store.settings import load, setting

MIN_SECRET_KEY_BYTES = 32


@dataclass(frozen=True)
class WebSettings:
    admin_users: str = setting("PA_ADMIN_USERS", "", "Admins, as name:password-hash pairs separated by commas (hash with `python -m webapp hash-password`). With no users at all, the first start creates an admin (see Security).")
    analyst_users: str = setting("PA_ANALYST_USERS", "", "Analysts, same format.")
    anonymous_access: int = setting("PA_ANONYMOUS_ACCESS", 0, "1 lets visitors who are not logged in see the dashboards (read-only, never the admin page); 0 asks everyone to log in.")
    secret_key: str = setting("PA_SECRET_KEY", "", f"Signs session cookies: at least {MIN_SECRET_KEY_BYTES} bytes (a shorter one stops the app at start); empty: a random key per process, with a warning (local use only).")
    cookie_secure: int = setting("PA_COOKIE_SECURE", 0, "1 marks the session cookie Secure and sends HSTS (serve the app over HTTPS).")
    session_idle_minutes: int = setting("PA_SESSION_IDLE_MINUTES", 60, "A session unused this long ends (the user logs in again).")
    session_max_hours: int = setting("PA_SESSION_MAX_HOURS", 12, "A session ends this long after its login, however active.")
    api_tokens: str = setting("PA_API_TOKENS", "", "Runs API tokens with admin scope (ask for, cancel, retry and read runs), as name:hash pairs separated by commas (`python -m webapp new-api-token NAME` makes one); empty: the API refuses everyone.")
    api_read_tokens: str = setting("PA_API_READ_TOKENS", "", "Runs API tokens that may only read runs and status, same format.")
    health_token: str = setting("PA_HEALTH_TOKEN", "", "A bearer token that gets /healthz and /readyz details (runs, queue, errors) without an admin session; empty: admins only.")
    max_body_kb: int = setting("PA_MAX_BODY_KB", 256, "The largest request body accepted, in KiB (larger: 413, never read).")
    cache_mb: int = setting("PA_CACHE_MB", 256, "Memory for cached query results and drawn panels, in MiB (least recently used dropped first).")
    computations_per_client: int = setting("PA_COMPUTATIONS_PER_CLIENT", 4, "Panel computations one client (a user, or an anonymous address) may have in flight (waiting or running); one more: 429 at once.")
    warmup_seconds: int = setting("PA_WARMUP_SECONDS", 60, "After a restart, how long the panels viewed before it may take to be drawn again before /readyz says ready; 0: none.")
    computations: int = setting("PA_COMPUTATIONS", 2, "Panels computed at once in the process (cache misses); the rest wait up to 10 s, then 503.")
    proxy_hops: int = setting("PA_PROXY_HOPS", 0, "Reverse proxies in front that set X-Forwarded-For/-Proto/-Host (1 behind one); 0 trusts no such header.")
    bind: str = setting("PA_BIND", "127.0.0.1:8050", "Address gunicorn listens on (host:port); the image sets 0.0.0.0:8050.")
    threads: int = setting("PA_THREADS", 8, "Request threads of the one gunicorn worker process.")


def load_web_settings(environ: Mapping[str, str] | None = None) -> WebSettings:
    return load(WebSettings, environ)


def check(settings: WebSettings) -> None:
    """ValueError naming the setting that cannot be served safely."""
    key = settings.secret_key
    if key and len(key.encode()) < MIN_SECRET_KEY_BYTES:
        raise ValueError(f"PA_SECRET_KEY is {len(key.encode())} bytes; use at least {MIN_SECRET_KEY_BYTES} "
                         "(python -c 'import secrets; print(secrets.token_hex(32))')")
    if settings.proxy_hops < 0:
        raise ValueError("PA_PROXY_HOPS must be 0 or more")
    for name in ("session_idle_minutes", "session_max_hours", "max_body_kb", "cache_mb", "computations",
                 "computations_per_client"):
        if getattr(settings, name) < 1:
            raise ValueError(f"{_env(name)} must be at least 1")


def _env(name: str) -> str:
    return WebSettings.__dataclass_fields__[name].metadata["env"]
