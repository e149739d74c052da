"""The lake's layout and its written contract."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pyarrow as pa
import pytest

from pipeline import lake

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
    bad_folder, ignored = listing.problems
    assert "event_date=yesterday" in bad_folder and "'yesterday' is not a date" in bad_folder
    assert ignored.startswith("2 files ignored: hidden, marker or not Parquet") and "_SUCCESS" in ignored


def test_write_partition_is_atomic_and_typed(tmp_path):
    day = dt.date(2024, 3, 1)
    rows = [{"user_id": 1, "segment": "casual", "country": "US", "age_group": "18-24",
             "signup_date": day, "updated_at": dt.datetime(2024, 3, 1)}]
    path = lake.write_partition(tmp_path, "users", day, pa.Table.from_pylist(rows))
    assert path.name == "part-0.parquet"
    assert [p.name for p in path.parent.iterdir()] == ["part-0.parquet"]  # no temp file left behind
    import pyarrow.parquet as pq
    assert pq.read_schema(path).remove_metadata() == lake.arrow_schema("users")
