"""Reference data (dbt-style seeds): the accepted platforms, event types, devices, segments, age groups, countries.

The CSV files in `store/seeds/` are the one source: the ETL loads them into the small dimensions and the
generator draws its values from them.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

SEEDS_DIR = Path(__file__).parent / "seeds"


def seed_path(name: str) -> Path:
    return SEEDS_DIR / f"{name}.csv"


@cache
def seed_rows(name: str) -> tuple[dict[str, str], ...]:
    with seed_path(name).open(newline="", encoding="utf-8") as fh:
        return tuple(csv.DictReader(fh))


def _column(name: str, column: str) -> tuple[str, ...]:
    return tuple(row[column] for row in seed_rows(name))


def platforms() -> tuple[str, ...]:
    return _column("platforms", "platform_name")


def event_types() -> tuple[str, ...]:
    return _column("event_types", "event_type")


def funnel_steps() -> tuple[str, ...]:
    """Event types of the engagement funnel, in step order."""
    rows = [r for r in seed_rows("event_types") if r["funnel_step"]]
    return tuple(r["event_type"] for r in sorted(rows, key=lambda r: int(r["funnel_step"])))


def devices() -> tuple[str, ...]:
    return _column("devices", "device")


def segments() -> tuple[str, ...]:
    return _column("segments", "segment")


def age_groups() -> tuple[str, ...]:
    return _column("age_groups", "age_group")


def countries() -> tuple[str, ...]:
    return _column("countries", "country_code")
