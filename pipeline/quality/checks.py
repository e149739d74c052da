"""Data-quality check declarations: read `checks.toml`, validate each entry, parse its thresholds."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from store.sql import read_sql

QUALITY_DIR = Path(__file__).parent
CHECKS_FILE = QUALITY_DIR / "checks.toml"
KIND_DIR = QUALITY_DIR / "sql"

FAMILIES = ("completeness", "uniqueness", "validity", "referential", "scd2", "freshness", "volume", "schema",
            "reconciliation")
SEVERITIES = ("error", "warn")
STAGING_TABLES = ("stg_events", "stg_users", "lake")  # exist only inside an ETL run
IDENTIFIER_KEYS = ("columns", "column", "to_table", "to_column", "scope")
PARAM_KEYS = ("min", "max", "metric")
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
_COMPARE = re.compile(r"^(>=|<=|==|!=|>|<)\s*(-?[0-9.]+)$")
_RANGE = re.compile(r"^(outside|inside)\s+(-?[0-9.]+)\s*\.\.\s*(-?[0-9.]+)$")


@dataclass(frozen=True)
class Condition:
    """A bad-value condition such as '> 0.01' or 'outside 0.5..2'."""

    text: str

    def holds(self, value: float) -> bool:
        m = _COMPARE.match(self.text)
        if m:
            op, bound = m[1], float(m[2])
            return {">": value > bound, ">=": value >= bound, "<": value < bound, "<=": value <= bound,
                    "==": value == bound, "!=": value != bound}[op]
        m = _RANGE.match(self.text)
        inside = float(m[2]) <= value <= float(m[3])
        return not inside if m[1] == "outside" else inside


def parse_condition(text: str | None, where: str) -> Condition | None:
    if text is None:
        return None
    text = " ".join(str(text).split())
    if not (_COMPARE.match(text) or _RANGE.match(text)):
        raise ValueError(f"{where}: {text!r} is not a condition (use '> 0', '<= 0.5' or 'outside 0.5..2')")
    return Condition(text)


@dataclass(frozen=True)
class Check:
    """One declared check: which SQL kind computes its observed value, on what, and which values are bad."""

    name: str
    family: str
    table: str
    kind: str
    severity: str
    description: str
    warn_when: Condition | None
    fail_when: Condition | None
    identifiers: dict[str, Any] = field(default_factory=dict)  # table-relative names for the kind's template
    params: dict[str, Any] = field(default_factory=dict)  # bound values

    @property
    def staging_only(self) -> bool:
        return self.table in STAGING_TABLES

    @property
    def threshold(self) -> str:
        parts = [f"warn when {self.warn_when.text}"] if self.warn_when else []
        parts += [f"fail when {self.fail_when.text}"] if self.fail_when else []
        return "; ".join(parts)

    def template(self) -> str:
        return read_sql(KIND_DIR / f"{self.kind}.sql")


def _check_identifier(value: Any, where: str) -> None:
    names = value if isinstance(value, list) else [value]
    bad = [n for n in names if not isinstance(n, str) or not IDENTIFIER.match(n)]
    if bad or not names:
        raise ValueError(f"{where}: {bad or value!r} is not a plain lower-case identifier")


def _parse(entry: dict[str, Any], seen: set[str]) -> Check:
    name = entry.get("name", "?")
    where = f"{CHECKS_FILE.name}: check {name!r}"
    known = {"name", "family", "table", "kind", "severity", "description", "warn_when", "fail_when",
             *IDENTIFIER_KEYS, *PARAM_KEYS}
    if unknown := sorted(set(entry) - known):
        raise ValueError(f"{where}: unknown field(s) {unknown}")
    for key in ("name", "family", "table", "kind", "severity", "description"):
        if not entry.get(key):
            raise ValueError(f"{where}: missing {key}")
    if name in seen:
        raise ValueError(f"{where}: the name is used twice")
    if entry["family"] not in FAMILIES:
        raise ValueError(f"{where}: family {entry['family']!r} is not one of {FAMILIES}")
    if entry["severity"] not in SEVERITIES:
        raise ValueError(f"{where}: severity {entry['severity']!r} is not one of {SEVERITIES}")
    if not (KIND_DIR / f"{entry['kind']}.sql").is_file():
        raise ValueError(f"{where}: kind {entry['kind']!r} has no SQL file in {KIND_DIR}")
    _check_identifier(entry["table"], where)
    warn_when = parse_condition(entry.get("warn_when"), where)
    fail_when = parse_condition(entry.get("fail_when"), where)
    if entry["severity"] == "error" and fail_when is None:
        raise ValueError(f"{where}: an error check needs fail_when")
    if entry["severity"] == "warn" and (fail_when is not None or warn_when is None):
        raise ValueError(f"{where}: a warn check has warn_when and no fail_when")
    identifiers = {k: entry[k] for k in IDENTIFIER_KEYS if k in entry}
    for key, value in identifiers.items():
        _check_identifier(value, f"{where}, {key}")
    return Check(name=name, family=entry["family"], table=entry["table"], kind=entry["kind"],
                 severity=entry["severity"], description=entry["description"], warn_when=warn_when,
                 fail_when=fail_when, identifiers=identifiers, params={k: entry[k] for k in PARAM_KEYS if k in entry})


@cache
def load_checks(path: Path = CHECKS_FILE) -> tuple[Check, ...]:
    """Every declared check, validated; ValueError naming the check and what is wrong."""
    with Path(path).open("rb") as fh:
        entries = tomllib.load(fh).get("check", [])
    seen: set[str] = set()
    checks = []
    for entry in entries:
        checks.append(_parse(entry, seen))
        seen.add(checks[-1].name)
    return tuple(checks)
