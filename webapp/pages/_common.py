"""What every page does the same way: read the filters store, cache a panel callback's outputs, and lay out a
page heading and its charts."""

from __future__ import annotations

import functools

import plotly.graph_objects as go
from dash import dcc, html
from dash.exceptions import PreventUpdate

from analytics import panels
from analytics.filters import Filters
from store.settings import load_settings
from webapp.cache import cached, renderers
from webapp.components import annotation_marks, cards, ids
from webapp.url_filters import from_store, to_store


def filters_from(data) -> Filters:
    """The store's filters; no update while the shell has not resolved them (or the warehouse is empty)."""
    if not data:
        raise PreventUpdate
    return from_store(data)


def annotated(figure, f: Filters, grain: str = "day"):
    """A drawn time chart (cached or not) with the annotations of its range (webapp/annotations.py): applied after
    the panel cache, since an admin's note changes no data version."""
    return annotation_marks.mark(figure, annotation_marks.for_range(f.start, f.end), grain)


def restated(f: Filters):
    """The days of the range recent runs restated, which the time charts mark (PA_RESTATEMENT_MARK_DAYS)."""
    return panels.restatements(f, load_settings().restatement_mark_days)


def _plain(value):
    """A figure as the dict Dash would send (building Plotly objects costs more than the query they show)."""
    return value.to_plotly_json() if isinstance(value, go.Figure) else value


def _canonical(arg):
    """A filters store as the validated filters it holds, its range clamped to the data (a range wholly outside
    stays: its panels say no data): the cache key and the callback see nothing else."""
    if not (isinstance(arg, dict) and "platforms" in arg):
        return arg
    f = from_store(arg)
    span = cached("data_span", {}, panels.data_span)  # once per data version: this runs on every request
    return to_store((f.within(span) if span else None) or f)


def _following(arg):
    """An argument as it will be on new data: a filters store whose range is a preset moves with the data (the
    filter bar resolves it so on the next page load); anything else stays."""
    if not (isinstance(arg, dict) and arg.get("preset")):
        return arg
    span = panels.data_span()
    return to_store(from_store(arg).following(span)) if span else arg


def rendered(update):
    """Cache a panel callback's outputs by data version and inputs: the same filters on the same data are drawn
    once, and a new run draws the recently viewed ones again before it is served (both the open pages' inputs
    and, for a preset range, the moved range new page loads ask for). The callback's arguments must be JSON (a
    filters store, option values); PreventUpdate is not cached."""
    name = f"rendered:{update.__module__}.{update.__qualname__}"

    def draw(args: tuple):
        out = update(*args)
        return tuple(map(_plain, out)) if isinstance(out, tuple) else _plain(out)

    def again(args: tuple):
        moved = tuple(map(_following, args))
        variants = [args] if moved == args else [args, moved]
        return [({"args": list(v)}, functools.partial(draw, v)) for v in variants]

    @functools.wraps(update)
    def wrapper(*args):
        args = tuple(map(_canonical, args))
        return cached(name, {"args": list(args)}, functools.partial(draw, args), functools.partial(again, args))

    # a panel viewed before a restart is drawn again after it (webapp/warmup.py) the way a request draws it: its
    # saved inputs validated again
    renderers[name] = lambda params: wrapper(*params["args"])
    return wrapper


# Plotly's toolbar trimmed to saving the image, zooming and resetting: no upload to Plotly's cloud ("Share
# chart", on by default in plotly.js 3), no Chart Studio link, fewer buttons over titles and fewer tab stops.
GRAPH_CONFIG = {
    "displaylogo": False, "showSendToCloud": False, "showEditInChartStudio": False, "plotlyServerURL": "",
    "modeBarButtonsToRemove": ["sendChartToCloud", "sendDataToCloud", "editInChartStudio", "select2d", "lasso2d",
                               "zoomIn2d", "zoomOut2d", "autoScale2d", "pan2d", "toggleSpikelines",
                               "hoverClosestCartesian", "hoverCompareCartesian", "zoomInGeo", "zoomOutGeo",
                               "hoverClosestGeo"],
}


def graph(component_id: str, **config) -> dcc.Graph:
    """A chart with the app's toolbar (GRAPH_CONFIG); `config` adds to Plotly's config."""
    return dcc.Graph(id=component_id, config={**GRAPH_CONFIG, **config})


def heading(title: str, lead: str, definitions: str | None = None) -> html.Div:
    """A page's title and lead, linked to its section of the metric definitions (docs/metrics.md) when it has one."""
    link = cards.definition_link(definitions, "How these numbers are defined") if definitions else None
    return html.Div([page_title(title), html.P([lead, " ", link], className="text-muted mb-3")])


def page_title(title: str, className: str = "mb-1") -> html.H1:
    """A page's one h1 (its cards' titles are h2), drawn at the size of an h4."""
    return html.H1(title, className=f"h4 {className}")


def at_risk_link(page: str):
    """A link to the churn page's highest-risk people for the same filters (webapp/pages/churn.py)."""
    return html.P(dcc.Link([html.I(className="bi bi-person-exclamation me-1"),
                            "The people at risk of churning, for these filters"],
                           id=ids.page_link("/churn#at-risk"), href="/churn#at-risk", className="small"),
                  className="mb-0 mt-2", id=f"{page}-at-risk-link")
