"""The model graph: every SQL step of a publish, in the order it runs, with the phase that runs it and the
tables it reads and writes. `etl.publish` runs the phases from this list (nothing else says what runs when), a
test holds each step's `writes` to what its SQL writes, and docs/models.md is generated from it.

Layers: `run` steps keep the run's own books (its workspace, emptying replaced partitions, the manifest; SQL in
pipeline/sql/); the models are `staging` (lake rows typed, keyed and checked), `dims`, `facts` and `marts` (the
precomputed tables the dashboard reads), SQL in pipeline/models/<layer>/<name>.sql, one file per step, each
opening with the grain of what it writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

import duckdb

from pipeline import SQL
from pipeline.stopwatch import timed
from store import runs
from store.sql import SqlFiles

MODELS = SqlFiles(Path(__file__).parent / "models")

LAYERS = ("run", "staging", "dims", "facts", "marts")
PHASES = {
    "prepare": "every run that has partitions to replace, first",
    "users": "when the run replaces user partitions",
    "versions": "when user versions were added or removed (dim_users returned the earliest one)",
    "engine": "on the Spark engine, once before the batches: what its job reads from the warehouse (the job then "
              "stages every event partition of the run, pipeline/spark/)",
    "batch": "once per batch of event partitions (whole partitions up to 64 MiB of Parquet): staged, published, "
             "and the per-day marts of its days built while they are small",
    "activity": "after the batches: the per-day marts of the changed days no batch staged (facts re-pointed to "
                "other user versions, partitions gone from the lake)",
    "affected": "when any day's activity changed (from the earliest such day on)",
    "record": "last, before the audit",
}
LAKE_EVENTS, LAKE_USERS = "lake events", "lake users"  # the Parquet files a step reads
SPARK_INPUTS, SPARK_OUTPUT = "spark inputs", "spark output"  # the Spark engine's job's Parquet files (pipeline/spark/)
FILES = (LAKE_EVENTS, LAKE_USERS, SPARK_INPUTS, SPARK_OUTPUT)  # what steps read or write that is not a table
ENGINES = runs.ENGINES  # what stages the event partitions (PA_ENGINE, `pipeline run --engine`): duckdb first


@dataclass(frozen=True)
class Step:
    name: str  # the SQL file's name
    layer: str
    phases: tuple[str, ...]  # the phases that run it (a per-day mart: once per batch, then for the days left)
    reads: tuple[str, ...]
    writes: tuple[str, ...]  # every table its statements create, insert into, update or delete from
    needs_files: bool = False  # skipped when the phase has no lake file to read (a partition gone from the lake)
    engines: tuple[str, ...] = ENGINES  # the engines whose runs include it

    @property
    def sql(self) -> SqlFiles:
        return SQL if self.layer == "run" else MODELS

    @property
    def file(self) -> str:
        return self.name if self.layer == "run" else f"{self.layer}/{self.name}"

    @property
    def path(self) -> Path:
        return self.sql.path(self.file)

    @property
    def grain(self) -> str:
        """What one row of what it writes is: the opening comment of its SQL (line 1 on), to its first stop."""
        opening = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            if not line.startswith("--"):
                break
            opening.append(line.lstrip("- ").strip())
        return re.split(r": |\. |; ", " ".join(opening), maxsplit=1)[0].rstrip(".")

    def run(self, con: duckdb.DuckDBPyConnection, params: Mapping[str, Any]):
        return self.sql.run(con, self.file, params)


STEPS: tuple[Step, ...] = (
    Step("run_workspace", "run", ("prepare",), reads=(),
         writes=("plan_partitions", "plan_files", "affected_dates", "stg_activity", "stg_users", "dim_users_touched",
                 "stg_profile")),
    Step("dim_date", "dims", ("prepare",), reads=("dim_date",), writes=("dim_date",)),
    Step("run_clear_partitions", "run", ("prepare",), reads=("plan_partitions",),
         writes=("fct_events", "quarantine_events", "affected_dates")),
    Step("run_marts_layout", "run", ("prepare",), reads=("marts_layout", "fct_events"),
         writes=("affected_dates", "marts_layout")),

    Step("stg_users", "staging", ("users",), reads=(LAKE_USERS,), writes=("stg_users", "stg_profile"), needs_files=True),
    Step("quarantine_users", "staging", ("users",), reads=("stg_users", "plan_partitions"), writes=("quarantine_users",)),
    Step("dim_users", "dims", ("users",), reads=("stg_users", "dim_users", "plan_partitions"),
         writes=("dim_users_touched", "dim_users_changed", "dim_users_next", "dim_users")),

    Step("fct_events_versions", "facts", ("versions",), reads=("fct_events", "dim_users", "dim_users_touched"),
         writes=("affected_dates", "fct_events")),

    Step("spark_inputs", "run", ("engine",), reads=("dim_users", "dim_platform", "dim_event_type"),
         writes=(SPARK_INPUTS,), engines=("spark",)),

    Step("stg_events", "staging", ("batch",), reads=(LAKE_EVENTS, "dim_platform", "dim_event_type", "dim_users"),
         writes=("stg_events",), needs_files=True, engines=("duckdb",)),
    Step("stg_events_spark", "staging", ("batch",), reads=(SPARK_OUTPUT,), writes=("stg_events", "stg_activity"),
         needs_files=True, engines=("spark",)),
    Step("stg_events_duplicates", "staging", ("batch",), reads=("stg_events", "fct_events"),
         writes=("stg_repeated_ids", "stg_events")),
    Step("stg_events_profile", "staging", ("batch",), reads=("stg_events",), writes=("stg_profile",)),
    Step("fct_events", "facts", ("batch",), reads=("stg_events",), writes=("fct_events",)),
    Step("quarantine_events", "staging", ("batch",), reads=("stg_events",), writes=("quarantine_events",)),

    Step("run_batch_days", "run", ("batch",), reads=(), writes=("pass_days",)),
    Step("run_unstaged_days", "run", ("activity",), reads=("affected_dates", "plan_files"), writes=("pass_days",)),
    Step("agg_user_activity_daily", "marts", ("batch", "activity"),
         reads=("stg_activity", "fct_events", "pass_days", "dim_users"),
         writes=("agg_user_activity_daily",)),
    Step("agg_user_day", "marts", ("batch", "activity"), reads=("agg_user_activity_daily", "pass_days"),
         writes=("agg_user_day",)),
    Step("agg_daily_volume", "marts", ("batch", "activity"), reads=("agg_user_activity_daily", "pass_days"),
         writes=("agg_daily_volume",)),
    Step("agg_breakdown_daily", "marts", ("batch", "activity"),
         reads=("fct_events", "dim_users", "dim_platform", "agg_user_day", "pass_days"),
         writes=("agg_breakdown_daily",)),
    Step("fct_funnel_events", "facts", ("batch", "activity"),
         reads=("fct_events", "dim_event_type", "dim_users", "pass_days"), writes=("fct_funnel_events",)),

    Step("agg_user_week", "marts", ("affected",), reads=("agg_user_day", "affected_dates"), writes=("agg_user_week",)),
    Step("agg_user_platform_first", "marts", ("affected",),
         reads=("agg_user_activity_daily", "dim_users", "dim_users_touched"),
         writes=("agg_user_platform_first",)),
    Step("agg_active_masks", "marts", ("affected",), reads=("agg_user_day",), writes=("agg_active_masks",)),
    Step("agg_growth_transitions", "marts", ("affected",), reads=("agg_user_day", "agg_user_week"),
         writes=("agg_growth_transitions",)),

    Step("run_manifest", "run", ("record",), reads=("plan_partitions", "plan_files"), writes=("etl_manifest",)),
)


def phase(name: str, engine: str = ENGINES[0]) -> list[Step]:
    if name not in PHASES:
        raise KeyError(f"no phase {name!r}")
    return [s for s in STEPS if name in s.phases and engine in s.engines]


def run_phase(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any], *,
              has_files: bool = True, seconds: dict[str, float] | None = None,
              engine: str = ENGINES[0]) -> dict[str, Any]:
    """Run a phase's steps for the engine in order with `params` (each statement binds what it uses); each step's last
    cursor by name. Without files, the steps that read the lake are skipped. `seconds` adds up each step's time by
    name."""
    out = {}
    for step in phase(name, engine):
        if has_files or not step.needs_files:
            with timed(seconds, step.name):
                out[step.name] = step.run(con, params)
    return out



def writers(table: str) -> Iterator[Step]:
    return (s for s in STEPS if table in s.writes)


def markdown() -> str:
    """The graph as docs/models.md shows it: one table row per step, in run order."""
    rows = ["| # | phase | step (SQL file) | engines | writes | reads "
            "| one row of what it writes (the file opens with it) |",
            "|---|---|---|---|---|---|---|"]
    for number, s in enumerate(STEPS, 1):
        where = f"pipeline/sql/{s.file}.sql" if s.layer == "run" else f"pipeline/models/{s.file}.sql"
        engines = "all" if s.engines == ENGINES else ", ".join(s.engines)
        rows.append(f"| {number} | {', '.join(s.phases)} | [`{s.name}`](../{where}) | {engines} | "
                    f"{', '.join(f'`{t}`' for t in s.writes)} | "
                    f"{', '.join(f'`{t}`' for t in s.reads) or '(parameters)'} | {s.grain} |")
    return "\n".join(rows)
