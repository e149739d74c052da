"""Running SQL kept in `.sql` files: every statement of a file, each with the named parameters (`$name`) it uses
bound, never formatted in. A package names its folder once (`SqlFiles(...)`) and runs its files by name."""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, Iterator, Mapping

import duckdb

log = logging.getLogger(__name__)


@cache
def read_sql(path: Path) -> str:
    return Path(path).read_text(encoding="utf-8")


def run_script(con: duckdb.DuckDBPyConnection, text: str, params: Mapping[str, Any] | None = None,
               label: str = "sql"):
    """Execute every statement of a SQL script, each with the named parameters it uses (others are ignored).

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


class SqlFiles:
    """A folder of `.sql` files, run by name: `SQL.run(con, "etl_runs_claim", {"now": ...})`; a name may hold a
    subfolder (`"marts/agg_user_day"`)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def path(self, name: str) -> Path:
        path = self.folder / f"{name}.sql"
        if not path.is_file():
            raise FileNotFoundError(f"no SQL file {name!r} in {self.folder}")
        return path

    def text(self, name: str) -> str:
        return read_sql(self.path(name))

    def run(self, con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None):
        return run_script(con, self.text(name), params, f"{self.folder.name}/{name}.sql")

    def names(self) -> list[str]:
        """Every file's name, subfolders included, sorted."""
        return sorted(str(p.relative_to(self.folder).with_suffix("")) for p in self.folder.rglob("*.sql"))


def quote(name: str) -> str:
    """An identifier quoted for SQL. Only for names from an allow-list (a catalog, a constant), never user input."""
    return '"' + name.replace('"', '""') + '"'


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """The block's statements in one transaction: committed at its end, rolled back if it raises."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
