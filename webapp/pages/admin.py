"""Admin: runs (folded when they found nothing new; cancel a queued one, retry a failed one), the lake's partitions
(loaded, pending, skipped, failed), data-quality results, and "Run now" / "Backfill" queued for the scheduler's
worker, with when it runs next; the annotations every time chart marks (a day and a note: add, edit, delete).

Only for admins: the layout says so to anyone else, and the server refuses any callback writing an admin-*
component for a session that is not an admin's (webapp/auth.py), whatever sent it.
"""

from __future__ import annotations

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from analytics import panels
from store.settings import load_settings
from webapp import admin_data, annotations, auth, background
from webapp import callback_inputs as inputs
from webapp.components import admin_views
from webapp.pages._common import heading

dash.register_page(__name__, path="/admin", name="Admin", order=9, nav=False, title="Admin - Product analytics")

# (field, header, width, format): a number is a fixed width in pixels; None shares the rest of the row, wrapped.
# Fits 1440 px without scrolling sideways.
RUN_COLUMNS = [("run_id", "Run", 70, "id"), ("status", "Status", 160, None), ("what", "What", 190, None),
               ("requested_by", "Who", 105, None), ("started_at", "Started (UTC)", 140, "time"),
               ("duration_s", "Seconds", 90, "seconds"), ("partitions", "Partitions", 95, "count"),
               ("rows_loaded", "Loaded", 105, "count"), ("rows_quarantined", "Quarantined", 110, "count"),
               ("checks", "Checks", 95, "checks"), ("note", "Message", None, "text")]
CHECK_COLUMNS = [("status", "Status", 100, None), ("check_name", "Check", 290, None),
                 ("family", "Family", 130, None), ("severity", "Severity", 105, None),
                 ("observed", "Observed", 110, "number"), ("threshold", "Threshold", 230, None),
                 ("message", "Message", None, None)]
PARTITION_COLUMNS = [("kind", "Kind", 100, None), ("day", "Day", 130, None), ("state", "State", 110, None),
                     ("run_id", "Run", 80, "id"), ("reason", "Why", None, None)]
FORMATS = {"count": "params.value == null ? '' : d3.format(',')(params.value)",
           "seconds": "params.value == null ? '' : d3.format('.1f')(params.value)",
           "number": "params.value == null ? '' : d3.format(',.4~g')(params.value)"}
# per format: the column's own settings (numbers right-aligned; narrow ones without a filter button, so their
# headers are whole; the message on one line, whole in its tooltip)
COLUMN_KINDS = {"count": {"type": "rightAligned", "filter": False}, "seconds": {"type": "rightAligned", "filter": False},
                "number": {"type": "rightAligned"}, "id": {"filter": False}, "time": {"filter": False},
                "checks": {"filter": False, "headerTooltip": "checks passed · warned · failed"},
                "text": {"wrapText": False, "autoHeight": False, "tooltipField": "note"}}
STATUS_STYLES = {"styleConditions": [
    {"condition": "['failed', 'fail'].includes(params.data.status || params.data.state)",
     "style": {"backgroundColor": "#FFF5F5", "color": "#C92A2A"}},
    {"condition": "['warn', 'succeeded_with_warnings', 'skipped'].includes(params.data.status || params.data.state)",
     "style": {"backgroundColor": "#FFF9DB"}},
    {"condition": "['running', 'queued'].includes(params.data.status)", "style": {"backgroundColor": "#E7F5FF"}},
    {"condition": "params.data.status === 'cancelled'", "style": {"color": "#868E96"}},
]}


def _table(id_: str, columns, selectable: bool = False, page_size: int = 12, empty: str = "Nothing yet") -> dag.AgGrid:
    """A sortable, filterable grid (AG Grid, served by the app), failures red, warnings yellow, runs in flight blue;
    `empty`: what it says with no rows."""
    options = {"pagination": True, "paginationPageSize": page_size, "paginationPageSizeSelector": False,
               "domLayout": "autoHeight", "animateRows": False, "tooltipShowDelay": 300,
               "localeText": {"noRowsToShow": empty}}
    if selectable:
        options["rowSelection"] = {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True}
    defs = []
    for key, label, width, kind in columns:
        column = {"field": key, "headerName": label, "width": width} if width else \
            {"field": key, "headerName": label, "flex": 1, "minWidth": 200, "wrapText": True, "autoHeight": True}
        if kind in FORMATS:
            column["valueFormatter"] = {"function": FORMATS[kind]}
        column.update(COLUMN_KINDS.get(kind, {}))
        defs.append(column)
    return dag.AgGrid(
        id=id_, rowData=[], columnDefs=defs, defaultColDef={"sortable": True, "filter": True, "resizable": True},
        dashGridOptions=options, getRowStyle=STATUS_STYLES, style={"width": "100%"}, className="pa-grid")


for _id, _prop in (("admin-run-now", "n_clicks"), ("admin-backfill", "n_clicks"), ("admin-interval", "n_intervals"),
                   ("admin-watch", "data"), ("admin-cancel", "n_clicks"), ("admin-retry", "n_clicks"),
                   ("admin-partitions-interval", "n_intervals"), ("admin-last-ended", "data")):
    inputs.declare(_id, _prop, inputs.count)
inputs.declare("admin-backfill-dates", "start_date", inputs.text(40))
inputs.declare("admin-backfill-dates", "end_date", inputs.text(40))
inputs.declare("admin-show-idle", "value", inputs.text_list(1, 10))


inputs.declare("admin-runs", "selectedRows", inputs.selected_row("run_id", "run"))


def _denied(message: str):
    return html.Div([html.H1("Admin", className="h4 mb-2"), dbc.Alert(message, color="secondary", id="admin-denied")],
                    className="py-4")


def _worker_line(settings) -> tuple[str, bool]:
    """What executes runs here, when the next scheduled one is, and whether anything will execute a run asked for."""
    if not background.scheduler_running():
        return ("Nothing executes runs in this process: the scheduler is off (PA_SCHEDULER_ENABLED=0) or another "
                "process holds it. Run now and Backfill are disabled: a queued run would wait forever."), False
    upcoming = background.next_refresh()
    if upcoming is None:
        return ("The scheduler executes the runs asked for (the API, this page); it schedules none itself "
                "(PA_ETL_INTERVAL_MINUTES=0)."), True
    return (f"The scheduler runs here: an incremental run and the checks every {settings.etl_interval_minutes} "
            f"min; next at {upcoming:%Y-%m-%d %H:%M} UTC."), True


def layout(**_query):
    if not auth.is_admin():
        return _denied("Admins only: log in as an admin to run the pipeline from here.")
    settings = load_settings()
    worker, can_run = _worker_line(settings)
    span = admin_data.lake_span(settings)
    return html.Div([
        heading("Admin", "Runs, partitions, data-quality results and backfills."),
        dbc.Row([
            dbc.Col(dbc.Card(dbc.CardBody([
                html.H2("Run the pipeline", className="h6"),
                html.P(worker, className="small text-muted", id="admin-worker"),
                dbc.Button([html.I(className="bi bi-play-fill me-1"), "Run now"], id="admin-run-now",
                           color="primary", className="me-3 mb-2", disabled=not can_run),
                html.Div([
                    html.Span("Backfill", className="me-2 small fw-semibold"),
                    dcc.DatePickerRange(id="admin-backfill-dates", start_date_id="admin-backfill-start",
                                        end_date_id="admin-backfill-end", display_format="YYYY-MM-DD",
                                        min_date_allowed=span[0] if span else None,
                                        max_date_allowed=span[1] if span else None, minimum_nights=0,
                                        first_day_of_week=1, clearable=True, disabled=not can_run,
                                        start_date_placeholder_text="from", end_date_placeholder_text="to"),
                    dbc.Button("Queue", id="admin-backfill", color="secondary", size="sm", className="ms-2",
                               disabled=not can_run),
                ], className="d-flex align-items-center flex-wrap"),
                html.Div(id="admin-action-message", className="mt-3"),
            ])), lg=5, className="mb-3"),
            dbc.Col(dbc.Card(dbc.CardBody([html.H2("Progress", className="h6"), html.Div(id="admin-progress")])), lg=7,
                    className="mb-3"),
        ]),
        dbc.Card(dbc.CardBody([
            html.H2("Partitions", className="h6"),
            html.P("Each day of the lake: loaded, pending (not loaded yet, or changed since), skipped by the last run "
                   "that tried it, or failed with it. Those not loaded are listed below with why.",
                   className="small text-muted mb-1"),
            dcc.Graph(id="admin-partitions-graph", config={"displayModeBar": False}),
            _table("admin-partitions", PARTITION_COLUMNS, page_size=8,
                   empty="Every partition in the lake is loaded"),
        ]), className="mb-3"),
        dbc.Card(dbc.CardBody([
            html.Div([
                html.H2("Run history", className="h6 mb-0 me-auto"),
                dbc.Checklist(id="admin-show-idle", options=[{"label": "show runs that found nothing new",
                                                              "value": "idle"}],
                              value=[], switch=True, className="small me-3"),
                dbc.Button("Cancel run", id="admin-cancel", size="sm", color="light", className="me-2",
                           title="Cancel the selected run (queued runs only)"),
                dbc.Button("Retry run", id="admin-retry", size="sm", color="light",
                           title="Queue the selected failed or cancelled run again"),
            ], className="d-flex align-items-center mb-2"),
            html.Div(id="admin-run-action"),
            _table("admin-runs", RUN_COLUMNS, selectable=True, empty="No runs yet"),
            html.H3(id="admin-run-checks-title", className="h6 mt-3"),
            html.Div(id="admin-run-skipped"),
            _table("admin-run-checks", CHECK_COLUMNS, empty="Select a run above to see its check results"),
        ]), className="mb-3"),
        dbc.Card(dbc.CardBody([html.H2("Data quality: the latest result of every check", className="h6"),
                               _table("admin-checks", CHECK_COLUMNS, empty="No check has run yet")]),
                 className="mb-3"),
        annotations_card(),
        dcc.Store(id="admin-watch"),
        dcc.Store(id="admin-last-ended"),  # the newest ended run: the partitions are drawn again when it changes
        dcc.Interval(id="admin-interval", interval=1500),
        dcc.Interval(id="admin-partitions-interval", interval=15_000),
    ])


def _require_admin():
    if not auth.is_admin():  # the server already refuses; this keeps the callback safe on its own
        raise PreventUpdate


def _alert(text: str, color: str, id_: str):
    return dbc.Alert(text, color=color, className="mb-0 py-2", id=id_)


@callback(Output("admin-action-message", "children"), Output("admin-watch", "data"),
          Input("admin-run-now", "n_clicks"), Input("admin-backfill", "n_clicks"),
          State("admin-backfill-dates", "start_date"), State("admin-backfill-dates", "end_date"),
          prevent_initial_call=True)
def ask_for_run(_run_now, _backfill, start, end):
    _require_admin()
    if not background.scheduler_running():
        return _alert("Nothing executes runs in this process (the scheduler is off): nothing was queued.",
                      "danger", "admin-backfill-error"), dash.no_update
    who = auth.current_user()
    if ctx.triggered_id == "admin-backfill":
        checked = admin_data.validate_backfill(start, end, admin_data.lake_span(load_settings()))
        if isinstance(checked, str):
            return _alert(checked, "danger", "admin-backfill-error"), dash.no_update
        run_id, ahead = admin_data.request_run("backfill", who, *checked)
        what = f"Backfill {checked[0]}..{checked[1]}"
    else:
        run_id, ahead = admin_data.request_run("incremental", who)
        what = "Incremental run"
    waiting = f"; {ahead} run{'s' if ahead != 1 else ''} ahead of it, it waits its turn" if ahead else ""
    return _alert(f"{what} queued as run {run_id}{waiting}.", "info", "admin-queued"), run_id


@callback(Output("admin-run-action", "children"), Output("admin-watch", "data", allow_duplicate=True),
          Input("admin-cancel", "n_clicks"), Input("admin-retry", "n_clicks"), State("admin-runs", "selectedRows"),
          prevent_initial_call=True)
def act_on_run(_cancel, _retry, selected):
    _require_admin()
    if not selected:
        return _alert("Select a run in the history first.", "secondary", "admin-run-action-result"), dash.no_update
    run_id, who = selected[0]["run_id"], auth.current_user()
    if ctx.triggered_id == "admin-cancel":
        done, message = admin_data.cancel_run(run_id, who)
        return _alert(message, "info" if done else "danger", "admin-run-action-result"), dash.no_update
    if not background.scheduler_running():
        return _alert("Nothing executes runs in this process (the scheduler is off): nothing was queued.",
                      "danger", "admin-run-action-result"), dash.no_update
    new_id, message = admin_data.retry_run(run_id, who)
    return _alert(message, "info" if new_id else "danger", "admin-run-action-result"), new_id or dash.no_update


def _records(frame: pd.DataFrame, columns) -> list[dict]:
    if frame.empty:
        return []
    frame = frame[[key for key, *_ in columns if key in frame.columns]].copy()
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d %H:%M:%S")
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


@callback(Output("admin-runs", "rowData"), Output("admin-show-idle", "options"), Output("admin-checks", "rowData"),
          Output("admin-progress", "children"), Output("admin-last-ended", "data"),
          Input("admin-interval", "n_intervals"), Input("admin-watch", "data"), Input("admin-show-idle", "value"),
          State("admin-last-ended", "data"))
def refresh(_tick, watch, show_idle, last_ended):
    _require_admin()
    history = admin_data.run_history()
    watched = None
    if watch is not None and not history.empty:
        match = history[history["run_id"] == watch]
        watched = match.iloc[0].to_dict() if len(match) else None
    rows, idle = admin_views.run_rows(history, bool(show_idle))
    toggle = [{"label": f"show {idle} run{'s' if idle != 1 else ''} that found nothing new", "value": "idle"}]
    ended = history.loc[history["status"].isin(admin_views.ENDED_COLORS), "run_id"] if not history.empty else []
    newest = int(max(ended)) if len(ended) else None
    return (rows, toggle, _records(admin_data.latest_checks(), CHECK_COLUMNS),
            admin_views.progress_view(admin_data.queue(), watched),
            newest if newest != last_ended else dash.no_update)


@callback(Output("admin-partitions-graph", "figure"), Output("admin-partitions", "rowData"),
          Input("admin-partitions-interval", "n_intervals"), Input("admin-last-ended", "data"))
def show_partitions(_tick, _last_ended):
    _require_admin()
    frame = admin_data.partitions(load_settings())
    attention = frame[frame["state"] != "loaded"].copy()
    attention["day"] = attention["day"].astype(str)
    attention["run_id"] = attention["run_id"].astype("Int64")
    return admin_views.partition_strip(frame), _records(attention, PARTITION_COLUMNS)


@callback(Output("admin-run-checks", "rowData"), Output("admin-run-checks-title", "children"),
          Output("admin-run-skipped", "children"), Input("admin-runs", "selectedRows"))
def show_run_checks(selected):
    _require_admin()
    if not selected:
        return [], "Select a run to see its check results", None
    run_id = selected[0]["run_id"]
    run = admin_data.run(run_id)
    if run is None:
        return [], f"No run {run_id}", None
    return (_records(admin_data.checks_of_run(run_id), CHECK_COLUMNS), f"Checks of run {run_id} ({run['status']})",
            [admin_views.skipped_view(run["skipped"]),
             admin_views.restated_view(panels.restated_by(run_id), panels.data_span())])


# annotations: a day and a note marked on every time chart (webapp/annotations.py, components/annotation_marks.py) --

ANNOTATION_COLUMNS = [("day", "Day", 120, None), ("note", "Note", None, None), ("author", "By", 110, None),
                      ("updated", "Changed (UTC)", 150, "time")]
for _id in ("admin-annotation-add", "admin-annotation-save", "admin-annotation-delete"):
    inputs.declare(_id, "n_clicks", inputs.count)
inputs.declare("admin-annotation-day", "date", inputs.text(40))
inputs.declare("admin-annotation-note", "value", inputs.text(1000))  # the box allows 200: annotations says so beyond
inputs.declare("admin-annotations", "selectedRows", inputs.selected_row("id", "annotation"))


def annotations_card() -> dbc.Card:
    grid = _table("admin-annotations", ANNOTATION_COLUMNS, selectable=True, page_size=8,
                  empty="No annotations yet: add one above")
    grid.getRowId = "String(params.data.id)"  # the selection stays on its row when the list is drawn again
    return dbc.Card(dbc.CardBody([
        html.H2("Annotations", className="h6"),
        html.P("A day marked on every time chart with a note (a release, an outage), for everyone who reads them. "
               "Select one in the list to change or delete it.", className="small text-muted mb-2"),
        html.Div([
            dcc.DatePickerSingle(id="admin-annotation-day", display_format="YYYY-MM-DD", first_day_of_week=1,
                                 placeholder="day", clearable=True),
            dbc.Input(id="admin-annotation-note", maxLength=annotations.MAX_NOTE,
                      placeholder=f"note (1 to {annotations.MAX_NOTE} characters)", className="mx-2",
                      style={"maxWidth": "32rem"}),
            dbc.Button("Add", id="admin-annotation-add", color="primary", size="sm", className="me-2"),
            dbc.Button("Save changes", id="admin-annotation-save", color="secondary", size="sm", className="me-2",
                       title="Give the selected annotation this day and note"),
            dbc.Button("Delete", id="admin-annotation-delete", color="light", size="sm",
                       title="Delete the selected annotation"),
        ], className="d-flex align-items-center flex-wrap mb-2"),
        html.Div(id="admin-annotation-message", className="mb-2"),
        grid,
    ]))


def _annotation_rows() -> list[dict]:
    return [{"id": a["id"], "day": a["day"], "note": a["note"], "author": a["author"],
             "updated": pd.Timestamp(a["updated_at"], unit="s").strftime("%Y-%m-%d %H:%M:%S")}
            for a in annotations.all_notes()]


def _annotation_change(action: str, day, note, selected) -> tuple[str, str]:
    """Do what the admin asked for; (message, color)."""
    who = auth.current_user()
    if action == "admin-annotation-add":
        added = annotations.add(day, note, who)
        return f"Added the note on {added['day']}.", "info"
    if not selected:
        return "Select an annotation in the list first.", "secondary"
    annotation_id = selected[0]["id"]
    if action == "admin-annotation-delete":
        return (f"Deleted the note on {selected[0].get('day')}.", "info") if annotations.delete(annotation_id) \
            else ("That annotation is gone already.", "secondary")
    changed = annotations.update(annotation_id, day, note, who)
    return (f"Saved the note on {changed['day']}.", "info") if changed else ("That annotation is gone.", "secondary")


@callback(Output("admin-annotations", "rowData"), Output("admin-annotation-message", "children"),
          Input("admin-annotation-add", "n_clicks"), Input("admin-annotation-save", "n_clicks"),
          Input("admin-annotation-delete", "n_clicks"), State("admin-annotation-day", "date"),
          State("admin-annotation-note", "value"), State("admin-annotations", "selectedRows"))
def change_annotations(_add, _save, _delete, day, note, selected):
    """The list of annotations; Add, Save changes (to the selected one) and Delete (it), each saying what it did."""
    _require_admin()
    message = None
    if ctx.triggered_id:
        try:
            text, color = _annotation_change(ctx.triggered_id, day, note, selected)
        except annotations.Invalid as exc:
            text, color = str(exc), "danger"
        message = _alert(text, color, "admin-annotation-result")
    return _annotation_rows(), message


@callback(Output("admin-annotation-day", "date"), Output("admin-annotation-note", "value"),
          Input("admin-annotations", "selectedRows"), prevent_initial_call=True)
def edit_annotation(selected):
    """The selected annotation's day and note in the form, to change them."""
    _require_admin()
    if not selected:
        raise PreventUpdate
    return selected[0].get("day"), selected[0].get("note")
