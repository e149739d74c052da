"""The published marts as Parquet, for readers outside the process that owns the warehouse (DuckDB lets no other
process open a file a writer holds): a notebook, a download bundle's rerun, pandas or polars.

After every run the owner writes `$PA_DATA_DIR/marts/v<data version>-r<run id>/`: one `<table>.parquet` per table
of TABLES and a `manifest.json` (data version, run, data span, each table's rows and columns), then points
`marts/CURRENT` at it (an atomic replace: a reader sees the old snapshot or the new one, never half of one). A
group of tables whose content did not change since the previous snapshot is hard-linked, not written again (a
table whose columns an upgrade changed is written again). The newest snapshot of each of the last
PA_MARTS_SNAPSHOTS_KEPT data versions is kept (an older bundle reruns against its own version), and every snapshot
of those versions for GRACE after it was written (a notebook reading one while runs go on keeps working; they share
their marts' files, so they cost little); the rest are removed.

`connect(folder)` opens a snapshot as an in-memory DuckDB database with the warehouse's macros and a view per table
under the warehouse's names, so the panel queries run on it unchanged (analytics/queries.use_connection).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import shutil
import time
from pathlib import Path

import duckdb

from store import schema
from store.sql import SqlFiles, quote

log = logging.getLogger(__name__)

SQL = SqlFiles(Path(__file__).parent / "sql")
FORMAT = 1
GRACE = dt.timedelta(hours=24)
# The tables a snapshot holds, by what changes them (store/sql/snapshot_keys.sql): what the panels, the churn page
# and the notebook read. Not the facts (they grow with events), staging, quarantine or sessions.
GROUPS = {
    "data": ("dim_date", "dim_platform", "dim_event_type", "dim_country", "dim_users", "fct_funnel_events",
             "agg_user_activity_daily", "agg_user_day", "agg_user_week", "agg_active_masks", "agg_daily_volume",
             "agg_user_platform_first", "agg_growth_transitions", "agg_breakdown_daily"),
    "churn": ("churn_features", "churn_models", "churn_scores"),
    "runs": ("etl_runs", "dq_results"),  # every run changes them: always written
}
TABLES = tuple(t for tables in GROUPS.values() for t in tables)
CURRENT = "CURRENT"
_NAME = re.compile(r"^v(?P<version>\d+)-r(?P<run>\d+)$")


class NoSnapshot(FileNotFoundError):
    """No marts snapshot where one was looked for."""


def folder(data_dir: Path) -> Path:
    return Path(data_dir) / "marts"


def _snapshots(root: Path) -> list[tuple[int, int, Path]]:
    """(data version, run id, folder) of every complete snapshot under `root`, oldest first."""
    out = []
    for path in root.iterdir() if root.is_dir() else ():
        m = _NAME.match(path.name)
        if m and (path / "manifest.json").is_file():
            out.append((int(m["version"]), int(m["run"]), path))
    return sorted(out)


def current(data_dir: Path) -> Path:
    """The folder of the current snapshot; NoSnapshot saying why there is none."""
    root = folder(data_dir)
    try:
        name = (root / CURRENT).read_text(encoding="utf-8").strip()
    except OSError:
        raise NoSnapshot(f"no marts snapshot in {root}: one is written after each ETL run "
                         "(`python -m pipeline run`, or the app's scheduler)") from None
    path = root / name
    if not _NAME.match(name) or not (path / "manifest.json").is_file():
        raise NoSnapshot(f"{root / CURRENT} names {name!r}, which is not a complete snapshot in {root}")
    return path


def of_version(data_dir: Path, data_version: int) -> Path:
    """The newest snapshot of that data version; NoSnapshot naming the versions kept."""
    kept = _snapshots(folder(data_dir))
    matching = [path for version, _, path in kept if version == data_version]
    if not matching:
        versions = sorted({v for v, _, _ in kept})
        raise NoSnapshot(f"no marts snapshot of data version {data_version} in {folder(data_dir)} "
                         f"(kept: {', '.join(map(str, versions)) or 'none'})")
    return matching[-1]


def manifest(path: Path) -> dict:
    return json.loads((Path(path) / "manifest.json").read_text(encoding="utf-8"))


def write(con: duckdb.DuckDBPyConnection, data_dir: Path, run_id: int, keep: int = 3) -> Path | None:
    """Write the snapshot after run `run_id` and make it current; None when `keep` is 0 (snapshots turned off).
    Hard-links the groups whose key is the previous snapshot's."""
    if keep <= 0:
        return None
    began = time.perf_counter()
    keys = SQL.run(con, "snapshot_keys").fetchone()
    data_version, churn_key, first_day, last_day = keys
    group_keys = {"data": data_version, "churn": churn_key, "runs": None}
    root = folder(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    try:
        previous = current(data_dir)
        before = manifest(previous)
    except (NoSnapshot, OSError, ValueError):
        previous, before = None, {}
    name = f"v{data_version}-r{run_id}"
    final, work = root / name, root / f".{name}.tmp"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    tables, linked = {}, []
    for group, names in GROUPS.items():
        same = (previous is not None and group_keys[group] is not None
                and before.get("groups", {}).get(group) == group_keys[group])
        for table in names:
            target = work / f"{table}.parquet"
            columns = [[c[0], c[1]] for c in con.execute(f"DESCRIBE {quote(table)}").fetchall()]
            if same and (previous / target.name).is_file() and before["tables"][table]["columns"] == columns:
                os.link(previous / target.name, target)
                tables[table] = before["tables"][table]
                linked.append(table)
                continue
            con.execute(f"COPY (SELECT * FROM {quote(table)}) TO '{_literal(target)}' "  # allow-listed name, own path
                        "(FORMAT parquet, COMPRESSION zstd)")
            rows = con.execute(f"SELECT count(*) FROM {quote(table)}").fetchone()[0]
            tables[table] = {"file": target.name, "rows": int(rows), "columns": columns}
    info = {"format": FORMAT, "data_version": int(data_version), "run_id": int(run_id),
            "written_at": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds"),
            "first_day": first_day.isoformat() if first_day else None,
            "last_day": last_day.isoformat() if last_day else None,
            "groups": {g: k for g, k in group_keys.items() if k is not None}, "tables": tables}
    (work / "manifest.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
    shutil.rmtree(final, ignore_errors=True)  # the same run written again (a retried after_run)
    work.rename(final)
    pointer = root / f".{CURRENT}.tmp"
    pointer.write_text(name + "\n", encoding="utf-8")
    os.replace(pointer, root / CURRENT)
    _prune(root, name, keep)
    log.info("marts snapshot %s: %d tables (%d linked) in %.2f s", final, len(tables), len(linked),
             time.perf_counter() - began)
    return final


def _literal(path: Path) -> str:
    return str(path).replace("'", "''")


def _prune(root: Path, current_name: str, keep: int) -> None:
    """Keep the current snapshot, the newest one of each of the last `keep` data versions, and any snapshot of
    those versions written less than GRACE ago."""
    newest: dict[int, Path] = {}
    for version, _, path in _snapshots(root):
        newest[version] = path
    versions = sorted(newest)[-keep:]
    kept = {current_name} | {newest[v].name for v in versions}
    recent = time.time() - GRACE.total_seconds()
    for version, _, path in _snapshots(root):
        if path.name in kept or (version in versions and (path / "manifest.json").stat().st_mtime > recent):
            continue
        shutil.rmtree(path, ignore_errors=True)


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """A snapshot as an in-memory DuckDB database: the warehouse's macros, and each table of the snapshot as a view
    of its Parquet file under the table's name. Read it like the warehouse (nothing written goes back)."""
    path = Path(path)
    info = manifest(path)
    if info.get("format") != FORMAT:
        raise ValueError(f"{path}: snapshot format {info.get('format')!r}, this version reads {FORMAT}")
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET enable_progress_bar = false")
    except duckdb.Error:  # a Jupyter kernel without ipywidgets refuses any progress-bar setting; it shows none
        pass
    con.execute("SET TimeZone = 'UTC'")
    schema.ensure(con)  # the tables (empty) and macros of the warehouse
    for table in TABLES:
        if table not in info["tables"]:
            raise ValueError(f"{path}: the snapshot has no table {table}")
        con.execute(f"DROP TABLE {quote(table)}")
        con.read_parquet(str(path / info["tables"][table]["file"])).create_view(table)
    return con
