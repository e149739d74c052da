"""Panel cards: a title, what the data is ("data through", quality badge), a CSV download of exactly the data
behind the card, a reproducible bundle of it, an "About this panel" view, and a loading state around its content.
For screen readers the content is a group named by the title (an h2 under the page's h1) and described by a
sentence, followed by a visually hidden copy of the card's data as a table.
Layout only: the shell's callbacks fill the meta, the About view and serve the downloads
(webapp/shell_callbacks.py), and the sentence and table (webapp/card_a11y.py). A card's panel id is one of
analytics/catalog.py's."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from analytics import catalog
from webapp import metrics_doc
from webapp.components import ids


def definition_link(section: str, text: str | None = None):
    """A link to a section of the metric definitions (docs/metrics.md, served at /definitions)."""
    label = [html.I(className="bi bi-info-circle me-1"), text] if text else html.I(className="bi bi-info-circle")
    return dcc.Link(label, href=metrics_doc.link(section), className="pa-definition-link ms-1",
                    title="How this number is defined")


def _icon(icon: str, label: str) -> list:
    """An icon-only button's content: the icon, and its name for screen readers."""
    return [html.I(className=f"bi {icon}"), html.Span(label, className="visually-hidden")]


def a11y_data(panel: str) -> dict:
    """The card's visually hidden text alternative: a sentence and its data as a table (webapp/card_a11y.py)."""
    return {"type": "card-a11y", "panel": panel}


def title_id(panel: str) -> str:
    return f"card-{panel}-title"


def summary_id(panel: str) -> str:
    """The sentence describing the card's content (inside its a11y_data region)."""
    return f"card-{panel}-summary"


def _named_tools(tools, title: str):
    """A select among the card's tools takes the card's title as its label (a select needs a name; the options
    say what it chooses)."""
    if isinstance(tools, dbc.Select):
        return html.Label([html.Span(f"{title}: show", className="visually-hidden"), tools], className="mb-0")
    return tools


def card(panel: str, title: str, body, subtitle: str | None = None, tools=None, option=None,
         definition: str | None = None) -> dbc.Card:
    """A panel card; `definition` is the anchor of its section in docs/metrics.md, linked beside the subtitle (by
    default the catalog's for the panel)."""
    definition = definition or catalog.panel(panel).definition
    header = html.Div([
        html.Div([html.H2(title, className="h6 mb-0", id=title_id(panel)),
                  html.Small([subtitle, definition_link(definition) if definition else None],
                             className="text-muted") if subtitle or definition else None]),
        html.Div([
            _named_tools(tools, title),
            dbc.Button([html.I(className="bi bi-download me-1"), "CSV"], id=ids.csv_button(panel), size="sm",
                       color="light", className="ms-2", title="Download the data behind this card"),
            dcc.Download(id=ids.csv_download(panel)),
            dbc.Button(_icon("bi-file-earmark-zip", "Bundle"), id=ids.bundle_button(panel), size="sm",
                       color="light", className="ms-1", title="Download a reproducible bundle: the CSV, the SQL and "
                       "its parameters, the data version and the filters' URL"),
            dcc.Download(id=ids.bundle_download(panel)),
            dbc.Button(_icon("bi-question-circle", "About this panel"), id=ids.about_button(panel), size="sm",
                       color="light", className="ms-1", title="About this panel: its definition, queries and data"),
            dcc.Store(id=ids.panel_option(panel), data=option),
        ], className="d-flex align-items-center pa-card-tools"),
    ], className="d-flex justify-content-between align-items-start")
    about = dbc.Modal([dbc.ModalHeader(dbc.ModalTitle(f"About this panel: {title}")),
                       dbc.ModalBody(dcc.Loading(html.Div(id=ids.about_body(panel)), delay_show=150))],
                      id=ids.about_modal(panel), size="lg", scrollable=True, is_open=False)
    return dbc.Card([
        dbc.CardHeader(header, className="bg-white"),
        dbc.CardBody([html.Div([dcc.Loading(body, type="default", delay_show=150),
                                html.Div(html.P("The data behind this card is loading.", id=summary_id(panel)),
                                         id=a11y_data(panel), className="visually-hidden")],
                               role="group", className="pa-card-content",
                               **{"aria-labelledby": title_id(panel), "aria-describedby": summary_id(panel)}),
                      html.Div(id=ids.card_meta(panel), className="pa-card-meta"), about]),
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
