"""The web app: the shell (navbar, filter bar) and its callbacks, the pages, the components that build their
layout and figures, the cache in front of the panel queries, URL filters, logins and roles, health endpoints and
the background jobs of the serving process. `app.py` builds the Dash app from it."""

from pathlib import Path

from store.sql import SqlFiles

SQL = SqlFiles(Path(__file__).parent / "sql")  # the web app's own queries (health, admin page)
