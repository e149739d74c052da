"""A lock file held for the life of a process: the scheduler runs in one process per data folder, whatever starts."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO


def acquire(path: Path) -> IO | None:
    """Take the lock without waiting; the open file holds it (keep a reference). None when another process has it.

    The kernel releases the lock when the process ends, however it ends, so a crash never leaves it stale.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def holder(path: Path) -> str:
    """The pid written by whoever holds (or last held) the lock, for messages."""
    try:
        return Path(path).read_text().strip() or "?"
    except OSError:
        return "?"


def release(handle: IO | None) -> None:
    if handle is not None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()
