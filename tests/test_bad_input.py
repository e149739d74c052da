"""Bad input gets a clear answer and loses nothing: each case builds its bad lake in a temp folder."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline import lake
from pipeline.generate import generate
from pipeline.lifecycle import RunFailed
from tests.conftest import DAYS, START, make_settings, run_etl, warehouse
from tests.snapshots import fingerprint_of, snapshot_of

ROOT = Path(__file__).resolve().parents[1]
NEW_DAY = START + dt.timedelta(days=DAYS)  # the day the tests append after a first load


def partition_file(settings, kind: str, day: dt.date, name: str = "part-0.parquet") -> Path:
    return lake.partition_dir(settings.lake_dir, kind, day) / name


def loaded_then_appended(settings, days: int = 2) -> dict:
    """Load the lake, then append `days` more days; returns the published snapshot before the append."""
    run_etl(settings)
    before = snapshot_of(settings)
    generate(settings.lake_dir, users=0, days=days)
    return before


def published_days(settings) -> set[dt.date]:
    with warehouse(settings) as con:
        return {r[0] for r in con.execute("SELECT DISTINCT CAST(event_ts AS DATE) FROM fct_events").fetchall()}


def check_status(result, name: str) -> str:
    return next(c.status for c in result.checks if c.check.name == name)


def old_days_unchanged(before: dict, after: dict, first_new_day: dt.date) -> bool:
    """The facts and daily metrics of the days published before are exactly as they were, and every user version
    is kept (its valid_to may close: a later version arrived)."""
    def old(table, rows, day_of):
        return sorted(r for r in rows if day_of(r) < first_new_day)

    facts = lambda r: r[2].date()  # noqa: E731 - event_ts is the third snapshot column
    metrics = lambda r: r[0]  # noqa: E731
    return (old("fct_events", before["fct_events"], facts) == old("fct_events", after["fct_events"], facts)
            and old("m", before["agg_daily_metrics"], metrics) == old("m", after["agg_daily_metrics"], metrics)
            and {r[:7] for r in before["dim_users"]} <= {r[:7] for r in after["dim_users"]})


# -- files --------------------------------------------------------------------------------------------------------

def test_a_corrupt_file_skips_its_partition_and_names_the_file(fresh_lake):
    """The run publishes the rest and ends succeeded_with_warnings, the partition, file and reason in its record;
    `pipeline run` exits 3 for it."""
    before = loaded_then_appended(fresh_lake)
    bad = partition_file(fresh_lake, "events", NEW_DAY, "part-1.parquet")
    bad.write_bytes(b"PAR1 this is not parquet at all")
    result = run_etl(fresh_lake)
    assert result.status == "succeeded_with_warnings"
    notice = next(n for n in result.notices if str(NEW_DAY) in n)
    assert str(bad) in notice and "not a readable Parquet file" in notice
    with warehouse(fresh_lake) as con:
        status, skipped = con.execute("SELECT status, skipped FROM etl_runs WHERE run_id = ?",
                                      [result.run_id]).fetchone()
    [recorded] = json.loads(skipped)
    assert status == "succeeded_with_warnings" and (recorded["kind"], recorded["day"]) == ("events", str(NEW_DAY))
    assert str(bad) in recorded["reason"] and "not a readable Parquet file" in recorded["reason"]
    out = subprocess.run([sys.executable, "-m", "pipeline", "run", "--data-dir", str(fresh_lake.data_dir)],
                         cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, timeout=120)
    assert out.returncode == 3, out.stderr  # still skipped: a distinct exit status, not 0
    assert " succeeded_with_warnings in " in out.stdout and f"warning: events partition {NEW_DAY} skipped: " in out.stdout
    assert check_status(result, "lake.contract") == "warn"
    after = snapshot_of(fresh_lake)
    assert NEW_DAY not in published_days(fresh_lake)  # the whole partition waits, not half of it
    assert old_days_unchanged(before, after, NEW_DAY)
    # it stays pending: fixing the file and running again loads it
    bad.unlink()
    result = run_etl(fresh_lake)
    assert ("events", NEW_DAY) in [(k, d) for k, d in _manifest_partitions(fresh_lake, result.run_id)]
    assert NEW_DAY in published_days(fresh_lake)


def _manifest_partitions(settings, run_id: int) -> list[tuple]:
    with warehouse(settings) as con:
        return con.execute("SELECT DISTINCT kind, partition_date FROM etl_manifest WHERE run_id = ?", [run_id]
                           ).fetchall()


@pytest.mark.parametrize("mutate, problem", [
    (lambda t: t.drop_columns(["device"]), "missing column device"),
    (lambda t: t.set_column(1, "user_id", t["user_id"].cast(pa.string())), "wrong type: user_id is VARCHAR, expected BIGINT"),
    (lambda t: t.set_column(4, "event_ts", t["event_ts"].cast(pa.string())), "wrong type: event_ts is VARCHAR"),
])
def test_a_file_breaking_the_contract_skips_its_partition(fresh_lake, mutate, problem):
    before = loaded_then_appended(fresh_lake)
    path = partition_file(fresh_lake, "events", NEW_DAY)
    pq.write_table(mutate(pq.read_table(path)), path)
    result = run_etl(fresh_lake)
    assert any(f"{path}: {problem}" in n for n in result.notices), result.notices
    assert NEW_DAY not in published_days(fresh_lake)
    assert old_days_unchanged(before, snapshot_of(fresh_lake), NEW_DAY)
    assert check_status(result, "lake.contract") == "warn"


def test_an_extra_column_is_reported_and_ignored(fresh_lake):
    before = loaded_then_appended(fresh_lake, days=1)
    path = partition_file(fresh_lake, "events", NEW_DAY)
    t = pq.read_table(path)
    pq.write_table(t.append_column("experiment", pa.array(["b"] * t.num_rows)), path)
    result = run_etl(fresh_lake)
    assert any(f"{path}: unexpected column experiment ignored" in n for n in result.notices)
    assert check_status(result, "lake.extra_columns") == "warn"
    assert result.rows_loaded == t.num_rows + _user_rows(fresh_lake, NEW_DAY)
    assert old_days_unchanged(before, snapshot_of(fresh_lake), NEW_DAY)


def test_users_without_a_segment_load_and_every_mart_reconciles(fresh_lake):
    """A change record with no segment loads (with a warning); the marts carry a NULL segment, and the checks that
    reconcile them per segment still pass (NULL is a segment value there, not a mismatch)."""
    path = partition_file(fresh_lake, "users", START)
    t = pq.read_table(path)
    segments = pa.array([None if i % 10 == 0 else s for i, s in enumerate(t["segment"].to_pylist())], pa.string())
    pq.write_table(t.set_column(t.schema.get_field_index("segment"), "segment", segments), path)
    result = run_etl(fresh_lake)
    statuses = {c.check.name: c.status for c in result.checks}
    assert statuses["stg_users.segment.not_null"] == "warn"
    assert [name for name, status in statuses.items() if status == "fail"] == []
    assert {statuses[n] for n in ("agg_user_day.rows", "agg_user_week.rows", "agg_daily_volume.rows",
                                  "agg_active_masks.day_counts")} == {"pass"}
    with warehouse(fresh_lake) as con:
        assert con.execute("SELECT count(*) FROM agg_daily_volume WHERE segment IS NULL").fetchone()[0] > 0
    # and a day appended with such records takes the few-days path of agg_active_masks
    generate(fresh_lake.lake_dir, users=0, days=1)
    path = partition_file(fresh_lake, "users", NEW_DAY)
    t = pq.read_table(path)
    pq.write_table(t.set_column(t.schema.get_field_index("segment"), "segment", pa.nulls(t.num_rows, pa.string())),
                   path)
    result = run_etl(fresh_lake)
    assert [c.check.name for c in result.checks if c.status == "fail"] == [] and result.partitions == 2


def _user_rows(settings, day) -> int:
    return pq.read_metadata(partition_file(settings, "users", day)).num_rows


def test_empty_partitions_are_skipped_not_loaded_as_empty(fresh_lake):
    before = loaded_then_appended(fresh_lake)
    path = partition_file(fresh_lake, "events", NEW_DAY)
    lake.write_partition(fresh_lake.lake_dir, "events", NEW_DAY, pq.read_table(path).slice(0, 0))
    folder_only = START + dt.timedelta(days=DAYS + 5)
    lake.partition_dir(fresh_lake.lake_dir, "events", folder_only).mkdir(parents=True)
    result = run_etl(fresh_lake)
    assert any(f"{path}: the partition holds no rows" in n for n in result.notices)
    folder = lake.partition_dir(fresh_lake.lake_dir, "events", folder_only)
    assert any(f"events partition {folder_only} skipped: {folder}: the partition's folder holds no Parquet files — "
               f"fix: " in n for n in result.notices), result.notices
    assert result.status == "succeeded_with_warnings"
    assert {(s["kind"], s["day"]) for s in result.skipped} == {("events", str(NEW_DAY)), ("events", str(folder_only))}
    assert check_status(result, "lake.empty_partitions") == "warn"
    assert old_days_unchanged(before, snapshot_of(fresh_lake), NEW_DAY)


def test_one_notice_per_cause_however_many_partitions_it_hits(fresh_lake):
    """10 event partitions written with event_ts as text and 3 holding no rows: two notices about skips, each with
    how many, the days, example files and the fix; the run's record still lists the 13 partitions, each with its
    file; `pipeline run` prints the same two lines."""
    wrong = [START + dt.timedelta(days=d) for d in (2, 3, 4, 5, 6, 7, 8, 10, 11, 13)]
    empty = [START + dt.timedelta(days=d) for d in (20, 21, 25)]
    for day in wrong:
        path = partition_file(fresh_lake, "events", day)
        t = pq.read_table(path)
        pq.write_table(t.set_column(4, "event_ts", t["event_ts"].cast(pa.string())), path)
    for day in empty:
        lake.write_partition(fresh_lake.lake_dir, "events", day,
                             pq.read_table(partition_file(fresh_lake, "events", day)).slice(0, 0))
    result = run_etl(fresh_lake)

    def file(day):
        return partition_file(fresh_lake, "events", day)

    expected = [
        f"3 events partitions skipped (2024-01-21..2024-01-22, 2024-01-26; 3 files): the partition holds no rows; "
        f"e.g. {file(empty[0])}, {file(empty[1])} — fix: write the day's rows, or remove its files and folder if "
        f"the day has none",
        f"10 events partitions skipped (2024-01-03..2024-01-09, 2024-01-11..2024-01-12, 2024-01-14; 10 files): "
        f"wrong type: event_ts is VARCHAR, expected TIMESTAMP; e.g. {file(wrong[0])}, {file(wrong[1])} — fix: write "
        f"event_ts as TIMESTAMP (microseconds, no time zone) or one of the types docs/data_model.md lists as also "
        f"accepted (\"Contract: events\")",
    ]
    assert [n for n in result.notices if " skipped" in n] == expected, result.notices
    assert result.status == "succeeded_with_warnings"
    reasons = {**{str(d): f"{file(d)}: wrong type: event_ts is VARCHAR, expected TIMESTAMP" for d in wrong},
               **{str(d): f"{file(d)}: the partition holds no rows" for d in empty}}
    assert result.skipped == [{"kind": "events", "day": d, "reason": reasons[d]} for d in sorted(reasons)]
    with warehouse(fresh_lake) as con:
        [recorded] = con.execute("SELECT skipped FROM etl_runs WHERE run_id = ?", [result.run_id]).fetchone()
    assert json.loads(recorded) == result.skipped  # what the admin page and the runs API read: per partition
    out = subprocess.run([sys.executable, "-m", "pipeline", "run", "--data-dir", str(fresh_lake.data_dir)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 3, out.stderr  # the 13 partitions are still pending, and still two lines
    assert [line for line in out.stdout.splitlines() if line.startswith("warning: ")] == [
        f"warning: {n}" for n in expected], out.stdout


def test_a_missing_lake_folder_fails_the_run_and_changes_nothing(fresh_lake):
    run_etl(fresh_lake)
    before = snapshot_of(fresh_lake)
    shutil.move(fresh_lake.lake_dir, fresh_lake.data_dir / "lake-moved")
    with pytest.raises(RunFailed) as failure:
        run_etl(fresh_lake)
    assert f"{fresh_lake.lake_dir}: the lake folder does not exist" in str(failure.value)
    assert snapshot_of(fresh_lake) == before


# -- rows -----------------------------------------------------------------------------------------------------------

def _rows_like(settings, day: dt.date, n: int, first_id: int) -> list[dict]:
    """n rows shaped like the day's events, with new event ids."""
    rows = pq.read_table(partition_file(settings, "events", day)).slice(0, n).to_pylist()
    for i, row in enumerate(rows):
        row["event_id"] = first_id + i
    return rows


def _write_rows(settings, day: dt.date, rows: list[dict], name: str = "part-1.parquet") -> Path:
    return lake.write_partition(settings.lake_dir, "events", day, pa.Table.from_pylist(rows, lake.arrow_schema("events")),
                                name=name)


def test_bad_rows_are_quarantined_with_reason_and_run_and_the_rest_loads(fresh_lake):
    day = START + dt.timedelta(days=6)
    other_day = START + dt.timedelta(days=7)
    rows = _rows_like(fresh_lake, day, 8, first_id=9_000_000_000_000_000)
    rows[0]["user_id"] = None
    rows[1]["platform"] = "myspace"
    rows[2]["event_type"] = "poke"
    rows[3]["user_id"] = 999_999_999  # nobody
    rows[4]["event_ts"] = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 30))
    rows[5]["event_id"] = rows[6]["event_id"]  # twice in one file: the first copy loads
    existing = pq.read_table(partition_file(fresh_lake, "events", other_day)).slice(0, 1).to_pylist()[0]
    rows[7] = dict(rows[7], event_id=existing["event_id"])  # an event_id already used in another partition
    path = _write_rows(fresh_lake, day, rows)

    lake_rows = sum(pq.read_metadata(p).num_rows for p in fresh_lake.lake_dir.rglob("*.parquet")
                    if "_generator" not in p.parts)
    result = run_etl(fresh_lake)
    assert result.status == "succeeded"
    assert result.rows_quarantined == 7
    assert result.rows_read == lake_rows == result.rows_loaded + result.rows_quarantined
    with warehouse(fresh_lake) as con:
        quarantined = con.execute("SELECT reason, event_id, source_file, run_id FROM quarantine_events "
                                  "ORDER BY reason, event_id").fetchall()
        loaded_copy = con.execute("SELECT count(*) FROM fct_events WHERE event_id = ?", [rows[6]["event_id"]]
                                  ).fetchone()[0]
    assert [q[0] for q in quarantined] == [
        "duplicate event_id", "duplicate event_id", "event_ts outside its partition day", "missing user_id",
        "unknown event_type", "unknown platform", "user unknown at event_ts"]
    assert loaded_copy == 1
    # of two valid copies the first in (partition, file, row) order loads: day 6's, so day 7's original waits
    assert {q[1] for q in quarantined if q[0] == "duplicate event_id"} == {rows[6]["event_id"], existing["event_id"]}
    with warehouse(fresh_lake) as con:
        kept = con.execute("SELECT CAST(event_ts AS DATE) FROM fct_events WHERE event_id = ?", [existing["event_id"]]
                           ).fetchall()
    assert kept == [(day,)]
    assert all(q[3] == result.run_id for q in quarantined)
    files = {q[1]: q[2] for q in quarantined}
    other_file = str(partition_file(fresh_lake, "events", other_day).relative_to(fresh_lake.lake_dir))
    assert files.pop(existing["event_id"]) == other_file
    assert set(files.values()) == {str(path.relative_to(fresh_lake.lake_dir))}
    for name in ("stg_events.user_id.not_null", "stg_events.platform.accepted_values",
                 "stg_events.event_type.accepted_values", "stg_events.event_id.unique",
                 "stg_events.event_ts.in_partition", "stg_events.user_id.relationships"):
        assert check_status(result, name) == "warn", name  # a few bad rows warn; they do not block


def test_events_in_the_future_are_quarantined(fresh_lake):
    last_day = START + dt.timedelta(days=DAYS - 1)
    as_of = dt.datetime.combine(last_day, dt.time(23, 0))  # the run happens at 23:00 on the lake's last day
    t = pq.read_table(partition_file(fresh_lake, "events", last_day))
    later = sum(1 for ts in t["event_ts"].to_pylist() if ts > as_of)
    assert later > 0
    result = run_etl(fresh_lake, as_of=as_of)
    with warehouse(fresh_lake) as con:
        reasons = con.execute("SELECT reason, count(*) FROM quarantine_events GROUP BY 1").fetchall()
    assert reasons == [("event_ts in the future", later)]
    assert check_status(result, "stg_events.event_ts.not_future") == "warn"
    assert check_status(result, "fct_events.freshness") == "pass"  # judged as of the same moment


def test_too_many_bad_rows_block_publishing(fresh_lake):
    before = loaded_then_appended(fresh_lake, days=1)
    path = partition_file(fresh_lake, "events", NEW_DAY)
    t = pq.read_table(path)
    platforms = t["platform"].to_pylist()
    broken = t.set_column(2, "platform", pa.array([p if i % 3 else "myspace" for i, p in enumerate(platforms)]))
    pq.write_table(broken, path)
    with pytest.raises(RunFailed) as failure:
        run_etl(fresh_lake)
    message = str(failure.value)
    assert "blocked by failed checks: stg_events.platform.accepted_values" in message
    assert "share of staged events with an unknown platform" in message
    assert snapshot_of(fresh_lake) == before  # nothing published, not even the quarantine
    with warehouse(fresh_lake) as con:
        run = con.execute("SELECT run_id, status, error FROM etl_runs ORDER BY run_id DESC LIMIT 1").fetchone()
        checks = dict(con.execute("SELECT check_name, status FROM dq_results WHERE run_id = ?", [run[0]]).fetchall())
    assert run[1] == "failed" and "stg_events.platform.accepted_values" in run[2]
    assert checks["stg_events.platform.accepted_values"] == "fail" and len(checks) >= 20


def test_events_of_a_user_whose_record_arrives_late_are_published_when_it_does(fresh_lake):
    day = START + dt.timedelta(days=10)
    newcomer = 77_777_777
    rows = _rows_like(fresh_lake, day, 3, first_id=9_200_000_000_000_000)
    for row in rows:
        row["user_id"] = newcomer
    _write_rows(fresh_lake, day, rows)
    result = run_etl(fresh_lake)
    assert result.rows_quarantined == 3

    record = {"user_id": newcomer, "segment": "regular", "country": "KE", "age_group": "25-34",
              "signup_date": day, "updated_at": dt.datetime.combine(day, dt.time())}
    users = pq.read_table(partition_file(fresh_lake, "users", day))
    lake.write_partition(fresh_lake.lake_dir, "users", day,
                         pa.concat_tables([users, pa.Table.from_pylist([record], lake.arrow_schema("users"))]))
    result = run_etl(fresh_lake)
    assert any(f"events partition {day} reloaded" in n for n in result.notices)
    with warehouse(fresh_lake) as con:
        assert con.execute("SELECT count(*) FROM fct_events WHERE user_id = ?", [newcomer]).fetchone()[0] == 3
        assert con.execute("SELECT count(*) FROM quarantine_events").fetchone()[0] == 0


# -- the process killed in the middle of a publish ------------------------------------------------------------------

@pytest.mark.slow
def test_sigkill_during_publish_leaves_the_previous_state_and_a_rerun_completes(tmp_path):
    settings = make_settings(tmp_path)
    generate(settings.lake_dir, users=10_000, days=5, start=START, seed=11)
    run_etl(settings)
    before = fingerprint_of(settings)
    generate(settings.lake_dir, users=0, days=40)  # about 1M events to publish

    env = {**os.environ, "PA_DUCKDB_MEMORY_LIMIT": "1GB"}
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run", "--data-dir", str(tmp_path)], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stderr.readline()  # the first progress line comes from inside the publish transaction
    assert line.startswith("loading: "), line
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    assert fingerprint_of(settings) == before  # opening it also marks the interrupted run failed
    with warehouse(settings) as con:
        status, error = con.execute("SELECT status, error FROM etl_runs ORDER BY run_id DESC LIMIT 1").fetchone()
    assert status == "failed" and error.startswith("interrupted")

    result = run_etl(settings)
    assert result.status == "succeeded" and result.partitions == 80
    rebuilt = make_settings(tmp_path / "rebuilt")
    rebuilt.data_dir.mkdir()
    os.symlink(settings.lake_dir, rebuilt.lake_dir)
    run_etl(rebuilt)
    assert fingerprint_of(settings) == fingerprint_of(rebuilt)
