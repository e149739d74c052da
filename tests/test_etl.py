"""Integration: the whole pipeline on a generated lake in a temp folder, checked against the lake itself."""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline import lake
from pipeline.generate import generate
from tests import lakeread
from tests.conftest import DAYS, START, make_settings, run_etl, warehouse
from tests.snapshots import snapshot_of

def test_every_lake_row_is_loaded_or_quarantined(built, built_con):
    lake_events = lakeread.events(built.lake_dir).num_rows
    lake_users = lakeread.user_records(built.lake_dir).num_rows
    facts, quarantined = built_con.execute(
        "SELECT (SELECT count(*) FROM fct_events), (SELECT count(*) FROM quarantine_events)").fetchone()
    versions, users_quarantined = built_con.execute(
        "SELECT (SELECT count(*) FROM dim_users), (SELECT count(*) FROM quarantine_users)").fetchone()
    assert quarantined == 0 and users_quarantined == 0  # the generator writes only good rows
    assert facts == lake_events
    assert versions == lake_users
    run = built_con.execute("SELECT rows_read, rows_loaded, rows_quarantined, status FROM etl_runs").fetchone()
    assert run == (lake_events + lake_users, lake_events + lake_users, 0, "succeeded")


def test_facts_keep_every_lake_value(built, built_con):
    t = lakeread.events(built.lake_dir)
    lake_rows = sorted(zip(t["event_id"].to_pylist(), t["user_id"].to_pylist(), t["platform"].to_pylist(),
                           t["event_type"].to_pylist(), t["event_ts"].to_pylist(), t["session_id"].to_pylist(),
                           t["device"].to_pylist(), t["country"].to_pylist()))
    wh_rows = built_con.execute("""
        SELECT f.event_id, f.user_id, p.platform_name, e.event_type, f.event_ts, f.session_id, f.device, f.country
        FROM fct_events f JOIN dim_platform p USING (platform_key) JOIN dim_event_type e USING (event_type_key)
        ORDER BY ALL""").fetchall()
    assert wh_rows == lake_rows


def test_scd2_invariants(built_con):
    one_current = built_con.execute("""
        SELECT count(*) FROM (SELECT user_id FROM dim_users GROUP BY user_id HAVING count(*) FILTER (WHERE is_current) <> 1)
    """).fetchone()[0]
    assert one_current == 0
    bad_ranges = built_con.execute("SELECT count(*) FROM dim_users WHERE valid_from >= valid_to").fetchone()[0]
    assert bad_ranges == 0
    # ranges of one user are contiguous and never overlap: each valid_to is the next version's valid_from
    gaps = built_con.execute("""
        SELECT count(*) FROM (
            SELECT valid_to, lead(valid_from, 1, TIMESTAMP '9999-12-31') OVER (PARTITION BY user_id ORDER BY valid_from) AS nxt
            FROM dim_users) WHERE valid_to <> nxt""").fetchone()[0]
    assert gaps == 0
    unique_keys = built_con.execute("SELECT count(*) = count(DISTINCT user_key) FROM dim_users").fetchone()[0]
    assert unique_keys
    history = built_con.execute("SELECT count(*) FROM (SELECT user_id FROM dim_users GROUP BY 1 HAVING count(*) > 1)"
                                ).fetchone()[0]
    assert history > 0  # the demo data has real SCD2 history


def test_each_fact_points_at_the_version_valid_at_its_time(built_con):
    matches = built_con.execute("""
        SELECT count(*) FILTER (WHERE u.user_key IS NULL OR u.user_id <> f.user_id
                                   OR NOT (f.event_ts >= u.valid_from AND f.event_ts < u.valid_to)),
               count(*)
        FROM fct_events f LEFT JOIN dim_users u USING (user_key)""").fetchone()
    assert matches[0] == 0 and matches[1] > 0
    # and exactly one version of that user contains the event time
    ambiguous = built_con.execute("""
        SELECT count(*) FROM (
            SELECT f.event_id FROM fct_events f
            JOIN dim_users u ON u.user_id = f.user_id AND f.event_ts >= u.valid_from AND f.event_ts < u.valid_to
            GROUP BY f.event_id HAVING count(*) <> 1)""").fetchone()[0]
    assert ambiguous == 0


def test_dau_wau_mau_match_sets_computed_from_the_lake(built, built_con):
    expected = lakeread.rolling_counts(built.lake_dir)
    got = {(platform, day): (dau, wau, mau) for day, platform, dau, wau, mau in built_con.execute(
        "SELECT metric_date, platform, dau, wau, mau FROM agg_daily_metrics").fetchall()}
    assert set(got) == set(expected)
    assert got == expected
    # distinct counts are not sums: people use several apps
    day = START + dt.timedelta(days=10)
    per_platform = sum(v[0] for (p, d), v in expected.items() if d == day and p != "all")
    assert expected[("all", day)][0] < per_platform


def _signed_up_in_the_lake(lake_dir) -> set[int]:
    """The users whose whole history the lake holds (docs/metrics.md#new-users): signed up on or after its start."""
    records = lakeread.user_records(lake_dir)
    return {u for u, s in zip(records["user_id"].to_pylist(), records["signup_date"].to_pylist()) if s >= START}


def test_new_users_and_stickiness(built, built_con):
    sets = lakeread.active_sets(built.lake_dir)
    known = _signed_up_in_the_lake(built.lake_dir)
    first_seen: dict[int, dt.date] = {}
    for (scope, day), users in sorted(sets.items(), key=lambda kv: kv[0][1]):
        if scope == "all":
            for u in users & known:
                first_seen.setdefault(u, day)
    assert 0 < len(first_seen) < len({u for (scope, _), users in sets.items() if scope == "all" for u in users})
    rows = built_con.execute(
        "SELECT metric_date, new_users, stickiness, dau, mau FROM agg_daily_metrics WHERE platform = 'all'").fetchall()
    for day, new_users, stickiness, dau, mau in rows:
        assert new_users == sum(1 for d in first_seen.values() if d == day)
        assert stickiness == pytest.approx(dau / mau)


def test_retention_cohorts_match_the_lake(built, built_con):
    sets = lakeread.active_sets(built.lake_dir)
    weeks: dict[int, set[dt.date]] = {}
    for (scope, day), users in sets.items():
        if scope == "all":
            for u in users:
                weeks.setdefault(u, set()).add(day - dt.timedelta(days=day.weekday()))
    known = _signed_up_in_the_lake(built.lake_dir)
    cohort = {u: min(w) for u, w in weeks.items() if u in known}
    last_day = max(d for _, d in sets)
    rows = built_con.execute("SELECT cohort_week, period, cohort_size, active_users, retention, is_complete "
                             "FROM agg_retention_cohorts").fetchall()
    assert rows
    for cohort_week, period, size, active, retention, complete in rows:
        members = [u for u, c in cohort.items() if c == cohort_week]
        week = cohort_week + dt.timedelta(weeks=period)
        assert size == len(members)
        assert active == sum(1 for u in members if week in weeks[u])
        assert retention == pytest.approx(active / size)
        assert complete == (week + dt.timedelta(days=6) <= last_day)
        if period == 0:
            assert retention == 1.0


def test_user_engagement_matches_the_lake(built, built_con):
    t = lakeread.events(built.lake_dir)
    per_user: dict[int, list] = {}
    for user, ts in zip(t["user_id"].to_pylist(), t["event_ts"].to_pylist()):
        per_user.setdefault(user, []).append(ts.date())
    rows = built_con.execute("SELECT user_id, first_active_date, last_active_date, active_days, events, "
                             "engagement_score FROM agg_user_engagement").fetchall()
    assert len(rows) == len(per_user)
    for user, first, last, active_days, events, score in rows:
        days = per_user[user]
        assert (first, last, active_days, events) == (min(days), max(days), len(set(days)), len(days))
        assert 0 <= score <= 100


def test_rerun_changes_nothing(built, tmp_path):
    shutil.copytree(built.data_dir, tmp_path / "copy")
    settings = make_settings(tmp_path / "copy")
    before = snapshot_of(settings)
    result = run_etl(settings)
    assert result.partitions == 0 and result.rows_read == 0
    assert result.message == "nothing new in the lake"
    assert snapshot_of(settings) == before


def test_appended_days_load_alone(fresh_lake):
    run_etl(fresh_lake)
    with warehouse(fresh_lake) as con:
        old_facts = con.execute("SELECT count(*), sum(hash(event_id, user_key)) FROM fct_events").fetchone()

    generate(fresh_lake.lake_dir, users=0, days=2)  # appends the two days after the last one
    result = run_etl(fresh_lake)

    new_days = [START + dt.timedelta(days=DAYS), START + dt.timedelta(days=DAYS + 1)]
    assert result.partitions == 4  # two event and two user partitions
    assert result.message.startswith(f"events 2 partitions ({new_days[0]}..{new_days[1]})")
    with warehouse(fresh_lake) as con:
        by_run = dict(con.execute("SELECT partition_date, max(run_id) FROM etl_manifest WHERE kind = 'events' "
                                  "GROUP BY 1").fetchall())
        assert {d for d, r in by_run.items() if r == result.run_id} == set(new_days)
        assert con.execute("SELECT count(*), sum(hash(event_id, user_key)) FROM fct_events WHERE event_ts < ?",
                           [dt.datetime.combine(new_days[0], dt.time())]).fetchone() == old_facts
        loaded = con.execute("SELECT count(*) FROM fct_events WHERE event_ts >= ?",
                             [dt.datetime.combine(new_days[0], dt.time())]).fetchone()[0]
        assert loaded == result.rows_loaded - con.execute(
            "SELECT sum(row_count) FROM etl_manifest WHERE kind = 'users' AND run_id = ?", [result.run_id]).fetchone()[0]
    # and the warehouse is what a full rebuild of the grown lake gives
    assert snapshot_of(fresh_lake) == _rebuilt(fresh_lake)


def _rebuilt(settings, natural_keys: bool = False) -> dict:
    """The snapshot of a warehouse built from scratch, in one run, over the same lake."""
    rebuild = make_settings(settings.data_dir / "rebuild")
    rebuild.data_dir.mkdir()
    os.symlink(settings.lake_dir, rebuild.lake_dir)
    run_etl(rebuild)
    return snapshot_of(rebuild, natural_keys)


def test_backfill_gives_what_a_full_rebuild_gives(fresh_lake):
    run_etl(fresh_lake)
    first = START + dt.timedelta(days=5)
    last = START + dt.timedelta(days=12)
    result = run_etl(fresh_lake, start=first, end=last, trigger="backfill")
    assert result.partitions == 16  # 8 days of events and of user records
    assert snapshot_of(fresh_lake) == _rebuilt(fresh_lake)


def test_backfill_after_the_lake_changed_matches_a_rebuild(fresh_lake):
    """Rewritten partitions (fewer events, a late attribute change) backfilled = rebuilt from the lake."""
    run_etl(fresh_lake)
    day = START + dt.timedelta(days=9)
    # drop every third event of one day
    path = lake.partition_dir(fresh_lake.lake_dir, "events", day) / "part-0.parquet"
    t = pq.read_table(path)
    lake.write_partition(fresh_lake.lake_dir, "events", day, t.filter(pa.array([i % 3 != 0 for i in range(t.num_rows)])))
    # a late change record: a user with no other change after day 3 moves to the creator segment on day 3
    late = START + dt.timedelta(days=3)
    records = lakeread.user_records(fresh_lake.lake_dir)
    changed_later = {u for u, at in zip(records["user_id"].to_pylist(), records["updated_at"].to_pylist())
                     if at.date() >= late}
    events = lakeread.events(fresh_lake.lake_dir)
    days_of: dict[int, set] = {}
    for u, ts in zip(events["user_id"].to_pylist(), events["event_ts"].to_pylist()):
        days_of.setdefault(u, set()).add(ts.date())
    mover = min(u for u, d in days_of.items()
                if u not in changed_later and late in d and max(d) > day + dt.timedelta(days=2))
    users = pq.read_table(lake.partition_dir(fresh_lake.lake_dir, "users", late) / "part-0.parquet")
    record = pa.table({"user_id": [mover], "segment": ["creator"], "country": ["NL"], "age_group": ["25-34"],
                       "signup_date": [START], "updated_at": [dt.datetime.combine(late, dt.time())]})
    lake.write_partition(fresh_lake.lake_dir, "users", late,
                         pa.concat_tables([users, record.cast(lake.arrow_schema("users"))]))

    result = run_etl(fresh_lake, start=late, end=day, trigger="backfill")
    assert result.status == "succeeded"
    assert snapshot_of(fresh_lake, natural_keys=True) == _rebuilt(fresh_lake, natural_keys=True)
    with warehouse(fresh_lake) as con:
        # every event of the mover from day 3 on, inside and after the backfilled range, is in the new version
        segments = con.execute("""
            SELECT u.segment, min(f.event_ts) < ?, max(f.event_ts) > ? FROM fct_events f JOIN dim_users u USING (user_key)
            WHERE f.user_id = ? AND f.event_ts >= ? GROUP BY ALL""",
            [dt.datetime.combine(day, dt.time()), dt.datetime.combine(day + dt.timedelta(days=1), dt.time()), mover,
             dt.datetime.combine(late, dt.time())]).fetchall()
        assert segments == [("creator", True, True)]
        # and none before it
        assert con.execute("SELECT count(*) FROM fct_events f JOIN dim_users u USING (user_key) "
                           "WHERE f.user_id = ? AND f.event_ts < ? AND u.valid_from >= ?",
                           [mover] + [dt.datetime.combine(late, dt.time())] * 2).fetchone()[0] == 0


def test_incremental_run_reloads_a_rewritten_partition(fresh_lake):
    run_etl(fresh_lake)
    day = START + dt.timedelta(days=20)
    path = lake.partition_dir(fresh_lake.lake_dir, "events", day) / "part-0.parquet"
    t = pq.read_table(path)
    lake.write_partition(fresh_lake.lake_dir, "events", day, t.slice(0, t.num_rows // 2))
    result = run_etl(fresh_lake)
    assert result.partitions == 1 and result.rows_read == t.num_rows // 2
    assert snapshot_of(fresh_lake) == _rebuilt(fresh_lake)


def test_a_partition_gone_from_the_lake_is_kept_until_a_backfill_removes_it(fresh_lake):
    run_etl(fresh_lake)
    day = START + dt.timedelta(days=4)
    shutil.rmtree(lake.partition_dir(fresh_lake.lake_dir, "events", day))
    result = run_etl(fresh_lake)
    assert result.partitions == 0
    assert any(str(day) in n and "no longer in the lake" in n for n in result.notices)
    with warehouse(fresh_lake) as con:
        kept = con.execute("SELECT count(*) FROM fct_events WHERE date_key = ?", [int(day.strftime("%Y%m%d"))]).fetchone()[0]
    assert kept > 0

    result = run_etl(fresh_lake, start=day, end=day, trigger="backfill")
    assert result.partitions == 2  # the vanished event partition and that day's user partition
    assert snapshot_of(fresh_lake) == _rebuilt(fresh_lake)


def test_a_warehouse_from_before_the_views_opens_with_them(built, tmp_path):
    """An earlier version built agg_daily_metrics, agg_user_engagement and agg_retention_cohorts as tables: opening
    such a warehouse replaces them with the views (they are derived), with the same rows."""
    shutil.copytree(built.data_dir, tmp_path / "old")
    settings = make_settings(tmp_path / "old")
    named = ("agg_daily_metrics", "agg_user_engagement", "agg_retention_cohorts")
    with warehouse(settings) as con:
        before = {v: con.execute(f"SELECT * FROM {v} ORDER BY ALL").fetchall() for v in named}
        for v in named:
            con.execute(f"CREATE TABLE {v}_copy AS SELECT * FROM {v}")
            con.execute(f"DROP VIEW {v}")
            con.execute(f"ALTER TABLE {v}_copy RENAME TO {v}")
        assert {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()} >= set(named)
    with warehouse(settings) as con:
        assert {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}.isdisjoint(named)
        assert {r[0] for r in con.execute("SELECT view_name FROM duckdb_views()").fetchall()} >= set(named)
        assert {v: con.execute(f"SELECT * FROM {v} ORDER BY ALL").fetchall() for v in named} == before


def test_a_read_only_open_reads_and_refuses_writes(built, tmp_path):
    """Warehouse(read_only=True) leaves the schema alone and runs named queries; a write is refused by DuckDB."""
    import duckdb

    from analytics.queries import SQL
    from store.warehouse import Warehouse

    shutil.copytree(built.data_dir, tmp_path / "ro")
    with Warehouse(make_settings(tmp_path / "ro"), read_only=True) as wh:
        status = wh.query(SQL, "data_status").iloc[0]
        assert (status["first_day"].date(), status["last_day"].date()) == (START, START + dt.timedelta(days=DAYS - 1))
        with pytest.raises(duckdb.InvalidInputException, match="read-only"):
            wh.connection.execute("DELETE FROM etl_runs")
