"""After a restart, the panels viewed before it are drawn again before /readyz says ready, so the first clients
find them in the cache instead of all waiting on the warehouse at once.

While the app serves, the panels viewed (webapp/cache.viewed: each rendered panel's name and validated inputs) are
saved to `<data>/web/viewed-panels.json` every SAVE_EVERY_SECONDS when they changed, and at shutdown. When the
serving process starts, a thread draws the ones viewed within KEEP_SECONDS, most recent first, for at most
PA_WARMUP_SECONDS; until it is done /readyz answers 503 {"ready": false} (with the progress for who may see
details). A panel that fails is skipped: whoever views it next sees the error. Nothing but the inputs dashboards
already send is saved (no user names, no results).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path

from flask import Flask

from webapp import cache

log = logging.getLogger(__name__)

SAVE_EVERY_SECONDS = 30.0
KEEP_SECONDS = 24 * 3600  # panels viewed longer ago than this before a restart are not drawn again

_lock = threading.Lock()
_progress = {"warming": False, "drawn": 0, "of": 0}
_stop = threading.Event()
_thread: threading.Thread | None = None
_file: Path | None = None
_saved: list | None = None


def viewed_file(data_dir: Path) -> Path:
    return Path(data_dir) / "web" / "viewed-panels.json"


def save(file: Path) -> int:
    """Write the viewed panels to `file` (atomically) when they changed since the last save; how many it holds."""
    global _saved
    entries = [{"name": name, "params": params, "viewed_at": round(at, 3)} for name, params, at in cache.viewed()]
    if entries == _saved:
        return len(entries)
    file.parent.mkdir(parents=True, exist_ok=True)
    temp = file.with_name(file.name + ".tmp")
    temp.write_text(json.dumps(entries, default=str), encoding="utf-8")
    os.replace(temp, file)
    _saved = entries
    return len(entries)


def load(file: Path, now: float | None = None) -> list[dict]:
    """The panels saved in `file` viewed within KEEP_SECONDS of `now`, most recent first; none when the file is
    missing or unreadable (a warning says why)."""
    try:
        entries = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        log.warning("warm-up: %s cannot be read (%s); no panel is drawn ahead", file, exc)
        return []
    since = (time.time() if now is None else now) - KEEP_SECONDS
    kept = [e for e in entries if isinstance(e, dict) and isinstance(e.get("name"), str)
            and isinstance(e.get("params"), dict) and isinstance(e.get("viewed_at"), (int, float))
            and e["viewed_at"] >= since]
    return sorted(kept, key=lambda e: -e["viewed_at"])


def status() -> dict:
    """{"warming": bool, "drawn": n, "of": m}: whether the warm-up still holds readiness back, and its progress."""
    with _lock:
        return dict(_progress)


def _warm(server: Flask, entries: list[dict], budget_seconds: float) -> None:
    started = time.monotonic()
    try:
        with server.app_context():
            for entry in entries:
                if _stop.is_set() or time.monotonic() - started > budget_seconds:
                    break
                try:
                    cache.draw(entry["name"], entry["params"])
                except Exception as exc:  # noqa: BLE001 - one panel's failure must not hold the others back
                    log.info("warm-up: could not draw %s: %s", entry["name"], exc)
                with _lock:
                    _progress["drawn"] += 1
    finally:
        with _lock:
            _progress["warming"] = False
        log.info("warm-up: drew %d of %d panels viewed before the restart in %.1f s", _progress["drawn"],
                 len(entries), time.monotonic() - started)


def _run(server: Flask, file: Path, entries: list[dict], budget_seconds: float) -> None:
    if entries:
        _warm(server, entries, budget_seconds)
    while not _stop.wait(SAVE_EVERY_SECONDS):
        try:
            save(file)
        except OSError as exc:
            log.warning("warm-up: cannot save the viewed panels to %s: %s", file, exc)


def start(server: Flask, data_dir: Path, budget_seconds: float) -> None:
    """In the serving process: draw the panels viewed before the restart (readiness waits, at most
    `budget_seconds`; 0 draws none), then keep saving the viewed panels."""
    global _thread, _file
    if _thread is not None and _thread.is_alive():
        return
    _file = viewed_file(data_dir)
    entries = load(_file) if budget_seconds > 0 else []
    with _lock:
        _progress.update(warming=bool(entries), drawn=0, of=len(entries))
    _stop.clear()
    _thread = threading.Thread(target=_run, args=(server, _file, entries, budget_seconds), name="warm-up",
                               daemon=True)
    _thread.start()


def stop() -> None:
    """On shutdown: stop drawing, and save the viewed panels for the next start."""
    global _thread
    _stop.set()
    if _thread is not None:
        _thread.join(timeout=5)
        _thread = None
    if _file is not None:
        try:
            save(_file)
        except OSError as exc:
            log.warning("warm-up: cannot save the viewed panels to %s: %s", _file, exc)
