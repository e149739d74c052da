"""Growth accounting: new, retained, resurrected and churned users, with the Quick Ratio."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, html

from analytics import catalog, panels
from webapp import callback_inputs
from analytics.filters import NO_BREAKDOWN
from webapp.components import breakdown_figures, cards, figures, ids
from webapp.pages._common import annotated, at_risk_link, filters_from, graph, heading, rendered, restated

dash.register_page(__name__, path="/growth", name="Growth", order=4, title="Growth - Product analytics")

ID = ids.prefixed("growth")
GROWTH = ID("accounting")
GRAINS = catalog.panel(GROWTH).options
callback_inputs.declare(ID("grain"), "value", callback_inputs.one_of(*GRAINS))


def quick_ratio_text(frame: pd.DataFrame) -> str:
    """The Quick Ratio over the complete periods of the range, saying how many partial ones were left out."""
    partial = int((~frame["is_complete"].astype(bool)).sum())
    left_out = f" ({partial} partial period{'s' if partial != 1 else ''} left out)" if partial else ""
    ratio = panels.quick_ratio(frame)
    if ratio is None:
        return f"Quick Ratio over the complete periods: n/a (nobody churned){left_out}"
    return f"Quick Ratio over the complete periods: {ratio:.2f}{left_out}"


def layout(**_query):
    grain = dbc.RadioItems(id=ID("grain"), options=[{"label": g.capitalize(), "value": g} for g in GRAINS], value="week", inline=True,
                           className="btn-group", inputClassName="btn-check",
                           labelClassName="btn btn-sm btn-outline-secondary", labelCheckedClassName="active")
    return html.Div([
        heading("Growth", "Where active users come from and where they go: (new + resurrected) / churned is the "
                          "Quick Ratio.", "growth"),
        cards.card(GROWTH, "Growth accounting",
                   html.Div([graph(ID("graph")),
                             html.Div([html.Span(id=ID("quick-ratio")), cards.definition_link("quick-ratio")],
                                      className="small text-muted")]),
                   subtitle="New, retained and resurrected above zero, churned below; hatched: partial period",
                   tools=grain, option="week", definition="growth-accounting"),
        at_risk_link("growth"),
    ])


@callback(Output(ids.panel_option(GROWTH), "data"), Input(ID("grain"), "value"))
def remember_grain(grain):
    return grain


@callback(Output(ID("graph"), "figure"), Output(ID("quick-ratio"), "children"),
          Input(ids.FILTERS, "data"), Input(ID("grain"), "value"))
def update(data, grain):
    chart, ratio = _drawn(data, grain)
    return annotated(chart, filters_from(data), grain), ratio


@rendered
def _drawn(data, grain):
    f = filters_from(data)
    frame = panels.growth(f, grain)
    chart = (breakdown_figures.growth(panels.growth_breakdown(f, grain), f.breakdown)
             if f.breakdown in panels.GROWTH_BREAKDOWNS else figures.mark_restated(figures.growth(frame, grain),
                                                                                    restated(f), grain))
    note = (f" Broken down by {f.breakdown.replace('_', ' ')}: growth breaks down by platform, segment or age group only."
            if f.breakdown not in (NO_BREAKDOWN, *panels.GROWTH_BREAKDOWNS) else "")
    return chart, (quick_ratio_text(frame) + note) if len(frame) else None
