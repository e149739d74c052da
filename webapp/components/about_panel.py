"""A card's "About this panel" view: the metric's definition (docs/metrics.md), the filters it applied, every SQL
file it ran with the parameters bound to it and the macros it calls, the data version and the run that published
it, when the data ends, the latest checks, and how to compute the same rows outside the app."""

from __future__ import annotations

import json

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from analytics.bundle import Explained, macros_used, plain, sql_path, sql_text
from analytics.filters import BREAKDOWNS, NO_BREAKDOWN
from webapp import metrics_doc


def definition_markdown(anchor: str) -> str:
    """The Markdown of the metric's section of docs/metrics.md ("" when it has none)."""
    section = next((s for s in metrics_doc.sections() if s.anchor == anchor), None)
    return f"### {section.title}\n\n{section.body}" if section else ""


def _when(value) -> str:
    return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d %H:%M} UTC"


def _day(value) -> str:
    return "none" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


def _rows(pairs) -> dbc.Table:
    return dbc.Table(html.Tbody([html.Tr([html.Th(k, className="fw-normal text-muted pe-3"), html.Td(v)])
                                 for k, v in pairs]), size="sm", className="mb-2 pa-about-table")


def _filters(e: Explained) -> dbc.Table:
    f = e.filters
    pairs = [("Platforms", ", ".join(f.platforms)), ("Dates", f"{f.start} to {f.end} ({f.days} days)"),
             ("Segment", f.segment), ("Age group", f.age_group)]
    if f.breakdown != NO_BREAKDOWN:
        pairs.append(("Broken down by", BREAKDOWNS[f.breakdown]))
    if e.option:
        pairs.append(("Option", e.option))
    return _rows(pairs)


def _data(e: Explained, status: dict) -> dbc.Table:
    p = e.provenance
    version = int(p["data_version"] or 0)
    run = (f"run {version}: {p['mode'] or 'load'} ({p['trigger']}"
           + (f", by {p['requested_by']}" if p.get("requested_by") else "") + f"), ended {_when(p['ended_at'])}, "
           + f"{int(p['partitions'] or 0)} partitions, {int(p['rows_loaded'] or 0):,} rows loaded") \
        if version else "no run has published data yet"
    checks = status.get("checks_run_id")
    if checks is None or pd.isna(checks):
        checks_text = "no checks recorded yet"
    else:
        failed, warned = int(status.get("checks_failed") or 0), int(status.get("checks_warned") or 0)
        checks_text = (f"run {int(checks)}: {failed} failed, {warned} warned"
                       + (f" ({status.get('checks_flagged')})" if failed or warned else ", every check passed"))
    return _rows([("Data version", str(version)), ("Published by", run),
                  ("Data spans", f"{_day(p['first_day'])} to {_day(p['last_day'])}"),
                  ("Data ends", _day(p["last_day"])), ("Latest checks", checks_text),
                  ("Result", f"{len(e.frame):,} rows x {len(e.frame.columns)} columns")])


def _query(number: int, asked: dict) -> html.Div:
    name, params = asked["name"], asked["params"]
    macros = macros_used(name)
    return html.Div([
        html.Div([html.Strong(f"{number}. "), html.Code(sql_path(name))], className="mb-1"),
        _rows([(k, html.Code(json.dumps(plain(v)))) for k, v in params.items()]) if params else
        html.P("No parameters.", className="small text-muted mb-1"),
        html.P(["Macros it calls: ", *[html.Span([html.Code(m), f" ({f})", "; " if i < len(macros) - 1 else ""])
                                        for i, (m, f) in enumerate(macros.items())]],
               className="small text-muted mb-1") if macros else None,
        html.Details([html.Summary("The SQL", className="small"),
                      html.Pre(html.Code(sql_text(name)), className="pa-about-sql")], className="mb-3"),
    ], className="pa-about-query")


def view(e: Explained, status: dict) -> list:
    """The About view's body."""
    f = e.filters
    python = (f"from analytics import catalog, offline\nfrom analytics.filters import Filters\nimport datetime as dt\n\n"
              f"offline.use_snapshot(data_version={int(e.provenance['data_version'] or 0)})  "
              f"# $PA_DATA_DIR/marts/\n"
              f"catalog.panel({e.panel.id!r}).data(Filters({f.platforms!r}, dt.date.fromisoformat({str(f.start)!r}), "
              f"dt.date.fromisoformat({str(f.end)!r}), {f.segment!r}, None, {f.breakdown!r}, {f.age_group!r}), "
              f"{e.option!r})")
    return [
        html.H6("Definition", className="pa-about-heading"),
        dcc.Markdown(definition_markdown(e.panel.definition) or "No definition found in docs/metrics.md.",
                     className="pa-about-definition"),
        dcc.Link("Open it with every other definition", href=metrics_doc.link(e.panel.definition), className="small"),
        html.H6("Filters applied", className="pa-about-heading mt-3"),
        _filters(e),
        html.H6("Data", className="pa-about-heading mt-3"),
        _data(e, status),
        html.H6(f"Queries it ran ({len(e.asked)})", className="pa-about-heading mt-3"),
        html.P("Each SQL file runs with these values bound as parameters (never formatted into the SQL); the "
               "card's rows are then shaped by analytics/panels.py.", className="small text-muted"),
        *[_query(i, q) for i, q in enumerate(e.asked, 1)],
        html.H6("The same rows outside the app", className="pa-about-heading mt-3"),
        html.P(["From the marts snapshot the ETL writes after each run (a notebook, while the app runs), or with ",
                "the Bundle download and ", html.Code("python -m analytics.bundle rerun"), ":"],
               className="small text-muted mb-1"),
        html.Pre(html.Code(python), className="pa-about-sql"),
    ]
