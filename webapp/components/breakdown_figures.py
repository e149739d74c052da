"""Figures of a breakdown (analytics/panels.py: activity_breakdown, retention_days_breakdown, growth_breakdown): one
series per value, coloured as everywhere else for platforms and segments. Pure: a DataFrame in, a figure out."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analytics import panels
from analytics.filters import BREAKDOWNS
from webapp.components.figures import growth_bars
from webapp.components.theme import (PLATFORM_COLORS, PLATFORM_NAMES, SEGMENT_COLORS, SERIES, TEMPLATE, blank,
                                     empty_state, figure)

MORE = ("#1098AD", "#D6336C", "#74B816", "#AE3EC9", "#495057", "#F76707", "#0CA678")


def colors(values) -> dict[str, str]:
    """A colour per value: a platform's or a segment's own, else the series colours in order."""
    palette = iter(SERIES[:-1] + MORE)
    return {v: PLATFORM_COLORS.get(v) or SEGMENT_COLORS.get(v) or next(palette, "#868E96") for v in values}


def label(value: str) -> str:
    return PLATFORM_NAMES.get(value) or (value.capitalize() if value.isalpha() and value.islower() else value)


def activity(frame: pd.DataFrame, dimension: str) -> go.Figure:
    """DAU by day, a line per value of the breakdown."""
    if blank(frame, "dau"):
        return empty_state(frame)
    values = list(dict.fromkeys(frame["value"]))
    color = colors(values)
    fig = figure(height=340, yaxis_title=f"DAU by {BREAKDOWNS[dimension].lower()}", yaxis_tickformat=",.0f")
    for value in values:
        part = frame[frame["value"] == value]
        fig.add_scatter(x=part["day"], y=part["dau"], name=label(value), mode="lines",
                        line={"width": 2, "color": color[value]},
                        hovertemplate=f"%{{y:,.0f}}<extra>{label(value)}</extra>")
    return fig


def retention(frame: pd.DataFrame, dimension: str) -> go.Figure:
    """N-day retention, a line per value, beside each value's new users (the cohort old enough for day 1)."""
    if blank(frame, "cohort_users"):
        return empty_state(frame)
    values = list(dict.fromkeys(frame["value"]))
    color = colors(values)
    fig = make_subplots(rows=1, cols=2, column_widths=[0.66, 0.34], horizontal_spacing=0.12,
                        subplot_titles=("active on day N", "new users (n)"))
    for value in values:
        part = frame[(frame["value"] == value) & (frame["cohort_users"] > 0)]
        fig.add_scatter(x=part["day_n"], y=part["retention"], name=label(value), mode="lines+markers",
                        line={"color": color[value]}, legendgroup=value, customdata=part["cohort_users"],
                        hovertemplate=f"{label(value)}, D%{{x}}: %{{y:.1%}} of %{{customdata:,}}<extra></extra>",
                        row=1, col=1)
    sizes = frame[frame["day_n"] == frame["day_n"].min()]
    fig.add_bar(y=[label(v) for v in sizes["value"]], x=sizes["cohort_users"], orientation="h", showlegend=False,
                marker={"color": [color[v] for v in sizes["value"]]}, text=sizes["cohort_users"],
                texttemplate="%{x:,}", textposition="outside", textangle=0, cliponaxis=False,
                hovertemplate="%{y}: %{x:,} new users<extra></extra>", row=1, col=2)
    fig.update_layout(template=TEMPLATE, height=400, hovermode="closest", margin={"t": 40, "b": 40},
                      legend={"orientation": "h", "yanchor": "top", "y": -0.3, "x": 0})
    fig.update_xaxes(tickvals=sorted(frame["day_n"].unique()), title_text="day N", row=1, col=1)
    fig.update_yaxes(tickformat=".0%", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(autorange="reversed", row=1, col=2)
    return fig


def growth(frame: pd.DataFrame, dimension: str) -> go.Figure:
    """Growth accounting per value, one small chart each (new, retained, resurrected above zero, churned below;
    hatched where the period or the one before it is not fully in the data), titled with the value's Quick Ratio
    over its complete periods."""
    if blank(frame, "active") and blank(frame, "churned"):
        return empty_state(frame)
    values = list(dict.fromkeys(frame["value"]))
    parts = [frame[frame["value"] == value] for value in values]
    ratios = [panels.quick_ratio(part) for part in parts]
    titles = [f"{label(v)}: Quick Ratio {'n/a' if r is None else f'{r:.2f}'}" for v, r in zip(values, ratios)]
    fig = make_subplots(rows=len(values), cols=1, shared_xaxes=True, vertical_spacing=0.22 / len(values),
                        subplot_titles=titles)
    for row, (value, part) in enumerate(zip(values, parts), 1):
        growth_bars(fig, part, f"{label(value)}, %{{x|%Y-%m-%d}}", legend=row == 1, row=row, col=1)
    fig.update_layout(template=TEMPLATE, barmode="relative", height=120 + 150 * len(values), hovermode="closest")
    fig.update_yaxes(tickformat=",.0f")
    return fig
