"""Funnel: the steps people take in order (view > like > comment > share > create by default), each counted when it
happens after the previous one, within the range or a conversion window from entering; its steps, their order, the
window and a breakdown chosen in the card's header; the time to convert from each step to the next."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, dcc, html

from analytics import catalog, funnel
from webapp import callback_inputs
from webapp.components import cards, funnel_figures, ids
from webapp.pages._common import filters_from, graph, heading, rendered

dash.register_page(__name__, path="/funnel", name="Funnel", order=2, title="Funnel - Product analytics")

ID = ids.prefixed("funnel")
FUNNEL = ID("steps")  # the card's panel id (analytics/catalog.py)
STEPS, WINDOW, BREAKDOWN = ID("step-choice"), ID("window"), ID("breakdown")
WINDOW_BUTTONS = {"range": "Range", "1h": "1 hour", "1d": "1 day", "7d": "7 days"}


def _step_choice(value) -> None:
    """The steps control: none yet, or a list of different funnel event types (the page says when too few)."""
    if value is None:
        return
    if not (isinstance(value, list) and len(value) <= len(funnel.STEP_KEYS) and len(set(map(str, value))) == len(value)
            and all(isinstance(v, str) and v in funnel.STEP_KEYS for v in value)):
        raise callback_inputs.Invalid(f"expected a list of different event types among {', '.join(funnel.STEP_KEYS)}")


callback_inputs.declare(STEPS, "value", _step_choice)
callback_inputs.declare(WINDOW, "value", callback_inputs.one_of(None, *funnel.WINDOWS))
callback_inputs.declare(BREAKDOWN, "value", callback_inputs.one_of(None, *funnel.BREAKDOWNS))


def _percent(value) -> str:
    return "" if value is None or pd.isna(value) else f"{value:.1%}"


def step_table(frame: pd.DataFrame) -> dbc.Table:
    """Every step's numbers, readable however small its bar: people, conversion, drop-off, median time."""
    rows = [html.Tr([html.Td(funnel_figures.step_label(r.event_type)), html.Td(f"{r.users:,}"),
                     html.Td(_percent(r.from_previous)), html.Td(_percent(r.from_first)),
                     html.Td("" if pd.isna(r.dropped) else f"{int(r.dropped):,}"),
                     html.Td(funnel_figures.duration_text(r.median_seconds))])
            for r in frame.itertuples()]
    median = html.Span(["Median time from previous", cards.definition_link("time-to-convert")])
    return dbc.Table([html.Thead(html.Tr([html.Th(h) for h in ("Step", "Users", "From previous", "From first",
                                                                 "Dropped", median)])),
                      html.Tbody(rows)], size="sm", hover=True, className="mb-0 mt-2", id=ID("step-table"))


def breakdown_table(frame: pd.DataFrame, breakdown: str) -> dbc.Table:
    """Per value: the people at each step (and their share of those entering), and a row for everyone (the values
    partition the people entering, so it is their sum)."""
    order = frame.drop_duplicates("step").sort_values("step")
    heads = [html.Th(funnel.BREAKDOWNS[breakdown])] + [html.Th(funnel_figures.step_label(e))
                                                        for e in order["event_type"]]

    def cells(users: list[int]) -> list:
        return [html.Td([f"{u:,}", html.Span(f" {u / users[0]:.0%}" if k and users[0] else "",
                                             className="text-muted small")]) for k, u in enumerate(users)]

    rows = [html.Tr([html.Td(funnel_figures.value_label(breakdown, value))]
                    + cells(part.sort_values("step")["users"].tolist()))
            for value, part in frame.groupby(breakdown, sort=False)]
    total = frame.groupby("step")["users"].sum().sort_index().tolist()
    rows.append(html.Tr([html.Td(html.B("Everyone"))] + cells(total), className="table-light"))
    return dbc.Table([html.Thead(html.Tr(heads)), html.Tbody(rows)], size="sm", hover=True, className="mb-0 mt-2",
                     id=ID("step-table"))


def summary(o: funnel.Options) -> str:
    """What the funnel counts, in words."""
    chain = " > ".join(funnel_figures.step_label(s) for s in o.steps)
    window = ("anywhere in the range" if o.window == "range"
              else f"within {funnel.WINDOW_NAMES[o.window]} of their first {o.steps[0]} in the range")
    split = f"; by {funnel.BREAKDOWNS[o.breakdown].lower()} at entry" if o.breakdown != "none" else ""
    return f"{chain}: each step after the previous one, {window}{split}."


def _controls(o: funnel.Options):
    label = "form-label small text-muted mb-0 me-1"
    return html.Div([
        html.Div([html.Label("Steps", htmlFor=STEPS, className=label),
                  dcc.Dropdown(id=STEPS, options=[{"label": funnel_figures.step_label(s), "value": s}
                                                  for s in funnel.STEP_KEYS],
                               value=list(o.steps), multi=True, clearable=False, searchable=False,
                               placeholder="Pick 2 or more, in order", style={"minWidth": "330px"},
                               className="pa-funnel-steps")],
                 className="d-flex align-items-center", title="The steps, in the order picked (remove one and pick it "
                                                              "again to move it to the end)"),
        html.Div([html.Span("Conversion window", className=label),
                  dbc.RadioItems(id=WINDOW, options=[{"label": WINDOW_BUTTONS[k], "value": k} for k in funnel.WINDOWS],
                                 value=o.window, inline=True, className="btn-group", inputClassName="btn-check",
                                 labelClassName="btn btn-sm btn-outline-secondary", labelCheckedClassName="active")],
                 className="d-flex align-items-center", title="A step counts when it happens within this time of "
                                                              "entering (the first step); Range: anywhere in it"),
        html.Div([html.Label("Breakdown", htmlFor=BREAKDOWN, className=label),
                  dcc.Dropdown(id=BREAKDOWN, options=[{"label": v, "value": k} for k, v in funnel.BREAKDOWNS.items()],
                               value=o.breakdown, clearable=False, searchable=False, style={"minWidth": "150px"})],
                 className="d-flex align-items-center", title="One series per value of the property at each person's "
                                                              "entry"),
    ], className="d-flex flex-wrap align-items-center gap-3 me-2")


def layout(**_query):
    o = funnel.Options()
    return html.Div([
        heading("Funnel", "Users reaching each step, counted when it happens after their previous step.", "funnel"),
        cards.card(FUNNEL, "Engagement funnel",
                   html.Div([html.P(id=ID("summary"), className="small text-muted mb-1"),
                             graph(ID("graph")), html.Div(id=ID("table")),
                             html.H3(["Time to convert", cards.definition_link("time-to-convert")],
                                     className="h6 mt-4 mb-0"),
                             html.P("From the step before, per step: the box spans the 25th to the 75th percentile, "
                                    "the line inside is the median, the whiskers reach the 10th and the 90th.",
                                    className="small text-muted mb-0"),
                             graph(ID("times"))]),
                   subtitle="Conversion from the previous step and from the first, with the drop-off",
                   tools=_controls(o), option=o.text(), definition="engagement-funnel"),
    ])


@callback(Output(ids.panel_option(FUNNEL), "data"), Input(STEPS, "value"), Input(WINDOW, "value"),
          Input(BREAKDOWN, "value"))
def remember_options(steps, window, breakdown):
    """The card's option (its CSV, bundle and About view): the controls as one text (analytics/funnel.py)."""
    return funnel.option_text(window, steps, breakdown)


@callback(Output(ID("graph"), "figure"), Output(ID("table"), "children"), Output(ID("times"), "figure"),
          Output(ID("summary"), "children"),
          Input(ids.FILTERS, "data"), Input(STEPS, "value"), Input(WINDOW, "value"), Input(BREAKDOWN, "value"))
@rendered
def update(data, steps, window, breakdown):
    option = funnel.option_text(window, steps, breakdown)
    o = funnel.parse(option)
    frame = catalog.panel(FUNNEL).data(filters_from(data), option)
    note = summary(o)
    if steps is not None and tuple(steps) != o.steps:
        note = f"Pick at least two steps: showing {' > '.join(o.steps)}. " + note
    table = None
    if len(frame) and frame["users"].any():
        table = breakdown_table(frame, o.breakdown) if o.breakdown != "none" else step_table(frame)
    return (funnel_figures.steps(frame, o.breakdown), table, funnel_figures.times(frame, o.breakdown), note)
