"""Churn risk's data: point-in-time feature snapshots (table `churn_features`: one row per person and snapshot
day), their labels (`churn_labels` in store/schema/churn.sql), and their export as Parquet for data scientists.
docs/churn.md defines the population, the label and every feature."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from pipeline import SQL
from store.sql import transaction

WINDOW_DAYS = 28  # the features look back this many days, the snapshot day included


def snapshot_days(con: duckdb.DuckDBPyConnection, count: int = 12) -> list[dt.date]:
    """The snapshot days, oldest first: the last `count` Sundays (ends of ISO weeks) whose whole 28-day window is in
    the data, and the last day with activity (scored every day; it is kept as a snapshot once a later day
    arrives only if it is a Sunday). A fixed weekly grid, so a snapshot's day never moves as days arrive."""
    first, last = SQL.run(con, "churn_snapshot_span").fetchall()[0]
    if last is None or last - dt.timedelta(days=WINDOW_DAYS - 1) < first:
        return []
    sundays: list[dt.date] = []
    sunday = last - dt.timedelta(days=last.isoweekday() % 7)  # the last day itself when it is a Sunday
    while sunday - dt.timedelta(days=WINDOW_DAYS - 1) >= first and len(sundays) < count:
        sundays.append(sunday)
        sunday -= dt.timedelta(days=7)
    return sorted(set(sundays) | {last})


def build_features(con: duckdb.DuckDBPyConnection, days: list[dt.date]) -> int:
    """Replace the feature rows of the snapshot `days` and drop those of earlier last days that are not Sundays
    (one transaction); how many rows the snapshot `days` hold now."""
    if not days:
        return 0
    with transaction(con):
        SQL.run(con, "churn_features", {"days": days})
        SQL.run(con, "churn_features_prune")
    return SQL.run(con, "churn_features_rows", {"days": days}).fetchall()[0][0]


def export(con: duckdb.DuckDBPyConnection, path: Path, horizon_days: int) -> int:
    """Write every feature snapshot with its label (NULL while unknown) to the Parquet file `path`, streamed in
    batches and moved into place when complete; how many rows it holds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".partial")
    reader = con.sql(SQL.text("churn_export"), params={"horizon": horizon_days}).to_arrow_reader()  # no extra copy
    rows = 0
    try:
        with pq.ParquetWriter(temp, reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)
                rows += batch.num_rows
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return rows
