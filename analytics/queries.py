"""Panel queries: a `.sql` file per query in analytics/sql, bound parameters in, a DataFrame out.

Queries run through a runner: by default straight on a cursor of the process's warehouse; the web app installs
its cache in front (`use_runner`), so the analytics layer never knows about Flask. A query's result depends on
the published data only, except `CHECKS_QUERIES`, which also change with every data-quality run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pandas as pd

from store import warehouse
from store.sql import SqlFiles

SQL = SqlFiles(Path(__file__).parent / "sql")
CHECKS_QUERIES = frozenset({"data_status"})
Runner = Callable[[str, dict[str, Any]], pd.DataFrame]  # (query name, parameters) -> its result


def run(name: str, params: dict[str, Any]) -> pd.DataFrame:
    """The query on the warehouse, now (never cached), within the query time limit (PA_QUERY_TIMEOUT_SECONDS)."""
    return warehouse.query(SQL, name, params, timed=True)


_runner: Runner = run


def use_runner(runner: Runner | None) -> None:
    """Route every query through `runner` (None: straight to the warehouse again)."""
    global _runner
    _runner = runner or run


def query(name: str, **params: Any) -> pd.DataFrame:
    """The named query's result for these parameters, through the installed runner (a copy callers may change)."""
    return _runner(name, params)
