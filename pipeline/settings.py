"""Settings: one typed object read from environment variables, each with a default and a line of help."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Mapping


def _setting(env: str, default, help: str):
    return field(default=default, metadata={"env": env, "help": help})


@dataclass(frozen=True)
class Settings:
    data_dir: Path = _setting("PA_DATA_DIR", Path("./data"), "Folder holding the event lake (lake/) and the warehouse file (warehouse.duckdb).")
    duckdb_memory_limit: str = _setting("PA_DUCKDB_MEMORY_LIMIT", "1GB", "DuckDB memory limit for the process that owns the warehouse; larger work spills to disk.")
    duckdb_threads: int = _setting("PA_DUCKDB_THREADS", 0, "DuckDB worker threads; 0 means one per CPU core.")
    freshness_lag_days: int = _setting("PA_FRESHNESS_LAG_DAYS", 1, "Days the newest event partition may lag today before the freshness check warns.")
    etl_interval_minutes: int = _setting("PA_ETL_INTERVAL_MINUTES", 60, "Minutes between the scheduler's incremental ETL and data-quality runs.")
    scheduler_enabled: int = _setting("PA_SCHEDULER_ENABLED", 1, "1 runs the in-app scheduler (once per data folder, guarded by a lock file); 0 turns it off.")
    demo_append: int = _setting("PA_DEMO_APPEND", 0, "1 appends the next synthetic day to the lake before each scheduled run (a demo of data arriving).")
    admin_users: str = _setting("PA_ADMIN_USERS", "", "Admins, as name:password-hash pairs separated by commas (hash with `python -m pipeline hash-password`).")
    analyst_users: str = _setting("PA_ANALYST_USERS", "", "Analysts, same format. With no users at all, dashboards are open and the admin page is disabled.")
    secret_key: str = _setting("PA_SECRET_KEY", "", "Signs session cookies; set it in production (empty: a random key per process, sessions end on restart).")
    cookie_secure: int = _setting("PA_COOKIE_SECURE", 0, "1 marks the session cookie Secure (serve the app over HTTPS).")
    bind: str = _setting("PA_BIND", "0.0.0.0:8050", "Address gunicorn listens on (host:port).")
    threads: int = _setting("PA_THREADS", 8, "Request threads of the one gunicorn worker process.")

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


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from the environment; unset or empty variables keep their defaults."""
    environ = os.environ if environ is None else environ
    values = {}
    for f in fields(Settings):
        raw = environ.get(f.metadata["env"], "")
        if raw.strip():
            values[f.name] = _parse(f.type, f.metadata["env"], raw.strip())
    return Settings(**values)


def documented_settings() -> list[tuple[str, str, str]]:
    """(variable, default, help) for every setting, in declaration order: the README's table."""
    return [(f.metadata["env"], str(f.default), f.metadata["help"]) for f in fields(Settings)]
