"""Overview (placeholder until the dashboard issue): what the warehouse holds."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from warehouse.queries import query

dash.register_page(__name__, path="/", name="Overview", order=0)

ID = "overview"


def _kpi(label: str, value: str, id_: str) -> dbc.Col:
    return dbc.Col(dbc.Card(dbc.CardBody([html.Div(label, className="pa-kpi-label"),
                                          html.Div(value, className="pa-kpi-value", id=f"{ID}-{id_}")]),
                            className="pa-kpi"), md=3)


def layout(**_query) -> html.Div:
    row = query("warehouse_summary").iloc[0]
    if row["events"] == 0:
        return dbc.Alert("The warehouse is empty: generate a lake and load it (`make demo`).", color="info",
                         id=f"{ID}-empty")
    return html.Div([
        html.H4("Overview"),
        html.P(f"Data from {row['first_day']:%Y-%m-%d} through {row['last_day']:%Y-%m-%d}; "
               f"last ETL run {row['last_run_status']}.", id=f"{ID}-span"),
        dbc.Row([_kpi("Events", f"{row['events']:,}", "events"), _kpi("People", f"{row['users']:,}", "users")]),
    ])
