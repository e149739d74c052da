"""Annotations on the time charts: a dashed vertical line at each annotated day (with weekly bars, the Monday of its
week) with the note as a short label at the top of the plot, the whole note, day and author in its hover text.

    figure = annotation_marks.mark(figure, annotation_marks.for_range(f.start, f.end), grain)

Each line and label is named f"annotation-{id}". A figure is a plotly Figure (make_subplots with a secondary y
too: the marks use the first x axis and the plot's height) or the dict a cached panel callback returns (copied,
never changed in place); a figure with no data (an empty state) is returned as it is.
"""

from __future__ import annotations

import datetime as dt
import html

import plotly.graph_objects as go

from webapp import annotations

LABEL_CHARS = 40
COLOR = "#5F3DC4"


def for_range(start, end) -> list[dict]:
    """The annotations on the days from start to end (dates or YYYY-MM-DD), by day: one SQLite read."""
    return annotations.in_range(start, end)


def _x(day: str, grain: str) -> str:
    value = dt.date.fromisoformat(str(day)[:10])
    if grain == "week":  # weekly bars stand at each week's Monday
        value -= dt.timedelta(days=value.weekday())
    return value.isoformat()


def _short(note: str) -> str:
    return note if len(note) <= LABEL_CHARS else note[:LABEL_CHARS - 1].rstrip() + "…"


def marks(notes: list[dict], grain: str = "day") -> tuple[list[dict], list[dict]]:
    """The layout shapes and annotations marking the notes: (shapes, labels)."""
    shapes, labels = [], []
    for note in notes:
        x, name = _x(note["day"], grain), f"annotation-{note['id']}"
        shapes.append({"type": "line", "name": name, "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
                       "line": {"color": COLOR, "width": 1, "dash": "dash"}, "layer": "above"})
        hover = f"{note['day']}: {note['note']}" + (f" ({note['author']})" if note.get("author") else "")
        labels.append({"name": name, "text": html.escape(_short(note["note"]), quote=False),  # Plotly reads tags
                       "hovertext": html.escape(hover, quote=False), "xref": "x", "yref": "paper", "x": x, "y": 1,
                       "xanchor": "left", "yanchor": "top", "showarrow": False, "align": "left",
                       "font": {"size": 10, "color": COLOR}, "bgcolor": "rgba(255, 255, 255, 0.8)"})
    return shapes, labels


def mark(fig: go.Figure | dict, notes: list[dict], grain: str = "day") -> go.Figure | dict:
    """The figure with the notes marked (a dashed line and a label each); the same kind of figure back."""
    if not notes:
        return fig
    shapes, labels = marks(notes, grain)
    if isinstance(fig, go.Figure):
        if fig.data:
            for shape in shapes:
                fig.add_shape(shape)
            for label in labels:
                fig.add_annotation(label)
        return fig
    if not isinstance(fig, dict) or not fig.get("data"):
        return fig
    layout = fig.get("layout") or {}
    return {**fig, "layout": {**layout, "shapes": [*(layout.get("shapes") or []), *shapes],
                              "annotations": [*(layout.get("annotations") or []), *labels]}}
