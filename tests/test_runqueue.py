"""The run queue and the scheduler's worker: runs asked for wait their turn and execute one at a time, oldest
first, each recorded; a failure is recorded and the worker goes on. And the lock file that keeps one scheduler
per data folder."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from pipeline import lockfile, run_queue, scheduler
from store import runs
from tests.conftest import START, make_settings, run_etl, warehouse

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def loaded(fresh_lake):
    run_etl(fresh_lake)
    return fresh_lake


def test_queued_runs_wait_in_order_and_say_how_many_are_ahead(loaded):
    with warehouse(loaded) as con:
        first = runs.enqueue(con, "incremental", "manual", "ada")
        second = runs.enqueue(con, "backfill", "backfill", "bob", START, START + dt.timedelta(days=2))
        assert [(r["run_id"], r["status"], r["ahead"]) for r in runs.queue(con)] == [
            (first, "queued", 0), (second, "queued", 1)]
        claimed = runs.claim_next(con)
        assert (claimed.run_id, claimed.mode, claimed.requested_by) == (first, "incremental", "ada")
        assert [(r["run_id"], r["status"], r["ahead"]) for r in runs.queue(con)] == [
            (first, "running", 0), (second, "queued", 1)]
        assert runs.mark_interrupted(con) == 1  # a dead process's running run, not the queued one
        assert [r["run_id"] for r in runs.queue(con)] == [second]
        claimed = runs.claim_next(con)
        assert (claimed.mode, claimed.start, claimed.end) == ("backfill", str(START), str(START + dt.timedelta(days=2)))
        assert runs.claim_next(con) is None


def test_bad_requests_are_refused():
    with pytest.raises(ValueError, match="trigger 'cron'"):
        runs.enqueue(None, "incremental", "cron", "x")
    with pytest.raises(ValueError, match="mode 'everything'"):
        runs.enqueue(None, "everything", "manual", "x")


@contextmanager
def cursors(settings):
    with warehouse(settings) as con:
        @contextmanager
        def factory():
            cur = con.cursor()
            try:
                yield cur
            finally:
                cur.close()
        yield factory


def test_the_worker_executes_the_queue_one_run_at_a_time_and_survives_a_failure(loaded, tmp_path):
    with cursors(loaded) as factory:
        with factory() as cur:
            backfill = runs.enqueue(cur, "backfill", "backfill", "ada", START, START + dt.timedelta(days=1))
            doomed = runs.enqueue(cur, "incremental", "manual", "bob")
            checks = runs.enqueue(cur, "dq", "manual", "bob")
        seen = []

        @contextmanager
        def around_run():  # the lake goes away for the second run only, so that one fails
            yield
            seen.append("run")
            if len(seen) == 1:
                shutil.move(loaded.lake_dir, tmp_path / "elsewhere")
            elif len(seen) == 2:
                shutil.move(tmp_path / "elsewhere", loaded.lake_dir)

        run_queue.work(loaded, factory, around_run)
        with factory() as cur:
            history = {r["run_id"]: r for r in runs.recent(cur, 10)}
    assert history[backfill]["status"] == "succeeded" and history[backfill]["partitions"] == 4
    assert history[backfill]["requested_by"] == "ada" and history[backfill]["trigger"] == "backfill"
    assert history[doomed]["status"] == "failed" and "lake folder does not exist" in history[doomed]["error"]
    assert history[checks]["status"] == "succeeded" and history[checks]["checks"] > 20
    assert seen == ["run"] * 3
    assert [history[r]["started_at"] <= history[r]["ended_at"] for r in (backfill, doomed, checks)] == [True] * 3
    assert history[backfill]["ended_at"] <= history[doomed]["started_at"] <= history[doomed]["ended_at"] \
        <= history[checks]["started_at"]  # one at a time, oldest first


def test_the_refresh_job_queues_an_incremental_and_a_quality_run_once(loaded):
    settings = make_settings(loaded.data_dir)
    with cursors(settings) as factory:
        scheduler.queue_refresh(settings, factory)
        scheduler.queue_refresh(settings, factory)  # the first two still wait: nothing more is queued
        with factory() as cur:
            queued = runs.queue(cur)
    assert sorted(json.loads(r["parameters"])["mode"] for r in queued) == ["dq", "incremental"]
    assert {r["trigger"] for r in queued} == {"schedule"}


def test_the_lock_file_admits_one_holder(tmp_path):
    path = tmp_path / "scheduler.lock"
    first = lockfile.acquire(path)
    assert first is not None and lockfile.holder(path).isdigit()
    assert lockfile.acquire(path) is None  # another open file, as another process would have
    other = subprocess.run([sys.executable, "-c", "import sys; from pipeline import lockfile; "
                            f"sys.exit(0 if lockfile.acquire({str(path)!r}) is None else 3)"], cwd=ROOT)
    assert other.returncode == 0
    lockfile.release(first)
    again = lockfile.acquire(path)
    assert again is not None
    lockfile.release(again)


def test_the_scheduler_is_off_when_disabled(tmp_path):
    from dataclasses import replace

    settings = replace(make_settings(tmp_path), scheduler_enabled=0)
    off = scheduler.Scheduler(settings, None)
    assert off.start() is False and not off.running


def test_demo_mode_appends_the_next_day_before_the_scheduled_runs(loaded):
    from dataclasses import replace

    from pipeline.lake import list_lake

    settings = replace(make_settings(loaded.data_dir), demo_append=1)
    before = list_lake(settings.lake_dir).partitions("events")
    with cursors(settings) as factory:
        scheduler.queue_refresh(settings, factory)
        run_queue.work(settings, factory)
        with factory() as cur:
            latest = runs.recent(cur, 2)
    after = list_lake(settings.lake_dir).partitions("events")
    assert after == before + [before[-1] + dt.timedelta(days=1)]
    assert {(r["mode"], r["status"], r["trigger"]) for r in latest} == {("incremental", "succeeded", "schedule"),
                                                                        ("dq", "succeeded", "schedule")}
    incremental = next(r for r in latest if r["mode"] == "incremental")
    assert incremental["partitions"] == 2 and str(after[-1]) in incremental["message"]


def test_a_run_writes_its_progress_to_etl_runs_where_other_cursors_see_it(fresh_lake):
    """Progress lives in etl_runs (partitions done of planned), written outside the run's transaction: another
    cursor (the admin page, /readyz) sees it while the run is still running; at the end it is what was published."""
    from pipeline import etl

    seen = []
    with warehouse(fresh_lake) as con:
        other = con.cursor()

        def progress(done: int, total: int) -> None:
            row = other.execute("SELECT partitions, partitions_done, status FROM etl_runs "
                                "ORDER BY run_id DESC LIMIT 1").fetchone()
            seen.append(((total, done, "running"), row))

        result = etl.run(con, fresh_lake, progress=progress)
        final = other.execute("SELECT partitions, partitions_done, status FROM etl_runs WHERE run_id = ?",
                              [result.run_id]).fetchone()
    assert [told for told, _ in seen] == [(56, 28, "running"), (56, 56, "running")]  # users, then the one batch
    assert [row for _, row in seen] == [told for told, _ in seen]
    assert final == (56, 56, "succeeded")


def test_a_failed_run_has_nothing_done(fresh_lake, tmp_path):
    from pipeline import etl
    from pipeline.lifecycle import RunFailed

    with warehouse(fresh_lake) as con:
        def crash(done: int, total: int) -> None:
            raise RuntimeError("the disk went away")

        with pytest.raises(RunFailed, match="the disk went away"):
            etl.run(con, fresh_lake, progress=crash)
        row = con.execute("SELECT partitions, partitions_done, status, error FROM etl_runs").fetchone()
        facts = con.execute("SELECT count(*) FROM fct_events").fetchone()[0]
    assert row == (56, 0, "failed", "the disk went away") and facts == 0
