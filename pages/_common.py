"""What every page does the same way: read the filters store, and lay out a page heading."""

from __future__ import annotations

from dash import html
from dash.exceptions import PreventUpdate

from warehouse.filters import Filters


def filters_from(data) -> Filters:
    """The store's filters; no update while the shell has not resolved them (or the warehouse is empty)."""
    if not data:
        raise PreventUpdate
    return Filters.from_store(data)


def heading(title: str, lead: str) -> html.Div:
    return html.Div([html.H4(title, className="mb-1"), html.P(lead, className="text-muted mb-3")])
