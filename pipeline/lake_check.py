"""Lake files against the contract, before a run reads a row: readable, the right columns and types, rows or not.

A file that cannot be read, misses a contract column or has one of another type makes its whole partition skip
(the partition stays pending, so the next run tries again once it is fixed); an extra column is reported and
ignored; a partition whose files hold no rows is skipped rather than loaded as empty.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

from pipeline import SQL, lake
from pipeline.notices import Finding, grouped

EMPTY = "the partition holds no rows"
EMPTY_HINT = "write the day's rows, or remove its files and folder if the day has none"
UNREADABLE_HINT = ("rewrite the file (or remove it); check one with "
                   "`python -c \"import pyarrow.parquet as pq; print(pq.read_metadata('{path}'))\"`")
# the contract's types as a writer should produce them
TYPE_WORDS = {"TIMESTAMP": "TIMESTAMP (microseconds, no time zone)", "BIGINT": "BIGINT (64-bit signed integer)",
              "VARCHAR": "VARCHAR (UTF-8 string)", "DATE": "DATE (days)"}


@dataclass
class FileReport:
    """What inspecting one lake file found."""

    file: lake.LakeFile
    rows: int = 0
    problems: list[str] = field(default_factory=list)  # the partition cannot load
    causes: list[tuple[str, str]] = field(default_factory=list)  # the problems, for notices: (cause, fix hint)
    extra_columns: list[str] = field(default_factory=list)  # ignored, reported


@dataclass
class Inspection:
    """The verdict on a run's files: partitions to skip and why, and the figures the quality checks read."""

    reports: list[FileReport]
    skipped: dict[tuple[str, dt.date], str]  # partition -> reason naming the file(s)
    findings: list[Finding] = field(default_factory=list)  # what the notices say (pipeline/notices.py)

    def metric_rows(self) -> list[dict]:
        """The lake's rows of the run's data-quality profile ('rows' is the number of files inspected)."""
        metrics = {
            "rows": len(self.reports),
            "files_breaking_contract": sum(1 for r in self.reports if r.problems),
            "files_with_extra_columns": sum(1 for r in self.reports if r.extra_columns),
            "empty_partitions": sum(1 for reason in self.skipped.values() if reason.endswith(EMPTY)),
        }
        return [{"metric": k, "value": v} for k, v in metrics.items()]

    def row_counts(self) -> dict[str, int]:
        """Rows per file (absolute path) as its Parquet footer declares."""
        return {r.file.path: r.rows for r in self.reports}

    def notices(self) -> list[str]:
        """Partitions skipped and columns ignored, one line per cause."""
        return grouped(self.findings)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]


def _read_metadata(con: duckdb.DuckDBPyConnection, files: list[lake.LakeFile]) -> tuple[list, list, dict[str, str]]:
    """(schema rows, row-count rows, unreadable path -> error); one query for all files, file by file on error."""
    paths = [f.path for f in files]
    try:
        return (SQL.run(con, "lake_file_schemas", {"files": paths}).fetchall(),
                SQL.run(con, "lake_file_rows", {"files": paths}).fetchall(), {})
    except duckdb.Error:
        schemas, rows, broken = [], [], {}
        for path in paths:
            try:
                schemas += SQL.run(con, "lake_file_schemas", {"files": [path]}).fetchall()
                rows += SQL.run(con, "lake_file_rows", {"files": [path]}).fetchall()
            except duckdb.Error as exc:
                broken[path] = _first_line(exc)
        return schemas, rows, broken


def inspect(con: duckdb.DuckDBPyConnection, files: list[lake.LakeFile]) -> Inspection:
    """Check every file against the contract (no data read: Parquet metadata only)."""
    if not files:
        return Inspection([], {})
    schema_rows, count_rows, broken = _read_metadata(con, files)
    columns: dict[str, dict[str, str]] = {}
    for path, column, dtype in schema_rows:
        columns.setdefault(path, {})[column] = dtype
    counts = {path: rows for path, rows in count_rows}

    reports = []
    for f in files:
        report = FileReport(f, rows=int(counts.get(f.path) or 0))
        if f.path in broken:
            report.problems.append(f"not a readable Parquet file ({broken[f.path]})")
            report.causes.append((f"not a readable Parquet file ({_without(broken[f.path], f.path)})",
                                  UNREADABLE_HINT))
        else:
            found, expected = columns.get(f.path, {}), lake.CONTRACT[f.kind]
            missing = [c for c in expected if c not in found]
            wrong = [(c, t) for c, t in expected.items() if c in found and not lake.accepts(t, found[c])]
            if missing:
                names = f"column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
                report.problems.append(f"missing {names}")
                report.causes.append((f"missing {names}", _missing_hint(f.kind, missing)))
            if wrong:
                report.problems.append(f"wrong type: {'; '.join(f'{c} is {found[c]}, expected {t}' for c, t in wrong)}")
                report.causes += [(f"wrong type: {c} is {found[c]}, expected {t}", _type_hint(f.kind, c, t))
                                  for c, t in wrong]
            # a partition column kept in the file (polars, DuckDB's partitioned writes) is the folder's: not extra
            report.extra_columns = [c for c in found if c not in expected and c != lake.PARTITION_KEY[f.kind]]
        reports.append(report)

    skipped: dict[tuple[str, dt.date], str] = {}
    by_partition: dict[tuple[str, dt.date], list[FileReport]] = {}
    for r in reports:
        by_partition.setdefault((r.file.kind, r.file.partition_date), []).append(r)
    findings: list[Finding] = []
    for (kind, day), part_reports in by_partition.items():
        bad = [f"{r.file.path}: {'; '.join(r.problems)}" for r in part_reports if r.problems]
        if bad:
            skipped[(kind, day)] = "; ".join(bad)
            findings += [Finding(kind, cause, day, r.file.path, "skipped", hint)
                         for r in part_reports for cause, hint in r.causes]
        elif sum(r.rows for r in part_reports) == 0:
            skipped[(kind, day)] = f"{', '.join(r.file.path for r in part_reports)}: {EMPTY}"
            findings += [Finding(kind, EMPTY, day, r.file.path, "skipped", EMPTY_HINT) for r in part_reports]
    for r in reports:
        if r.extra_columns:
            findings.append(Finding(r.file.kind, f"unexpected column{'s' if len(r.extra_columns) > 1 else ''} "
                                    f"{', '.join(r.extra_columns)} ignored", r.file.partition_date, r.file.path,
                                    hint=_extra_hint(r.extra_columns)))
    return Inspection(reports, skipped, findings)


def _without(error: str, path: str) -> str:
    """A reading error with the file's path taken out, so that one cause reads the same for every file."""
    return error.replace(f" '{path}'", "").replace(f" \"{path}\"", "").replace(path, "the file")


def _missing_hint(kind: str, missing: list[str]) -> str:
    columns = ", ".join(f"{c} ({lake.CONTRACT[kind][c]})" for c in missing)
    return f"write {columns} in every file: each column of docs/data_model.md \"Contract: {kind}\" is required"


def _type_hint(kind: str, column: str, expected: str) -> str:
    also = (" or one of the types docs/data_model.md lists as also accepted" if lake.ALSO_ACCEPTED.get(expected)
            else "")
    return f"write {column} as {TYPE_WORDS.get(expected, expected)}{also} (\"Contract: {kind}\")"


def _extra_hint(columns: list[str]) -> str:
    if any(c.startswith("__index_level_") for c in columns):
        return "pandas wrote its index as a column: write with `index=False` (it is not loaded either way)"
    return ("none needed, it is not loaded; to load it, add it to the contract (docs/data_model.md, "
            "pipeline/lake.py: CONTRACT)")
