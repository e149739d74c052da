"""Running data-quality checks: render each check's SQL (identifiers from the catalog, values bound) and compare
the observed value with its thresholds. The run lifecycle records the results in `dq_results`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

import duckdb

from pipeline.quality.checks import Check
from pipeline.stopwatch import timed
from store.sql import SqlFiles, quote, run_script

SQL = SqlFiles(Path(__file__).parent / "sql")
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


@dataclass(frozen=True)
class CheckResult:
    check: Check
    status: str  # pass, warn, fail
    observed: float | None
    message: str

    def row(self, run_id: int, now: dt.datetime) -> dict[str, Any]:
        c = self.check
        return {"run_id": run_id, "check_name": c.name, "family": c.family, "table_name": c.table,
                "severity": c.severity, "status": self.status, "observed": self.observed,
                "threshold": c.threshold, "message": self.message, "checked_at": now}


def catalog(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """The allow-list of identifiers: every table (temporary ones included) -> its columns and their types."""
    out: dict[str, dict[str, str]] = {}
    for table, column, dtype in SQL.run(con, "catalog").fetchall():
        out.setdefault(table, {})[column] = dtype
    return out


def render(check: Check, tables: Mapping[str, Mapping[str, str]]) -> str:
    """The check's SQL with its identifiers filled in, each one present in the catalog and quoted."""
    ids = check.identifiers

    def column_of(table: str, column: str) -> str:
        if column not in tables.get(table, {}):
            raise ValueError(f"check {check.name!r}: {table}.{column} is not in the warehouse")
        return column

    values: dict[str, str] = {}
    if "{{table}}" in check.template():
        if check.table not in tables:
            raise ValueError(f"check {check.name!r}: table {check.table} is not in the warehouse")
        values["table"] = quote(check.table)
    if "columns" in ids:
        values["columns"] = ", ".join(f"t.{quote(column_of(check.table, c))}" for c in ids["columns"])
    if "column" in ids:
        values["column"] = quote(column_of(check.table, ids["column"]))
    if "to_table" in ids:
        values["to_table"] = quote(ids["to_table"])
        values["to_column"] = quote(column_of(ids["to_table"], ids["to_column"]))
    if "scope" in ids:
        column = column_of(check.table, ids["scope"])
        day = "date_key_of(day)" if tables[check.table][column] == "INTEGER" else "day"
        values["scope"] = f"t.{quote(column)} IN (SELECT {day} FROM dq_scope)"
    else:
        values["scope"] = "TRUE"

    def fill(m: re.Match) -> str:
        if m[1] not in values:
            raise ValueError(f"check {check.name!r}: its kind {check.kind} needs {m[1]}, which it does not declare")
        return values[m[1]]

    return _PLACEHOLDER.sub(fill, check.template())


def _format(check: Check, value: float) -> str:
    if check.kind == "profile_rate":
        return f"{value:.3%}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3f}"


def judge(check: Check, observed: float | None, detail: str | None) -> CheckResult:
    """pass / warn / fail for an observed value; only an error check can fail."""
    if observed is None:
        return CheckResult(check, "pass", None, f"{check.description}: nothing to check")
    if check.fail_when and check.fail_when.holds(observed):
        status = "fail"
    elif check.warn_when and check.warn_when.holds(observed):
        status = "warn"
    else:
        status = "pass"
    message = f"{check.description}: {_format(check, observed)}" + (f" ({detail})" if detail else "")
    if status != "pass":
        message += f"; {status} when {(check.fail_when if status == 'fail' else check.warn_when).text}"
    return CheckResult(check, status, float(observed), message)


def evaluate(con: duckdb.DuckDBPyConnection, checks: Iterable[Check], context: Mapping[str, Any],
             seconds: dict[str, float] | None = None) -> list[CheckResult]:
    """Run the checks against what `con` sees now (inside a run: the uncommitted, to-be-published state).

    The caller has filled `dq_scope`; `context` holds values kinds may bind (e.g. expected_date). `seconds` adds
    each check's time as "check <name>".
    """
    tables = catalog(con)
    results = []
    for check in checks:
        params = {**context, **check.params, "table_name": check.table}
        with timed(seconds, f"check {check.name}"):
            row = run_script(con, render(check, tables), params, f"check {check.name}").fetchone()
        results.append(judge(check, row[0] if row else None, row[1] if row else None))
    return results


def summary(results: list[CheckResult]) -> str:
    counts = {s: sum(1 for r in results if r.status == s) for s in ("pass", "warn", "fail")}
    return f"{len(results)} checks: {counts['pass']} passed, {counts['warn']} warned, {counts['fail']} failed"
