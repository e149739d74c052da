"""Panel cards: a title, what the data is ("data through", quality badge), a CSV download of exactly the data
behind the card, and a loading state around its content. The shell's callbacks fill the meta and serve downloads
for every card through pattern-matching ids; pages register which data function backs each panel."""

from __future__ import annotations

from typing import Callable

import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, MATCH, Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from components import ids
from warehouse import panels
from warehouse.filters import Filters

PanelData = Callable[..., pd.DataFrame]  # (filters, option) -> the panel's DataFrame
_PANELS: dict[str, PanelData] = {}


def register(panel: str, data: PanelData) -> str:
    """Declare the data behind a panel (what its CSV holds); returns the panel id."""
    if panel in _PANELS and _PANELS[panel].__module__ != data.__module__:
        raise ValueError(f"panel id {panel!r} is registered by {_PANELS[panel].__module__} and {data.__module__}")
    _PANELS[panel] = data
    return panel


def panel_data(panel: str, filters: Filters, option=None) -> pd.DataFrame:
    return _PANELS[panel](filters, option)


def card(panel: str, title: str, body, subtitle: str | None = None, tools=None, option=None) -> dbc.Card:
    header = html.Div([
        html.Div([html.H6(title, className="mb-0"),
                  html.Small(subtitle, className="text-muted") if subtitle else None]),
        html.Div([
            tools,
            dbc.Button([html.I(className="bi bi-download me-1"), "CSV"], id=ids.csv_button(panel), size="sm",
                       color="light", className="ms-2", title="Download the data behind this card"),
            dcc.Download(id=ids.csv_download(panel)),
            dcc.Store(id=ids.panel_option(panel), data=option),
        ], className="d-flex align-items-center"),
    ], className="d-flex justify-content-between align-items-start")
    return dbc.Card([
        dbc.CardHeader(header, className="bg-white"),
        dbc.CardBody([dcc.Loading(body, type="default", delay_show=150),
                      html.Div(id=ids.card_meta(panel), className="pa-card-meta")]),
    ], className="pa-card mb-3 h-100", id=f"card-{panel}")


def meta_children(status: dict) -> list:
    """'Data through <date>' and a badge when the latest checks failed or warned."""
    if not status or pd.isna(status.get("last_day")):
        return [html.Span("No data loaded yet")]
    children = [html.Span(f"Data through {pd.Timestamp(status['last_day']):%Y-%m-%d}")]
    failed, warned = int(status.get("checks_failed") or 0), int(status.get("checks_warned") or 0)
    if failed or warned:
        label = f"{failed} check{'s' if failed != 1 else ''} failed" if failed else \
            f"{warned} check{'s' if warned != 1 else ''} warned"
        children.append(dbc.Badge(label, color="danger" if failed else "warning", className="ms-2 pa-dq-badge",
                                  title=f"Latest data-quality results: {status.get('checks_flagged')}"))
    return children


@callback(Output(ids.card_meta(ALL), "children"), Input(ids.FILTERS, "data"))
def fill_card_meta(_filters):
    children = meta_children(panels.data_status())
    return [children for _ in ctx.outputs_list]


@callback(Output(ids.csv_download(MATCH), "data"), Input(ids.csv_button(MATCH), "n_clicks"),
          State(ids.FILTERS, "data"), State(ids.panel_option(MATCH), "data"), prevent_initial_call=True)
def download_csv(clicks, filters, option):
    if not clicks or not filters:
        raise PreventUpdate
    panel = ctx.triggered_id["panel"]
    f = Filters.from_store(filters)
    frame = panel_data(panel, f, option)
    return dcc.send_data_frame(frame.to_csv, f"{panel}_{f.start}_{f.end}.csv", index=False)
