"""Admin: run history, data-quality results, and "Run now" / "Backfill" queued for the scheduler's worker.

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

from store.settings import load_settings
from webapp import admin_data, auth, background
from webapp import callback_inputs as inputs
from webapp.pages._common import heading

dash.register_page(__name__, path="/admin", name="Admin", order=9, nav=False, title="Admin - Product analytics")

# (field, header, width): a number is a fixed width in pixels; None shares the rest of the row, text wrapped
RUN_COLUMNS = [("run_id", "Run", 80), ("status", "Status", 110), ("mode", "Mode", 115), ("trigger", "Trigger", 110),
               ("requested_by", "Who", 120), ("started_at", "Started (UTC)", 175), ("duration_s", "Seconds", 105),
               ("partitions", "Partitions", 115), ("rows_read", "Read", 100), ("rows_loaded", "Loaded", 105),
               ("rows_quarantined", "Quarantined", 130), ("checks_failed", "Failed", 95),
               ("checks_warned", "Warned", 100), ("error", "Error", None)]
CHECK_COLUMNS = [("status", "Status", 95), ("check_name", "Check", 300), ("family", "Family", 135),
                 ("severity", "Severity", 105), ("observed", "Observed", 115), ("threshold", "Threshold", 220),
                 ("message", "Message", None)]
STATUS_STYLES = {"styleConditions": [
    {"condition": "['failed', 'fail'].includes(params.data.status)",
     "style": {"backgroundColor": "#FFF5F5", "color": "#C92A2A"}},
    {"condition": "['warn', 'succeeded_with_warnings'].includes(params.data.status)",
     "style": {"backgroundColor": "#FFF9DB"}},
    {"condition": "['running', 'queued'].includes(params.data.status)", "style": {"backgroundColor": "#E7F5FF"}},
]}


def _table(id_: str, columns, selectable: bool = False) -> dag.AgGrid:
    """A sortable, filterable grid (AG Grid, served by the app), failures red, warnings yellow, runs in flight blue."""
    options = {"pagination": True, "paginationPageSize": 12, "paginationPageSizeSelector": False,
               "domLayout": "autoHeight", "animateRows": False}
    if selectable:
        options["rowSelection"] = {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True}
    defs = [{"field": key, "headerName": label, "width": width} if width else
            {"field": key, "headerName": label, "flex": 1, "minWidth": 280, "wrapText": True, "autoHeight": True}
            for key, label, width in columns]
    return dag.AgGrid(
        id=id_, rowData=[], columnDefs=defs, defaultColDef={"sortable": True, "filter": True, "resizable": True},
        dashGridOptions=options, getRowStyle=STATUS_STYLES, style={"width": "100%"}, className="pa-grid")


for _id, _prop in (("admin-run-now", "n_clicks"), ("admin-backfill", "n_clicks"), ("admin-interval", "n_intervals"),
                   ("admin-watch", "data")):
    inputs.declare(_id, _prop, inputs.count)
inputs.declare("admin-backfill-start", "value", inputs.text(40))
inputs.declare("admin-backfill-end", "value", inputs.text(40))


def _selected_runs(value) -> None:
    """The run history's selection: none, or one row of it (with its run_id)."""
    inputs.any_value(20_000)(value)
    if value is not None and not (isinstance(value, list) and len(value) <= 1 and all(
            isinstance(row, dict) and isinstance(row.get("run_id"), int) for row in value)):
        raise inputs.Invalid("expected the selected run: a list of at most one row with its run_id")


inputs.declare("admin-runs", "selectedRows", _selected_runs)


def _denied(message: str):
    return html.Div([html.H4("Admin", className="mb-2"), dbc.Alert(message, color="secondary", id="admin-denied")],
                    className="py-4")


def layout(**_query):
    if not auth.is_admin():
        return _denied("Admins only: log in as an admin to run the pipeline from here.")
    settings = load_settings()
    state = (f"the scheduler runs here: incremental ETL and checks every {settings.etl_interval_minutes} min"
             if background.scheduler_running() else "the scheduler is not running in this process: queued runs wait")
    return html.Div([
        heading("Admin", f"Runs, data-quality results and backfills; {state}."),
        dbc.Row([
            dbc.Col(dbc.Card(dbc.CardBody([
                html.H6("Run the pipeline"),
                dbc.Button([html.I(className="bi bi-play-fill me-1"), "Run now"], id="admin-run-now",
                           color="primary", className="me-3 mb-2"),
                dbc.InputGroup([
                    dbc.InputGroupText("Backfill"),
                    dbc.Input(id="admin-backfill-start", placeholder="from YYYY-MM-DD", maxLength=10),
                    dbc.Input(id="admin-backfill-end", placeholder="to YYYY-MM-DD", maxLength=10),
                    dbc.Button("Queue", id="admin-backfill", color="secondary"),
                ], size="sm", style={"maxWidth": 460}),
                html.Div(id="admin-action-message", className="mt-3"),
            ])), lg=6, className="mb-3"),
            dbc.Col(dbc.Card(dbc.CardBody([html.H6("Progress"), html.Div(id="admin-progress")])), lg=6,
                    className="mb-3"),
        ]),
        dbc.Card(dbc.CardBody([html.H6("Run history"), _table("admin-runs", RUN_COLUMNS, selectable=True),
                               html.H6(id="admin-run-checks-title", className="mt-3"),
                               html.Div(id="admin-run-skipped"),
                               _table("admin-run-checks", CHECK_COLUMNS)]), className="mb-3"),
        dbc.Card(dbc.CardBody([html.H6("Data quality: the latest result of every check"),
                               _table("admin-checks", CHECK_COLUMNS)])),
        dcc.Store(id="admin-watch"),
        dcc.Interval(id="admin-interval", interval=1500),
    ])


def _require_admin():
    if not auth.is_admin():  # the server already refuses; this keeps the callback safe on its own
        raise PreventUpdate


@callback(Output("admin-action-message", "children"), Output("admin-watch", "data"),
          Input("admin-run-now", "n_clicks"), Input("admin-backfill", "n_clicks"),
          State("admin-backfill-start", "value"), State("admin-backfill-end", "value"),
          prevent_initial_call=True)
def ask_for_run(_run_now, _backfill, start, end):
    _require_admin()
    who = auth.current_user()
    if ctx.triggered_id == "admin-backfill":
        checked = admin_data.validate_backfill(start, end, admin_data.lake_span(load_settings()))
        if isinstance(checked, str):
            return dbc.Alert(checked, color="danger", className="mb-0 py-2", id="admin-backfill-error"), dash.no_update
        run_id, ahead = admin_data.request_run("backfill", who, *checked)
        what = f"Backfill {checked[0]}..{checked[1]}"
    else:
        run_id, ahead = admin_data.request_run("incremental", who)
        what = "Incremental run"
    waiting = f"; {ahead} run{'s' if ahead != 1 else ''} ahead of it, it waits its turn" if ahead else ""
    return dbc.Alert(f"{what} queued as run {run_id}{waiting}.", color="info", className="mb-0 py-2",
                     id="admin-queued"), run_id


def progress_view(queue: list[dict], watched: dict | None) -> list:
    """What runs now (partitions done of total, as etl_runs has them), what waits, and how the watched run ended."""
    out = []
    for item in queue:
        if item["status"] == "running":
            done, total = item["partitions_done"] or 0, item["partitions"] or 0
            label = f"Run {item['run_id']} ({item['trigger']}) running: {done} of {total} partitions" if total \
                else f"Run {item['run_id']} ({item['trigger']}) running: planning"
            out += [html.Div(label, className="small"),
                    dbc.Progress(value=100 * done / total if total else 5, striped=True, animated=True,
                                 className="mb-2", id="admin-progress-bar")]
    waiting = [i for i in queue if i["status"] == "queued"]
    if waiting:
        out.append(html.Div(f"{len(waiting)} queued: " + ", ".join(f"run {i['run_id']} ({i['trigger']})"
                                                                     for i in waiting), className="small mb-2"))
    if watched is not None and watched["status"] in ("succeeded", "failed"):
        color = "success" if watched["status"] == "succeeded" else "danger"
        rows = (f"{int(watched['rows_read'] or 0):,} rows read, {int(watched['rows_loaded'] or 0):,} loaded, "
                f"{int(watched['rows_quarantined'] or 0):,} quarantined; checks: {int(watched['checks_passed'])} "
                f"passed, {int(watched['checks_warned'])} warned, {int(watched['checks_failed'])} failed")
        out.append(dbc.Alert([html.Strong(f"Run {watched['run_id']} {watched['status']}. "), rows,
                              html.Div(watched["error"] or watched["message"] or "", className="small mt-1")],
                             color=color, className="mb-0 py-2", id="admin-run-result"))
    return out or [html.Div("Nothing running.", className="small text-muted")]


def _records(frame: pd.DataFrame, columns) -> list[dict]:
    if frame.empty:
        return []
    frame = frame[[key for key, *_ in columns if key in frame.columns]].copy()
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d %H:%M:%S")
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


@callback(Output("admin-runs", "rowData"), Output("admin-checks", "rowData"), Output("admin-progress", "children"),
          Input("admin-interval", "n_intervals"), Input("admin-watch", "data"))
def refresh(_tick, watch):
    _require_admin()
    history = admin_data.run_history()
    watched = None
    if watch is not None and not history.empty:
        match = history[history["run_id"] == watch]
        watched = match.iloc[0].to_dict() if len(match) else None
    return (_records(history, RUN_COLUMNS), _records(admin_data.latest_checks(), CHECK_COLUMNS),
            progress_view(admin_data.queue(), watched))


def skipped_view(skipped: list[dict]):
    """The partitions a run skipped, each with its file and reason (a warning), or nothing."""
    if not skipped:
        return None
    items = [html.Li([html.Strong(f"{p['kind']} {p['day']}: "), p["reason"]]) for p in skipped]
    return dbc.Alert([html.Div(f"{len(skipped)} partition{'s' if len(skipped) != 1 else ''} skipped (they stay "
                               "pending until fixed):", className="fw-semibold"), html.Ul(items, className="mb-0")],
                     color="warning", className="py-2 small", id="admin-skipped")


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
            skipped_view(run["skipped"]))
