"""Panel queries: a `.sql` file per query, bound parameters in, a DataFrame out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from warehouse.access import cursor
from warehouse.db import run_sql

QUERY_DIR = Path(__file__).parent


def query(name: str, **params: Any) -> pd.DataFrame:
    with cursor() as cur:
        return run_sql(cur, QUERY_DIR / f"{name}.sql", params).df()
