"""The event lake: its layout, its schema contract (docs/data_model.md) and listing its partitions.

    <lake>/events/event_date=YYYY-MM-DD/*.parquet    one folder per day of events
    <lake>/users/change_date=YYYY-MM-DD/*.parquet    user attribute change records made that day
"""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.notices import Finding

# The contract: column name -> DuckDB type as read from Parquet. Order is the documented order.
CONTRACT: dict[str, dict[str, str]] = {
    "events": {
        "event_id": "BIGINT",
        "user_id": "BIGINT",
        "platform": "VARCHAR",
        "event_type": "VARCHAR",
        "event_ts": "TIMESTAMP",
        "session_id": "BIGINT",
        "device": "VARCHAR",
        "country": "VARCHAR",
    },
    "users": {
        "user_id": "BIGINT",
        "segment": "VARCHAR",
        "country": "VARCHAR",
        "age_group": "VARCHAR",
        "signup_date": "DATE",
        "updated_at": "TIMESTAMP",
    },
}

# Also accepted, converted in staging (docs/data_model.md, "also accepted"): what mainstream writers put in a
# file for the contract's types. Timestamps of any precision, or marked UTC, become microsecond UTC wall time;
# narrower or unsigned integers and whole decimals are widened to BIGINT (a value out of its range is quarantined).
ALSO_ACCEPTED: dict[str, tuple[str, ...]] = {
    "TIMESTAMP": ("TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ_NS"),
    "BIGINT": ("TINYINT", "SMALLINT", "INTEGER", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "DECIMAL(p,0)"),
}


def accepts(contract_type: str, found: str) -> bool:
    """Whether a file column of DuckDB type `found` loads into a contract column of `contract_type`."""
    if found == contract_type:
        return True
    also = ALSO_ACCEPTED.get(contract_type, ())
    return found in also or ("DECIMAL(p,0)" in also and found.startswith("DECIMAL(") and found.endswith(",0)"))


PARTITION_KEY = {"events": "event_date", "users": "change_date"}
KINDS = tuple(CONTRACT)

ARROW_TYPES = {"BIGINT": pa.int64(), "VARCHAR": pa.string(), "TIMESTAMP": pa.timestamp("us"), "DATE": pa.date32()}

_FOLDER = re.compile(r"^(?P<key>[a-z_]+)=(?P<value>.+)$")


@dataclass(frozen=True, order=True)
class LakeFile:
    """One Parquet file of the lake, with what identifies its version."""

    kind: str
    partition_date: dt.date
    rel_path: str  # relative to the lake folder: the file's identity in the manifest and in quarantine rows
    path: str  # absolute, for reading
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class LakeListing:
    """Every file found under the lake, grouped by partition; what it ignored (folders that are not partitions, files
    that are hidden, markers or not Parquet) as findings (pipeline/notices.py) for the run's notices."""

    files: dict[tuple[str, dt.date], list[LakeFile]]
    problems: list[Finding]
    root: Path | None = None  # the resolved lake folder

    def partitions(self, kind: str) -> list[dt.date]:
        return sorted(d for k, d in self.files if k == kind)


def arrow_schema(kind: str) -> pa.Schema:
    return pa.schema([(name, ARROW_TYPES[t]) for name, t in CONTRACT[kind].items()])


def partition_dir(lake_dir: Path, kind: str, day: dt.date) -> Path:
    return Path(lake_dir) / kind / f"{PARTITION_KEY[kind]}={day.isoformat()}"


def parse_partition_folder(kind: str, name: str) -> dt.date:
    """The date of a partition folder such as `event_date=2024-05-01`; ValueError naming what is wrong."""
    m = _FOLDER.match(name)
    if not m or m["key"] != PARTITION_KEY[kind]:
        raise ValueError(f"expected a folder named {PARTITION_KEY[kind]}=YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(m["value"])
    except ValueError:
        raise ValueError(f"{m['value']!r} is not a date (YYYY-MM-DD)") from None


HIDDEN = ("hidden or marker file (name starting with . or _, such as Spark's _SUCCESS and .crc files, or a "
          "writer's temporary file)")
NOT_PARQUET = "not Parquet (no .parquet suffix and no Parquet magic bytes)"


def list_lake(lake_dir: Path) -> LakeListing:
    """Scan the lake's partition folders; partitions with no Parquet file are listed with no files.

    Absolute paths are built on the resolved lake folder, the prefix `etl` strips to name files in the warehouse.
    """
    files: dict[tuple[str, dt.date], list[LakeFile]] = {}
    problems: list[Finding] = []
    lake_root = Path(lake_dir).resolve()
    for kind in KINDS:
        root = lake_root / kind
        if not root.is_dir():
            continue
        for entry in sorted(os.scandir(root), key=lambda e: e.name):
            if not entry.is_dir() or entry.name.startswith((".", "_")):
                continue
            try:
                day = parse_partition_folder(kind, entry.name)
            except ValueError:
                m = _FOLDER.match(entry.name)
                cause = ("the date in its name is not a real date (YYYY-MM-DD)" if m and m["key"] == PARTITION_KEY[kind]
                         else f"expected a folder named {PARTITION_KEY[kind]}=YYYY-MM-DD")
                problems.append(Finding(kind, cause, path=entry.path, action="skipped", subject="folder", hint=(
                    f"name a partition folder {PARTITION_KEY[kind]}=YYYY-MM-DD (the day of its rows, UTC); move "
                    f"anything else out of the lake's {kind}/ folder")))
                continue
            found = files.setdefault((kind, day), [])
            for f in sorted(os.scandir(entry.path), key=lambda e: e.name):
                if not f.is_file():
                    continue
                rel = f"{kind}/{entry.name}/{f.name}"
                if f.name.startswith((".", "_")):
                    problems.append(Finding(kind, HIDDEN, day, str(lake_root / rel), "ignored", subject="file",
                                            hint="none for a writer's markers; a data file must not be named with a "
                                                 "leading . or _"))
                elif f.name.endswith(".parquet") or _is_parquet(f.path):
                    st = f.stat()
                    found.append(LakeFile(kind, day, rel, str(lake_root / rel), st.st_size, st.st_mtime_ns))
                else:
                    problems.append(Finding(kind, NOT_PARQUET, day, str(lake_root / rel), "ignored", subject="file",
                                            hint="files must be Parquet (recognised by their magic bytes, PAR1); "
                                                 "move anything else out of the lake"))
    return LakeListing(files, problems, lake_root)


def _is_parquet(path: str) -> bool:
    """A file named without .parquet (as Hive, Trino and Spark may write) that starts with Parquet's magic bytes."""
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"PAR1"
    except OSError:
        return False


def write_partition(lake_dir: Path, kind: str, day: dt.date, table: pa.Table, name: str = "part-0.parquet") -> Path:
    """Write one partition file atomically (temp file then rename), so a reader never sees half a file."""
    folder = partition_dir(lake_dir, kind, day)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / name
    tmp = folder / f".{name}.{uuid.uuid4().hex}.tmp"
    pq.write_table(table.cast(arrow_schema(kind)), tmp, compression="zstd", row_group_size=1 << 20)
    os.replace(tmp, final)
    return final
