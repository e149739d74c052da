"""The filter bar (platforms, date range with presets, segment, age group, and what the trends break down by) shared by every
page. Layout only: the shell's
callbacks keep it, the URL and the filters store in step (webapp/shell_callbacks.py)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics.filters import ALL_AGE_GROUPS, ALL_SEGMENTS, BREAKDOWNS
from store import reference
from webapp.components import ids, saved_views_bar
from webapp.url_filters import PRESET_LABELS

CUSTOM = "custom"  # the preset control's value for fixed dates


def layout() -> html.Div:
    platforms = [{"label": r["display_name"], "value": r["platform_name"]} for r in reference.seed_rows("platforms")]
    segments = [{"label": "All segments", "value": ALL_SEGMENTS}] + [
        {"label": s.capitalize(), "value": s} for s in reference.segments()]
    ages = [{"label": "All ages", "value": ALL_AGE_GROUPS}] + [{"label": a, "value": a} for a in reference.age_groups()]
    presets = [{"label": label, "value": key} for key, label in PRESET_LABELS.items()]
    return html.Div([
        dbc.Row([
            dbc.Col([html.Label("Platforms", htmlFor=ids.PLATFORMS, className="form-label small text-muted mb-1"),
                     dcc.Dropdown(id=ids.PLATFORMS, options=platforms, multi=True, clearable=False,
                                  placeholder="All platforms")], lg=3, md=12),
            dbc.Col([html.Label("Date range", className="form-label small text-muted mb-1"),
                     html.Div([dcc.DatePickerRange(id=ids.DATES, display_format="YYYY-MM-DD",
                                                   minimum_nights=0, first_day_of_week=1),
                               dbc.RadioItems(id=ids.PRESET, options=presets + [{"label": "Custom",
                                                                                  "value": CUSTOM}],
                                              inline=True, className="btn-group ms-2 pa-presets",
                                              inputClassName="btn-check", labelClassName="btn btn-sm btn-outline-primary",
                                              labelCheckedClassName="active")],
                              className="d-flex flex-wrap align-items-center")], lg=5, md=12),
            dbc.Col([html.Label("Segment", htmlFor=ids.SEGMENT, className="form-label small text-muted mb-1"),
                     dcc.Dropdown(id=ids.SEGMENT, options=segments, clearable=False)], lg=2, md=6),
            dbc.Col([html.Label("Age group", htmlFor=ids.AGE_GROUP, className="form-label small text-muted mb-1",
                                title="People of that age group at their events (the user record then)"),
                     dcc.Dropdown(id=ids.AGE_GROUP, options=ages, clearable=False)], lg=2, md=6),
            dbc.Col([html.Label("Break down by", htmlFor=ids.BREAKDOWN, className="form-label small text-muted mb-1",
                                title="Splits the Overview's active users, Retention and Growth by a property"),
                     dcc.Dropdown(id=ids.BREAKDOWN, options=[{"label": label, "value": key}
                                                             for key, label in BREAKDOWNS.items()],
                                  clearable=False)], lg=2, md=6),
            dbc.Col(saved_views_bar.layout(), xs="auto", className="ms-auto"),
        ], className="g-3 align-items-end"),
        dbc.Alert(id=ids.NOTICE, color="warning", is_open=False, dismissable=True, className="mt-3 mb-0 pa-notice"),
    ], className="pa-filter-bar", id=ids.FILTER_BAR)
