"""Security headers on every response: a Content-Security-Policy the app's own pages satisfy (scripts from this
host and Dash's inline scripts by hash, nothing fetched from or sent to another host, no framing), nosniff, a
Referrer-Policy, no caching of what a session sees, and HSTS when the app is served over HTTPS
(PA_COOKIE_SECURE=1)."""

from __future__ import annotations

from typing import Callable, Sequence

from flask import Flask, Response, request

STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico")


def content_security_policy(script_hashes: Sequence[str]) -> str:
    """Plotly draws styles inline and exports images as data: and blob: URLs; everything else is this host's."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def install(server: Flask, script_hashes: Callable[[], Sequence[str]], https: bool) -> None:
    """`script_hashes()` gives the CSP hashes of the inline scripts the pages carry (Dash's csp_hashes)."""
    policies: dict[tuple[str, ...], str] = {}

    @server.after_request
    def add_headers(response: Response) -> Response:
        hashes = tuple(script_hashes())
        if hashes not in policies:
            policies[hashes] = content_security_policy(hashes)
        headers = response.headers
        headers["Content-Security-Policy"] = policies[hashes]
        headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Cross-Origin-Resource-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
        if https:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if not request.path.startswith(STATIC_PREFIXES):
            headers["Cache-Control"] = "no-store"
        return response
