"""The filter bar (platforms, date range with presets, segment) shared by every page, and the callbacks that keep
it, the URL query string and the filters store in step.

The store is the one source the panels read. The URL is written with history.replaceState, so the page is not
rebuilt on each change; a link with a query string restores the view, and a bad value in it falls back to its
default with a visible notice.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, callback, clientside_callback, ctx, dcc, html

from components import ids
from pipeline import reference
from warehouse import filters as F
from warehouse import panels

CUSTOM = "custom"
UNFILTERED_PATHS = ("/admin",)  # pages the filters do not apply to


def layout() -> html.Div:
    platforms = [{"label": r["display_name"], "value": r["platform_name"]} for r in reference.seed_rows("platforms")]
    segments = [{"label": "All segments", "value": F.ALL_SEGMENTS}] + [
        {"label": s.capitalize(), "value": s} for s in reference.segments()]
    presets = [{"label": label, "value": key} for key, label in F.PRESET_LABELS.items()]
    return html.Div([
        dbc.Row([
            dbc.Col([html.Label("Platforms", htmlFor=ids.PLATFORMS, className="form-label small text-muted mb-1"),
                     dcc.Dropdown(id=ids.PLATFORMS, options=platforms, multi=True, clearable=False,
                                  placeholder="All platforms")], lg=4, md=12),
            dbc.Col([html.Label("Date range", className="form-label small text-muted mb-1"),
                     html.Div([dcc.DatePickerRange(id=ids.DATES, display_format="YYYY-MM-DD",
                                                   minimum_nights=0, first_day_of_week=1),
                               dbc.RadioItems(id=ids.PRESET, options=presets + [{"label": "Custom",
                                                                                  "value": CUSTOM}],
                                              inline=True, className="btn-group ms-2 pa-presets",
                                              inputClassName="btn-check", labelClassName="btn btn-sm btn-outline-primary",
                                              labelCheckedClassName="active")],
                              className="d-flex flex-wrap align-items-center")], lg=6, md=12),
            dbc.Col([html.Label("Segment", htmlFor=ids.SEGMENT, className="form-label small text-muted mb-1"),
                     dcc.Dropdown(id=ids.SEGMENT, options=segments, clearable=False)], lg=2, md=12),
        ], className="g-3 align-items-end"),
        dbc.Alert(id=ids.NOTICE, color="warning", is_open=False, dismissable=True, className="mt-3 mb-0 pa-notice"),
    ], className="pa-filter-bar", id=ids.FILTER_BAR)


@callback(
    Output(ids.FILTERS, "data"),
    Output(ids.PLATFORMS, "value"), Output(ids.DATES, "start_date"), Output(ids.DATES, "end_date"),
    Output(ids.DATES, "min_date_allowed"), Output(ids.DATES, "max_date_allowed"),
    Output(ids.PRESET, "value"), Output(ids.SEGMENT, "value"),
    Output(ids.NOTICE, "children"), Output(ids.NOTICE, "is_open"),
    Input(ids.URL, "search"), Input(ids.PLATFORMS, "value"), Input(ids.DATES, "start_date"),
    Input(ids.DATES, "end_date"), Input(ids.PRESET, "value"), Input(ids.SEGMENT, "value"),
)
def sync_filters(search, platforms, start, end, preset, segment):
    """URL (page load, navigation) -> filter bar; filter bar -> store. Bad values: defaults and a notice."""
    span = panels.data_span()
    if span is None:
        message = "The warehouse holds no data yet: generate and load a lake (`make demo`)."
        return None, [], None, None, None, None, F.DEFAULT_PRESET, F.ALL_SEGMENTS, message, True
    trigger = ctx.triggered_id
    if trigger in (None, ids.URL):
        f, notices = F.from_query(dict(parse_qsl((search or "").lstrip("?"))), span)
    else:
        if trigger == ids.DATES or preset == CUSTOM:
            preset = None
        f, notices = F.build(platforms, start, end, segment, preset, span)
        if not platforms:
            notices.append("At least one platform is needed: showing all platforms.")
    notice = html.Ul([html.Li(n) for n in notices], className="mb-0") if notices else None
    return (f.to_store() | {"query": f.query_string()}, list(f.platforms), f.start, f.end, span.first_day,
            span.last_day, f.preset or CUSTOM, f.segment, notice, bool(notices))


# The store's query string goes into the address bar without a navigation (so no page is rebuilt).
clientside_callback(
    """
    function(filters) {
        if (!filters) { return window.dash_clientside.no_update; }
        const url = window.location.pathname + (filters.query || "");
        if (url !== window.location.pathname + window.location.search) {
            window.history.replaceState(window.history.state, "", url);
        }
        return filters.query || "";
    }
    """,
    Output(ids.URL_WRITER, "data"),
    Input(ids.FILTERS, "data"),
)


@callback(Output(ids.FILTER_BAR, "hidden"), Input(ids.URL, "pathname"))
def hide_where_unused(pathname):
    return (pathname or "/").rstrip("/") in UNFILTERED_PATHS


@callback(Output(ids.nav_link(ALL), "href"), Input(ids.FILTERS, "data"))
def carry_filters_in_links(filters):
    """Navbar links keep the filters when moving between pages."""
    query = (filters or {}).get("query", "")
    return [output["id"]["path"] + query for output in ctx.outputs_list]
