"""Platforms: the selected apps side by side, and how people use several of them."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from analytics import panels
from webapp.components import cards, figures, ids
from webapp.pages._common import filters_from, graph, heading, rendered

dash.register_page(__name__, path="/platforms", name="Platforms", order=1, title="Platforms - Product analytics")

ID = ids.prefixed("platforms")
COMPARISON = ID("comparison")
APPS = ID("apps")
PAIRS = ID("pairs")


def layout(**_query):
    return html.Div([
        heading("Platforms", "Each selected platform's users, depth of use and stickiness, and cross-platform use.",
                "platforms"),
        cards.card(COMPARISON, "Side by side", graph(ID("comparison-graph")),
                   subtitle="Active users in the range, events per user, average DAU/MAU, share of events",
                   definition="platform-comparison"),
        dbc.Row([
            dbc.Col(cards.card(APPS, "Apps per person", graph(ID("apps-graph")),
                               subtitle="How many of the selected apps each active person used",
                               definition="apps-per-person"), lg=6),
            dbc.Col(cards.card(PAIRS, "Used together", graph(ID("pairs-graph")),
                               subtitle="People active on both apps of each pair", definition="used-together"), lg=6),
        ], className="mt-3"),
    ])


@callback(Output(ID("comparison-graph"), "figure"), Output(ID("apps-graph"), "figure"),
          Output(ID("pairs-graph"), "figure"), Input(ids.FILTERS, "data"))
@rendered
def update(data):
    f = filters_from(data)
    return (figures.platform_comparison(panels.platform_comparison(f)),
            figures.apps_per_user(panels.cross_platform(f)), figures.platform_pairs(panels.pairs(f)))
