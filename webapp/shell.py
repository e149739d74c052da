"""The app shell: a "Skip to content" link, the navbar (from the page registry; Admin for admins; who is logged in;
collapsed behind a menu button on narrow screens), the filter bar and the page container in the page's main
landmark, built per page load; and `install`, which puts the page language, the cache, access control, request
limits, security headers and health endpoints on the Dash app that `app.py` builds."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, clientside_callback, dcc, html
from werkzeug.middleware.proxy_fix import ProxyFix

from store.settings import load_settings
from store.warehouse import QueryTimeout
from webapp import (auth, cache, card_a11y, compute_slots, health, runs_api, security_headers, shell_callbacks,
                    users)
from webapp.components import filter_bar, ids
from webapp.settings import check, load_web_settings

MAIN = "main-content"  # the page's main landmark: the filter bar and the page, where "Skip to content" lands
SKIP_LINK = "skip-link"
NAV_TOGGLER = "nav-toggler"
NAV_COLLAPSE = "nav-collapse"
LANGUAGE = "en"
CALLBACKS = (shell_callbacks, card_a11y)  # the shell's callbacks, registered by importing them


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
        links.append(dbc.NavItem(html.Form([
            dcc.Input(type="hidden", name="csrf_token", value=auth.csrf_token(), id="nav-logout-csrf"),
            html.Button([html.I(className="bi bi-person me-1"), f"{user} · log out"], type="submit",
                        className="nav-link btn btn-link", id="nav-logout"),
        ], action="/logout", method="post", className="d-inline")))
    else:
        links.append(dbc.NavItem(dbc.NavLink([html.I(className="bi bi-box-arrow-in-right me-1"), "Log in"],
                                             href="/login", external_link=True, id="nav-login")))
    toggler = html.Button(html.Span(className="navbar-toggler-icon"), id=NAV_TOGGLER, type="button",
                          className="navbar-toggler", n_clicks=0,
                          **{"aria-controls": NAV_COLLAPSE, "aria-expanded": "false", "aria-label": "Menu"})
    return dbc.Navbar(dbc.Container([
        dbc.NavbarBrand([html.I(className="bi bi-bar-chart-line me-2"), "Product analytics"], href="/"),
        toggler,
        dbc.Collapse(dbc.Nav(links, navbar=True, className="flex-wrap ms-auto"), id=NAV_COLLAPSE, is_open=False,
                     navbar=True),
    ], fluid=True), color="white", dark=False, expand="lg", className="pa-navbar mb-3")


def layout() -> html.Div:
    """Built per page load, so the navbar matches who is logged in."""
    return html.Div([
        html.A("Skip to content", href=f"#{MAIN}", id=SKIP_LINK, className="visually-hidden-focusable pa-skip-link"),
        dcc.Location(id=ids.URL, refresh="callback-nav"),
        dcc.Store(id=ids.FILTERS),
        dcc.Store(id=ids.URL_WRITER),
        html.Header(navbar()),
        html.Main(dbc.Container([html.Section(filter_bar.layout(), **{"aria-label": "Filters"}),
                                 html.Div(dash.page_container, className="mt-3")], fluid=True, className="pb-4"),
                  id=MAIN, tabIndex="-1"),
    ])


# The menu button (narrow screens) opens and closes the links; moving to another page closes them.
clientside_callback(
    """function(clicks, _pathname, isOpen) {
        const byButton = (window.dash_clientside.callback_context.triggered || [])
            .some(t => t.prop_id === "%s.n_clicks");
        const open = byButton && clicks ? !isOpen : false;
        return [open, String(open)];
    }""" % NAV_TOGGLER,
    Output(NAV_COLLAPSE, "is_open"), Output(NAV_TOGGLER, "aria-expanded"),
    Input(NAV_TOGGLER, "n_clicks"), Input(ids.URL, "pathname"), State(NAV_COLLAPSE, "is_open"),
    prevent_initial_call=True,
)


def _with_language(index: str) -> str:
    """Dash's page template with the page's language on <html> (screen readers pick their voice by it)."""
    return index.replace("<html>", f'<html lang="{LANGUAGE}">', 1)


def install(app: Dash) -> None:
    """The shell as the app's layout, the cache in front of the panel queries, logins and roles, request limits,
    security headers, health checks. ValueError naming a setting that cannot be served safely."""
    settings = load_web_settings()
    check(settings)
    app.index_string = _with_language(app.index_string)
    app.layout = layout
    cache.install(settings.cache_mb)
    compute_slots.configure(settings.computations_per_client, settings.computations)
    directory = users.directory(settings.admin_users, settings.analyst_users, load_settings().data_dir)
    auth.install(app.server, settings, directory, lambda: app.callback_map)
    security_headers.install(app.server, app.csp_hashes, https=bool(settings.cookie_secure))
    health.install(app.server)
    runs_api.install(app.server, settings.api_tokens, settings.api_read_tokens)
    if settings.proxy_hops:  # the clients' own addresses, scheme and host, as the trusted proxies pass them
        hops = settings.proxy_hops
        app.server.wsgi_app = ProxyFix(app.server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.server.register_error_handler(QueryTimeout, lambda exc: ({"error": str(exc)}, 503))
