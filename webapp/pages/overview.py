"""Overview: DAU with its 7-day average, WAU and MAU, stickiness, and KPIs against the previous period."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, html

from analytics import panels
from webapp import callback_inputs
from analytics.filters import NO_BREAKDOWN
from webapp.components import breakdown_figures, cards, figures, ids
from webapp.pages._common import annotated, filters_from, graph, heading, rendered, restated

dash.register_page(__name__, path="/", name="Overview", order=0, title="Overview - Product analytics")

ID = ids.prefixed("overview")
ACTIVITY = ID("activity")
KPIS = ID("kpis")

KPI_FORMATS = {"Average DAU": "{:,.1f}", "Stickiness (DAU/MAU)": "{:.1%}"}  # counts: "{:,.0f}"


def _change_text(row) -> str:
    if row.change_unit == "points":
        return f"{row.change * 100:+.1f} pp vs previous period"
    return f"{row.change:+.1%} vs previous period"


def kpi_cards(table: pd.DataFrame) -> list:
    """One card per KPI: the value, and its change against the previous period of the same length (percentage points
    for a ratio); "n/a" with why when the data cannot give one; "no data" for a range outside the data."""
    if table.empty:
        return [dbc.Col(html.Div("No data in the selected range", className="text-muted pa-kpi-empty"))]
    out = []
    for row in table.itertuples():
        value = KPI_FORMATS.get(row.kpi, "{:,.0f}").format(row.value) if pd.notna(row.value) else "n/a"
        if row.change is None or pd.isna(row.change):
            delta, tone = (row.note or "no comparison"), "text-muted"
        else:
            arrow = "bi-arrow-up-right" if row.change >= 0 else "bi-arrow-down-right"
            delta = html.Span([html.I(className=f"bi {arrow} me-1"), _change_text(row)])
            tone = "text-success" if row.change >= 0 else "text-danger"
        out.append(dbc.Col(dbc.Card(dbc.CardBody([
            html.Div(row.kpi, className="pa-kpi-label"),
            html.Div(value, className="pa-kpi-value", title=row.note or None),
            html.Div(delta, className=f"small {tone}"),
        ]), className="pa-kpi h-100"), lg=2, md=4, sm=6, className="mb-3"))
    return out


def layout(**_query):
    return html.Div([
        heading("Overview", "Daily, weekly and monthly active users on the selected platforms, segment and age group.",
                "overview"),
        cards.card(KPIS, "Key figures", html.Div(dbc.Row(id=ID("kpi-row")), id=ID("kpi-body")),
                   subtitle="Against the previous period of the same length", definition="key-figures"),
        dbc.Row([
            dbc.Col(cards.card(ACTIVITY, "Active users", graph(ID("activity-graph")),
                               subtitle="DAU with its 7-day average, WAU and MAU; dashed: window before the data",
                               tools=dbc.Switch(id=ID("compare"), label="Compare to previous period", value=False,
                                                className="small mb-0 me-2"),
                               option="none", definition="dau-wau-mau"), lg=8),
            dbc.Col(cards.card(ID("stickiness"), "Stickiness", graph(ID("stickiness-graph")),
                               subtitle="DAU / MAU", definition="stickiness"), lg=4),
        ], className="mt-3"),
    ])



callback_inputs.declare(ID("compare"), "value", callback_inputs.one_of(True, False))


@callback(Output(ids.panel_option(ACTIVITY), "data"), Input(ID("compare"), "value"))
def remember_compare(compare):
    return "previous" if compare else "none"


@callback(Output(ID("activity-graph"), "figure"), Output(ID("stickiness-graph"), "figure"),
          Output(ID("kpi-row"), "children"), Input(ids.FILTERS, "data"), Input(ID("compare"), "value"))
def update(data, compare):
    activity, stickiness, kpis = _drawn(data, compare)
    f = filters_from(data)
    return annotated(activity, f), annotated(stickiness, f), kpis


@rendered
def _drawn(data, compare):
    f = filters_from(data)
    activity = panels.overview_activity_compared(f) if compare else panels.overview_activity(f)
    marks = restated(f)
    trend = (breakdown_figures.activity(panels.activity_breakdown(f), f.breakdown)
             if f.breakdown != NO_BREAKDOWN else figures.activity(activity))
    return (figures.mark_restated(trend, marks),
            figures.mark_restated(figures.stickiness(activity), marks), kpi_cards(panels.kpis(f)))
