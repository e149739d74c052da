"""Retention: weekly cohorts as a heatmap, and N-day retention."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from analytics import panels
from webapp.components import breakdown_figures, cards, figures, ids
from webapp.pages._common import at_risk_link, filters_from, graph, heading, rendered

dash.register_page(__name__, path="/retention", name="Retention", order=3, title="Retention - Product analytics")

ID = ids.prefixed("retention")
COHORTS = ID("cohorts")
DAYS = ID("days")


def layout(**_query):
    return html.Div([
        heading("Retention", "New users by the week of their first activity on the selected platforms.", "retention"),
        dbc.Row([
            dbc.Col(cards.card(COHORTS, "Weekly cohorts", graph(ID("cohorts-graph")),
                               subtitle="Share of each cohort active N weeks later; … marks weeks not complete",
                               definition="weekly-cohorts"),
                    lg=8),
            dbc.Col(cards.card(DAYS, "N-day retention", graph(ID("days-graph")),
                               subtitle="Active on exactly day N after the first day; n: people old enough",
                               definition="n-day-retention"), lg=4),
        ]),
        at_risk_link("retention"),
    ])


@callback(Output(ID("cohorts-graph"), "figure"), Output(ID("days-graph"), "figure"), Input(ids.FILTERS, "data"))
@rendered
def update(data):
    f = filters_from(data)
    days = (breakdown_figures.retention(panels.retention_days_breakdown(f), f.breakdown)
            if f.breakdown in panels.RETENTION_BREAKDOWNS else figures.retention_curve(panels.retention_days(f)))
    return figures.cohort_heatmap(panels.retention_cohorts(f)), days
