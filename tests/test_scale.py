"""Bounded memory: a load larger than the memory limit spills to disk and completes; a run that runs out of memory
or of disk anyway is recorded with a one-line cause, the step it stopped in and a hint, and publishes nothing."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from pipeline import etl, status
from pipeline.generate import generate
from pipeline.lifecycle import RunFailed
from store import runs
from store.settings import Settings
from tests.conftest import make_settings, warehouse


def _failed_run(settings: Settings, *statements: str) -> str:
    """Run the ETL on a connection changed by `statements`; the error it records (it must fail)."""
    with warehouse(settings) as con:
        for statement in statements:
            con.execute(statement)
        with pytest.raises(RunFailed) as failed:
            etl.run(con, settings)
        con.execute(f"SET memory_limit = '{settings.duckdb_memory_limit}'")
        assert con.execute("SELECT count(*) FROM fct_events").fetchone()[0] == 0  # nothing published
        recorded = runs.recent(con, 1)[0]
    assert recorded["status"] == "failed" and recorded["error"] == failed.value.result.error
    listing = status.render_runs([recorded])
    assert listing.count(recorded["error"]) == 1 and "Possible solutions" not in listing
    return recorded["error"]


def test_running_out_of_memory_is_recorded_in_one_line_with_the_step_and_a_hint(fresh_lake):
    error = _failed_run(fresh_lake, "SET temp_directory = ''", "SET memory_limit = '8MB'")
    assert "\n" not in error
    assert error.startswith("out of memory in step stg_users: Out of Memory Error: ")
    assert "hint: raise PA_DUCKDB_MEMORY_LIMIT (now 7.6 MiB) or lower PA_DUCKDB_THREADS (now 2)" in error


def test_running_out_of_disk_while_spilling_is_recorded_in_one_line_with_a_hint(tmp_path):
    generate(tmp_path / "lake", users=20_000, days=14, start=dt.date(2024, 1, 1), seed=3)
    settings = make_settings(tmp_path)
    error = _failed_run(settings, "SET max_temp_directory_size = '1KB'", "SET memory_limit = '40MB'")
    assert "\n" not in error
    assert error.startswith("disk full in step stg_events: Out of Memory Error: failed to offload data block")
    assert f"hint: free space on the disk of the spill folder {tmp_path / 'warehouse.duckdb.tmp'}" in error


@pytest.mark.slow
def test_a_lake_larger_than_the_memory_limit_loads_by_spilling_to_the_data_folder(tmp_path):
    """About 5M events under a 256 MB limit: every operator that outgrows it spills to warehouse.duckdb.tmp in the
    data folder, and the run publishes what a run with room to spare would (every check passes)."""
    generated = generate(tmp_path / "lake", users=50_000, days=90, start=dt.date(2024, 1, 1), seed=11)
    assert generated.events > 4_500_000
    settings = Settings(data_dir=tmp_path, duckdb_memory_limit="256MB", duckdb_threads=2)
    with warehouse(settings) as con:
        result = etl.run(con, settings)
        facts, quarantined = con.execute(
            "SELECT (SELECT count(*) FROM fct_events), (SELECT count(*) FROM quarantine_events)").fetchone()
        last_day = con.execute("SELECT max(activity_date) FROM agg_user_day").fetchone()[0]
        spilled = (tmp_path / "warehouse.duckdb.tmp").is_dir()  # made by DuckDB when it first spills; gone at close
    assert result.status == "succeeded" and not result.failed_checks
    assert result.rows_read == generated.events + generated.user_records
    assert facts + quarantined == generated.events
    assert last_day == dt.date(2024, 1, 1) + dt.timedelta(days=89)
    assert spilled
    shutil.rmtree(tmp_path / "lake")
