"""Annotations (webapp/annotations.py) in the app's SQLite file of a temp data folder: added, changed, deleted,
validated, read by range; the marks they put on a time chart (webapp/components/annotation_marks.py): a dashed line
named annotation-<id> at the day (a weekly chart: the Monday of its week), a short label with the whole note in its
hover text, on a plain figure, one with a secondary y axis and a cached figure dict (copied, never changed); and
the admin page's callbacks do nothing for anyone but an admin."""

from __future__ import annotations

import copy
import datetime as dt
import sqlite3

import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

from webapp import annotations
from webapp.annotations import Invalid
from webapp.components import annotation_marks
from webapp.sessions import store_path


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("PA_DATA_DIR", str(tmp_path))
    return tmp_path


def test_an_annotation_is_added_changed_and_deleted(data_dir):
    added = annotations.add("2024-01-10", "  Release 2.0:   new   feed ", "ada")
    assert {k: added[k] for k in ("day", "note", "author")} == {"day": "2024-01-10", "note": "Release 2.0: new feed",
                                                                 "author": "ada"}
    assert added["created_at"] == added["updated_at"]
    with sqlite3.connect(store_path(data_dir)) as con:  # beside the sessions, its own table
        assert con.execute("SELECT id, day, note, author FROM annotations").fetchall() == [
            (added["id"], "2024-01-10", "Release 2.0: new feed", "ada")]
    changed = annotations.update(added["id"], dt.date(2024, 1, 11), "Release 2.0 (rolled out)", "root")
    assert (changed["id"], changed["day"], changed["note"], changed["author"]) == (
        added["id"], "2024-01-11", "Release 2.0 (rolled out)", "root")
    assert changed["created_at"] == added["created_at"] and changed["updated_at"] >= added["updated_at"]
    assert annotations.update(added["id"] + 100, "2024-01-11", "gone", "ada") is None
    assert annotations.delete(added["id"]) and not annotations.delete(added["id"])
    assert annotations.all_notes() == []


@pytest.mark.parametrize("day", [None, "", "soon", "2024-13-01", "0001-01-01", "3000-01-01", 20240110])
def test_a_day_is_a_date_from_1900_to_2999(data_dir, day):
    with pytest.raises(Invalid, match="Choose a day from 1900-01-01 to 2999-12-31"):
        annotations.add(day, "note", "ada")


@pytest.mark.parametrize("note", [None, "", "   ", "x" * 201, 7])
def test_a_note_has_1_to_200_characters(data_dir, note):
    with pytest.raises(Invalid, match="1 to 200 characters"):
        annotations.add("2024-01-10", note, "ada")
    first = annotations.add("2024-01-10", "x" * 200, "ada")
    with pytest.raises(Invalid, match="1 to 200 characters"):
        annotations.update(first["id"], "2024-01-10", note, "ada")
    assert [a["note"] for a in annotations.all_notes()] == ["x" * 200]


def test_the_annotations_of_a_range_both_ends_included_by_day(data_dir):
    for day, note in [("2024-01-09", "before"), ("2024-01-20", "late"), ("2024-01-10", "first"),
                      ("2024-01-28", "last"), ("2024-01-29", "after"), ("2024-01-10", "same day")]:
        annotations.add(day, note, "ada")
    assert [a["note"] for a in annotations.in_range(dt.date(2024, 1, 10), dt.date(2024, 1, 28))] == [
        "first", "same day", "late", "last"]
    assert [a["note"] for a in annotation_marks.for_range("2024-01-28", "2024-01-31")] == ["last", "after"]
    assert annotation_marks.for_range("2023-01-01", "2023-12-31") == []
    assert [a["day"] for a in annotations.all_notes()][:2] == ["2024-01-29", "2024-01-28"]  # the admin's list


# the marks on a chart ------------------------------------------------------------------------------------------------

NOTES = [{"id": 7, "day": "2024-01-10", "note": "Outage: the <b>feed</b> service was down for most of the afternoon",
          "author": "ada"},
         {"id": 8, "day": "2024-01-15", "note": "Release 2.0", "author": "ada"}]


def _shapes(fig):
    layout = fig["layout"] if isinstance(fig, dict) else fig.to_plotly_json()["layout"]
    return ({s.get("name"): s for s in layout.get("shapes", [])},
            {a.get("name"): a for a in layout.get("annotations", [])})


def _daily() -> go.Figure:
    days = [f"2024-01-{d:02d}" for d in range(1, 29)]
    return go.Figure(go.Scatter(x=days, y=list(range(28))))


def test_a_note_is_a_dashed_line_at_its_day_with_a_short_label():
    fig = annotation_marks.mark(_daily(), NOTES)
    shapes, labels = _shapes(fig)
    assert set(shapes) == set(labels) == {"annotation-7", "annotation-8"}
    line = shapes["annotation-7"]
    assert (line["type"], line["x0"], line["x1"], line["xref"], line["line"]["dash"]) == (
        "line", "2024-01-10", "2024-01-10", "x", "dash")
    assert (line["yref"], line["y0"], line["y1"]) == ("paper", 0, 1)  # the plot's height
    label = labels["annotation-7"]
    assert label["x"] == "2024-01-10" and label["xref"] == "x"
    assert label["text"] == "Outage: the &lt;b&gt;feed&lt;/b&gt; service was dow…"  # 40 characters, no markup
    assert label["hovertext"] == ("2024-01-10: Outage: the &lt;b&gt;feed&lt;/b&gt; service was down for most of "
                                  "the afternoon (ada)")
    assert labels["annotation-8"]["text"] == "Release 2.0"


def test_on_a_weekly_chart_a_note_marks_the_monday_of_its_week():
    fig = go.Figure(go.Bar(x=["2024-01-01", "2024-01-08", "2024-01-15"], y=[3, 4, 5]))
    shapes, labels = _shapes(annotation_marks.mark(fig, NOTES, grain="week"))
    assert shapes["annotation-7"]["x0"] == shapes["annotation-7"]["x1"] == labels["annotation-7"]["x"] == "2024-01-08"
    assert shapes["annotation-8"]["x0"] == "2024-01-15"  # a Monday stays


def test_a_chart_with_a_secondary_axis_is_marked_on_its_time_axis():
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_bar(x=["2024-01-01", "2024-01-08"], y=[3, 4])
    fig.add_scatter(x=["2024-01-01", "2024-01-08"], y=[1.2, 0.8], secondary_y=True)
    fig.add_hline(y=1, secondary_y=True)
    marked = annotation_marks.mark(fig, NOTES[:1], grain="week")
    assert marked is fig
    shapes, labels = _shapes(marked)
    assert len(marked.layout.shapes) == 2  # the line at 1, and one for the note: not one per y axis
    assert (shapes["annotation-7"]["xref"], shapes["annotation-7"]["x0"]) == ("x", "2024-01-08")
    assert labels["annotation-7"]["xref"] == "x"


def test_a_cached_figure_dict_is_marked_on_a_copy():
    cached = _daily().to_plotly_json()
    cached["layout"]["shapes"] = [{"type": "rect", "name": "restated-run-3", "x0": "2024-01-02", "x1": "2024-01-03"}]
    before = copy.deepcopy(cached)
    marked = annotation_marks.mark(cached, NOTES)
    assert cached == before  # the cache's own copy is left alone
    assert [s["name"] for s in marked["layout"]["shapes"]] == ["restated-run-3", "annotation-7", "annotation-8"]
    assert marked["data"] is cached["data"]


def test_no_notes_or_no_data_leave_the_figure_as_it_is():
    fig = _daily()
    assert annotation_marks.mark(fig, []) is fig and not fig.layout.shapes
    empty = go.Figure()
    empty.add_annotation(text="No data in the selected range", showarrow=False)
    assert annotation_marks.mark(empty, NOTES) is empty and len(empty.layout.annotations) == 1
    assert annotation_marks.mark({"data": [], "layout": {}}, NOTES) == {"data": [], "layout": {}}


# the admin page ------------------------------------------------------------------------------------------------------

def test_the_admin_callbacks_write_nothing_for_anyone_but_an_admin(data_dir):
    """The server refuses their admin-* outputs to others (webapp/auth.py); the callbacks refuse too."""
    from dash.exceptions import PreventUpdate
    from flask import g

    import app as the_app
    from webapp.pages import admin

    annotations.add("2024-01-10", "kept", "ada")
    with the_app.server.test_request_context("/_dash-update-component", method="POST"):
        g.user = None
        for update, args in ((admin.change_annotations, (1, None, None, "2024-01-11", "changed", None)),
                             (admin.edit_annotation, ([{"id": 1, "day": "2024-01-10", "note": "kept"}],))):
            with pytest.raises(PreventUpdate):
                update(*args)  # dash's callback returns the function itself
    assert [a["note"] for a in annotations.all_notes()] == ["kept"]
    assert all(o.startswith("admin-") for o in ("admin-annotations", "admin-annotation-message",
                                                 "admin-annotation-day", "admin-annotation-note"))
