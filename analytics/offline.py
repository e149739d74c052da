"""The analytics away from the app: its query functions reading a marts snapshot (store/snapshot.py) instead of
the warehouse the app holds, so a notebook or a bundle's rerun gets the dashboard's numbers from the same code.

    from analytics import offline, catalog
    info = offline.use_snapshot()                    # $PA_DATA_DIR/marts/CURRENT
    catalog.panel("funnel-steps").data(offline.filters(info, days=30))
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from analytics import queries
from analytics.filters import ALL_AGE_GROUPS, ALL_SEGMENTS, DataSpan, Filters, preset_range
from store import reference, snapshot
from store.settings import load_settings

_open: dict = {}


def use_snapshot(data_dir: str | Path | None = None, *, data_version: int | None = None,
                 path: str | Path | None = None) -> dict:
    """Route every analytics query to a marts snapshot: `path` itself, else the one of `data_version`, else the
    current one, in `data_dir` (default $PA_DATA_DIR). Its manifest (data version, run, data span, tables)."""
    if path is None:
        root = Path(data_dir) if data_dir is not None else load_settings().data_dir
        path = snapshot.of_version(root, data_version) if data_version is not None else snapshot.current(root)
    con = snapshot.connect(Path(path))  # opened before the one in use is let go: a failure changes nothing
    close()
    _open.update(con=con, runner_before=queries.current_runner())
    queries.use_runner(queries.on_connection(con))
    return snapshot.manifest(Path(path)) | {"path": str(path)}


def close() -> None:
    """Queries go where they went before `use_snapshot` again; the snapshot's connection is closed."""
    con = _open.pop("con", None)
    if con is not None:
        queries.use_runner(_open.pop("runner_before", None))
        con.close()


def span(info: dict) -> DataSpan:
    """The days a snapshot's data spans (from its manifest)."""
    return DataSpan(dt.date.fromisoformat(info["first_day"]), dt.date.fromisoformat(info["last_day"]))


def filters(info: dict, days: int | None = 30, platforms: tuple[str, ...] | None = None,
            segment: str = ALL_SEGMENTS, age_group: str = ALL_AGE_GROUPS) -> Filters:
    """The dashboard's filters for the last `days` days of a snapshot's data (None: all of it), fixed dates;
    ValueError naming the accepted values for an unknown platform, segment or age group."""
    if days is not None and days < 1:
        raise ValueError(f"days must be at least 1 (or None: all the data), got {days}")
    if isinstance(platforms, str):
        platforms = (platforms,)
    segments = (ALL_SEGMENTS, *reference.segments())
    if segment not in segments:
        raise ValueError(f"unknown segment {segment!r}; the segments are {', '.join(segments)}")
    ages = (ALL_AGE_GROUPS, *reference.age_groups())
    if age_group not in ages:
        raise ValueError(f"unknown age group {age_group!r}; the age groups are {', '.join(ages)}")
    preset = {7: "7d", 30: "30d", 90: "90d", None: "all"}.get(days)
    if preset:
        start, end = preset_range(preset, span(info))
    else:
        end = span(info).last_day
        start = max(span(info).first_day, end - dt.timedelta(days=days - 1))
    known = reference.platforms()
    unknown = set(platforms or ()) - set(known)
    if unknown:
        raise ValueError(f"unknown platforms {sorted(unknown)}; the platforms are {', '.join(known)}")
    chosen = tuple(p for p in known if not platforms or p in platforms)
    return Filters(chosen, start, end, segment, None, age_group=age_group)
