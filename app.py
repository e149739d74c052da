"""The Dash app: builds the shell (navbar from the page registry, filter bar, page container) and exposes `server`
for gunicorn. Everything else lives in pages/, components/ and warehouse/."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Dash, dcc, html

from components import cards, filter_bar, ids  # noqa: F401  (cards and filter_bar register the shell's callbacks)
from warehouse.cache import init_cache

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


def navbar() -> dbc.Navbar:
    links = [dbc.NavItem(dbc.NavLink(page["name"], href=page["relative_path"], id=ids.nav_link(page["relative_path"]),
                                     active="exact"))
             for page in dash.page_registry.values() if page.get("nav", True)]
    return dbc.Navbar(dbc.Container([
        dbc.NavbarBrand([html.I(className="bi bi-bar-chart-line me-2"), "Product analytics"], href="/"),
        dbc.Nav(links, navbar=True, className="flex-wrap"),
    ], fluid=True), color="white", dark=False, className="pa-navbar mb-3")


app.layout = html.Div([
    dcc.Location(id=ids.URL, refresh="callback-nav"),
    dcc.Store(id=ids.FILTERS),
    dcc.Store(id=ids.URL_WRITER),
    navbar(),
    dbc.Container([filter_bar.layout(), html.Div(dash.page_container, className="mt-3")], fluid=True,
                  className="pb-4"),
])

if __name__ == "__main__":
    app.run(debug=False)
