"""The app's warehouse: one read-write connection per process, opened on first use; each query uses its own cursor."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

import duckdb

from pipeline.etl import init_warehouse
from pipeline.settings import Settings, load_settings
from warehouse.db import connect

_lock = threading.Lock()
_connection: duckdb.DuckDBPyConnection | None = None


def shared_connection(settings: Settings | None = None) -> duckdb.DuckDBPyConnection:
    global _connection
    with _lock:
        if _connection is None:
            _connection = connect(settings or load_settings())
            init_warehouse(_connection)
        return _connection


def close() -> None:
    global _connection
    with _lock:
        if _connection is not None:
            _connection.close()
            _connection = None


@contextmanager
def cursor() -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of the shared connection for one thread's query; closed afterwards."""
    cur = shared_connection().cursor()
    try:
        yield cur
    finally:
        cur.close()
