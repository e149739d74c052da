"""The Dash app: builds the shell (navbar from the page registry, filter bar, page container), installs access
control, and exposes `server` for gunicorn. Everything else lives in pages/, components/, warehouse/, server/."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import dash
import dash_bootstrap_components as dbc
from dash import Dash, dcc, html

from components import cards, filter_bar, ids  # noqa: F401  (cards and filter_bar register the shell's callbacks)
from pipeline import scheduler
from pipeline.settings import load_settings
from server import auth, health
from warehouse import access
from warehouse.cache import init_cache, publishing

app = Dash(
    __name__,
    use_pages=True,
    title="Product analytics",
    suppress_callback_exceptions=True,
    serve_locally=True,
    update_title=None,
)
server = app.server
init_cache(server)
auth.install(server, load_settings())
health.install(server)


def navbar() -> dbc.Navbar:
    """Links from the page registry; Admin only for admins; the user and a way out when logins are on."""
    pages = [p for p in dash.page_registry.values() if p.get("nav", True)]
    links = [dbc.NavItem(dbc.NavLink(p["name"], href=p["relative_path"], id=ids.nav_link(p["relative_path"]),
                                     active="exact")) for p in pages]
    if auth.is_admin():
        links.append(dbc.NavItem(dbc.NavLink([html.I(className="bi bi-gear me-1"), "Admin"], href="/admin",
                                             active="exact", id="nav-admin")))
    user = auth.current_user()
    if user:
        links.append(dbc.NavItem(dbc.NavLink([html.I(className="bi bi-person me-1"), f"{user} · log out"],
                                             href="/logout", external_link=True, id="nav-logout")))
    return dbc.Navbar(dbc.Container([
        dbc.NavbarBrand([html.I(className="bi bi-bar-chart-line me-2"), "Product analytics"], href="/"),
        dbc.Nav(links, navbar=True, className="flex-wrap"),
    ], fluid=True), color="white", dark=False, className="pa-navbar mb-3")


def layout() -> html.Div:
    """Built per page load, so the navbar matches who is logged in."""
    return html.Div([
        dcc.Location(id=ids.URL, refresh="callback-nav"),
        dcc.Store(id=ids.FILTERS),
        dcc.Store(id=ids.URL_WRITER),
        navbar(),
        dbc.Container([filter_bar.layout(), html.Div(dash.page_container, className="mt-3")], fluid=True,
                      className="pb-4"),
    ])


app.layout = layout


@contextmanager
def _publishing_run() -> Iterator[None]:
    """Around each scheduled run: dashboards serve the data from before it until the recently viewed panels are
    drawn on the new data (warehouse/cache.py)."""
    with server.app_context(), publishing(stop=scheduler.stopping):
        yield


def start_background_jobs() -> bool:
    """Start the scheduler in this process (once per data folder); called by the server process, not at import."""
    return scheduler.start(load_settings(), access.cursor, around_run=_publishing_run)


def stop_background_jobs() -> None:
    """On shutdown: stop taking work, interrupt a running ETL (it rolls back and is recorded as failed), close
    the warehouse cleanly."""
    scheduler.stop(wait=True, interrupt=True)
    access.close()


if __name__ == "__main__":
    start_background_jobs()
    try:
        app.run(debug=False)
    finally:
        stop_background_jobs()
