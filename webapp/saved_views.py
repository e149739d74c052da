"""Saved views: a page and its filters under a name, for its owner and, when shared, for everyone who logs in.

Kept in the app's SQLite file beside the sessions (webapp/sessions.py; table in webapp/sql/saved_views_schema.sql).
Everything is validated before it is written: a name of 1 to 80 characters, one of the app's pages, and a query
string holding only the filters' keys with values the shell would take without a notice (webapp/url_filters.py),
stored as the shell writes it. A name is its owner's once: saving it again updates that view. Only its owner or an
admin deletes a view.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl

import dash

from analytics.filters import EARLIEST, LATEST, DataSpan
from webapp import url_filters
from webapp.sessions import AppTables, tables

MAX_NAME = 80
MAX_QUERY = 2000  # as the filters store's query (webapp/callback_inputs.py)
EVERY_DAY = DataSpan(EARLIEST, LATEST)  # a query is checked on its own, not against the data of the day


class Invalid(ValueError):
    """A view that cannot be saved; the message says why, for the person saving it."""


@dataclass(frozen=True)
class View:
    id: int
    owner: str
    name: str
    path: str
    query: str  # "" or "?key=value&..."
    shared: bool
    created_at: float
    updated_at: float

    @property
    def href(self) -> str:
        return self.path + self.query


def _view(row) -> View:
    id_, owner, name, path, query, shared, created_at, updated_at = row
    return View(id_, owner, name, path, query, bool(shared), created_at, updated_at)


class SavedViews(AppTables):
    prefix = "saved_views"

    def save(self, owner: str, name: str, path: str, query: str, shared: bool) -> View:
        return _view(self._run("save", owner=owner, name=name, path=path, query=query, shared=int(bool(shared)),
                               now=time.time()).fetchone())

    def list_for(self, user: str) -> list[View]:
        return [_view(row) for row in self._run("list", user=user).fetchall()]

    def delete(self, view_id: int, user: str, admin: bool) -> bool:
        return self._run("delete", id=view_id, user=user, admin=int(admin)).rowcount == 1


# checks -----------------------------------------------------------------------------------------------------------

def pages() -> dict[str, str]:
    """The app's pages a view may open: {path: name} (those of the navbar)."""
    return {page["relative_path"]: page["name"] for page in dash.page_registry.values() if page.get("nav", True)}


def check_name(name) -> str:
    name = " ".join(name.split()) if isinstance(name, str) else ""
    if not 1 <= len(name) <= MAX_NAME:
        raise Invalid(f"A view's name has 1 to {MAX_NAME} characters.")
    return name


def check_path(path) -> str:
    if not isinstance(path, str) or path not in pages():
        raise Invalid(f"{str(path)[:80]!r} is not a page of the dashboard.")
    return path


def read_by_the_shell(key: str) -> bool:
    """Whether webapp/url_filters.py reads this key of a query string: it gives a notice for a bad value of every
    key it reads (so a key it gains later is known here too)."""
    return bool(url_filters.from_query({key: "\x00"}, EVERY_DAY)[1])


def check_query(query) -> str:
    """The filters of a query string as the shell writes them ("" or "?..."); Invalid for an unknown key, a key
    given twice or a value the shell would replace by its default."""
    if query is None:
        query = ""
    if not isinstance(query, str) or len(query) > MAX_QUERY:
        raise Invalid(f"The filters are text of at most {MAX_QUERY} characters.")
    text = query.removeprefix("?")
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True) if text else []
    except ValueError:
        raise Invalid("The filters are not a query string (key=value&...).") from None
    keys = [key for key, _ in pairs]
    unknown = sorted(key for key in set(keys) if not read_by_the_shell(key))
    if unknown:
        raise Invalid(f"Unknown filter {', '.join(map(repr, unknown))[:120]}.")
    if len(set(keys)) != len(keys):
        raise Invalid("A filter is given twice.")
    query = dict(pairs)
    for key in ("start", "end"):
        try:
            day = dt.date.fromisoformat(query[key][:10]) if key in query else None
        except ValueError:
            continue  # url_filters says what is wrong with it
        if day is not None and not EARLIEST <= day <= LATEST:
            raise Invalid(f"Dates go from {EARLIEST} to {LATEST}: {query[key][:20]!r} is not one.")
    f, notices = url_filters.from_query(query, EVERY_DAY)
    if notices:
        raise Invalid(" ".join(notices))
    return url_filters.query_string(f)


# the store of the current data folder -------------------------------------------------------------------------------

def save(owner: str, name: str, path: str, query: str, shared: bool = False) -> View:
    """Save (or, for a name the owner has, update) a view; Invalid saying what is wrong."""
    if not owner:
        raise Invalid("Log in to save views.")
    return tables(SavedViews).save(owner, check_name(name), check_path(path), check_query(query), bool(shared))


def list_for(user: str | None) -> list[View]:
    """The views a user may open, their own and those others shared, the latest saved first; none for anonymous
    visitors."""
    return tables(SavedViews).list_for(user) if user else []


def delete(view_id: int, user: str | None, admin: bool = False) -> bool:
    """Delete a view when `user` owns it or is an admin; whether it was deleted."""
    if not user or not isinstance(view_id, int):
        return False
    return tables(SavedViews).delete(view_id, user, admin)
