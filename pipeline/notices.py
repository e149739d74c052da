"""A run's notices, one line per cause: however many partitions or files one cause hits (a lake of 5,000 files
written by another tool, every one with `user_id` as VARCHAR), the run says it once, with how many, which days,
a file or two as examples and how to fix it.

Every place that notices something about the lake (pipeline/lake.py listing it, pipeline/plan.py planning,
pipeline/lake_check.py inspecting its files) records a `Finding` per partition, file or folder; `grouped` turns them
into the lines a run shows. The per-partition record of what was skipped (`etl_runs.skipped`) is kept apart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

EXAMPLES = 2  # files named per notice
RANGES = 6  # day ranges spelled out per notice; beyond, the first and last ones around "…"


@dataclass(frozen=True)
class Finding:
    """One occurrence of a cause: in a partition (`day`), or a folder that is none, naming a file or folder.

    `kind`, `subject`, `action` and `cause` make the group; `cause` holds neither a file path nor a partition day.
    `hint` may use {first}, {last} (the group's first and last day) and {path} (its first example).
    """

    kind: str  # events | users
    cause: str  # e.g. "wrong type: event_ts is VARCHAR, expected TIMESTAMP"
    day: dt.date | None = None  # the partition it is in; None for a folder that is not a partition
    path: str | None = None  # the file or folder it is about
    action: str = ""  # what happened to the subject: skipped, reloaded, ignored, ...
    hint: str = ""  # how to fix it
    subject: str = "partition"  # what is counted in the line: partition, file or folder
    names: str = "file"  # what `path` is: file or folder (files are counted in a line about partitions)


def grouped(findings: list[Finding]) -> list[str]:
    """One notice per (kind, subject, action, cause), ordered by those then by first day.

    A notice says how many partitions (and files) or files the cause hit, the days as compact ranges
    ("2024-01-03..2024-01-09, 2024-01-12"), the file when there is one, else the first EXAMPLES files ("e.g. ..."),
    and the fix hint. A single occurrence reads as it always did: "events partition 2024-01-03 skipped: FILE: CAUSE".
    """
    groups: dict[tuple, list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.kind, f.subject, f.action, f.cause, f.hint), []).append(f)
    ordered = sorted(groups.values(), key=lambda g: (g[0].kind, g[0].subject, g[0].action, g[0].cause,
                                                     min((f.day for f in g if f.day), default=dt.date.min)))
    return [_line(g) for g in ordered]


def day_ranges(days: list[dt.date]) -> str:
    """Days as runs of consecutive days: "2024-01-03..2024-01-09, 2024-01-12"; long lists keep both ends."""
    runs: list[list[dt.date]] = []
    for day in sorted(set(days)):
        if runs and (day - runs[-1][1]).days == 1:
            runs[-1][1] = day
        else:
            runs.append([day, day])
    text = [str(a) if a == b else f"{a}..{b}" for a, b in runs]
    if len(text) > RANGES:
        text = text[:RANGES - 2] + ["…"] + text[-2:]
    return ", ".join(text)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _line(group: list[Finding]) -> str:
    first = group[0]
    days = sorted({f.day for f in group if f.day is not None})
    paths = list(dict.fromkeys(f.path for f in sorted(group, key=lambda f: (f.day or dt.date.min, f.path or ""))
                               if f.path))
    action = f" {first.action}" if first.action else ""
    span = day_ranges(days)
    if first.subject == "partition":
        if len(days) == 1:
            head = f"{first.kind} partition {days[0]}{action}"
        else:
            counted = f"; {_plural(len(paths), 'file')}" if paths and first.names == "file" else ""
            head = f"{len(days)} {first.kind} partitions{action} ({span}{counted})"
    else:  # files or folders, counted themselves, in partitions when they are in some
        where = "" if not days else f" in partition {days[0]}" if len(days) == 1 else \
            f" in {len(days)} partitions ({span})"
        head = f"{first.kind} {first.subject}{action}{where}" if len(paths) <= 1 else \
            f"{len(paths)} {first.kind} {first.subject}s{action}{where}"
    if len(paths) == 1:
        body = f"{paths[0]}: {first.cause}"
    elif len(paths) == EXAMPLES:
        body = f"{first.cause}; in {' and '.join(paths)}"
    elif paths:
        body = f"{first.cause}; e.g. {', '.join(paths[:EXAMPLES])}"
    else:
        body = first.cause
    hint = first.hint.format(first=days[0] if days else "", last=days[-1] if days else "",
                             path=paths[0] if paths else "")
    return f"{head}: {body}" + (f" — fix: {hint}" if hint else "")
