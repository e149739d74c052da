"""Annotations: a day marked with a note (a release, an outage) on every time chart, read by everyone and written
by admins on the admin page (its callbacks check `auth.is_admin()`; the server refuses their admin-* outputs to
anyone else).

Kept in the app's SQLite file beside the sessions (webapp/sessions.py; table in webapp/sql/annotations_schema.sql).
A note has 1 to 200 characters (spaces collapsed), a day is a date from 1900 to 2999.
"""

from __future__ import annotations

import datetime as dt
import time

from analytics.filters import EARLIEST, LATEST
from webapp.sessions import AppTables, tables

MAX_NOTE = 200
COLUMNS = ("id", "day", "note", "author", "created_at", "updated_at")


class Invalid(ValueError):
    """An annotation that cannot be written; the message says why, for the admin writing it."""


class Annotations(AppTables):
    prefix = "annotations"

    def _rows(self, statement: str, /, **params) -> list[dict]:
        return [dict(zip(COLUMNS, row)) for row in self._run(statement, **params).fetchall()]

    def add(self, day: str, note: str, author: str) -> dict:
        return self._rows("add", day=day, note=note, author=author, now=time.time())[0]

    def update(self, annotation_id: int, day: str, note: str, author: str) -> dict | None:
        found = self._rows("update", id=annotation_id, day=day, note=note, author=author, now=time.time())
        return found[0] if found else None

    def delete(self, annotation_id: int) -> bool:
        return self._run("delete", id=annotation_id).rowcount == 1

    def in_range(self, start: str, end: str) -> list[dict]:
        return self._rows("in_range", start=start, end=end)

    def all(self) -> list[dict]:
        return self._rows("all")


def check_day(day) -> str:
    """A day as YYYY-MM-DD (a date, or text starting with one, as date pickers send it)."""
    if isinstance(day, dt.datetime):
        day = day.date()
    try:
        value = day if isinstance(day, dt.date) else dt.date.fromisoformat(day[:10]) if isinstance(day, str) else None
    except ValueError:
        value = None
    if value is None or not EARLIEST <= value <= LATEST:
        raise Invalid(f"Choose a day from {EARLIEST} to {LATEST}.")
    return value.isoformat()


def check_note(note) -> str:
    note = " ".join(note.split()) if isinstance(note, str) else ""
    if not 1 <= len(note) <= MAX_NOTE:
        raise Invalid(f"A note has 1 to {MAX_NOTE} characters.")
    return note


# the store of the current data folder -------------------------------------------------------------------------------

def add(day, note, author: str) -> dict:
    """A new annotation {id, day, note, author, created_at, updated_at}; Invalid saying what is wrong."""
    return tables(Annotations).add(check_day(day), check_note(note), author)


def update(annotation_id: int, day, note, author: str) -> dict | None:
    """The annotation with its new day and note (None: there is no such annotation); Invalid as for `add`."""
    return tables(Annotations).update(annotation_id, check_day(day), check_note(note), author)


def delete(annotation_id: int) -> bool:
    return tables(Annotations).delete(annotation_id)


def in_range(start, end) -> list[dict]:
    """The annotations on the days from start to end (dates or YYYY-MM-DD), by day."""
    return tables(Annotations).in_range(check_day(start), check_day(end))


def all_notes() -> list[dict]:
    """Every annotation, the latest day first (the admin page's list)."""
    return tables(Annotations).all()
