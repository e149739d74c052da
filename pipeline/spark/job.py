"""The Spark engine's job, run in its own process: `python -m pipeline.spark.job JOB.json`.

It reads the run's event files (grouped by their Parquet encoding, each group read with its own schema and brought
to the contract's types), the user versions and dimensions the warehouse exported for the run, and writes:
    <out>/staged/event_day=YYYY-MM-DD/*.parquet     one row per lake event (sql/stg_events.sql)
    <out>/activity/activity_day=YYYY-MM-DD/*.parquet one row per day, platform and user version (sql/stg_activity.sql)
    <out>/staged_empty/, <out>/activity_empty/       the same columns, no rows (for a day that has none)
and prints one JSON line last: rows staged and accepted, seconds per stage, the JVM's peak resident memory.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import sys
import time
from pathlib import Path
from urllib.parse import unquote

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from pipeline.spark.runner import ID_COLUMNS, TEXT_COLUMNS

SQL_DIR = Path(__file__).parent / "sql"
WIDE = ("uint64", "decimal")  # Arrow types of ids whose values may not fit BIGINT


def session(job: dict) -> SparkSession:
    """Spark Connect when a remote is set, else a master URL (local[2] by default); UTC, no UI, nanosecond
    timestamps read as their integer so they can be truncated to microseconds as DuckDB does."""
    builder = SparkSession.builder.appName(f"product-analytics run {job['run_id']}")
    if job.get("remote"):
        builder = builder.remote(job["remote"])
    else:
        builder = (builder.master(job["master"]).config("spark.driver.memory", job["driver_memory"])
                   .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false"))
    spark = (builder.config("spark.sql.session.timeZone", "UTC")
             .config("spark.sql.shuffle.partitions", job["shuffle_partitions"])
             .config("spark.sql.legacy.parquet.nanosAsLong", "true")
             .config("spark.sql.parquet.inferTimestampNTZ.enabled", "true")
             .getOrCreate())
    if not job.get("remote"):
        spark.sparkContext.setLogLevel("WARN")
    return spark


def event_ts(kind: str):
    """event_ts as TIMESTAMP_NTZ holding UTC wall time, from how the group's files encode it."""
    col = F.col("event_ts")
    if kind == "absent":
        return F.lit(None).cast("timestamp_ntz")
    if kind.startswith("ns"):  # an INT64 of nanoseconds: truncated to microseconds
        col = F.timestamp_micros(F.expr("div(event_ts, 1000)"))
    return col.cast("timestamp_ntz")  # a UTC-adjusted one is an instant; the session time zone is UTC


def bigint(name: str, kind: str):
    """An id column as BIGINT, and whether its value did not fit (then NULL, and the row quarantined): only unsigned
    64-bit and decimal encodings can hold such values; narrower integers are widened."""
    if kind == "absent":
        return F.lit(None).cast("bigint"), F.lit(False)
    if kind.startswith(WIDE):
        value = F.expr(f"try_cast(`{name}` AS BIGINT)")
        return value, F.col(name).isNotNull() & value.isNull()
    return F.col(name).cast("bigint"), F.lit(False)


def read_group(spark: SparkSession, group: dict) -> DataFrame:
    """The group's files with the contract's columns (ids as BIGINT with out_of_range, text as strings, event_ts as
    above) and each row's partition day (event_date), file relative to the lake (source_file) and row number."""
    kinds = group["columns"]
    df = spark.read.parquet(*[path for path, _, _ in group["files"]])
    days = {rel: dt.date.fromisoformat(day) for _, rel, day in group["files"]}
    names = {}  # Spark's URL-encoded URI of each file -> its name in the plan (the lake's layout: its last 3 parts)
    for (uri,) in df.select("_metadata.file_path").distinct().collect():
        names[uri] = "/".join(unquote(uri).split("/")[-3:])
        if names[uri] not in days:
            raise RuntimeError(f"Spark read {uri}, which is not one of the run's files")
    source_file = F.create_map(*[F.lit(v) for pair in names.items() for v in pair])[F.col("_metadata.file_path")]
    event_date = F.create_map(*[F.lit(v) for uri, rel in names.items() for v in (uri, days[rel])])[
        F.col("_metadata.file_path")]
    ids = {name: bigint(name, kinds[name]) for name in ID_COLUMNS}
    return df.select(*[ids[name][0].alias(name) for name in ID_COLUMNS],
                     *[(F.col(n) if kinds[n] != "absent" else F.lit(None)).cast("string").alias(n)
                       for n in TEXT_COLUMNS],
                     event_ts(kinds["event_ts"]).alias("event_ts"),
                     (ids["event_id"][1] | ids["user_id"][1] | ids["session_id"][1]).alias("out_of_range"),
                     event_date.alias("event_date"), source_file.alias("source_file"),
                     F.col("_metadata.row_index").alias("file_row_number"))


def write_by_day(df: DataFrame, day: str, path: str, folder_key: str, order: tuple[str, ...]) -> None:
    """Rows as Parquet in one folder per day (`<folder_key>=YYYY-MM-DD`, one task per day, sorted within it; the day
    column stays in the files), and beside it `<path>_empty`: the same columns, no rows (for days with none)."""
    (df.withColumn(folder_key, F.date_format(day, "yyyy-MM-dd")).repartition(folder_key)
     .sortWithinPartitions(day, *order).write.mode("overwrite").partitionBy(folder_key).parquet(path))
    df.limit(0).coalesce(1).write.mode("overwrite").parquet(f"{path}_empty")


def main(job_path: str) -> int:
    job = json.loads(Path(job_path).read_text(encoding="utf-8"))
    seconds: dict[str, float] = {}
    began = time.perf_counter()
    spark = session(job)
    seconds["session"] = time.perf_counter() - began
    out = job["out"].rstrip("/")
    for name in ("dim_users", "dim_platform", "dim_event_type"):
        spark.read.parquet(job["inputs"][name]).createOrReplaceTempView(name)
    lake = None
    for group in job["groups"]:
        part = read_group(spark, group)
        lake = part if lake is None else lake.unionByName(part)
    lake.createOrReplaceTempView("lake_events")

    step = time.perf_counter()
    staged = spark.sql((SQL_DIR / "stg_events.sql").read_text(encoding="utf-8"), args={"as_of": job["as_of"]})
    write_by_day(staged, "event_date", f"{out}/staged", "event_day", ("source_file", "file_row_number"))
    seconds["stage"] = time.perf_counter() - step

    step = time.perf_counter()
    spark.read.parquet(f"{out}/staged").createOrReplaceTempView("stg_events")
    activity = spark.sql((SQL_DIR / "stg_activity.sql").read_text(encoding="utf-8"))
    write_by_day(activity, "activity_date", f"{out}/activity", "activity_day", ("platform_key", "user_key"))
    seconds["reduce"] = time.perf_counter() - step

    rows = spark.sql("SELECT count(*) AS staged, count_if(reject_reason IS NULL) AS accepted FROM stg_events").first()
    peak = _jvm_peak_bytes(spark)
    spark.stop()
    seconds["total"] = time.perf_counter() - began
    print(json.dumps({"staged": rows["staged"], "accepted": rows["accepted"], "seconds": seconds,
                      "jvm_peak_rss_bytes": peak,
                      "python_peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
    return 0


def _jvm_peak_bytes(spark: SparkSession) -> int | None:
    """The local JVM's peak resident memory (VmHWM), when it runs on this machine (not through Spark Connect)."""
    try:
        pid = spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except Exception:  # Spark Connect, or no /proc: not measured
        return None
    return None


def run(job_path: str) -> int:
    """main, with a failure reported as the last line (JSON `error`: the exception's first line, which names the
    file or column) for the run's message; the whole trace stays in the job's log."""
    try:
        return main(job_path)
    except Exception as exc:  # reported to the run, which fails with it
        first = next((line for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
        print(json.dumps({"error": f"{type(exc).__name__}: {first}"}))
        raise


if __name__ == "__main__":
    sys.exit(run(sys.argv[1]))
