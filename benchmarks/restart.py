"""Restart benchmark: what the first 32 concurrent clients see after the app restarts.

1. gunicorn on the warehouse with nothing viewed before: 32 analysts each ask for their share of every panel x
   filter combination once, at the same time (every request a cache miss: the worst first minute);
2. the app is stopped (SIGTERM, as a deploy does: the panels viewed are saved) and started again; the time until
   /readyz says ready is measured (the panels viewed before are drawn meanwhile, webapp/warmup.py);
3. the same 32 clients ask for the same requests again, at the same time;
4. for comparison, the same after a restart with PA_WARMUP_SECONDS=0 (no warm-up).

    python benchmarks/restart.py --data-dir DIR [--clients 32] [--combinations 10]

DIR holds a loaded warehouse (e.g. one of benchmarks/etl.py's); its web/ folder is written (sessions, the viewed
panels), the warehouse is only read.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from werkzeug.security import generate_password_hash

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.load import PANELS, call, filter_stores, payloads, summary  # noqa: E402
from tests.live_server import (GUNICORN, free_port, log_in, settled_last_run, start, terminate,  # noqa: E402
                               wait_healthy)


def serve(data_dir: Path, log: Path, clients: int, **env: str):
    port = free_port()
    analysts = ",".join(f"r{i}:{generate_password_hash(f'restart-password-{i}')}" for i in range(clients))
    proc = start(GUNICORN, data_dir, port, log, PA_ANALYST_USERS=analysts,
                 PA_ADMIN_USERS=f"radmin:{generate_password_hash('restart-admin-password')}", **env)
    return proc, f"http://127.0.0.1:{port}"


def seconds_until_ready(base: str, proc, log: Path, began: float) -> float:
    wait_healthy(base, proc, log, timeout=120)
    while requests.get(base + "/readyz", timeout=30).status_code != 200:
        time.sleep(0.1)
    return time.monotonic() - began


def first_pass(base: str, bodies: list[dict], clients: int) -> dict:
    """Every request once, split among `clients` logged-in clients running at once."""
    sessions = [log_in(base, f"r{i}", f"restart-password-{i}") for i in range(clients)]

    def client(number: int):
        return [call(sessions[number], base, body) for body in bodies[number::clients]]

    started = time.time()
    with ThreadPoolExecutor(clients) as pool:
        calls = [c for part in pool.map(client, range(clients)) for c in part]
    return summary([ms for ms, _ in calls], [p for _, p in calls if p], time.time() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--combinations", type=int, default=10)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    random.seed(args.seed)
    (args.data_dir / "web" / "viewed-panels.json").unlink(missing_ok=True)
    logs = args.data_dir / "web"
    logs.mkdir(exist_ok=True)
    results, ready = {}, {}

    proc, base = serve(args.data_dir, logs / "restart-0.log", args.clients)
    try:
        began = time.monotonic()
        ready["first start, nothing viewed before"] = seconds_until_ready(base, proc, logs / "restart-0.log", began)
        session = log_in(base, "radmin", "restart-admin-password")
        settled_last_run(base, timeout=600)
        bodies = payloads(session, base, filter_stores(args.data_dir, args.combinations, args.seed))
        results["first start, nothing viewed before"] = first_pass(base, bodies, args.clients)
    finally:
        terminate(proc)
    viewed = len(json.loads((args.data_dir / "web" / "viewed-panels.json").read_text()))

    for label, env in (("after a restart, warm-up on (default)", {}),
                       ("after a restart, PA_WARMUP_SECONDS=0", {"PA_WARMUP_SECONDS": "0"})):
        log = logs / f"restart-{len(results)}.log"
        began = time.monotonic()
        proc, base = serve(args.data_dir, log, args.clients, **env)
        try:
            ready[label] = seconds_until_ready(base, proc, log, began)
            results[label] = first_pass(base, bodies, args.clients)
        finally:
            terminate(proc)

    print(f"{args.clients} clients at once, {args.combinations} filter combinations x {len(PANELS)} panel callbacks "
          f"({len(bodies)} requests, each once); {viewed} panels saved as viewed at the first stop")
    print("| start | seconds until /readyz is ready | requests | p50 | p95 | max | errors |")
    print("|---|---|---|---|---|---|---|")
    for label, r in results.items():
        print(f"| {label} | {ready[label]:.1f} s | {r['requests']} | {r['p50_ms']} ms | {r['p95_ms']} ms | "
              f"{r['max_ms']} ms | {r['errors']} |")
    print(json.dumps({"ready_seconds": ready, "passes": results, "viewed": viewed}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
