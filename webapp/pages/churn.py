"""Churn risk: who is likely to stop using every app, how the scores spread and where the risk sits, the model
behind them against a recency-only baseline, and the highest-risk people with their features and reasons."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, html

from analytics import churn_risk
from store import reference
from store.settings import load_settings
from webapp import callback_inputs
from webapp.components import cards, churn_figures, ids
from webapp.pages._common import filters_from, graph, heading, rendered

dash.register_page(__name__, path="/churn", name="Churn risk", order=7, title="Churn risk - Product analytics")

ID = ids.prefixed("churn")
LIST_ANCHOR = "at-risk"  # the list's card, which the retention and growth pages link to
DISTRIBUTION = ID("distribution")
BREAKDOWN = ID("breakdown")
MODEL = ID("model")
PEOPLE = ID("people")
SHORT = {"not_enough_history": "Not enough history yet", "no_model": "No model yet", "no_data": "No data yet"}

# (field, header, width, format): the list's columns; the drill-down shows every feature of the selected person
LIST_COLUMNS = [("user_id", "Person", 100, None), ("score", "Score", 90, "score"), ("risk_band", "Risk", 95, None),
                ("reasons", "Why (features raising the score)", None, None), ("segment", "Segment", 105, None),
                ("country", "Country", 100, None), ("platforms", "Platforms (28 days)", 190, None),
                ("recency_days", "Days idle", 100, None), ("active_days_28", "Active days", 115, None),
                ("activity_trend", "Trend", 90, "trend")]
FEATURES = [("recency_days", "Days since last active"), ("active_days_7", "Active days, last 7"),
            ("active_days_28", "Active days, last 28"), ("events_7", "Events, last 7 days"),
            ("events_28", "Events, last 28 days"), ("activity_trend", "Activity trend (days per day, 7 vs 21)"),
            ("events_trend", "Events trend (per day, 7 vs 21)"), ("sessions_28", "Sessions, 28 days"),
            ("events_per_session_28", "Events per session"), ("platforms_7", "Platforms, last 7 days"),
            ("platforms_28", "Platforms, last 28 days"), ("platforms", "Which platforms"),
            ("top_platform", "Top platform"), ("top_platform_share", "Top platform's share of events"),
            ("funnel_depth_28", "Funnel depth (like, comment, share, create)"), ("tenure_days", "Days since sign-up"),
            ("segment", "Segment"), ("age_group", "Age group"), ("country", "Country"), ("device", "Device"),
            ("attribute_changes_28", "Attribute changes, 28 days"), ("scored_day", "Scored on"),
            ("model_id", "Model")]
FORMATS = {"score": {"function": "d3.format('.3f')(params.value)"},
           "trend": {"function": "d3.format('+.2f')(params.value)"}}
BAND_STYLES = {"styleConditions": [
    {"condition": "params.data.risk_band === 'high'", "style": {"backgroundColor": "#FFF5F5"}},
    {"condition": "params.data.risk_band === 'medium'", "style": {"backgroundColor": "#FFF9DB"}},
]}


callback_inputs.declare(ID("dimension"), "value", callback_inputs.one_of(*churn_risk.DIMENSIONS))
callback_inputs.declare(ID("people-grid"), "selectedRows", callback_inputs.selected_row("user_id", "person"))


def _state() -> churn_risk.State:
    return churn_risk.state(load_settings().churn_horizon_days)


def _people_grid() -> dag.AgGrid:
    defs = []
    for field, label, width, fmt in LIST_COLUMNS:
        column = {"field": field, "headerName": label}
        column.update({"width": width} if width else {"flex": 1, "minWidth": 260, "wrapText": True,
                                                        "autoHeight": True})
        if fmt:
            column["valueFormatter"] = FORMATS[fmt]
        defs.append(column)
    return dag.AgGrid(
        id=ID("people-grid"), rowData=[], columnDefs=defs, className="pa-grid", style={"width": "100%"},
        defaultColDef={"sortable": True, "filter": True, "resizable": True}, getRowStyle=BAND_STYLES,
        dashGridOptions={"pagination": True, "paginationPageSize": 10, "paginationPageSizeSelector": False,
                         "domLayout": "autoHeight", "animateRows": False,
                         "rowSelection": {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True}})


def layout(**_query):
    dimension = dbc.Select(
        id=ID("dimension"), options=[{"label": f"By {label.lower()}", "value": key}
                                     for key, label in churn_risk.DIMENSIONS.items()],
        value="segment", size="sm", style={"width": "10rem"})
    return html.Div([
        heading("Churn risk", "The chance that each person active in the last 28 days has no activity on any app in "
                              "the days that follow, scored on the last day with data: the platform, segment and "
                              "age group filters apply, the date range does not.", "churn-risk"),
        dbc.Alert(id=ID("state"), color="info", is_open=False, className="py-2"),
        dbc.Row([
            dbc.Col(cards.card(DISTRIBUTION, "Risk distribution",
                               html.Div([graph(ID("distribution-graph")),
                                         html.P(id=ID("summary"), className="small text-muted mb-1"),
                                         html.P(id=ID("observed"), className="small text-muted mb-0")]),
                               subtitle="People by churn score; the bands: high ≥ 0.5, medium ≥ 0.2",
                               definition="churn-score-and-risk-bands"), lg=6),
            dbc.Col(cards.card(BREAKDOWN, "People at risk", graph(ID("breakdown-graph")),
                               subtitle="High and medium risk; beside each bar: the mean score (expected churn rate)",
                               tools=dimension, option="segment", definition="people-at-risk"), lg=6),
        ]),
        cards.card(MODEL, "Model", dbc.Row([
            dbc.Col([html.Div(id=ID("model-table")), html.P(id=ID("model-text"), className="small text-muted mt-2")],
                    lg=6),
            dbc.Col(graph(ID("calibration-graph")), lg=6),
        ]), subtitle="Holdout metrics (the latest labelled snapshot) against scoring by recency alone",
            definition="churn-model-card"),
        html.Div(id=LIST_ANCHOR, children=cards.card(
            PEOPLE, "Highest-risk people",
            html.Div([_people_grid(),
                      html.Div(id=ID("person"), className="mt-3",
                               children=html.P("Select a person to see every feature behind their score.",
                                               className="text-muted small mb-0"))]),
            subtitle=f"The {churn_risk.LIST_ROWS} highest scores (the CSV: up to {churn_risk.CSV_ROWS:,}); "
                     "select one for all their features", definition="highest-risk-people"), className="mt-3"),
    ])


def _state_alert(state: churn_risk.State):
    """The alert's text, colour and whether it shows: why nothing is scored, or scores older than the data."""
    if state.status != "scored":
        return state.message, "warning" if state.status == "not_enough_history" else "info", True
    if state.scored_day and state.last_day and state.scored_day < state.last_day:
        return (f"Scores are from {state.scored_day}; the data runs to {state.last_day}: the last load did not score "
                "the new day (the run's log says why).", "warning", True)
    return None, "info", False


def _metrics_table(card: dict) -> dbc.Table:
    frame = churn_risk.model_metrics(card)

    def shown(value, metric):
        if value is None or pd.isna(value):
            return ""
        if metric == "People":
            return f"{value:,.0f}"
        return f"{value:.1%}" if metric.startswith("Churn rate") else f"{value:.3f}"

    rows = [html.Tr([html.Td(r.metric), html.Td(shown(r.model, r.metric), className="text-end"),
                     html.Td(shown(r.baseline, r.metric), className="text-end"),
                     html.Td("" if r.gain is None or pd.isna(r.gain) else f"{r.gain:+.3f}", className="text-end")])
            for r in frame.itertuples()]
    head = html.Thead(html.Tr([html.Th("Holdout"), html.Th("Model", className="text-end"),
                               html.Th("Recency only", className="text-end"), html.Th("Gain", className="text-end")]))
    return dbc.Table([head, html.Tbody(rows)], size="sm", className="mb-0", id=ID("metrics"))


def _model_text(card: dict) -> str:
    days = card["train_days"]
    model = card["metrics"]["model"]
    top = ", ".join(list(card["importances"])[:5])
    return (f"Model {card['model_id']}: {card['parameters'].get('model', 'model')} trained "
            f"{pd.Timestamp(card['trained_at']):%Y-%m-%d %H:%M} UTC on data version {card['data_version']}, "
            f"{len(days)} weekly snapshot{'s' if len(days) != 1 else ''} {days[0]} to {days[-1]} "
            f"({card['train_rows']:,} rows); held out {pd.Timestamp(card['holdout_day']):%Y-%m-%d} "
            f"({card['holdout_rows']:,} people, {model['churn_rate']:.1%} churned within {card['horizon_days']} days). "
            f"Strongest features: {top}.")


def _observed_text(seen: dict | None, f, horizon_days: int) -> str | None:
    """What became of the people the filters select on the latest labelled snapshot: churn from every app, and from
    the selected platforms when they are not all of them."""
    if not seen:
        return None

    def share(n: int) -> str:
        return f"{n:,} ({n / seen['people']:.1%})"
    text = (f"Observed on {seen['labelled_day']}, the latest snapshot whose {horizon_days} following days are "
            f"loaded: of {seen['people']:,} such people, {share(seen['churned'])} churned from every app")
    if set(f.platforms) != set(reference.platforms()):
        text += f", {share(seen['churned_from_selected'])} from the selected platforms"
    return text + "."


@callback(Output(ID("state"), "children"), Output(ID("state"), "color"), Output(ID("state"), "is_open"),
          Output(ID("distribution-graph"), "figure"), Output(ID("summary"), "children"),
          Output(ID("observed"), "children"),
          Output(ID("model-table"), "children"), Output(ID("model-text"), "children"),
          Output(ID("calibration-graph"), "figure"), Output(ID("people-grid"), "rowData"),
          Input(ids.FILTERS, "data"))
@rendered
def update(data):
    f = filters_from(data)
    state = _state()
    alert = _state_alert(state)
    card = churn_risk.model_card()
    model_table = _metrics_table(card) if card else html.P("No model trained yet.", className="text-muted")
    model_text = _model_text(card) if card else None
    calibration = churn_figures.calibration(churn_risk.calibration(card) if card else pd.DataFrame(),
                                            None if card else SHORT.get(state.status, "No model yet"))
    if state.status != "scored":
        short = SHORT[state.status]
        return (*alert, churn_figures.risk_distribution(pd.DataFrame(), short), None, None, model_table,
                model_text, calibration, [])
    frame = churn_risk.distribution(f)
    total = churn_risk.summary(frame)
    summary = None if not total["people"] else (
        f"{total['people']:,} people scored on {state.scored_day}: {total['high']:,} high risk "
        f"({total['high'] / total['people']:.1%}), {total['medium']:,} medium; expected to churn: "
        f"{total['expected_churners']:,.0f} ({total['expected_rate']:.1%}).")
    people = churn_risk.highest_risk(f)
    observed = _observed_text(churn_risk.observed(f, state.horizon_days), f, state.horizon_days)
    rows = people.astype(object).where(people.notna(), None).to_dict("records")  # NaN is not JSON: null
    return (*alert, churn_figures.risk_distribution(frame), summary, observed, model_table, model_text, calibration,
            rows)


@callback(Output(ids.panel_option(BREAKDOWN), "data"), Input(ID("dimension"), "value"))
def remember_dimension(dimension):
    return dimension


@callback(Output(ID("breakdown-graph"), "figure"), Input(ids.FILTERS, "data"), Input(ID("dimension"), "value"))
@rendered
def update_breakdown(data, dimension):
    f = filters_from(data)
    state = _state()
    if state.status != "scored":
        return churn_figures.at_risk(pd.DataFrame(), dimension, SHORT[state.status])
    return churn_figures.at_risk(churn_risk.breakdown(f, dimension), dimension)


def _value(value, decimals: int = 2) -> str:
    """A feature as shown: numbers rounded, missing ones "unknown" (the row comes back from the browser as sent)."""
    if value is None:
        return "unknown"
    if isinstance(value, float):
        return f"{value:.{decimals}f}"
    return str(value)[:200]


@callback(Output(ID("person"), "children"), Input(ID("people-grid"), "selectedRows"))
def show_person(selected):
    """Every feature of the selected person, and the reasons for their score."""
    if not selected:
        return html.P("Select a person to see every feature behind their score.", className="text-muted small mb-0")
    person = selected[0]
    items = []
    for field, label in FEATURES:
        items += [html.Dt(label, className="col-sm-5 fw-normal text-muted"),
                  html.Dd(_value(person.get(field)), className="col-sm-7 mb-1")]
    reasons = [r for r in str(person.get("reasons") or "").split("; ") if r]
    return dbc.Card(dbc.CardBody([
        html.H6(f"Person {person['user_id']}: score {_value(person.get('score'), 3)} "
                f"({_value(person.get('risk_band'))} risk)", className="mb-2"),
        html.P(["Raising the score most: ", ", ".join(reasons) if reasons else "nothing above the average"],
               className="small mb-2"),
        html.Dl(items, className="row small mb-0"),
    ]), className="bg-light", id=ID("person-card"))
