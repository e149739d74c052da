"""Funnel: view -> like -> comment -> share -> create, each step after the previous one within the range."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from analytics import panels

from webapp.components import cards, figures, ids
from webapp.pages._common import filters_from, graph, heading, rendered

dash.register_page(__name__, path="/funnel", name="Funnel", order=2, title="Funnel - Product analytics")

ID = ids.prefixed("funnel")
FUNNEL = ID("steps")


def step_table(frame) -> dbc.Table:
    rows = [html.Tr([html.Td(r.event_type.capitalize()), html.Td(f"{r.users:,}"),
                     html.Td("" if r.from_previous is None or r.from_previous != r.from_previous
                             else f"{r.from_previous:.1%}"),
                     html.Td("" if r.from_first is None or r.from_first != r.from_first else f"{r.from_first:.1%}"),
                     html.Td("" if i == 0 else f"{frame['users'].iloc[i - 1] - r.users:,}")])
            for i, r in enumerate(frame.itertuples())]
    return dbc.Table([html.Thead(html.Tr([html.Th(h) for h in ("Step", "Users", "From previous", "From first",
                                                                 "Dropped")])),
                      html.Tbody(rows)], size="sm", hover=True, className="mb-0 mt-2")


def layout(**_query):
    return html.Div([
        heading("Funnel", "Users reaching each step, counted when it happens after their previous step.", "funnel"),
        cards.card(FUNNEL, "Engagement funnel",
                   html.Div([graph(ID("graph")), html.Div(id=ID("table"))]),
                   subtitle="Conversion from the previous step and from the first, with the drop-off",
                   definition="engagement-funnel"),
    ])


@callback(Output(ID("graph"), "figure"), Output(ID("table"), "children"), Input(ids.FILTERS, "data"))
@rendered
def update(data):
    frame = panels.funnel(filters_from(data))
    return figures.funnel(frame), step_table(frame) if frame["users"].any() else None
