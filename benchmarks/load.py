"""Load benchmark: gunicorn on loopback over a 10M-event warehouse, N concurrent clients for S seconds calling the
panel callbacks with varied filters, while an incremental ETL (a newly appended day) runs in the app's scheduler.
Target: zero errors, p95 under 500 ms, and the ETL finishes.

First every panel x filter combination is asked for once (the cold pass: nothing cached, reported apart), then the
clients run for the measured window; a new day is appended and a run asked for (as an admin's "Run now") after
a sixth of it. The app serves the data from before the run until the panels viewed recently are drawn on the new
data (webapp/cache.py); the server log's line saying so is reported too.

    python benchmarks/load.py [--data-dir DIR] [--clients 32] [--seconds 60] [--combinations 50]

Without --data-dir it generates and loads 100,000 people x 90 days (about 10M events) in a temp folder first.
The server runs as the Dockerfile's CMD would (gunicorn.conf.py: one worker, PA_THREADS threads).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from werkzeug.security import generate_password_hash

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.panels import percentile  # noqa: E402
from tests.live_server import (GUNICORN, callback_body, dash_callback, dependencies, free_port,  # noqa: E402
                               log_in, readiness, settled_last_run, start, terminate, wait_healthy)

PANELS = {  # a part of the callback's output -> extra inputs it takes
    "overview-activity-graph.figure": {}, "platforms-comparison-graph.figure": {}, "funnel-graph.figure": {},
    "retention-cohorts-graph.figure": {}, "growth-graph.figure": {"growth-grain.value": ["week", "day"]},
    "geography-graph.figure": {}, "engagement-distribution-graph.figure": {},
}


def pipeline(*args: str, data_dir: Path) -> None:
    subprocess.run([sys.executable, "-m", "pipeline", *args, "--data-dir", str(data_dir)], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def payloads(session: requests.Session, base: str, stores: list[dict]) -> list[dict]:
    """The request body of every panel x filter combination."""
    deps = dependencies(session, base)
    return [callback_body(deps, part, {"shell-filters.data": store,
                                       **{k: random.choice(v) for k, v in extra.items()}})
            for part, extra in PANELS.items() for store in stores]


def filter_stores(data_dir: Path, n: int, seed: int) -> list[dict]:
    os.environ["PA_DATA_DIR"] = str(data_dir)
    from analytics.filters import DataSpan
    from benchmarks.panels import combinations
    from pipeline.lake import list_lake
    from webapp.url_filters import to_store

    days = list_lake(data_dir / "lake").partitions("events")
    return [to_store(f) for f in combinations(DataSpan(days[0], days[-1]), n, seed)]


def call(session: requests.Session, base: str, body: dict) -> tuple[float, str | None]:
    """(milliseconds, the problem or None) of one callback request."""
    started = time.perf_counter()
    try:
        r = session.post(base + "/_dash-update-component", json=body, timeout=30)
        problem = None if r.status_code == 200 and "response" in r.json() else f"HTTP {r.status_code}"
    except (requests.RequestException, ValueError) as exc:  # counted, not raised
        problem = f"{type(exc).__name__}: {str(exc)[:120]}"
    return (time.perf_counter() - started) * 1000, problem


def ask_for_run(session: requests.Session, base: str) -> int:
    """Press the admin page's "Run now"; returns the queued run's id."""
    answer = json.dumps(dash_callback(base, "admin-action-message.children", {"admin-run-now.n_clicks": 1}, session))
    found = re.search(r"queued as run (\d+)", answer)
    if not found:
        raise SystemExit(f"Run now was not accepted: {answer[:300]}")
    return int(found[1])


def wait_for_run(base: str, run_id: int, timeout: float = 300) -> dict | None:
    """The run's entry in /readyz once it has ended (runs are taken in order), or None on timeout."""
    until = time.time() + timeout
    while time.time() < until:
        last = readiness(base)["last_run"]
        if last and last["run_id"] >= run_id:
            return last if last["run_id"] == run_id else {"status": "ended (a later run ended first)"}
        time.sleep(0.5)
    return None


def summary(latencies: list[float], errors: list[str], seconds: float) -> dict:
    q = lambda p: round(percentile(latencies, p))  # noqa: E731
    return {"requests": len(latencies), "seconds": round(seconds, 1),
            "requests_per_s": round(len(latencies) / seconds, 1), "p50_ms": q(0.5), "p95_ms": q(0.95),
            "p99_ms": q(0.99), "max_ms": round(max(latencies)), "mean_ms": round(statistics.mean(latencies)),
            "errors": len(errors), "error_kinds": sorted(set(errors))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--combinations", type=int, default=50)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    random.seed(args.seed)
    temp = None
    if args.data_dir is None:
        temp = Path(tempfile.mkdtemp(prefix="pa-load-"))
        args.data_dir = temp
        pipeline("generate", "--users", "100000", "--days", "90", "--start", "2025-01-01", data_dir=temp)
        pipeline("run", data_dir=temp)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    threads = int(os.environ.get("PA_THREADS", "8"))
    log = (temp or Path(tempfile.gettempdir())) / "load-server.log"
    # an admin (who presses "Run now") and one analyst per client: the limits per client count each person
    analysts = ",".join(f"load{i}:{generate_password_hash(f'load-test-password-{i}')}" for i in range(args.clients))
    server = start(GUNICORN, args.data_dir, port, log, PA_ANALYST_USERS=analysts,
                   PA_ADMIN_USERS=f"load:{generate_password_hash('load-test-password')}")
    try:
        wait_healthy(base, server, log, timeout=120)
        session = log_in(base, "load", "load-test-password")
        settled_last_run(base, timeout=600)  # the start-up catch-up is done
        bodies = payloads(session, base, filter_stores(args.data_dir, args.combinations, args.seed))
        # one per client: its own connection and login
        sessions = [log_in(base, f"load{i}", f"load-test-password-{i}") for i in range(args.clients)]

        def cold_client(number: int) -> list[tuple[float, str | None]]:
            return [call(sessions[number], base, body) for body in bodies[number::args.clients]]

        started = time.time()
        with ThreadPoolExecutor(args.clients) as pool:
            cold_calls = [c for calls in pool.map(cold_client, range(args.clients)) for c in calls]
        cold = summary([ms for ms, _ in cold_calls], [p for _, p in cold_calls if p], time.time() - started)

        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        stop_at = time.time() + args.seconds

        def client(number: int) -> None:
            rng = random.Random(args.seed * 1000 + number)
            while time.time() < stop_at:
                ms, problem = call(sessions[number], base, rng.choice(bodies))
                with lock:
                    latencies.append(ms)
                    if problem:
                        errors.append(problem)

        workers = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        started = time.time()
        for w in workers:
            w.start()
        time.sleep(args.seconds / 6)  # then a new day arrives and an admin asks for a run
        pipeline("generate", "--days", "1", data_dir=args.data_dir)
        run_id = ask_for_run(session, base)
        asked = time.time()
        etl = wait_for_run(base, run_id)
        etl_seconds = time.time() - asked
        for w in workers:
            w.join()
        window = summary(latencies, errors, time.time() - started)
    finally:
        terminate(server)
        redrawn = re.findall(r"cache: rendered \d+ recently viewed panels for data version \d+ in [\d.]+ s",
                             log.read_text())
        if temp:
            shutil.rmtree(temp, ignore_errors=True)

    met = window["errors"] == 0 and window["p95_ms"] < 500 and bool(etl) and etl["status"] == "succeeded"
    print(f"{args.clients} clients against gunicorn ({threads} threads), {args.combinations} filter combinations x "
          f"{len(PANELS)} panel callbacks ({len(bodies)} distinct requests)")
    print("| phase | requests | req/s | p50 | p95 | p99 | max | errors |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in (("cold pass (each request once, nothing cached)", cold),
                    (f"{args.seconds} s window, a run meanwhile", window)):
        print(f"| {name} | {r['requests']:,} | {r['requests_per_s']} | {r['p50_ms']} ms | {r['p95_ms']} ms | "
              f"{r['p99_ms']} ms | {r['max_ms']} ms | {r['errors']} |")
    print(f"run {run_id}: {etl['status'] if etl else 'did not end'} {etl_seconds:.1f} s after it was asked for; "
          f"server log: {'; '.join(redrawn) or 'no panels drawn again'}")
    print(f"targets (window: no errors, p95 < 500 ms; the run succeeds): {'met' if met else 'missed'}")
    print(json.dumps({"cold": cold, "window": window, "etl_run": run_id, "etl": etl,
                      "etl_seconds_from_request": round(etl_seconds, 1), "redrawn": redrawn}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
