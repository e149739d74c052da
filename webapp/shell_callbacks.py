"""The shell's callbacks: the filter bar, the URL query string and the filters store kept in step; navbar links
that carry the filters; every card's "data through" line, CSV download, bundle download and "About this panel"
view (through pattern-matching ids).

The store is the one source the panels read. The URL is written with history.replaceState, so the page is not
rebuilt on each change; a link with a query string restores the view, and a bad value in it falls back to its
default with a visible notice.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qsl

import dash
import flask
from dash import ALL, MATCH, Input, Output, State, callback, clientside_callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from analytics import bundle, catalog, panels
from analytics.filters import ALL_AGE_GROUPS, ALL_SEGMENTS, DEFAULT_PRESET, NO_BREAKDOWN
from webapp import callback_inputs as inputs
from webapp import metrics_doc, url_filters
from webapp.components import about_panel, ids
from webapp.components.cards import meta_children
from webapp.components.filter_bar import CUSTOM

UNFILTERED_PATHS = ("/admin", metrics_doc.PAGE_PATH)  # pages the filters do not apply to

# What the shell's callbacks accept (webapp/callback_inputs.py): the filter bar's raw values are only typed and
# bounded here (a bad value in them becomes a notice); the store must be exactly what sync_filters writes.
for _location in (ids.URL, "_pages_location"):  # the shell's and Dash pages' own (which page to draw)
    for _prop in ("search", "pathname", "hash"):
        inputs.declare(_location, _prop, inputs.text(2000))
inputs.declare(ids.PLATFORMS, "value", inputs.text_list(20))
inputs.declare(ids.DATES, "start_date", inputs.text(40))
inputs.declare(ids.DATES, "end_date", inputs.text(40))
inputs.declare(ids.PRESET, "value", inputs.text(20))
inputs.declare(ids.SEGMENT, "value", inputs.text(50))
inputs.declare(ids.AGE_GROUP, "value", inputs.text(50))  # an unknown one becomes a notice too
inputs.declare(ids.BREAKDOWN, "value", inputs.text(20))  # an unknown one becomes a notice (url_filters.build)
inputs.declare(ids.FILTERS, "data", inputs.filters_store)
inputs.declare(ids.csv_button("*"), "n_clicks", inputs.count)
inputs.declare(ids.bundle_button("*"), "n_clicks", inputs.count)
inputs.declare(ids.about_button("*"), "n_clicks", inputs.count)
inputs.declare(ids.panel_option("*"), "data", inputs.text(20))
inputs.declare_pattern_key("panel", inputs.known(catalog.PANELS.__contains__, "panel"))
inputs.declare_pattern_key("path", inputs.known(  # a page's path, and for a page link maybe an anchor on it
    lambda path: any(page["relative_path"] == path.partition("#")[0] for page in dash.page_registry.values()),
    "page"))


@callback(
    Output(ids.FILTERS, "data"),
    Output(ids.PLATFORMS, "value"), Output(ids.DATES, "start_date"), Output(ids.DATES, "end_date"),
    Output(ids.DATES, "min_date_allowed"), Output(ids.DATES, "max_date_allowed"),
    Output(ids.PRESET, "value"), Output(ids.SEGMENT, "value"), Output(ids.AGE_GROUP, "value"),
    Output(ids.BREAKDOWN, "value"),
    Output(ids.NOTICE, "children"), Output(ids.NOTICE, "is_open"),
    Input(ids.URL, "search"), Input(ids.PLATFORMS, "value"), Input(ids.DATES, "start_date"),
    Input(ids.DATES, "end_date"), Input(ids.PRESET, "value"), Input(ids.SEGMENT, "value"),
    Input(ids.AGE_GROUP, "value"), Input(ids.BREAKDOWN, "value"),
)
def sync_filters(search, platforms, start, end, preset, segment, age_group, breakdown):
    """URL (page load, navigation) -> filter bar; filter bar -> store. Bad values: defaults and a notice."""
    span = panels.data_span()
    if span is None:
        message = "The warehouse holds no data yet: generate and load a lake (`make demo`)."
        return (None, [], None, None, None, None, DEFAULT_PRESET, ALL_SEGMENTS, ALL_AGE_GROUPS, NO_BREAKDOWN, message,
                True)
    trigger = ctx.triggered_id
    if trigger in (None, ids.URL):
        f, notices = url_filters.from_query(dict(parse_qsl((search or "").lstrip("?"))), span)
    else:
        if trigger == ids.DATES or preset == CUSTOM:
            preset = None
        f, notices = url_filters.build(platforms, start, end, segment, preset, span, breakdown, age_group)
        if not platforms:
            notices.append("At least one platform is needed: showing all platforms.")
    notice = html.Ul([html.Li(n) for n in notices], className="mb-0") if notices else None
    return (url_filters.to_store(f) | {"query": url_filters.query_string(f)}, list(f.platforms), f.start, f.end,
            span.first_day, span.last_day, f.preset or CUSTOM, f.segment, f.age_group, f.breakdown, notice,
            bool(notices))


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


@callback(Output(ids.page_link(ALL), "href"), Input(ids.FILTERS, "data"))
def carry_filters_in_page_links(filters):
    """Links from one page to another keep the filters too (the hash after the path stays)."""
    query = (filters or {}).get("query", "")
    return [_with_query(output["id"]["path"], query) for output in ctx.outputs_list]


def _with_query(href: str, query: str) -> str:
    path, hash_mark, anchor = href.partition("#")
    return path + query + hash_mark + anchor


@callback(Output(ids.card_meta(ALL), "children"), Input(ids.FILTERS, "data"))
def fill_card_meta(_filters):
    children = meta_children(panels.data_status())
    return [children for _ in ctx.outputs_list]


def _clicked(clicks, filters):
    """The panel whose button was clicked and the filters it shows; no update before a click or filters."""
    if not clicks or not filters:
        raise PreventUpdate
    return ctx.triggered_id["panel"], url_filters.from_store(filters)


@callback(Output(ids.csv_download(MATCH), "data"), Input(ids.csv_button(MATCH), "n_clicks"),
          State(ids.FILTERS, "data"), State(ids.panel_option(MATCH), "data"), prevent_initial_call=True)
def download_csv(clicks, filters, option):
    panel, f = _clicked(clicks, filters)
    frame = catalog.panel(panel).data(f, option)
    return dcc.send_data_frame(frame.to_csv, f"{panel}_{f.start}_{f.end}.csv", index=False)


@callback(Output(ids.bundle_download(MATCH), "data"), Input(ids.bundle_button(MATCH), "n_clicks"),
          State(ids.FILTERS, "data"), State(ids.panel_option(MATCH), "data"), prevent_initial_call=True)
def download_bundle(clicks, filters, option):
    """The card's reproducible bundle (analytics/bundle.py): its CSV, SQL, parameters, data version, filter URL."""
    panel, f = _clicked(clicks, filters)
    f = replace(f, preset=None)  # fixed dates: the rerun gets the same days
    explained = bundle.explain(panel, f, option)
    url = flask.request.host_url.rstrip("/") + explained.panel.page + url_filters.query_string(f)
    data = bundle.build(explained, url, about_panel.definition_markdown(explained.panel.definition))
    return dcc.send_bytes(data, f"{panel}_{f.start}_{f.end}.zip")


@callback(Output(ids.about_modal(MATCH), "is_open"), Output(ids.about_body(MATCH), "children"),
          Input(ids.about_button(MATCH), "n_clicks"), State(ids.FILTERS, "data"),
          State(ids.panel_option(MATCH), "data"), prevent_initial_call=True)
def show_about(clicks, filters, option):
    """The card's "About this panel" view for the filters and option it shows."""
    explained = bundle.explain(*_clicked(clicks, filters), option)
    return True, about_panel.view(explained, panels.data_status())
