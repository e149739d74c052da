"""Geography: active users by home country on a world map, and the top countries."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from analytics import catalog, panels
from webapp.components import cards, figures, ids
from webapp.components.theme import EMPTY_MESSAGE, NO_DATA_MESSAGE
from webapp.pages._common import filters_from, graph, heading, rendered

dash.register_page(__name__, path="/geography", name="Geography", order=5, title="Geography - Product analytics")

ID = ids.prefixed("geography")
MAP = ID("map")
TOP = catalog.GEOGRAPHY_TOP
# Plotly fetches map geometry from a CDN by default; the app serves it from assets/topojson/.
TOPOJSON_URL = "/assets/topojson/"


def top_countries(frame) -> dbc.Table | None:
    if frame.empty:
        return None
    rows = [html.Tr([html.Td(i), html.Td(r.country_name), html.Td(f"{r.users:,}", className="text-end"),
                     html.Td(f"{r.share:.1%}", className="text-end")])
            for i, r in enumerate(frame.head(TOP).itertuples(), start=1)]
    return dbc.Table([html.Thead(html.Tr([html.Th("#"), html.Th("Country"), html.Th("Users", className="text-end"),
                                          html.Th("Share", className="text-end")])), html.Tbody(rows)],
                     size="sm", hover=True, className="mb-0")


def layout(**_query):
    return html.Div([
        heading("Geography", "Active users by home country (a person who moved counts in both countries).",
                "geography"),
        dbc.Row([
            dbc.Col(cards.card(MAP, "Active users by country", graph(ID("graph"), topojsonURL=TOPOJSON_URL),
                               definition="active-users-by-country"),
                    lg=8),
            dbc.Col(cards.card(ID("top"), f"Top {TOP} countries", html.Div(id=ID("table")),
                               definition="active-users-by-country"), lg=4),
        ]),
    ])



@callback(Output(ID("graph"), "figure"), Output(ID("table"), "children"), Input(ids.FILTERS, "data"))
@rendered
def update(data):
    frame = panels.geography(filters_from(data))
    empty = NO_DATA_MESSAGE if frame.attrs.get("no_data") else EMPTY_MESSAGE
    return figures.choropleth(frame), top_countries(frame) or html.P(empty, className="text-muted")
