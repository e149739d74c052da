"""Settings: typed objects read from environment variables, each field with a default and a line of help.

`Settings` holds what every layer needs (the data folder, DuckDB, the pipeline and its scheduler); the web app
declares its own (`webapp/settings.py`) with the same helpers. A test keeps the README's table in step with both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Mapping, TypeVar

T = TypeVar("T")


def setting(env: str, default, help: str):
    """A settings field read from the environment variable `env`."""
    return field(default=default, metadata={"env": env, "help": help})


@dataclass(frozen=True)
class Settings:
    data_dir: Path = setting("PA_DATA_DIR", Path("./data"), "Folder holding the event lake (lake/) and the warehouse file (warehouse.duckdb).")
    duckdb_memory_limit: str = setting("PA_DUCKDB_MEMORY_LIMIT", "1GB", "DuckDB memory limit for the process that owns the warehouse; larger work spills to disk.")
    duckdb_threads: int = setting("PA_DUCKDB_THREADS", 0, "DuckDB worker threads; 0 means one per CPU core.")
    duckdb_temp_dir: str = setting("PA_DUCKDB_TEMP_DIR", "", "Folder DuckDB spills to when work outgrows the memory limit; empty: warehouse.duckdb.tmp in the data folder.")
    freshness_lag_days: int = setting("PA_FRESHNESS_LAG_DAYS", 1, "Days the newest event partition may lag today before the freshness check warns.")
    etl_interval_minutes: int = setting("PA_ETL_INTERVAL_MINUTES", 60, "Minutes between the scheduler's incremental ETL and data-quality runs; 0: none scheduled (an orchestrator such as Airflow asks for runs through the API), queued runs still execute.")
    scheduler_enabled: int = setting("PA_SCHEDULER_ENABLED", 1, "1 runs the in-app scheduler (once per data folder, guarded by a lock file); 0 turns it off.")
    query_timeout_seconds: int = setting("PA_QUERY_TIMEOUT_SECONDS", 30, "A dashboard query running longer is interrupted (the request gets 503); 0: no limit.")
    churn_horizon_days: int = setting("PA_CHURN_HORIZON_DAYS", 14, "Days without activity on any platform after a snapshot day that make a person churned.")
    api_url: str = setting("PA_API_URL", "http://127.0.0.1:8050", "Where the CLI and the Airflow DAG reach the app's runs API when the app holds the warehouse.")
    api_token: str = setting("PA_API_TOKEN", "", "The bearer token the CLI and the Airflow DAG present to the runs API (one of PA_API_TOKENS, made with `python -m webapp new-api-token NAME`).")
    alert_webhook_url: str = setting("PA_ALERT_WEBHOOK_URL", "", "Where alerts are posted as JSON (Slack-compatible `text` plus fields) when a run fails, a check fails, a partition is skipped or the data is stale, and when each is resolved; empty: none sent (incidents are still recorded).")
    marts_snapshots_kept: int = setting("PA_MARTS_SNAPSHOTS_KEPT", 3, "Data versions whose Parquet snapshot of the published marts ($PA_DATA_DIR/marts/, written after each run for notebooks and bundle reruns) is kept; 0 writes none.")
    restatement_mark_days: int = setting("PA_RESTATEMENT_MARK_DAYS", 14, "Days the time charts mark the days a backfill or a late file restated (\"restated on <date> by run N\"); 0: no marks.")
    engine: str = setting("PA_ENGINE", "duckdb", "What stages the event partitions of a run: duckdb (in the process that owns the warehouse) or spark (a PySpark job, the `spark` extra; DuckDB then publishes its output and builds the marts). `pipeline run --engine` overrides it for one run.")
    spark_master: str = setting("PA_SPARK_MASTER", "local[2]", "The Spark master URL the Spark engine's job runs on (local[N], spark://host:7077, yarn, k8s://...).")
    spark_remote: str = setting("PA_SPARK_REMOTE", "", "A Spark Connect URL (sc://host:15002); when set, the job runs there instead of on PA_SPARK_MASTER (needs `pyspark[connect]`).")
    spark_driver_memory: str = setting("PA_SPARK_DRIVER_MEMORY", "2g", "The Spark driver's memory (in local mode the executors run inside it).")
    spark_shuffle_partitions: int = setting("PA_SPARK_SHUFFLE_PARTITIONS", 8, "spark.sql.shuffle.partitions for the job: a few per core of the cluster.")
    spark_lake_uri: str = setting("PA_SPARK_LAKE_URI", "", "Where the Spark cluster reads the lake folder (s3a://bucket/lake, abfss://..., hdfs://...); empty: the local lake folder. The run still lists the lake through PA_DATA_DIR/lake (a mount of the same storage).")
    demo_append: int = setting("PA_DEMO_APPEND", 0, "1 appends the next synthetic day to the lake before each scheduled run (a demo of data arriving).")

    @property
    def lake_dir(self) -> Path:
        return self.data_dir / "lake"

    @property
    def warehouse_path(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    def with_data_dir(self, data_dir: str | Path | None) -> "Settings":
        return self if data_dir is None else replace(self, data_dir=Path(data_dir))


def _parse(kind, env: str, raw: str):
    if kind in (Path, "Path"):
        return Path(raw)
    if kind in (int, "int"):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{env}={raw!r} is not an integer") from None
    return raw


def load(cls: type[T], environ: Mapping[str, str] | None = None) -> T:
    """An instance of the settings dataclass `cls` from the environment; unset or empty variables keep defaults."""
    environ = os.environ if environ is None else environ
    values = {}
    for f in fields(cls):
        raw = environ.get(f.metadata["env"], "")
        if raw.strip():
            values[f.name] = _parse(f.type, f.metadata["env"], raw.strip())
    return cls(**values)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    return load(Settings, environ)


def documented(cls: type = Settings) -> list[tuple[str, str, str]]:
    """(variable, default, help) for every field of a settings dataclass, in declaration order."""
    return [(f.metadata["env"], str(f.default), f.metadata["help"]) for f in fields(cls)]
