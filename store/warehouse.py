"""The warehouse file and its one owner: `Warehouse` opens it (read-write, schema ensured, or read-only), hands
out a cursor per thread, runs named `.sql` files with bound parameters, and closes it.

DuckDB allows one read-write process per file. A command that owns the file for a while opens its own
(`with Warehouse(settings) as wh`); the app's process keeps one for its lifetime (`shared()`), and each request or
background job uses its own cursor of it (`cursor()`).
"""

from __future__ import annotations

import logging
import re
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Mapping

import duckdb
import pandas as pd

from store import schema
from store.settings import Settings, load_settings
from store.sql import SqlFiles

log = logging.getLogger(__name__)

_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<exe>.+?) \(PID (?P<pid>\d+)\)")


class WarehouseBusy(RuntimeError):
    """The warehouse file is held read-write by another process (DuckDB allows one)."""


class QueryTimeout(RuntimeError):
    """A query ran past its time limit and was interrupted."""


class WarehouseClosed(RuntimeError):
    """A cursor was asked of a warehouse that is closing or closed (the app is shutting down)."""


def _connect(settings: Settings, read_only: bool) -> duckdb.DuckDBPyConnection:
    path = settings.warehouse_path
    path.parent.mkdir(parents=True, exist_ok=True)
    # perfect_ht_threshold: a grouping on keys spanning up to 2^21 values (user ids, for up to ~2M people) uses an
    # array, not a hash table: most marts and panels group by user (3x faster at 50M events)
    config: dict[str, Any] = {"memory_limit": settings.duckdb_memory_limit, "perfect_ht_threshold": 21}
    if settings.duckdb_threads > 0:
        config["threads"] = settings.duckdb_threads
    if settings.duckdb_temp_dir:
        config["temp_directory"] = settings.duckdb_temp_dir
    try:
        con = duckdb.connect(str(path), read_only=read_only, config=config)
    except duckdb.IOException as exc:
        m = _LOCK_HOLDER.search(str(exc))
        if not m:
            raise
        raise WarehouseBusy(
            f"the warehouse {path} is in use by another process (PID {m['pid']}, {Path(m['exe']).name}); "
            "if that is the app, start runs and backfills from its admin page, or stop it first"
        ) from None
    con.execute("SET enable_progress_bar = false")
    # every timestamp is UTC: a writer's UTC-marked timestamps become UTC wall time, never the host's zone's
    con.execute("SET TimeZone = 'UTC'")
    return con


class Warehouse:
    """The open warehouse file. Read-write opens ensure the schema (store/schema.py) first."""

    def __init__(self, settings: Settings, *, read_only: bool = False):
        self.settings = settings
        self.connection = _connect(settings, read_only)
        self._cursors: set[duckdb.DuckDBPyConnection] = set()
        self._cursors_changed = threading.Condition()
        self._closing = False
        if not read_only:
            try:
                schema.ensure(self.connection)
            except BaseException:
                self.connection.close()
                raise

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own for one thread's work (DuckDB: cursors of one connection run at the same time)."""
        with self._cursors_changed:
            if self._closing:
                raise WarehouseClosed(f"the warehouse {self.settings.warehouse_path} is closing")
            cur = self.connection.cursor()
            self._cursors.add(cur)
        try:
            yield cur
        finally:
            cur.close()
            with self._cursors_changed:
                self._cursors.discard(cur)
                self._cursors_changed.notify_all()

    def query(self, files: SqlFiles, name: str, params: Mapping[str, Any] | None = None,
              timeout: float | None = None) -> pd.DataFrame:
        """Run the named file of `files` with bound parameters on a cursor of its own; its last statement's result.
        With `timeout` (seconds), a query still running then is interrupted: QueryTimeout."""
        with self.cursor() as cur:
            fired = threading.Event()

            def stop() -> None:
                fired.set()
                cur.interrupt()

            timer = threading.Timer(timeout, stop) if timeout else None
            if timer is not None:
                timer.daemon = True
                timer.start()
            try:
                return files.run(cur, name, params).df()
            except duckdb.InterruptException:
                if not fired.is_set():
                    raise
                raise QueryTimeout(f"the query {name} ran longer than {timeout:g} s and was stopped") from None
            finally:
                if timer is not None:
                    timer.cancel()

    def close(self, grace_seconds: float = 5.0) -> None:
        """Close the file: no new cursor is handed out; queries still running get `grace_seconds` to finish,
        then are interrupted (their callers see DuckDB's InterruptException) and get as long again to let go.
        (DuckDB refuses to close a connection while one of its cursors runs a query.)"""
        with self._cursors_changed:
            self._closing = True
            if not self._cursors_changed.wait_for(lambda: not self._cursors, grace_seconds):
                log.warning("closing the warehouse: interrupting %d running queries", len(self._cursors))
                for cur in list(self._cursors):
                    cur.interrupt()
                self._cursors_changed.wait_for(lambda: not self._cursors, grace_seconds)
        self.connection.close()

    def __enter__(self) -> "Warehouse":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# The app's process: one Warehouse for its lifetime, opened on first use ---------------------------------------------

_shared_lock = threading.Lock()
_shared: Warehouse | None = None


def shared(settings: Settings | None = None) -> Warehouse:
    """This process's warehouse, opened read-write on first use (from the environment's settings unless given)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Warehouse(settings or load_settings())
        return _shared


def close_shared() -> None:
    """Close this process's warehouse (the next `shared()` opens it again)."""
    global _shared
    with _shared_lock:
        if _shared is not None:
            _shared.close()
            _shared = None


@contextmanager
def cursor() -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of this process's warehouse for one thread's query; closed afterwards."""
    with shared().cursor() as cur:
        yield cur


def query(files: SqlFiles, name: str, params: Mapping[str, Any] | None = None, *,
          timed: bool = False) -> pd.DataFrame:
    """A named `.sql` file's result on this process's warehouse (see Warehouse.query); `timed`: within the
    settings' query time limit (PA_QUERY_TIMEOUT_SECONDS)."""
    wh = shared()
    limit = wh.settings.query_timeout_seconds if timed else 0
    return wh.query(files, name, params, timeout=limit or None)
