"""The app shell: the navbar (from the page registry; Admin for admins; who is logged in), the filter bar and the
page container, built per page load; and `install`, which puts the cache, access control and health endpoints on
the Dash app that `app.py` builds."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Dash, dcc, html

from webapp import auth, cache, health, shell_callbacks  # noqa: F401  (shell_callbacks: the shell's callbacks)
from webapp.components import filter_bar, ids
from webapp.settings import load_web_settings


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


def install(app: Dash) -> None:
    """The shell as the app's layout, the cache in front of the panel queries, logins and roles, health checks."""
    app.layout = layout
    cache.install(app.server)
    auth.install(app.server, load_web_settings())
    health.install(app.server)
