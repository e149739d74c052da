"""Why a card shows what it shows, and a download that reproduces it.

`explain(panel, filters, option)` computes a card's data (analytics/catalog.py) noting every query it ran with its
bound parameters, and says which data it read: the data version, the run that published it, the days it spans.
`build(...)` packs that into a zip bundle: the CSV, each SQL file as run, the parameters, the filters (fixed dates)
and their URL, the data version, the metric's definition. `rerun(bundle, data_dir)` computes the same card again
from the bundle's filters on the marts snapshot of the bundle's data version (store/snapshot.py) and compares the
rows with the bundle's CSV:

    python -m analytics.bundle rerun BUNDLE.zip [BUNDLE.zip ...] [--data-dir DIR] [--current]

Exit status: 0 every bundle identical, 1 one differs, 2 one could not be rerun (not a bundle, no snapshot).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import re
import sys
import zipfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

from analytics import catalog, offline, queries
from analytics.filters import ALL_AGE_GROUPS, NO_BREAKDOWN, Filters
from store import snapshot
from store.schema import SCHEMA

FORMAT = 1
FILES = {"manifest": "bundle.json", "data": "data.csv", "definition": "definition.md", "readme": "README.md"}
_MACRO = re.compile(r"CREATE OR REPLACE MACRO (\w+)\(", re.I)


@dataclass
class Explained:
    """A card's data and where it came from."""

    panel: catalog.Panel
    filters: Filters
    option: str | None
    frame: pd.DataFrame
    asked: list[dict]  # every query run: {"name", "params"} (analytics/queries.recording)
    provenance: dict  # data_provenance.sql's row: the data version, the run that published it, the data's days
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))

    @property
    def csv(self) -> str:
        """The card's CSV download, byte for byte."""
        return self.frame.to_csv(index=False)


def explain(panel_id: str, f: Filters, option: str | None = None) -> Explained:
    """A card's data for these filters, the queries it ran and the data it read."""
    panel = catalog.panel(panel_id)
    option = panel.option(option)
    with queries.recording() as asked:
        frame = panel.data(f, option)
    provenance = queries.query("data_provenance").iloc[0].to_dict()
    return Explained(panel, f, option, frame, asked, provenance)


def sql_text(name: str) -> str:
    return queries.SQL.text(name)


def sql_path(name: str) -> str:
    """The query's file, relative to the project's root (analytics/sql/<name>.sql)."""
    path = queries.SQL.path(name)
    return str(Path(*path.parts[-3:]))


@cache
def _macros() -> dict[str, str]:
    """Every macro the warehouse schema defines, and its file (store/schema/<file>.sql)."""
    out = {}
    for name in SCHEMA.names():
        for macro in _MACRO.findall(SCHEMA.text(name)):
            out[macro] = f"store/schema/{name}.sql"
    return out


def macros_used(name: str) -> dict[str, str]:
    """The warehouse macros a query calls, each with the file defining it."""
    text = sql_text(name)
    return {m: f for m, f in sorted(_macros().items()) if re.search(rf"\b{m}\s*\(", text)}


def plain(value):
    """A parameter or provenance value as JSON (dates as ISO text, numpy numbers as Python's; NaN/NaT as None)."""
    if value is None or (not isinstance(value, (str, bytes, list, tuple, dict)) and pd.isna(value)):
        return None
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def _day(value) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def filters_json(f: Filters) -> dict:
    return {"platforms": list(f.platforms), "start": f.start.isoformat(), "end": f.end.isoformat(),
            "segment": f.segment, "breakdown": f.breakdown, "age_group": f.age_group}


def manifest(e: Explained, filter_url: str) -> dict:
    csv = e.csv
    return {
        "format": FORMAT, "panel": e.panel.id, "page": e.panel.page, "option": e.option,
        "definition": f"docs/metrics.md#{e.panel.definition}",
        "filters": filters_json(e.filters), "filter_url": filter_url,
        "data_version": int(e.provenance["data_version"]),
        "published_by_run": {k: plain(e.provenance[k]) for k in ("mode", "trigger", "requested_by", "started_at",
                                                                  "ended_at", "partitions", "rows_loaded")},
        "data_first_day": _day(e.provenance["first_day"]), "data_last_day": _day(e.provenance["last_day"]),
        "generated_at": e.generated_at.isoformat(timespec="seconds"),
        "rows": len(e.frame), "columns": list(map(str, e.frame.columns)),
        "csv_sha256": hashlib.sha256(csv.encode()).hexdigest(),
        "queries": [{"name": q["name"], "file": f"sql/{q['name']}.sql", "source": sql_path(q["name"]),
                     "params": {k: plain(v) for k, v in q["params"].items()},
                     "macros": macros_used(q["name"])} for q in e.asked],
    }


def _readme(info: dict) -> str:
    return f"""# {info['panel']}: the data behind a card, reproducible

- `data.csv`: the card's data ({info['rows']} rows), as its CSV download gives it.
- `bundle.json`: the filters (fixed dates) and the page's URL for them, the option, the data version
  ({info['data_version']}) and the run that published it, every query the card ran with its bound parameters.
- `sql/`: each query's SQL file as it ran (the macros it calls are defined in the project's `store/schema/`).
- `definition.md`: the metric's definition ({info['definition']}).

Rerun it against the marts snapshot of the same data version (written after every ETL run to `$PA_DATA_DIR/marts/`):

    python -m analytics.bundle rerun {info['panel']}.zip --data-dir $PA_DATA_DIR

It computes the card again from these filters with the project's code and compares every row with `data.csv`.
"""


def build(e: Explained, filter_url: str, definition: str) -> bytes:
    """The bundle as zip bytes (`definition`: the metric's section of docs/metrics.md, as Markdown)."""
    info = manifest(e, filter_url)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(FILES["manifest"], json.dumps(info, indent=2))
        z.writestr(FILES["data"], e.csv)
        z.writestr(FILES["definition"], definition)
        z.writestr(FILES["readme"], _readme(info))
        for q in e.asked:
            z.writestr(f"sql/{q['name']}.sql", sql_text(q["name"]))
    return out.getvalue()


def read(path: str | Path) -> tuple[dict, str]:
    """A bundle's manifest and CSV text; ValueError saying what is wrong with a file that is not one."""
    try:
        with zipfile.ZipFile(path) as z:
            info = json.loads(z.read(FILES["manifest"]))
            csv = z.read(FILES["data"]).decode()
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} is not a download bundle of this app: {exc}") from None
    if info.get("format") != FORMAT:
        raise ValueError(f"{path}: bundle format {info.get('format')!r}, this version reads {FORMAT}")
    return info, csv


@dataclass
class Rerun:
    identical: bool
    rows: int
    expected_rows: int
    data_version: int
    snapshot: str
    queries_match: bool
    differences: list[str]  # the first differing lines, "line N: expected ... got ..."


def rerun(path: str | Path, data_dir: str | Path | None = None, *, current: bool = False) -> Rerun:
    """The bundle's card computed again on the marts snapshot of its data version (the current one with
    `current`), compared with its CSV; NoSnapshot when that version's snapshot is no longer kept."""
    info, expected = read(path)
    f = info["filters"]
    filters = Filters(tuple(f["platforms"]), dt.date.fromisoformat(f["start"]), dt.date.fromisoformat(f["end"]),
                      f["segment"], None, f.get("breakdown") or NO_BREAKDOWN,
                      f.get("age_group") or ALL_AGE_GROUPS)
    opened = offline.use_snapshot(data_dir, data_version=None if current else info["data_version"])
    try:
        e = explain(info["panel"], filters, info["option"])
    finally:
        offline.close()
    got = e.csv
    asked = [{"name": q["name"], "params": {k: plain(v) for k, v in q["params"].items()}} for q in e.asked]
    queries_match = asked == [{"name": q["name"], "params": q["params"]} for q in info["queries"]]
    differences = [f"line {n}: expected {a!r}, got {b!r}"
                   for n, (a, b) in enumerate(zip(expected.splitlines(), got.splitlines()), 1) if a != b][:10]
    if len(expected.splitlines()) != len(got.splitlines()):
        differences.append(f"expected {len(expected.splitlines())} lines, got {len(got.splitlines())}")
    return Rerun(got == expected, len(e.frame), int(info["rows"]), opened["data_version"], opened["path"],
                 queries_match, differences)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analytics.bundle", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    again = sub.add_parser("rerun", help="compute a bundle's card again on the marts snapshot and compare its rows")
    again.add_argument("bundles", nargs="+", metavar="bundle", help="a .zip a card's Bundle button downloaded")
    again.add_argument("--data-dir", help="the data folder holding marts/ (default $PA_DATA_DIR)")
    again.add_argument("--current", action="store_true",
                       help="use the current snapshot even when it holds another data version (rows may differ)")
    args = parser.parse_args(argv)
    worst = 0
    for path in args.bundles:
        try:
            result = rerun(path, args.data_dir, current=args.current)
        except (ValueError, snapshot.NoSnapshot) as exc:
            print(f"{path}: error: {exc}", file=sys.stderr)
            worst = 2
            continue
        where = f"data version {result.data_version} ({result.snapshot})"
        if result.identical:
            print(f"{path}: identical: {result.rows} rows, the same as the bundle's CSV, computed on {where}")
            continue
        print(f"{path}: different: {result.rows} rows computed on {where}, the bundle holds {result.expected_rows}"
              + ("" if result.queries_match else "; the queries or their parameters differ too"))
        for line in result.differences:
            print(f"  {line}")
        worst = max(worst, 1)
    return worst


if __name__ == "__main__":
    sys.exit(main())
