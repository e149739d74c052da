"""Preparing and starting the Spark engine's job for a run (no PySpark import here: the job runs in its own process,
`pipeline/spark/job.py`), and naming its output per batch of days.

    $PA_DATA_DIR/spark/run-<id>/inputs/*.parquet     what the warehouse exports for the job (spark_inputs step)
    $PA_DATA_DIR/spark/run-<id>/job.json, job.log     the job's description and its log
    $PA_DATA_DIR/spark/run-<id>/report.json           what it reported: rows, seconds per stage, peak memory
    $PA_DATA_DIR/spark/run-<id>/staged/, activity/    what it writes (pipeline/spark/job.py)

Only the newest run's folder is kept (older ones are removed when a Spark run starts).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from pipeline.lake import CONTRACT, LakeFile
from store.settings import Settings

INPUTS = ("dim_users", "dim_platform", "dim_event_type")
# the contract's event columns the job types (pipeline/lake.py): ids, and text
ID_COLUMNS = tuple(c for c, t in CONTRACT["events"].items() if t == "BIGINT")
TEXT_COLUMNS = tuple(c for c, t in CONTRACT["events"].items() if t == "VARCHAR")
LOG_TAIL = 2000  # characters of the job's log a failure quotes when the job could not say why itself


class SparkJobFailed(RuntimeError):
    """The Spark job failed or its output does not hold every row of the lake files; the message says why."""


@dataclass(frozen=True)
class SparkOutput:
    """Where one run's job wrote, and what it reported (rows staged and accepted, seconds, peak memory)."""

    folder: Path
    report: dict

    def staged_files(self, days: list[dt.date]) -> list[str]:
        return self._files("staged", "event_day", days)

    def activity_files(self, days: list[dt.date]) -> list[str]:
        return self._files("activity", "activity_day", days)

    def _files(self, name: str, key: str, days: list[dt.date]) -> list[str]:
        """The Parquet files of these days, or the job's empty file of the same columns when the days have none."""
        found = [str(p) for day in sorted(days)
                 for p in sorted((self.folder / name / f"{key}={day.isoformat()}").glob("*.parquet"))]
        return found or [str(p) for p in sorted((self.folder / f"{name}_empty").glob("*.parquet"))]


def run_folder(settings: Settings, run_id: int) -> Path:
    return settings.data_dir / "spark" / f"run-{run_id}"


def input_files(folder: Path) -> dict[str, str]:
    """The spark_inputs step's parameters: one Parquet file per input, in the run's folder."""
    (folder / "inputs").mkdir(parents=True, exist_ok=True)
    return {f"{name}_file": str(folder / "inputs" / f"{name}.parquet") for name in INPUTS}


def fresh_folder(settings: Settings, run_id: int) -> Path:
    """The run's folder, empty; every older run's folder removed (only the newest is kept)."""
    root = settings.data_dir / "spark"
    if root.is_dir():
        for old in root.glob("run-*"):
            shutil.rmtree(old, ignore_errors=True)
    folder = run_folder(settings, run_id)
    folder.mkdir(parents=True)
    return folder


def encoding(path: str) -> dict[str, str]:
    """How a file encodes each contract column the job reads (files of one encoding are read together, with one
    schema): absent, or its Arrow type; for event_ts ntz (wall time), utc (an instant), ns / ns_utc (an INT64 of
    nanoseconds, which Spark is told to read as its integer)."""
    parquet = pq.ParquetFile(path)
    arrow, schema = parquet.schema_arrow, parquet.schema
    names = {schema.column(i).name: schema.column(i) for i in range(len(schema))}
    kinds = {name: (str(arrow.field(name).type) if name in arrow.names else "absent")
             for name in (*ID_COLUMNS, *TEXT_COLUMNS)}
    column = names.get("event_ts")
    if column is None:
        kinds["event_ts"] = "absent"
    elif column.physical_type == "INT96":
        kinds["event_ts"] = "utc"
    else:
        logical = json.loads(column.logical_type.to_json() or "{}")
        utc = "_utc" if logical.get("isAdjustedToUTC") else ""
        kinds["event_ts"] = ("ns" + utc) if logical.get("timeUnit") == "nanoseconds" else ("utc" if utc else "ntz")
    return kinds


def job_description(settings: Settings, run_id: int, folder: Path, files: list[LakeFile], as_of: dt.datetime,
                    lake_dir: Path) -> dict:
    """The job's JSON: the engine's settings, the run's event files grouped by encoding (each group is read with its
    own schema), the inputs, where to write. Files are named for the cluster: under PA_SPARK_LAKE_URI when set."""
    # local paths go as plain absolute paths: Hadoop does not undo a file: URI's percent-escapes (a space, an =)
    lake_uri = settings.spark_lake_uri.rstrip("/") or str(Path(lake_dir).resolve())
    groups: dict[str, dict] = {}
    for f in files:
        kinds = encoding(f.path)
        group = groups.setdefault(json.dumps(kinds, sort_keys=True), {"columns": kinds, "files": []})
        group["files"].append([f"{lake_uri}/{f.rel_path}", f.rel_path, f.partition_date.isoformat()])
    return {
        "run_id": run_id, "master": settings.spark_master, "remote": settings.spark_remote,
        "driver_memory": settings.spark_driver_memory, "shuffle_partitions": str(settings.spark_shuffle_partitions),
        "as_of": _utc_wall(as_of).isoformat(sep=" "), "groups": list(groups.values()), "out": str(folder.resolve()),
        "inputs": {name: str((folder / "inputs" / f"{name}.parquet").resolve()) for name in INPUTS},
    }


def run_job(settings: Settings, run_id: int, folder: Path, files: list[LakeFile], as_of: dt.datetime,
            lake_dir: Path, rows_in_files: int) -> SparkOutput:
    """Start the job in its own process and wait for it; SparkJobFailed when it fails or its staged rows are not
    every row the files' footers declare (nothing is dropped between the lake and the warehouse)."""
    if importlib.util.find_spec("pyspark") is None:
        raise SparkJobFailed("the Spark engine needs PySpark in this environment: install the `spark` extra "
                             "(`make spark`, or pip install 'product-analytics[spark]') and Java 17 for local mode")
    job = folder / "job.json"
    job.write_text(json.dumps(job_description(settings, run_id, folder, files, as_of, lake_dir), indent=1),
                   encoding="utf-8")
    log_path = folder / "job.log"
    with open(log_path, "wb") as log:
        done = subprocess.run([sys.executable, "-m", "pipeline.spark.job", str(job)], stdout=subprocess.PIPE,
                              stderr=log, env={**os.environ, "PYSPARK_PYTHON": sys.executable}, check=False)
    lines = done.stdout.decode("utf-8", "replace").strip().splitlines()
    report = _last_json(lines)
    if done.returncode != 0 or "staged" not in report:
        log_text = log_path.read_text(encoding="utf-8", errors="replace")
        why = "; ".join(filter(None, (report.get("error"), _jvm_cause(log_text)))) or "..." + log_text[-LOG_TAIL:]
        where = settings.spark_remote or settings.spark_master
        raise SparkJobFailed(f"the Spark job on {where} exited with {done.returncode}: {why} (its log: {log_path})")
    (folder / "report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    if report["staged"] != rows_in_files:
        raise SparkJobFailed(f"the Spark job staged {report['staged']:,} rows but the run's event files hold "
                             f"{rows_in_files:,} (its output: {folder})")
    return SparkOutput(folder, report)


def _utc_wall(moment: dt.datetime) -> dt.datetime:
    """UTC wall time, as the warehouse's timestamps are (an aware moment converted, a naive one taken as UTC)."""
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def _jvm_cause(log_text: str) -> str | None:
    """What the JVM said went wrong first (an exception's message in the log), when the Python side could not."""
    for line in log_text.splitlines():
        found = re.search(r"(?:^Exception in thread \S+ |^Caused by: )?([\w.$]+(?:Exception|Error)): (.+)$", line)
        if found and not line.lstrip().startswith(("at ", "File ")) and "py4j" not in found[1]:
            return f"the JVM said {found[1].rsplit('.', 1)[-1]}: {found[2][:300]}"
    return None


def _last_json(lines: list[str]) -> dict:
    """The job's report: its last line of output, when that is a JSON object."""
    try:
        report = json.loads(lines[-1]) if lines else {}
    except json.JSONDecodeError:
        return {}
    return report if isinstance(report, dict) else {}
