"""Definitions: docs/metrics.md, every number of every page defined once; the cards' (i) links land on a section."""

from __future__ import annotations

import dash
from dash import Input, Output, clientside_callback, dcc, html

from webapp import metrics_doc
from webapp.components import ids
from webapp.pages._common import page_title

dash.register_page(__name__, path=metrics_doc.PAGE_PATH, name="Definitions", order=8,
                   title="Definitions - Product analytics")

ID = ids.prefixed("definitions")
# The document's title is the page's one h1; a page's section h2, a metric h3 (drawn at the sizes of h3, h4, h5)
HEADINGS = {1: (html.H1, "h3"), 2: (html.H2, "h4"), 3: (html.H3, "h5")}


def layout(**_query):
    sections = metrics_doc.sections()
    if not sections:
        return html.Div([page_title("Metric definitions"),
                         html.P(f"The definitions ({metrics_doc.path()}) are missing from this installation.",
                                className="text-muted")])
    children = []
    for s in sections:
        tag, size = HEADINGS[s.level]
        children.append(tag(s.title, id=s.anchor, className=f"{size} mt-4 pa-definition"))
        if s.body:
            children.append(dcc.Markdown(s.body))
    return html.Div(children + [dcc.Store(id=ID("scrolled"))], id=ID("doc"), className="pa-definitions")


# Dash draws the page after the browser looked for the #anchor, and the Markdown above a section renders after it:
# scroll to the section once the page is there, and again while the text above it settles.
clientside_callback(
    """function(hash, _children) {
        const scroll = () => {
            const target = hash && document.getElementById(decodeURIComponent(hash.slice(1)));
            if (target) { target.scrollIntoView(); }
        };
        [0, 300, 1000].forEach(ms => setTimeout(scroll, ms));
        return window.dash_clientside.no_update;
    }""",
    Output(ID("scrolled"), "data"), Input(ids.URL, "hash"), Input(ID("doc"), "children"),
)
