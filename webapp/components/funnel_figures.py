"""The funnel card's figures: analytics/funnel.py's data in, a Plotly figure out (pure). The steps as a funnel whose
small bars carry their labels outside, or, with a breakdown, one bar series per value (conversion from the first
step); the time to convert from the step before as a box per step (and value)."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from webapp.components.theme import (PLATFORM_COLORS, PLATFORM_NAMES, SEGMENT_COLORS, SERIES, blank, empty_figure,
                                     empty_state, figure)

LABEL_INSIDE = 0.35  # a bar narrower than this share of the widest carries its label outside it
MORE_COLORS = ("#0CA678", "#AE3EC9", "#1098AD", "#F76707", "#495057", "#D6336C", "#74B816")
DURATION_TICKS = ((1, "1 s"), (10, "10 s"), (60, "1 min"), (600, "10 min"), (3600, "1 h"), (6 * 3600, "6 h"),
                  (86_400, "1 d"), (7 * 86_400, "7 d"), (30 * 86_400, "30 d"))


def step_label(event_type: str) -> str:
    return str(event_type).capitalize()


def value_label(breakdown: str, value) -> str:
    """A breakdown value as the legend names it (a platform by its name, a segment capitalised)."""
    if breakdown == "platform":
        return PLATFORM_NAMES.get(value, str(value))
    return str(value).capitalize() if breakdown == "segment" else str(value)


def value_colors(breakdown: str, values) -> dict:
    """A colour per value: the app's platform and segment colours, else the series palette in order."""
    own = PLATFORM_COLORS if breakdown == "platform" else SEGMENT_COLORS if breakdown == "segment" else {}
    palette = iter(SERIES[:5] + MORE_COLORS)
    out = {}
    for v in values:
        out[v] = own.get(v) or ("#ADB5BD" if v == "Other" else next(palette, "#868E96"))
    return out


def duration_text(seconds) -> str:
    """'42 s', '3.5 min', '2.3 h', '4.1 d'; '' for none."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)) or pd.isna(seconds):
        return ""
    for unit, size in (("d", 86_400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            value = seconds / size
            return f"{value:.1f} {unit}" if value < 10 else f"{value:,.0f} {unit}"
    return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"


def _percent(value) -> str:
    return "" if value is None or pd.isna(value) else f"{value:.0%}"


def steps(frame: pd.DataFrame, breakdown: str = "none") -> go.Figure:
    """The funnel: people at each step, labelled with the conversion from the previous step and from the first (the
    label of a small bar outside it). With a breakdown: per value, a bar series of the conversion from the first
    step, people in the hover."""
    if blank(frame, "users"):
        return empty_state(frame)
    if breakdown != "none" and breakdown in frame:
        return _grouped(frame, breakdown)
    labels = [step_label(e) for e in frame["event_type"]]
    text = ["" if r.step == 1 else ", ".join(f"{_percent(share)} of {what}" for share, what in (
        (r.from_previous, "previous"), (r.from_first, "first")) if not pd.isna(share)) for r in frame.itertuples()]
    widest = max(int(frame["users"].max()), 1)
    positions = ["inside" if u >= LABEL_INSIDE * widest else "outside" for u in frame["users"]]
    fig = figure(height=340, hovermode="closest", margin={"l": 48, "r": 200, "t": 24, "b": 24})
    fig.add_funnel(y=labels, x=frame["users"], text=text, texttemplate="%{x:,.0f} users<br>%{text}",
                   textposition=positions, textinfo="none", cliponaxis=False,
                   insidetextfont={"color": "white"}, outsidetextfont={"color": "#343A40"},
                   hovertemplate="%{y}: %{x:,.0f} users %{text}<extra></extra>",
                   connector={"line": {"color": "#DEE2E6"}}, marker={"color": "#3B5BDB"})
    return fig


def _grouped(frame: pd.DataFrame, breakdown: str) -> go.Figure:
    values = list(dict.fromkeys(frame[breakdown]))
    colors = value_colors(breakdown, values)
    order = list(dict.fromkeys(step_label(e) for e in frame.sort_values("step", kind="stable")["event_type"]))
    fig = figure(height=360, barmode="group", hovermode="closest", yaxis_tickformat=".0%",
                 yaxis_title="reached, of those entering", xaxis={"categoryorder": "array", "categoryarray": order})
    for value in values:
        part = frame[frame[breakdown] == value]
        name = value_label(breakdown, value)
        fig.add_bar(x=[step_label(e) for e in part["event_type"]], y=part["from_first"], name=name,
                    marker_color=colors[value], customdata=part["users"],
                    hovertemplate=f"{name}, %{{x}}: %{{customdata:,}} users, %{{y:.1%}} of first<extra></extra>")
    return fig


def times(frame: pd.DataFrame, breakdown: str = "none") -> go.Figure:
    """Time to convert from the step before, per step (and value): a box from the 25th to the 75th percentile, the
    median inside, whiskers at the 10th and the 90th; on a log scale in seconds to weeks."""
    if blank(frame, "users"):
        return empty_state(frame)
    rows = frame[(frame["step"] > 1) & (frame["users"] > 0) & frame["median_seconds"].notna()]
    if rows.empty:
        return empty_figure("Nobody reached a second step")
    by = breakdown if breakdown != "none" and breakdown in frame else None
    order = list(dict.fromkeys(step_label(e) for e in frame[frame["step"] > 1].sort_values(
        "step", kind="stable")["event_type"]))
    low = max(1.0, float(rows["p10_seconds"].min()))
    high = float(rows["p90_seconds"].max())
    ticks = [(v, t) for v, t in DURATION_TICKS if low / 10 <= v <= high * 10] or list(DURATION_TICKS)
    fig = figure(height=300, hovermode="closest", boxmode="group" if by else None,
                 yaxis={"type": "log", "title": "time from the step before", "tickvals": [v for v, _ in ticks],
                        "ticktext": [t for _, t in ticks], "rangemode": None},
                 xaxis={"categoryorder": "array", "categoryarray": order}, showlegend=bool(by))
    groups = [(v, rows[rows[by] == v]) for v in dict.fromkeys(rows[by])] if by else [(None, rows)]
    colors = value_colors(by, [v for v, _ in groups]) if by else {None: SERIES[0]}
    for value, part in groups:
        name = value_label(by, value) if by else "time from the step before"
        fig.add_box(x=[step_label(e) for e in part["event_type"]], name=name, marker_color=colors[value],
                    q1=part["p25_seconds"].clip(lower=0.001), median=part["median_seconds"].clip(lower=0.001),
                    q3=part["p75_seconds"].clip(lower=0.001), lowerfence=part["p10_seconds"].clip(lower=0.001),
                    upperfence=part["p90_seconds"].clip(lower=0.001))
    return fig
