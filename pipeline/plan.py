"""What a run loads: the lake's partitions compared with the manifest of what was loaded from which files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pipeline.lake import LakeFile, LakeListing, partition_dir
from pipeline.notices import Finding, grouped

Partition = tuple[str, dt.date]  # (kind, partition date)
FileVersion = tuple[str, int, int]  # (path relative to the lake, size, mtime_ns)
NO_FILES = "the partition's folder holds no Parquet files"
NO_FILES_HINT = ("write the day's rows as Parquet files (recognised by their magic bytes; names starting with . or _ "
                 "are ignored), or remove the empty folder")


@dataclass
class Plan:
    """The partitions a run replaces, the files it reads for them, and what it noticed but left alone."""

    mode: str  # incremental | backfill
    partitions: list[Partition]
    files: list[LakeFile]
    findings: list[Finding] = field(default_factory=list)  # what the notices say (pipeline/notices.py)
    skipped: dict[Partition, str] = field(default_factory=dict)  # partitions left pending, and why (no files)

    @property
    def is_empty(self) -> bool:
        return not self.partitions

    @property
    def notices(self) -> list[str]:
        """What planning noticed, one line per cause."""
        return grouped(self.findings)

    def dates(self, kind: str) -> list[dt.date]:
        return sorted(d for k, d in self.partitions if k == kind)

    def files_of(self, kind: str) -> list[LakeFile]:
        return [f for f in self.files if f.kind == kind]

    def partition_rows(self) -> list[dict]:
        return [{"kind": k, "partition_date": d} for k, d in self.partitions]

    def file_rows(self, row_counts: dict[str, int]) -> list[dict]:
        return [{"kind": f.kind, "partition_date": f.partition_date, "file_path": f.rel_path, "file_size": f.size,
                 "file_mtime_ns": f.mtime_ns, "row_count": row_counts.get(f.path, 0)} for f in self.files]

    def without(self, skipped: dict[Partition, str]) -> "Plan":
        """The plan less the partitions to skip (they stay pending: the manifest does not record them)."""
        return Plan(self.mode, [p for p in self.partitions if p not in skipped],
                    [f for f in self.files if (f.kind, f.partition_date) not in skipped], list(self.findings),
                    {**self.skipped, **skipped})


def manifest_versions(rows) -> dict[Partition, set[FileVersion]]:
    """Group manifest rows (kind, partition_date, file_path, file_size, file_mtime_ns, ...) by partition."""
    out: dict[Partition, set[FileVersion]] = {}
    for kind, day, path, size, mtime_ns, *_ in rows:
        out.setdefault((kind, day), set()).add((path, size, mtime_ns))
    return out


def _versions(files: list[LakeFile]) -> set[FileVersion]:
    return {(f.rel_path, f.size, f.mtime_ns) for f in files}


def _no_files(listing: LakeListing, part: Partition) -> Finding:
    folder = str(partition_dir(listing.root, *part)) if listing.root else None
    return Finding(part[0], NO_FILES, part[1], folder, "skipped", NO_FILES_HINT, names="folder")


def plan_incremental(listing: LakeListing, loaded: dict[Partition, set[FileVersion]],
                     waiting: set[dt.date] = frozenset()) -> Plan:
    """Partitions that are new, or whose files changed (added, removed, rewritten), since they were loaded.

    `waiting`: event partitions holding quarantined events of users unknown at the time; when the plan loads user
    records, these are reloaded too, so the events of users whose records arrived late are published.
    """
    partitions, files, findings, skipped = [], [], list(listing.problems), {}
    loads_users = any(kind == "users" and loaded.get((kind, day)) != _versions(found) and found
                      for (kind, day), found in listing.files.items())
    for part, found in sorted(listing.files.items()):
        if not found:
            findings.append(_no_files(listing, part))
            skipped[part] = NO_FILES
            continue
        if loaded.get(part) != _versions(found):
            partitions.append(part)
            files.extend(found)
        elif loads_users and part[0] == "events" and part[1] in waiting:
            partitions.append(part)
            files.extend(found)
            findings.append(Finding("events", "events of users unknown at the last load, whose records have "
                                    "arrived since", part[1], action="reloaded"))
    for part in sorted(set(loaded) - set(listing.files)):
        findings.append(Finding(part[0], "the rows loaded before are kept", part[1], action="no longer in the lake",
                                hint="a backfill removes them: `python -m pipeline backfill --start {first} "
                                     "--end {last}`"))
    return Plan("incremental", partitions, files, findings, skipped)


def plan_backfill(listing: LakeListing, loaded: dict[Partition, set[FileVersion]],
                  start: dt.date, end: dt.date) -> Plan:
    """Every partition in [start, end], from the lake as it is now; partitions gone from the lake are emptied."""
    partitions, files, findings, skipped = [], [], list(listing.problems), {}
    for part in sorted(set(listing.files) | set(loaded)):
        if not start <= part[1] <= end:
            continue
        found = listing.files.get(part, [])
        if not found and part not in loaded:
            findings.append(_no_files(listing, part))
            skipped[part] = NO_FILES
            continue
        if not found:
            findings.append(Finding(part[0], "the rows loaded before are removed", part[1],
                                    action="no longer in the lake"))
        partitions.append(part)
        files.extend(found)
    return Plan("backfill", partitions, files, findings, skipped)
