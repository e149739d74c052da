"""Independent reading of a lake for tests: pyarrow and plain Python, none of the ETL's SQL."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds


def _dataset(path: Path, key: str):
    return ds.dataset(path, format="parquet", partitioning=ds.partitioning(pa.schema([(key, pa.date32())]),
                                                                            flavor="hive"))


def events(lake_dir: Path):
    """All events of the lake as a pyarrow table."""
    return _dataset(Path(lake_dir) / "events", "event_date").to_table()


def user_records(lake_dir: Path):
    return _dataset(Path(lake_dir) / "users", "change_date").to_table()


def active_sets(lake_dir: Path) -> dict[tuple[str, dt.date], set[int]]:
    """(platform or 'all', day) -> the set of user_ids with at least one event that day."""
    t = events(lake_dir)
    out: dict[tuple[str, dt.date], set[int]] = defaultdict(set)
    for user, platform, ts in zip(t["user_id"].to_pylist(), t["platform"].to_pylist(), t["event_ts"].to_pylist()):
        day = ts.date()
        out[(platform, day)].add(user)
        out[("all", day)].add(user)
    return out


def rolling_counts(lake_dir: Path) -> dict[tuple[str, dt.date], tuple[int, int, int]]:
    """(platform or 'all', day) -> (DAU, WAU, MAU) by set unions over the 1, 7 and 30 days ending that day."""
    sets = active_sets(lake_dir)
    days = sorted({d for _, d in sets})
    scopes = sorted({s for s, _ in sets})
    out = {}
    for scope in scopes:
        for day in days:
            def union(n):
                users = set()
                for k in range(n):
                    users |= sets.get((scope, day - dt.timedelta(days=k)), set())
                return len(users)
            out[(scope, day)] = (union(1), union(7), union(30))
    return out
