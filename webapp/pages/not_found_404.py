"""404: a page that does not exist, with a way back."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from webapp.pages._common import page_title

dash.register_page(__name__, name="Not found", title="Not found - Product analytics", nav=False)


def layout(**_query):
    return html.Div([
        page_title("Page not found", className="mb-2"),
        html.P("There is no page at this address.", className="text-muted"),
        dbc.Button("Go to the overview", href="/", color="primary", id="not-found-home"),
    ], className="py-5", id="not-found")
