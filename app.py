"""The entry point: builds the Dash app (pages from webapp/pages, assets from webapp/assets), puts the shell on it
(webapp/shell.py: navbar from the page registry, filter bar, page container; cache, access control, health) and
exposes `server` for gunicorn. Everything else lives in the packages: store <- pipeline <- analytics <- webapp."""

from __future__ import annotations

import sys

from dash import Dash

import webapp
from webapp import background, shell

app = Dash(
    webapp.__name__,  # the package: Dash finds webapp/pages and webapp/assets beside it
    use_pages=True,
    title="Product analytics",
    suppress_callback_exceptions=True,
    serve_locally=True,
    update_title=None,
)
server = app.server
try:
    shell.install(app)
except ValueError as exc:  # a setting that cannot be served safely: one line saying which
    sys.exit(f"error: {exc}")

if __name__ == "__main__":
    background.start(server)
    try:
        app.run(debug=False)
    finally:
        background.stop()
