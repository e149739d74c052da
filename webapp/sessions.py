"""Sessions the server can end: one row per login in a SQLite file of the data folder (`<data>/web/sessions.sqlite3`,
as Grafana keeps its user_auth_token table), shared by every process of that folder.

The browser's signed cookie holds only a random token; the table holds its SHA-256, the user, the user's stamp at
login (webapp/users.py), when it was opened and last used, and when it was revoked. A session counts only while it
is not revoked, not idle longer than the idle timeout, not older than the absolute timeout, and its user still
exists with the same stamp: logout, a password or role change and a removal end it at once.

The same file holds the app's other small tables (saved views, annotations): each a subclass of `AppTables` with
its statements in webapp/sql/<prefix>_*.sql, found for the current data folder by `tables(kind)`.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from store.settings import load_settings
from webapp import SQL

TOUCH_EVERY_SECONDS = 60  # how often a session's last use is written (not on every request)


@dataclass(frozen=True)
class Session:
    """One login: who, with which stamp, opened and last used when (seconds since the epoch)."""

    user_name: str
    user_stamp: str
    created_at: float
    seen_at: float


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AppTables:
    """Some tables of the app's SQLite file: created from webapp/sql/<prefix>_schema.sql, each statement run from
    webapp/sql/<prefix>_<name>.sql with its $parameters bound; a connection per thread."""

    prefix = ""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._connection().executescript(SQL.text(f"{self.prefix}_schema"))

    def _run(self, statement: str, /, **params) -> sqlite3.Cursor:
        """One statement of webapp/sql/<prefix>_<statement>.sql, its $parameters bound."""
        return self._connection().execute(SQL.text(f"{self.prefix}_{statement}"), params)

    def _connection(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            self._local.con = con
        return con


class SessionStore(AppTables):
    """The sessions table of one data folder."""

    prefix = "sessions"

    def __init__(self, path: Path, idle_seconds: float, max_seconds: float):
        self.idle_seconds, self.max_seconds = idle_seconds, max_seconds
        super().__init__(path)

    def open(self, user_name: str, user_stamp: str, client: str = "") -> str:
        """A new session for the user; returns its token (for the cookie). Sessions long over are deleted."""
        token, now = secrets.token_urlsafe(32), time.time()
        self._run("open", token_sha256=_digest(token), user_name=user_name, user_stamp=user_stamp, now=now,
                  client=client[:64])
        self._run("prune", now=now, max_seconds=self.max_seconds)
        return token

    def valid(self, token: str | None) -> Session | None:
        """The session of a token while it counts (not revoked, not idle, not too old); its last use noted."""
        if not token or not isinstance(token, str) or len(token) > 100:
            return None
        now = time.time()
        row = self._run("find", token_sha256=_digest(token)).fetchone()
        if row is None:
            return None
        found = Session(*row)
        if now - found.created_at > self.max_seconds or now - found.seen_at > self.idle_seconds:
            return None
        if now - found.seen_at > TOUCH_EVERY_SECONDS:
            self._run("touch", now=now, token_sha256=_digest(token))
        return found

    def revoke(self, token: str | None) -> None:
        if token and isinstance(token, str):
            self._run("revoke", now=time.time(), token_sha256=_digest(token))

    def revoke_user(self, user_name: str) -> int:
        """End every session of a user; how many were open."""
        return self._run("revoke_user", now=time.time(), user_name=user_name).rowcount

    def active(self) -> int:
        """How many sessions count now (for the admin's health details)."""
        return self._run("active", now=time.time(), max_seconds=self.max_seconds,
                         idle_seconds=self.idle_seconds).fetchone()[0]


def store_path(data_dir: Path) -> Path:
    return Path(data_dir) / "web" / "sessions.sqlite3"


Tables = TypeVar("Tables", bound=AppTables)
_tables: dict[tuple[type, Path], AppTables] = {}
_tables_lock = threading.Lock()


def tables(kind: type[Tables]) -> Tables:
    """The `kind` tables in the app's SQLite file of the current data folder (tests move PA_DATA_DIR between apps)."""
    path = store_path(load_settings().data_dir)
    with _tables_lock:
        found = _tables.get((kind, path))
        if found is None:
            found = _tables[(kind, path)] = kind(path)
    return found
