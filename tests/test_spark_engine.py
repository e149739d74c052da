"""The Spark engine (pipeline/spark/, `pipeline run --engine spark` on local[2]) against the DuckDB engine on the
same lakes: identical published tables (dimensions, facts, every mart, compared row by row and by content
checksum), identical quarantine with its reasons, identical data-quality results, for a first load, an incremental
day and a backfill after a late user record; and a lake whose partitions were written by other tools, each with its
own encoding, read by one job."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import replace

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline import lake
from pipeline.generate import generate
from pipeline.lifecycle import RunFailed
from pipeline.spark import runner
from tests import lakeread
from tests.conftest import make_settings, run_etl, warehouse
from tests.snapshots import fingerprint_of, snapshot_of
from tests.test_interop import VARIANTS

pytestmark = pytest.mark.slow

START = dt.date(2024, 3, 4)
DAYS = 12
AS_OF = dt.datetime.combine(START + dt.timedelta(days=DAYS - 1), dt.time(23, 59))  # its last minute is future
UNKNOWN_USER = 987_654_321


def spark(settings):
    return replace(settings, engine="spark", spark_master="local[2]", spark_driver_memory="1g",
                   spark_shuffle_partitions=4)


def append_rows(settings, day: dt.date, rows: list[dict], name: str = "part-9.parquet") -> None:
    """A second file in a day's partition, in the contract's types."""
    lake.write_partition(settings.lake_dir, "events", day,
                         pa.Table.from_pylist(rows, schema=lake.arrow_schema("events")), name=name)


def bad_rows(settings) -> None:
    """One of each reason a row is quarantined, spread over the days, and an event_id repeated within a partition,
    across two partitions and (later) against a published one."""
    events = lakeread.events(settings.lake_dir).to_pylist()
    day = {d: [e for e in events if e["event_ts"].date() == d] for d in {e["event_ts"].date() for e in events}}
    first, second, fifth, last = (START + dt.timedelta(days=n) for n in (0, 1, 4, DAYS - 1))
    good = day[second][0]
    at = dt.datetime.combine(second, dt.time(9))
    append_rows(settings, second, [
        {**good, "event_id": 9_000_001, "platform": "myspace"},
        {**good, "event_id": 9_000_002, "event_type": "poke"},
        {**good, "event_id": 9_000_003, "user_id": None},
        {**good, "event_id": 9_000_004, "event_ts": None},
        {**good, "event_id": None},
        {**good, "event_id": 9_000_005, "event_ts": at + dt.timedelta(days=1)},  # outside its partition day
        {**good, "event_id": 9_000_006, "user_id": UNKNOWN_USER, "event_ts": at},
        {**good, "event_id": 9_000_007, "device": "toaster", "country": "ZZ", "event_ts": at},  # loaded, checks warn
        day[second][1], day[second][1],  # one event written twice more in its own partition
        {**day[first][0], "event_ts": at},  # an event_id of the first day again on the second day: the duplicate
    ])
    append_rows(settings, fifth, [{**day[second][2], "event_ts": dt.datetime.combine(fifth, dt.time(8))},
                                  {**day[fifth][0], "event_id": 9_000_010, "session_id": None}])
    append_rows(settings, last, [{**day[last][0], "event_id": 9_000_020,
                                  "event_ts": dt.datetime.combine(last, dt.time(23, 59, 30))}])  # after AS_OF


def results(settings, run_id: int) -> tuple:
    """What a run recorded that both engines must agree on: its counts and every check's status and figure."""
    with warehouse(settings) as con:
        run = con.execute("SELECT status, rows_read, rows_loaded, rows_quarantined, engine FROM etl_runs "
                          "WHERE run_id = ?", [run_id]).fetchone()
        checks = con.execute("SELECT check_name, status, observed, message FROM dq_results WHERE run_id = ? "
                             "ORDER BY ALL", [run_id]).fetchall()
    return run, checks


def assert_same(duck, sparked, duck_run, spark_run) -> None:
    (run_d, checks_d), (run_s, checks_s) = results(duck, duck_run.run_id), results(sparked, spark_run.run_id)
    assert (run_d[-1], run_s[-1]) == ("duckdb", "spark")
    assert run_d[:-1] == run_s[:-1] and checks_d == checks_s
    assert fingerprint_of(duck) == fingerprint_of(sparked)
    expected, got = snapshot_of(duck), snapshot_of(sparked)
    for table in expected:
        assert got[table] == expected[table], table
    assert "spark job" in spark_run.step_seconds and "stg_events_spark" in spark_run.step_seconds


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """The same lake with bad rows in two data folders, one loaded by each engine."""
    root = tmp_path_factory.mktemp("engines")
    duck = make_settings(root / "duckdb")
    generate(duck.lake_dir, users=250, days=DAYS, start=START, seed=11)
    bad_rows(duck)
    sparked = spark(make_settings(root / "spark"))
    shutil.copytree(duck.lake_dir, sparked.lake_dir)
    return duck, sparked


def test_a_first_load_publishes_what_the_duckdb_engine_does(pair):
    duck, sparked = pair
    d, s = run_etl(duck, as_of=AS_OF), run_etl(sparked, as_of=AS_OF)
    assert d.status == s.status == "succeeded" and d.rows_quarantined == s.rows_quarantined
    assert_same(duck, sparked, d, s)
    with warehouse(sparked) as con:
        future = con.execute("SELECT count(*) FROM quarantine_events WHERE event_ts > ?", [AS_OF]).fetchone()[0]
        reasons = dict(con.execute("SELECT reason, count(*) FROM quarantine_events GROUP BY 1").fetchall())
    assert reasons == {"unknown platform": 1, "unknown event_type": 1, "missing user_id": 1, "missing event_ts": 1,
                       "missing event_id": 1, "event_ts outside its partition day": 1, "user unknown at event_ts": 1,
                       "duplicate event_id": 4, "event_ts in the future": future}
    report = json.loads((runner.run_folder(sparked, s.run_id) / "job.json").read_text())
    assert report["master"] == "local[2]" and len(report["groups"]) == 1


def test_an_incremental_day_publishes_what_the_duckdb_engine_does(pair):
    duck, sparked = pair
    later = AS_OF + dt.timedelta(days=2)
    for settings in pair:
        generate(settings.lake_dir, users=0, days=1)  # the next day
        published = lakeread.events(settings.lake_dir).to_pylist()[5]
        append_rows(settings, START + dt.timedelta(days=DAYS), [published])  # already published on another day
    d, s = run_etl(duck, as_of=later), run_etl(sparked, as_of=later)
    assert d.partitions == s.partitions == 3 and d.rows_read == s.rows_read  # the new day, and the day whose
    # row of an unknown user waits in quarantine for its user record
    assert_same(duck, sparked, d, s)


def test_a_backfill_after_a_late_user_record_publishes_what_the_duckdb_engine_does(pair):
    """A change record for day 3 arriving late, for a user active before and after it, and day 6 rewritten."""
    duck, sparked = pair
    late, rewritten = START + dt.timedelta(days=3), START + dt.timedelta(days=6)
    events, records = lakeread.events(duck.lake_dir), lakeread.user_records(duck.lake_dir)
    changed_later = {u for u, at in zip(records["user_id"].to_pylist(), records["updated_at"].to_pylist())
                     if at.date() >= late}
    mover = next(u for u, ts in zip(events["user_id"].to_pylist(), events["event_ts"].to_pylist())
                 if ts is not None and ts.date() > rewritten and u not in (None, UNKNOWN_USER, *changed_later))
    for settings in pair:
        users = pq.read_table(lake.partition_dir(settings.lake_dir, "users", late) / "part-0.parquet")
        record = pa.table({"user_id": [mover], "segment": ["creator"], "country": ["NL"], "age_group": ["25-34"],
                           "signup_date": [START], "updated_at": [dt.datetime.combine(late, dt.time(6))]})
        lake.write_partition(settings.lake_dir, "users", late,
                             pa.concat_tables([users, record.cast(lake.arrow_schema("users"))]))
        path = lake.partition_dir(settings.lake_dir, "events", rewritten) / "part-0.parquet"
        t = pq.read_table(path)
        lake.write_partition(settings.lake_dir, "events", rewritten, t.slice(0, t.num_rows * 2 // 3))
    later = AS_OF + dt.timedelta(days=3)
    d = run_etl(duck, start=late, end=rewritten, trigger="backfill", as_of=later)
    s = run_etl(sparked, start=late, end=rewritten, trigger="backfill", as_of=later)
    assert d.status == s.status == "succeeded"
    assert_same(duck, sparked, d, s)
    with warehouse(sparked) as con:
        assert con.execute("SELECT count(*) FROM fct_events f JOIN dim_users u USING (user_key) "
                           "WHERE f.user_id = ? AND u.segment = 'creator' AND f.event_ts >= ?",
                           [mover, dt.datetime.combine(late, dt.time(6))]).fetchone()[0] > 0


def test_partitions_written_by_other_tools_are_read_by_one_job(lake_template, tmp_path):
    """Each day in another tool's encoding (nanosecond or UTC-marked timestamps, narrow, unsigned and decimal ids,
    dictionary strings), one id too large for BIGINT: one job reads them all, equal to the DuckDB engine."""
    duck = make_settings(tmp_path / "duckdb")
    variants = list(VARIANTS.values())
    for number, (day, files) in enumerate(sorted((d, f) for (k, d), f in
                                                 lake.list_lake(lake_template / "lake").files.items()
                                                 if k == "events" and d < dt.date(2024, 1, 11))):
        table = pa.concat_tables([pq.read_table(f.path) for f in files])
        if number == 0:
            table = table.set_column(0, "event_id", pa.array([2**64 - 1] + table["event_id"].to_pylist()[1:],
                                                             pa.uint64()))
        folder = lake.partition_dir(duck.lake_dir, "events", day)
        folder.mkdir(parents=True)
        pq.write_table(variants[number % len(variants)](table, "events"), folder / "part-0.parquet")
    for (kind, day), files in lake.list_lake(lake_template / "lake").files.items():
        if kind == "users" and day < dt.date(2024, 1, 11):
            lake.partition_dir(duck.lake_dir, kind, day).mkdir(parents=True)
            shutil.copy(files[0].path, lake.partition_dir(duck.lake_dir, kind, day))
    sparked = spark(make_settings(tmp_path / "spark"))
    shutil.copytree(duck.lake_dir, sparked.lake_dir)
    d, s = run_etl(duck), run_etl(sparked)
    assert d.rows_quarantined == s.rows_quarantined == 1
    assert_same(duck, sparked, d, s)
    job = json.loads((runner.run_folder(sparked, s.run_id) / "job.json").read_text())
    assert len(job["groups"]) == len(VARIANTS) + 1  # the first day, with its uint64 ids, is an encoding of its own


def test_a_failed_job_fails_the_run_saying_why_and_publishes_nothing(fresh_lake):
    """A master URL Spark cannot use: the run fails with Spark's own first line and the job's log named, the
    published tables as they were; a setting that names no engine is refused before anything runs."""
    run_etl(fresh_lake)
    before = fingerprint_of(fresh_lake)
    generate(fresh_lake.lake_dir, users=0, days=1)
    with pytest.raises(RunFailed) as failed:
        run_etl(replace(spark(fresh_lake), spark_master="nowhere://cluster"))
    error = failed.value.result.error
    assert error.startswith("the Spark job on nowhere://cluster exited with 1: ") and "job.log" in error, error
    assert "the JVM said SparkException: Master must either be yarn or start with spark, k8s, or local" in error
    assert fingerprint_of(fresh_lake) == before
    with warehouse(fresh_lake) as con:
        assert con.execute("SELECT status, engine FROM etl_runs ORDER BY run_id DESC LIMIT 1").fetchone() == (
            "failed", "spark")
    with pytest.raises(RunFailed, match="PA_ENGINE='flink' is not an engine \\(known: duckdb, spark\\)"):
        run_etl(replace(fresh_lake, engine="flink"))
    assert fingerprint_of(fresh_lake) == before
