"""Engagement: the engagement-score distribution by segment, and how concentrated activity is (Pareto)."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from analytics import panels
from webapp.components import cards, figures, ids
from webapp.pages._common import filters_from, graph, heading, rendered

dash.register_page(__name__, path="/engagement", name="Engagement", order=6,
                   title="Engagement - Product analytics")

ID = ids.prefixed("engagement")
DISTRIBUTION = ID("distribution")
PARETO = ID("pareto")


def layout(**_query):
    return html.Div([
        heading("Engagement", "How engaged people are in the range, by segment, and how much the most active do.",
                "engagement"),
        dbc.Row([
            dbc.Col(cards.card(DISTRIBUTION, "Engagement score by segment",
                               graph(ID("distribution-graph")),
                               subtitle="60 x share of days active + 40 x log-scaled events per 28 days",
                               definition="engagement-score"), lg=7),
            dbc.Col(cards.card(PARETO, "Share of events from the most active",
                               graph(ID("pareto-graph")),
                               subtitle="Cumulative share of events by percentile of users",
                               definition="concentration-of-events"), lg=5),
        ]),
    ])


@callback(Output(ID("distribution-graph"), "figure"), Output(ID("pareto-graph"), "figure"),
          Input(ids.FILTERS, "data"))
@rendered
def update(data):
    f = filters_from(data)
    return figures.engagement_distribution(panels.engagement_distribution(f)), figures.pareto(panels.pareto(f))
