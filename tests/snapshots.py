"""Snapshots of a warehouse's published tables, to compare two builds or a build before and after a run."""

from __future__ import annotations

from store.sql import quote
from tests.conftest import warehouse

PUBLISHED = ["dim_date", "dim_platform", "dim_event_type", "dim_country", "dim_users", "fct_events",
             "quarantine_events", "quarantine_users", "agg_user_activity_daily", "agg_daily_metrics",
             "agg_user_engagement", "agg_retention_cohorts", "agg_user_day", "agg_active_masks",
             "agg_growth_transitions", "agg_user_platform_first", "agg_user_week", "fct_funnel_events", "agg_daily_volume",
             "agg_breakdown_daily"]
# (agg_daily_metrics, agg_user_engagement and agg_retention_cohorts are views over the others: compared as shown)
RUN_COLUMNS = {"run_id", "quarantined_at"}  # lineage that legitimately differs between two builds


def _columns(con, table: str) -> list[str]:
    """The table's columns but run lineage, quoted (the table name comes from PUBLISHED, never from input)."""
    return [quote(r[0]) for r in con.execute(f"DESCRIBE {quote(table)}").fetchall() if r[0] not in RUN_COLUMNS]


def snapshot(con, natural_keys: bool = False) -> dict[str, list[tuple]]:
    """Every published table's rows, sorted, without run lineage columns.

    With natural_keys, user_key is replaced by the version's natural key (user_id, valid_from): surrogate keys of
    versions that arrived late differ between an incremental build and a rebuild while meaning the same thing.
    """
    out = {}
    for table in PUBLISHED:
        cols = _columns(con, table)
        if natural_keys and quote("user_key") in cols:
            cols.remove(quote("user_key"))
            source = f"{quote(table)} AS t"
            if table != "dim_users":
                source += " JOIN dim_users AS v USING (user_key)"
                cols = [f"t.{c}" for c in cols] + ["v.valid_from AS version_from"]
            out[table] = con.execute(f"SELECT {', '.join(cols)} FROM {source} ORDER BY ALL").fetchall()
        else:
            out[table] = con.execute(f"SELECT {', '.join(cols)} FROM {quote(table)} ORDER BY ALL").fetchall()
    return out


def snapshot_of(settings, natural_keys: bool = False) -> dict[str, list[tuple]]:
    with warehouse(settings) as con:
        return snapshot(con, natural_keys)


def fingerprint_of(settings) -> dict[str, tuple[int, int]]:
    """Per published table, (rows, order-independent sum of row hashes) without run lineage columns: a cheap
    stand-in for snapshot_of on warehouses too big to pull into Python."""
    out = {}
    with warehouse(settings) as con:
        for table in PUBLISHED:
            out[table] = con.execute(f"SELECT count(*), sum(hash(t)) FROM (SELECT {', '.join(_columns(con, table))} "
                                     f"FROM {quote(table)}) AS t").fetchone()
    return out
