"""The warehouse file: opening it (one read-write owner per process), and running `.sql` files with bound parameters."""

from __future__ import annotations

import logging
import re
import time
from functools import cache
from pathlib import Path
from typing import Any, Mapping

import duckdb

from pipeline.settings import Settings


log = logging.getLogger(__name__)


class WarehouseBusy(RuntimeError):
    """The warehouse file is held read-write by another process (DuckDB allows one)."""


_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<exe>.+?) \(PID (?P<pid>\d+)\)")


def connect(settings: Settings, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse. Threads share this connection through their own `con.cursor()`."""
    path = settings.warehouse_path
    path.parent.mkdir(parents=True, exist_ok=True)
    config: dict[str, Any] = {"memory_limit": settings.duckdb_memory_limit}
    if settings.duckdb_threads > 0:
        config["threads"] = settings.duckdb_threads
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
    return con


@cache
def read_sql(path: Path) -> str:
    return Path(path).read_text(encoding="utf-8")


def run_script(con: duckdb.DuckDBPyConnection, text: str, params: Mapping[str, Any] | None = None,
               label: str = "sql"):
    """Execute every statement of a SQL script, each with the named parameters (`$name`) it uses.

    Returns the cursor of the last statement, so a script ending in a SELECT can be fetched.
    """
    params = dict(params or {})
    began = time.perf_counter()
    result = None
    for number, statement in enumerate(con.extract_statements(text), 1):
        missing = statement.named_parameters - params.keys()
        if missing:
            raise KeyError(f"{label} needs parameters {sorted(missing)}")
        step = time.perf_counter()
        result = con.execute(statement.query, {k: params[k] for k in statement.named_parameters} or None)
        log.debug("%s #%d: %.3f s", label, number, time.perf_counter() - step)
    log.debug("%s: %.3f s", label, time.perf_counter() - began)
    return result


def run_sql(con: duckdb.DuckDBPyConnection, path: Path, params: Mapping[str, Any] | None = None):
    """Execute a `.sql` file (see run_script)."""
    return run_script(con, read_sql(Path(path)), params, Path(path).name)
