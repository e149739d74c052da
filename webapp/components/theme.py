"""One look for every figure: a Plotly template, platform and segment colours, and the empty state."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

PLATFORM_COLORS = {"facebook": "#1877F2", "instagram": "#E1306C", "messenger": "#8E44EF", "whatsapp": "#25D366",
                   "threads": "#404040"}
PLATFORM_NAMES = {"facebook": "Facebook", "instagram": "Instagram", "messenger": "Messenger", "whatsapp": "WhatsApp",
                  "threads": "Threads"}
SEGMENT_COLORS = {"casual": "#9DB4C0", "regular": "#5C7AEA", "power": "#F2994A", "creator": "#D7263D"}
SERIES = ("#3B5BDB", "#12B886", "#F59F00", "#E8590C", "#7048E8", "#868E96")
GROWTH_COLORS = {"new_users": "#12B886", "retained": "#3B5BDB", "resurrected": "#FAB005", "churned": "#E03131"}
TEMPLATE = "product_analytics"

pio.templates[TEMPLATE] = go.layout.Template(
    layout=go.Layout(
        font={"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13, "color": "#343A40"},
        colorway=SERIES,
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin={"l": 48, "r": 16, "t": 24, "b": 40},
        hovermode="x unified",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        xaxis={"gridcolor": "#F1F3F5", "linecolor": "#DEE2E6", "zeroline": False, "automargin": True},
        yaxis={"gridcolor": "#F1F3F5", "linecolor": "#DEE2E6", "zeroline": False, "rangemode": "tozero",
               "automargin": True},
    )
)

EMPTY_MESSAGE = "No activity matches these filters"
NO_DATA_MESSAGE = "No data in the selected range"  # a range with no day of the data (analytics.panels.no_data)


def figure(**layout) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(template=TEMPLATE, **layout)
    return fig


def empty_figure(message: str = EMPTY_MESSAGE) -> go.Figure:
    """A blank figure saying why it is blank, instead of a broken chart."""
    fig = figure(height=300)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(text=message, showarrow=False, font={"size": 15, "color": "#868E96"},
                       xref="paper", yref="paper", x=0.5, y=0.5, name="empty-state")
    return fig


def is_empty(fig: go.Figure) -> bool:
    return any(getattr(a, "name", None) == "empty-state" for a in fig.layout.annotations)


def blank(frame: pd.DataFrame | None, column: str | None = None) -> bool:
    """Nothing to draw: no frame, no rows, or (with a column) none of its values."""
    return frame is None or frame.empty or (column is not None and not frame[column].fillna(0).any())


def empty_state(frame: pd.DataFrame | None, message: str = EMPTY_MESSAGE) -> go.Figure:
    """The empty state: "no data" for a range outside the data, else why nothing is drawn."""
    return empty_figure(NO_DATA_MESSAGE if frame is not None and frame.attrs.get("no_data") else message)
