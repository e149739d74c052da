"""The filter bar's "Views" menu: the saved views a user may open (their own and those others shared, each a link
to its page with its filters), and "Save this view", a small form naming the current page and filters (shared with
everyone who logs in, or not), which also lists the views this user may delete. Anonymous visitors
(PA_ANONYMOUS_ACCESS=1) get a note instead of views. The views live in webapp/saved_views.py.

    saved_views_bar.layout()     # in the filter bar (webapp/components/filter_bar.py)
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from webapp import auth, saved_views
from webapp import callback_inputs as inputs
from webapp.components import ids

ROOT = "saved-views"
MENU, LIST, OPEN = "saved-views-menu", "saved-views-list", "saved-views-open"
MODAL, NAME, SHARED, SAVE, MESSAGE = ("saved-views-modal", "saved-views-name", "saved-views-shared",
                                      "saved-views-save", "saved-views-message")
OWN, CHANGED = "saved-views-own", "saved-views-changed"
DELETE = "saved-views-delete"


def delete_button(view_id: int) -> dict:
    return {"type": DELETE, "view": view_id}


def _view_id(value) -> None:
    if not (isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2 ** 53):
        raise inputs.Invalid(f"expected a view's id, got {str(value)[:40]}")


for _id, _prop in ((CHANGED, "data"), (OPEN, "n_clicks"), (SAVE, "n_clicks"), (NAME, "n_submit"),
                   (delete_button("*"), "n_clicks")):
    inputs.declare(_id, _prop, inputs.count)
inputs.declare(NAME, "value", inputs.text(400))  # the form allows 80 characters; saved_views says so beyond
inputs.declare(SHARED, "value", inputs.one_of(True, False, None))
inputs.declare_pattern_key("view", _view_id)


def layout() -> html.Div:
    """The menu (filled by `show_views` for whoever is logged in) and its form."""
    form = dbc.Modal([
        dbc.ModalHeader(dbc.ModalTitle("Save this view", id="saved-views-title")),
        dbc.ModalBody([
            html.P("This page with the filters it shows now, under a name.", className="small text-muted"),
            dbc.Label("Name", html_for=NAME, className="small"),
            dbc.Input(id=NAME, maxLength=saved_views.MAX_NAME, placeholder="e.g. Threads power users, last 90 days",
                      className="mb-2"),
            dbc.Checkbox(id=SHARED, value=False, label="Share with everyone who logs in"),
            html.Div(id=MESSAGE, className="mt-2"),
            html.Div(id=OWN, className="mt-3"),
        ]),
        dbc.ModalFooter(dbc.Button([html.I(className="bi bi-bookmark-plus me-1"), "Save"], id=SAVE,
                                   color="primary")),
    ], id=MODAL, is_open=False, labelledby="saved-views-title")
    menu = dbc.DropdownMenu([
        html.Div(id=LIST, style={"maxHeight": "60vh", "overflowY": "auto"}),
        dbc.DropdownMenuItem(divider=True),
        dbc.DropdownMenuItem([html.I(className="bi bi-bookmark-plus me-1"), "Save this view…"], id=OPEN),
    ], id=MENU, label=[html.I(className="bi bi-bookmarks me-1"), "Views"], size="sm", color="light",
        align_end=True)
    return html.Div([menu, form, dcc.Store(id=CHANGED, data=0)], id=ROOT, className="pa-saved-views")


def _page_name(path: str) -> str:
    return saved_views.pages().get(path, path)


def _note(text: str, id_: str | None = None) -> html.Div:
    """A line of the menu that is not a link (Bootstrap's dropdown header, without dbc's role=heading)."""
    return html.Div(text, className="dropdown-header", **({"id": id_} if id_ else {}))


def _menu_items(views: list[saved_views.View], user: str) -> list:
    if not views:
        return [_note("No saved views yet")]
    items = []
    for heading, group in (("Yours", [v for v in views if v.owner == user]),
                           ("Shared by others", [v for v in views if v.owner != user])):
        if group:
            items.append(_note(heading))
        for view in group:
            detail = f" · {_page_name(view.path)}" + (f" · by {view.owner}" if view.owner != user else
                                                      " · shared" if view.shared else "")
            items.append(dbc.DropdownMenuItem([view.name, html.Small(detail, className="text-muted")],
                                              href=view.href, className="pa-saved-view"))
    return items


def _deletable(views: list[saved_views.View], user: str, admin: bool):
    mine = [v for v in views if v.owner == user or admin]
    if not mine:
        return None
    return html.Div([
        html.Div("Views you may delete", className="small fw-semibold mb-1"),
        html.Ul([html.Li([html.Span(view.name), html.Small(f" · {_page_name(view.path)}"
                                                           + ("" if view.owner == user else f" · by {view.owner}"),
                                                           className="text-muted"),
                          dbc.Button(html.I(className="bi bi-trash"), id=delete_button(view.id), size="sm",
                                     color="link", className="py-0 text-danger", title=f"Delete {view.name}")])
                 for view in mine], className="list-unstyled small mb-0"),
    ])


@callback(Output(LIST, "children"), Output(OWN, "children"), Output(OPEN, "disabled"), Input(CHANGED, "data"))
def show_views(_changed):
    """The views this user may open (and, in the form, delete); for anonymous visitors, a note."""
    user = auth.current_user()
    if not user:
        return [_note("Log in to save and share views", "saved-views-anonymous")], None, True
    views = saved_views.list_for(user)
    return _menu_items(views, user), _deletable(views, user, auth.is_admin()), False


def _alert(text: str, color: str, id_: str):
    return dbc.Alert(text, color=color, className="mb-0 py-2 small", id=id_)


@callback(Output(MODAL, "is_open"), Output(MESSAGE, "children"), Output(CHANGED, "data"),
          Input(OPEN, "n_clicks"), Input(SAVE, "n_clicks"), Input(NAME, "n_submit"),
          State(NAME, "value"), State(SHARED, "value"), State(ids.URL, "pathname"), State(ids.FILTERS, "data"),
          State(CHANGED, "data"), prevent_initial_call=True)
def save_view(_open, _save, _submit, name, shared, pathname, filters, changed):
    """Open the form; save the current page and filters under the name given (a name already yours: updated)."""
    if ctx.triggered_id == OPEN:
        return True, None, no_update
    user = auth.current_user()
    if not user:
        return True, _alert("Log in to save views.", "danger", "saved-views-error"), no_update
    try:
        view = saved_views.save(user, name, pathname, (filters or {}).get("query", ""), bool(shared))
    except saved_views.Invalid as exc:
        return True, _alert(str(exc), "danger", "saved-views-error"), no_update
    where = "shared with everyone who logs in" if view.shared else "only you see it"
    return True, _alert(f"Saved “{view.name}” ({where}).", "success", "saved-views-saved"), (changed or 0) + 1


@callback(Output(MESSAGE, "children", allow_duplicate=True), Output(CHANGED, "data", allow_duplicate=True),
          Input(delete_button(ALL), "n_clicks"), State(CHANGED, "data"), prevent_initial_call=True)
def delete_view(_clicks, changed):
    """Delete the view whose button was clicked (the owner's, or any for an admin)."""
    if not ctx.triggered_id or not ctx.triggered[0]["value"]:  # buttons drawn anew, not clicked
        raise PreventUpdate
    if not saved_views.delete(ctx.triggered_id["view"], auth.current_user(), auth.is_admin()):
        return _alert("That view is not yours to delete, or is gone.", "danger", "saved-views-error"), no_update
    return _alert("Deleted.", "secondary", "saved-views-deleted"), (changed or 0) + 1
