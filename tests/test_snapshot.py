"""The marts snapshot (store/snapshot.py): written after every run, read by the analytics code as it reads the
warehouse, with every card's data equal to the app's to the last digit; unchanged groups linked, not rewritten;
old data versions pruned."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time

import pytest

from analytics import catalog, offline
from analytics.filters import Filters
from pipeline import etl, run_queue
from store import snapshot
from tests.conftest import make_settings, panels_on, warehouse

ALL = ("facebook", "instagram", "messenger", "whatsapp", "threads")


def _cases(last: dt.date) -> list[Filters]:
    return [Filters(ALL, last - dt.timedelta(days=29), last, "all", None),
            Filters(("instagram", "threads"), last - dt.timedelta(days=13), last - dt.timedelta(days=3), "power",
                    None),
            Filters(("whatsapp",), last - dt.timedelta(days=200), last, "casual", None),
            Filters(ALL, last - dt.timedelta(days=20), last, "regular", None, age_group="25-34")]


@pytest.fixture(scope="module")
def data(built_with_churn, tmp_path_factory):
    """A private copy of the scored warehouse with its snapshot."""
    root = tmp_path_factory.mktemp("snap") / "data"
    shutil.copytree(built_with_churn.data_dir, root)
    return make_settings(root)


def _csvs(filters: list[Filters]) -> dict:
    return {(p.id, option, f): p.data(f, option).to_csv(index=False)
            for p in catalog.PANELS.values() for option in (p.options or (None,)) for f in filters}


def test_every_card_reads_the_same_from_the_snapshot_as_from_the_warehouse(data):
    info = snapshot.manifest(snapshot.current(data.data_dir))
    last = dt.date.fromisoformat(info["last_day"])
    cases = _cases(last)
    with panels_on(data.data_dir):
        from_app = _csvs(cases)
    try:
        assert offline.use_snapshot(data.data_dir)["data_version"] == info["data_version"]
        from_snapshot = _csvs(cases)
    finally:
        offline.close()
    assert from_app.keys() == from_snapshot.keys()
    differ = [k for k in from_app if from_app[k] != from_snapshot[k]]
    assert not differ, differ
    # the comparison is not vacuous: every card has rows for the whole range, the churn cards included
    everything = cases[0]
    assert all(from_app[(p.id, p.options[0] if p.options else None, everything)].count("\n") > 1
               for p in catalog.PANELS.values())


def test_the_manifest_counts_every_table_and_a_run_without_new_data_links_the_marts(data):
    first = snapshot.current(data.data_dir)
    info = snapshot.manifest(first)
    inodes = {p.name: p.stat().st_ino for p in first.glob("*.parquet")}
    with warehouse(data) as con:
        for table, entry in info["tables"].items():
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == entry["rows"], table
        result = etl.run(con, data)  # incremental: nothing new in the lake
        assert result.partitions == 0
        lines = run_queue.after_run(con, data, result)
    second = snapshot.current(data.data_dir)
    assert f"marts snapshot: {second}" in lines
    assert second != first and second.name == f"v{info['data_version']}-r{result.run_id}"
    for table in snapshot.GROUPS["data"] + snapshot.GROUPS["churn"]:
        assert (second / f"{table}.parquet").stat().st_ino == inodes[f"{table}.parquet"], table
    assert (second / "etl_runs.parquet").stat().st_ino != inodes["etl_runs.parquet"]
    assert snapshot.manifest(second)["tables"]["etl_runs"]["rows"] == info["tables"]["etl_runs"]["rows"] + 1
    # the older snapshot of the same data version stays for a while (a notebook may be reading it), then goes
    assert first.exists() and (snapshot.folder(data.data_dir) / "CURRENT").read_text().strip() == second.name
    old = time.time() - snapshot.GRACE.total_seconds() - 60
    os.utime(first / "manifest.json", (old, old))
    with warehouse(data) as con:
        third = snapshot.write(con, data.data_dir, result.run_id + 1)
    assert not first.exists() and second.exists() and third.exists()


def test_old_data_versions_are_pruned_to_the_setting_and_none_is_written_at_zero(built, tmp_path):
    settings = make_settings(tmp_path / "data")
    shutil.copytree(built.data_dir, settings.data_dir)
    with warehouse(settings) as con:
        for run_id in range(1, 6):  # the same content named as five data versions
            con.execute("UPDATE etl_runs SET run_id = ?", [run_id])
            snapshot.write(con, settings.data_dir, run_id, keep=2)
        assert snapshot.write(con, settings.data_dir, 6, keep=0) is None
    kept = sorted(p.name for p in snapshot.folder(settings.data_dir).iterdir() if not p.name.startswith("."))
    assert kept == ["CURRENT", "v4-r4", "v5-r5"]
    assert snapshot.of_version(settings.data_dir, 4).name == "v4-r4"
    with pytest.raises(snapshot.NoSnapshot, match=r"no marts snapshot of data version 2 .*\(kept: 4, 5\)"):
        snapshot.of_version(settings.data_dir, 2)


def test_the_notebook_filters_name_what_they_accept(data):
    info = snapshot.manifest(snapshot.current(data.data_dir))
    f = offline.filters(info, days=7, platforms="threads", segment="power", age_group="18-24")
    assert (f.platforms, f.segment, f.age_group, f.days) == (("threads",), "power", "18-24", 7)
    with pytest.raises(ValueError, match="unknown age group '17-18'; the age groups are all, 13-17, "):
        offline.filters(info, age_group="17-18")


def test_no_snapshot_is_a_clear_error(tmp_path):
    with pytest.raises(snapshot.NoSnapshot, match=r"no marts snapshot in .*marts: one is written after each ETL"):
        offline.use_snapshot(tmp_path)
