"""`python -m pipeline`: the real command line, in a subprocess, on a temp data folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import make_settings, warehouse

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str, data_dir: Path | None = None) -> subprocess.CompletedProcess:
    extra = ["--data-dir", str(data_dir)] if data_dir else []
    return subprocess.run([sys.executable, "-m", "pipeline", *args, *extra], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PA_DUCKDB_MEMORY_LIMIT": "512MB"}, timeout=120)


def runs_recorded(data_dir: Path) -> int:
    with warehouse(make_settings(data_dir)) as con:
        return con.execute("SELECT count(*) FROM etl_runs").fetchone()[0]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("cli")
    out = cli("generate", "--users", "300", "--days", "6", "--start", "2024-05-01", "--seed", "5", data_dir=data)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("generated 6 days 2024-05-01..2024-05-06: ")
    out = cli("run", data_dir=data)
    assert out.returncode == 0, out.stderr
    *_, last, churn_line, snapshot_line = out.stdout.strip().splitlines()
    assert last.startswith("run 1 succeeded in ") and "58 checks: 57 passed, 1 warned, 0 failed" in last
    assert churn_line == "churn: fewer than 28 days of data, nothing scored"  # a load scores churn risk too
    assert snapshot_line == f"marts snapshot: {data / 'marts' / 'v1-r1'}"  # and writes the marts snapshot
    assert "WARN fct_events.freshness: " in out.stdout  # the test lake is from 2024
    return data


def test_status_reports_partitions_rows_and_the_last_run(loaded):
    out = cli("status", data_dir=loaded)
    assert out.returncode == 0, out.stderr
    assert "events      6 partitions  2024-05-01 .. 2024-05-06" in out.stdout
    assert "run 1 (incremental, cli, duckdb engine) succeeded" in out.stdout
    assert "checks: 57 passed, 1 warned, 0 failed" in out.stdout and "warned: fct_events.freshness" in out.stdout
    assert "Pending in the lake: 0 partition(s)" in out.stdout
    with warehouse(make_settings(loaded)) as con:
        who = con.execute("SELECT requested_by FROM etl_runs WHERE run_id = 1").fetchone()[0]
    assert who.endswith("(cli)")


def test_backfill_and_rerun(loaded):
    out = cli("backfill", "--start", "2024-05-02", "--end", "2024-05-03", data_dir=loaded)
    assert out.returncode == 0, out.stderr
    assert "succeeded" in out.stdout and "events 2 partitions (2024-05-02..2024-05-03)" in out.stdout
    out = cli("run", data_dir=loaded)
    assert out.returncode == 0 and "nothing new in the lake" in out.stdout


@pytest.mark.parametrize("args, message", [
    (["backfill", "--start", "2024-05-03", "--end", "2024-05-01"], "--end 2024-05-01 is before --start 2024-05-03"),
    (["backfill", "--start", "2024-13-01", "--end", "2024-05-01"], "argument --start: '2024-13-01' is not a date"),
    (["backfill", "--start", "2024-05-01"], "the following arguments are required: --end"),
    (["generate", "--users", "0"], "argument --users: 0 must be at least 1"),
    (["generate", "--days", "many"], "argument --days: 'many' is not a whole number"),
])
def test_bad_arguments_get_one_line_and_run_nothing(loaded, args, message):
    before = runs_recorded(loaded)
    out = cli(*args, data_dir=loaded)
    assert out.returncode == 2
    assert out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1 and message in out.stderr
    assert runs_recorded(loaded) == before


def test_a_range_with_no_data_is_refused(loaded):
    before = runs_recorded(loaded)
    out = cli("backfill", "--start", "2023-01-01", "--end", "2023-01-31", data_dir=loaded)
    assert out.returncode == 2
    assert out.stderr.strip() == ("error: no lake partitions and nothing loaded between 2023-01-01 and 2023-01-31; "
                                  "nothing run")
    assert runs_recorded(loaded) == before


def test_a_held_warehouse_is_reported_not_a_lock_error(loaded):
    with warehouse(make_settings(loaded)):  # this process now owns the file, like the app would
        out = cli("run", data_dir=loaded)
    assert out.returncode == 2
    assert f"is in use by another process (PID {os.getpid()}" in out.stderr
    assert "admin page" in out.stderr and "Traceback" not in out.stderr


def test_a_missing_lake_is_named(tmp_path):
    out = cli("run", data_dir=tmp_path)
    assert out.returncode == 1
    assert f"{tmp_path / 'lake'}: the lake folder does not exist" in out.stderr


def test_runs_lists_a_queued_run(loaded, tmp_path):
    import shutil

    from pipeline import run_queue

    data = tmp_path / "data"
    shutil.copytree(loaded, data)
    with warehouse(make_settings(data)) as con:
        queued, _ahead = run_queue.request(con, "incremental", "ada")
    out = cli("runs", data_dir=data)
    assert out.returncode == 0, out.stderr
    first = out.stdout.splitlines()[0]
    assert first.startswith(f"run {queued} (incremental, manual) queued, queued 20") and first.endswith(" UTC")


def test_demo_builds_once(tmp_path):
    out = cli("demo", "--users", "150", "--days", "3", data_dir=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "generated 3 days" in out.stdout and "run 1 succeeded" in out.stdout
    out = cli("demo", data_dir=tmp_path)
    assert out.returncode == 0 and "already holds data; nothing to do" in out.stdout


def test_hash_password_says_where_it_moved():
    out = cli("hash-password")
    assert out.returncode == 2 and "python -m webapp hash-password" in out.stderr
