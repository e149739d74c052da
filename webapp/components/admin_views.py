"""The admin page's pieces that only shape data for display (no I/O): the run history's rows as shown, the
partition strip (as Dagster shows partitions), the progress of runs in flight, a run's skipped partitions and the
days it restated."""

from __future__ import annotations

import datetime as dt
import json

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from webapp.components.theme import empty_figure, figure

STATE_COLORS = {"loaded": "#2F9E44", "pending": "#ADB5BD", "skipped": "#F59F00", "failed": "#E03131"}
ENDED_COLORS = {"succeeded": "success", "succeeded_with_warnings": "warning", "failed": "danger",
                "cancelled": "secondary"}


def skipped_of(run: dict) -> list[dict]:
    """A run's skipped partitions (etl_runs.skipped: JSON text, or nothing)."""
    value = run.get("skipped")
    return json.loads(value) if isinstance(value, str) and value else []


def is_idle(run: dict) -> bool:
    """A run that found nothing new: an incremental run that succeeded with no partition to load or skip."""
    return run.get("mode") == "incremental" and run.get("status") == "succeeded" and not (run.get("partitions") or 0) \
        and not skipped_of(run)


def _when(value) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def run_rows(history: pd.DataFrame, show_idle: bool) -> tuple[list[dict], int]:
    """The run history's rows as the grid shows them (times, what, checks, the message or error), and how many
    runs found nothing new (folded away unless `show_idle`)."""
    rows, idle = [], 0
    for run in history.to_dict("records"):
        run = {k: (None if not isinstance(v, (list, dict)) and pd.isna(v) else v) for k, v in run.items()}
        if is_idle(run):
            idle += 1
            if not show_idle:
                continue
        skipped = skipped_of(run)
        note = run["error"] if run["status"] == "failed" else (run["message"] or "")
        if skipped:
            note = f"{len(skipped)} partition{'s' if len(skipped) != 1 else ''} skipped: " + \
                "; ".join(f"{p['kind']} {p['day']}" for p in skipped[:3]) + ("..." if len(skipped) > 3 else "") + \
                (f" — {note}" if note else "")
        rows.append({
            "run_id": int(run["run_id"]), "status": run["status"],
            "what": " · ".join(filter(None, (run["mode"], run["trigger"], run.get("engine")))),
            "requested_by": run["requested_by"], "started_at": _when(run["started_at"] or run["queued_at"]),
            "duration_s": run.get("duration_s"), "partitions": run["partitions"],
            "rows_loaded": run["rows_loaded"], "rows_quarantined": run["rows_quarantined"],
            "checks": f"{int(run['checks_passed'])} · {int(run['checks_warned'])} · {int(run['checks_failed'])}"
            if run["checks"] else "", "note": note,
        })
    return rows, idle


def partition_strip(frame: pd.DataFrame) -> go.Figure:
    """Each lake partition a square on its day, one row per kind, coloured by state; the hover says its run and
    why (as Dagster shows partitions)."""
    if frame.empty:
        return empty_figure("No partitions in the lake yet")
    days = pd.to_datetime(frame["day"])
    size = max(4, min(14, 1100 // max(1, days.nunique())))
    fig = figure(height=150, hovermode="closest", margin={"l": 60, "r": 10, "t": 8, "b": 30},
                 legend={"orientation": "h", "y": -0.5, "x": 0})
    for state, color in STATE_COLORS.items():
        part = frame[frame["state"] == state]
        if part.empty:
            continue
        text = [f"{k} {d:%Y-%m-%d}: {state}" + (f", run {int(r)}" if pd.notna(r) else "") +
                (f"<br>{str(why)[:200]}" if why else "")
                for k, d, r, why in zip(part["kind"], pd.to_datetime(part["day"]), part["run_id"], part["reason"])]
        fig.add_scatter(x=pd.to_datetime(part["day"]), y=part["kind"], mode="markers", name=f"{state} ({len(part)})",
                        marker={"symbol": "square", "size": size, "color": color}, hovertext=text,
                        hoverinfo="text")
    fig.update_yaxes(categoryorder="array", categoryarray=["users", "events"], showgrid=False, fixedrange=True)
    fig.update_xaxes(type="date", showgrid=False)
    return fig


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
    if watched is not None and watched["status"] in ENDED_COLORS:
        rows = (f"{int(watched['rows_read'] or 0):,} rows read, {int(watched['rows_loaded'] or 0):,} loaded, "
                f"{int(watched['rows_quarantined'] or 0):,} quarantined; checks: {int(watched['checks_passed'])} "
                f"passed, {int(watched['checks_warned'])} warned, {int(watched['checks_failed'])} failed")
        engine = f" ({watched['engine']} engine)" if isinstance(watched.get("engine"), str) else ""  # none: dq
        out.append(dbc.Alert([html.Strong(f"Run {watched['run_id']} {watched['status']}{engine}. "), rows,
                              html.Div(watched["error"] or watched["message"] or "", className="small mt-1")],
                             color=ENDED_COLORS[watched["status"]], className="mb-0 py-2", id="admin-run-result"))
    return out or [html.Div("Nothing running.", className="small text-muted")]


def skipped_view(skipped: list[dict]):
    """The partitions a run skipped, each with its file and reason (a warning), or nothing."""
    if not skipped:
        return None
    items = [html.Li([html.Strong(f"{p['kind']} {p['day']}: "), p["reason"]]) for p in skipped]
    return dbc.Alert([html.Div(f"{len(skipped)} partition{'s' if len(skipped) != 1 else ''} skipped (they stay "
                               "pending until fixed):", className="fw-semibold"), html.Ul(items, className="mb-0")],
                     color="warning", className="py-2 small", id="admin-skipped")


def restated_view(marks: pd.DataFrame, span) -> html.Div | None:
    """The days a run restated, each linked to the Overview and Growth charts that mark them (a week either side,
    inside the data), or nothing."""
    if not len(marks) or span is None:
        return None
    items = []
    for row in marks.itertuples():
        first, last = pd.Timestamp(row.first_day).date(), pd.Timestamp(row.last_day).date()
        start = max(span.first_day, first - dt.timedelta(days=7))
        end = min(span.last_day, last + dt.timedelta(days=7))
        query = f"?start={start}&end={end}"
        days = f"{first}" if first == last else f"{first} to {last}"
        items.append(html.Li([f"{days} ({int(row.days)} day{'s' if row.days != 1 else ''}): ",
                              dcc.Link("marked on the Overview", href="/" + query, className="pa-restated-link"),
                              ", ", dcc.Link("on Growth", href="/growth" + query)]))
    return dbc.Alert([html.Div("This run restated days that were already published (the charts mark them):",
                               className="fw-semibold"), html.Ul(items, className="mb-0")],
                     color="info", className="py-2 small", id="admin-restated")
