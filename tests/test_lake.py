"""The lake's layout and its written contract."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pyarrow as pa
import pytest

from pipeline import lake, notices
from pipeline.plan import NO_FILES, plan_backfill, plan_incremental

ROOT = Path(__file__).resolve().parents[1]


def documented_contract(kind: str) -> dict[str, str]:
    """The column table under '### Contract: <kind>' in docs/data_model.md."""
    text = (ROOT / "docs" / "data_model.md").read_text()
    section = text.split(f"### Contract: {kind}", 1)[1].split("\n#", 1)[0]
    return {m[1]: m[2] for m in re.finditer(r"^\| (\w+) \| ([A-Z ]+) \|", section, re.M) if m[1] != "column"}


@pytest.mark.parametrize("kind", lake.KINDS)
def test_the_documented_contract_is_the_checked_one(kind):
    assert documented_contract(kind) == lake.CONTRACT[kind]
    assert list(documented_contract(kind)) == list(lake.CONTRACT[kind])


@pytest.mark.parametrize("kind", lake.KINDS)
def test_the_documented_conversions_are_the_accepted_ones(kind):
    """The 'also accepted, converted' column of each contract row lists exactly lake.ALSO_ACCEPTED of its type."""
    text = (ROOT / "docs" / "data_model.md").read_text()
    section = text.split(f"### Contract: {kind}", 1)[1].split("\n#", 1)[0]
    for m in re.finditer(r"^\| (\w+) \| ([A-Z ]+) \| ([^|]+) \|", section, re.M):
        if m[1] == "column":
            continue
        listed = [] if m[3].strip() == "—" else [t.strip() for t in m[3].split(", ")]
        assert listed == list(lake.ALSO_ACCEPTED.get(m[2], ())), m[1]
        assert all(lake.accepts(m[2], t.replace("(p,0)", "(38,0)")) for t in listed)


def test_partition_folders_are_parsed_strictly():
    assert lake.parse_partition_folder("events", "event_date=2024-02-29") == dt.date(2024, 2, 29)
    with pytest.raises(ValueError, match="not a date"):
        lake.parse_partition_folder("events", "event_date=2024-02-30")
    with pytest.raises(ValueError, match="event_date=YYYY-MM-DD"):
        lake.parse_partition_folder("events", "change_date=2024-02-01")


def test_listing_names_bad_folders_and_skips_hidden_files(tmp_path):
    day = dt.date(2024, 3, 1)
    table = pa.Table.from_pylist([], schema=lake.arrow_schema("events"))
    lake.write_partition(tmp_path, "events", day, table)
    (lake.partition_dir(tmp_path, "events", day) / "_SUCCESS").write_text("")
    (lake.partition_dir(tmp_path, "events", day) / ".part-9.parquet.tmp").write_text("")
    (tmp_path / "events" / "event_date=yesterday").mkdir()
    (tmp_path / "events" / "event_date=2024-03-02").mkdir()
    listing = lake.list_lake(tmp_path)
    assert [f.rel_path for f in listing.files[("events", day)]] == ["events/event_date=2024-03-01/part-0.parquet"]
    assert listing.files[("events", dt.date(2024, 3, 2))] == []
    folder = lake.partition_dir(tmp_path, "events", day)
    assert notices.grouped(listing.problems) == [
        f"2 events files ignored in partition 2024-03-01: {lake.HIDDEN}; in {folder / '.part-9.parquet.tmp'} and "
        f"{folder / '_SUCCESS'} — fix: none for a writer's markers; a data file must not be named with a leading . "
        f"or _",
        f"events folder skipped: {tmp_path / 'events' / 'event_date=yesterday'}: the date in its name is not a real "
        f"date (YYYY-MM-DD) — fix: name a partition folder event_date=YYYY-MM-DD (the day of its rows, UTC); move "
        f"anything else out of the lake's events/ folder"]


def test_day_ranges_are_compact():
    days = [dt.date(2024, 1, d) for d in (3, 4, 5, 6, 7, 8, 9, 12)]
    assert notices.day_ranges(days) == "2024-01-03..2024-01-09, 2024-01-12"
    assert notices.day_ranges([dt.date(2024, 1, 31), dt.date(2024, 2, 1)]) == "2024-01-31..2024-02-01"
    every_other = [dt.date(2024, 1, 1) + dt.timedelta(days=2 * i) for i in range(45)]  # 45 separate days
    assert notices.day_ranges(every_other) == (
        "2024-01-01, 2024-01-03, 2024-01-05, 2024-01-07, …, 2024-03-27, 2024-03-29")


def test_folders_without_files_and_vanished_partitions_make_one_notice_per_cause(tmp_path):
    """90 bare partition folders: one line, not 90; partitions loaded but gone from the lake: one line, with the
    backfill that removes them."""
    bare = [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(90)]
    for day in bare:
        lake.partition_dir(tmp_path, "events", day).mkdir(parents=True)
    loaded_before = {("events", dt.date(2023, 12, d)): {("events/x.parquet", 1, 1)} for d in (10, 11, 12, 20)}
    listing = lake.list_lake(tmp_path)
    first, second = (lake.partition_dir(tmp_path.resolve(), "events", d) for d in bare[:2])
    hint = ("write the day's rows as Parquet files (recognised by their magic bytes; names starting with . or _ are "
            "ignored), or remove the empty folder")
    incremental = plan_incremental(listing, loaded_before)
    assert incremental.notices == [
        "4 events partitions no longer in the lake (2023-12-10..2023-12-12, 2023-12-20): the rows loaded before are "
        "kept — fix: a backfill removes them: `python -m pipeline backfill --start 2023-12-10 --end 2023-12-20`",
        f"90 events partitions skipped (2024-01-01..2024-03-30): {NO_FILES}; e.g. {first}, {second} — fix: {hint}"]
    assert len(incremental.skipped) == 90 and set(incremental.skipped.values()) == {NO_FILES}
    backfill = plan_backfill(listing, loaded_before, dt.date(2023, 12, 20), dt.date(2024, 1, 1))
    assert backfill.notices == [  # a single occurrence reads as one: one partition, one folder named
        "events partition 2023-12-20 no longer in the lake: the rows loaded before are removed",
        f"events partition 2024-01-01 skipped: {first}: {NO_FILES} — fix: {hint}"]


def test_write_partition_is_atomic_and_typed(tmp_path):
    day = dt.date(2024, 3, 1)
    rows = [{"user_id": 1, "segment": "casual", "country": "US", "age_group": "18-24",
             "signup_date": day, "updated_at": dt.datetime(2024, 3, 1)}]
    path = lake.write_partition(tmp_path, "users", day, pa.Table.from_pylist(rows))
    assert path.name == "part-0.parquet"
    assert [p.name for p in path.parent.iterdir()] == ["part-0.parquet"]  # no temp file left behind
    import pyarrow.parquet as pq
    assert pq.read_schema(path).remove_metadata() == lake.arrow_schema("users")
