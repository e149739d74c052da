"""The Dash app: builds the shell (navbar from the page registry, page container) and exposes `server` for gunicorn."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Dash, html

app = Dash(
    __name__,
    use_pages=True,
    title="Product analytics",
    suppress_callback_exceptions=True,
    serve_locally=True,
    update_title=None,
)
server = app.server


def navbar() -> dbc.Navbar:
    links = [dbc.NavItem(dbc.NavLink(page["name"], href=page["relative_path"], active="exact"))
             for page in dash.page_registry.values() if page.get("nav", True)]
    return dbc.Navbar(
        dbc.Container([dbc.NavbarBrand("Product analytics", href="/"), dbc.Nav(links, navbar=True)], fluid=True),
        color="white", className="pa-navbar mb-3",
    )


app.layout = html.Div([navbar(), dbc.Container(dash.page_container, fluid=True)])

if __name__ == "__main__":
    app.run(debug=False)
