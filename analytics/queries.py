"""Panel queries: a `.sql` file per query in analytics/sql, bound parameters in, a DataFrame out.

Queries run through a runner: by default straight on a cursor of the process's warehouse; the web app installs
its cache in front (`use_runner`), so the analytics layer never knows about Flask. A query's result depends on
the published data only, except `CHECKS_QUERIES`, which also change with every data-quality run.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Callable, Iterator

import duckdb
import pandas as pd

from store import warehouse
from store.sql import SqlFiles

SQL = SqlFiles(Path(__file__).parent / "sql")
CHECKS_QUERIES = frozenset({"data_status"})
Runner = Callable[[str, dict[str, Any]], pd.DataFrame]  # (query name, parameters) -> its result


def run(name: str, params: dict[str, Any]) -> pd.DataFrame:
    """The query on the warehouse, now (never cached), within the query time limit (PA_QUERY_TIMEOUT_SECONDS)."""
    return warehouse.query(SQL, name, params, timed=True)


def on_connection(con: duckdb.DuckDBPyConnection) -> Runner:
    """A runner of the queries on another database than the process's warehouse (a marts snapshot,
    store/snapshot.connect), each on a cursor of its own."""
    def run_on(name: str, params: dict[str, Any]) -> pd.DataFrame:
        cur = con.cursor()
        try:
            return SQL.run(cur, name, params).df()
        finally:
            cur.close()
    return run_on


_runner: Runner = run
_recording: ContextVar[list | None] = ContextVar("recorded_queries", default=None)


def current_runner() -> Runner:
    return _runner


def use_runner(runner: Runner | None) -> None:
    """Route every query through `runner` (None: straight to the warehouse again)."""
    global _runner
    _runner = runner or run


@contextmanager
def recording() -> Iterator[list[dict[str, Any]]]:
    """Note every query asked for inside the block (cached or not), once each, in order: {"name", "params"}. What
    a card's "About this panel" view and download bundle say it ran."""
    asked: list[dict[str, Any]] = []
    token = _recording.set(asked)
    try:
        yield asked
    finally:
        _recording.reset(token)


def query(name: str, **params: Any) -> pd.DataFrame:
    """The named query's result for these parameters, through the installed runner (a copy callers may change)."""
    asked = _recording.get()
    if asked is not None and {"name": name, "params": params} not in asked:
        asked.append({"name": name, "params": dict(params)})
    return _runner(name, params)
