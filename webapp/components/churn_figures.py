"""The churn page's figures: a frame of analytics/churn_risk.py in, a Plotly figure out. Pure: no I/O."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from webapp.components.theme import EMPTY_MESSAGE, PLATFORM_NAMES, empty_figure, figure

BAND_COLORS = {"high": "#E03131", "medium": "#F59F00", "low": "#ADB5BD"}
BAND_NAMES = {"high": "High risk (score ≥ 0.5)", "medium": "Medium (0.2 to 0.5)", "low": "Low (< 0.2)"}
SCORED_NOBODY = "No scored person matches these filters"
TOP_VALUES = 15  # a breakdown by country draws the countries with most people


def risk_distribution(frame: pd.DataFrame, message: str | None = None) -> go.Figure:
    """People per score bin of 0.05, coloured by risk band; `message` draws the empty state instead (the page's
    state when nobody is scored)."""
    if message or frame.empty:
        return empty_figure(message or SCORED_NOBODY)
    fig = figure(height=320, barmode="stack", hovermode="closest", bargap=0.05,
                 xaxis_title="churn score (probability of no activity in the horizon)", yaxis_title="people")
    for band, name in BAND_NAMES.items():
        part = frame[frame["risk_band"] == band]
        if part.empty:
            continue
        fig.add_bar(x=part["bin_start"] + (part["bin_end"] - part["bin_start"]) / 2, y=part["people"],
                    width=part["bin_end"] - part["bin_start"], name=name, marker_color=BAND_COLORS[band],
                    customdata=part[["bin_start", "bin_end"]],
                    hovertemplate="score %{customdata[0]:.2f} to %{customdata[1]:.2f}: %{y:,} people"
                                  f"<extra>{band}</extra>")
    fig.update_xaxes(range=[0, 1], dtick=0.1)
    return fig


def at_risk(frame: pd.DataFrame, dimension: str, message: str | None = None) -> go.Figure:
    """Per value of a dimension, its people in the high and medium bands as stacked horizontal bars (the values
    with most people, at most TOP_VALUES), labelled with the expected churn rate (mean score)."""
    if message or frame.empty:
        return empty_figure(message or SCORED_NOBODY)
    shown = frame.head(TOP_VALUES).iloc[::-1]
    labels = [PLATFORM_NAMES.get(v, v) if dimension == "platform" else str(v) for v in shown["value"]]
    fig = figure(height=max(260, 28 * len(shown) + 90), barmode="stack", hovermode="closest",
                 xaxis_title="people at risk", margin={"l": 120, "r": 90, "t": 24, "b": 40})
    for band in ("high", "medium"):
        fig.add_bar(y=labels, x=shown[f"{band}_risk"], orientation="h", name=BAND_NAMES[band],
                    marker_color=BAND_COLORS[band], customdata=shown[["people"]],
                    hovertemplate=f"%{{y}}: %{{x:,}} {band} risk of %{{customdata[0]:,}} people<extra></extra>")
    fig.add_scatter(y=labels, x=shown["high_risk"] + shown["medium_risk"], mode="text", showlegend=False,
                    text=[f" {r:.0%} expected" for r in shown["expected_churn_rate"]], textposition="middle right",
                    cliponaxis=False, hoverinfo="skip")
    return fig


def calibration(frame: pd.DataFrame, message: str | None = None) -> go.Figure:
    """Observed churn rate against mean predicted probability per bin, model and baseline, with the diagonal of a
    perfectly calibrated model; marker size: the bin's people."""
    if message or frame.empty:
        return empty_figure(message or EMPTY_MESSAGE)
    fig = figure(height=300, hovermode="closest", xaxis_title="mean predicted probability",
                 yaxis_title="observed churn rate", xaxis={"range": [0, 1]}, yaxis={"range": [0, 1.02]})
    fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfectly calibrated",
                    line={"dash": "dot", "width": 1, "color": "#868E96"}, hoverinfo="skip")
    for scorer, color, name in (("model", "#3B5BDB", "model"), ("baseline", "#F59F00", "recency-only baseline")):
        part = frame[frame["scorer"] == scorer]
        fig.add_scatter(x=part["predicted"], y=part["observed"], mode="lines+markers", name=name,
                        line={"color": color}, customdata=part[["rows", "bin"]],
                        marker={"size": [6 + min(14, r ** 0.5 / 4) for r in part["rows"]]},
                        hovertemplate="predicted %{x:.2f}, observed %{y:.2f} (%{customdata[0]:,} people, "
                                      f"bin %{{customdata[1]}})<extra>{name}</extra>")
    return fig
