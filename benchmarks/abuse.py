"""Abuse benchmark: gunicorn on loopback over a 10M-event warehouse, anonymous attackers sending random, hostile and
junk requests for S seconds while a logged-in analyst keeps viewing the panels it has already drawn.
Targets: the worker's peak RSS under 1.5 GiB, the analyst's p95 under 100 ms, and no HTTP 500 at all.

The server runs as the Dockerfile's CMD would (gunicorn.conf.py: one worker, PA_THREADS=8 threads, the scheduler
on; the data is settled before the attack starts), with anonymous visitors allowed on the dashboards
(PA_ANONYMOUS_ACCESS=1), one analyst (PA_ANALYST_USERS) and a health token for the /readyz details.

1. The analyst logs in (the login page's csrf_token, then POST /login) and draws the 7 panels of benchmarks/load.py
   once with the default filters (the last 30 days of the data, all platforms, every segment): the warm pass.
2. For --seconds, --attackers threads, each its own session and never logged in, loop over four kinds of request:
   random   panel callbacks (and a few CSV downloads) with random filters: platform subsets, ranges in and around
            the data, presets, every segment; thousands of distinct ones, so nearly all miss the cache
   hostile  the ranges 0001-01-01..9999-12-31, year 1, up to 9999-12-31, end before start, a null start, also
            as CSV downloads and as the shell's URL parsing
   junk     a 10 MB string inside the filters store, a 30 MB body, a JSON list body, broken JSON, an unknown
            platform, a dict segment, growth by "month", a filters store that is a string, a date that is not one
   pages    GET /growth?start=0001-01-01&end=9999-12-31 and other pages, the 404 page, /admin, the Dash
            endpoints, /readyz without the token
   Every answer's status is counted by kind and variant (connection errors and time-outs too); a 500 is listed
   loudly with the start of its body. Meanwhile the analyst repeats its warm requests (50 ms apart), each timed.
3. The gunicorn worker's RSS (the master's children) is sampled every 0.5 s: before the attack (baseline), the
   peak during it, and at its end; a worker restart (a new pid) is reported.

The client runs on the same machine (and cores) as the server, so the analyst's times include that contention.
Every attack request has a --timeout (30 s), and threads still waiting after the window are left behind when the
server is stopped: the script always ends. It prints figures and ratios against the targets and asserts nothing.

    python benchmarks/abuse.py [--data-dir DIR] [--seconds 120] [--attackers 8] [--seed 13] [--json PATH]

--data-dir is a built data folder (warehouse.duckdb and lake/); it is copied to a temp folder first, since the app
writes to its data folder. Without it, 100,000 people x 90 days (about 10M events) are generated and loaded in a
temp folder first, as benchmarks/load.py does.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import psutil
import requests
from werkzeug.security import generate_password_hash

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.load import PANELS, pipeline  # noqa: E402
from benchmarks.panels import percentile  # noqa: E402
from store import reference  # noqa: E402
from tests.live_server import (BEARER, GUNICORN, callback_body, dependencies, free_port, log_in,  # noqa: E402
                               readiness, settled_last_run, start, terminate, wait_healthy)

RSS_TARGET_BYTES = int(1.5 * 1024 ** 3)
ANALYST_P95_TARGET_MS = 100
ANALYST_PAUSE_S = 0.05
SAMPLE_EVERY_S = 0.5
MiB = 1024 ** 2
CALLBACK = "/_dash-update-component"
KINDS = {"random": 4, "hostile": 2, "junk": 2, "pages": 2}  # kind -> weight in an attacker's choice
PRESETS = ("7d", "30d", "90d", "all")
CSV_PANELS = ("overview-activity", "growth-accounting", "funnel-steps", "retention-cohorts", "geography-map",
              "engagement-distribution")
HOSTILE_PAGES = (
    "/growth?start=0001-01-01&end=9999-12-31", "/?start=0001-01-01&end=0001-12-31",
    "/platforms?platforms=facebook,myspace&segment=power", "/retention?start=2025-13-45&end=yesterday",
    "/geography?start=9999-12-31&end=0001-01-01", "/engagement?segment=%7B%22%24gt%22%3A%22%22%7D",
    "/funnel?range=all", "/funnel?range=10000y", "/definitions", "/admin", "/no-such-page",
    "/_dash-layout", "/_dash-dependencies", "/readyz", "/healthz", "/login?next=//evil.example/",
)


class Tally:
    """Answers by (kind, variant): status counts and times; the first bodies of 500s."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: dict[tuple[str, str], collections.Counter] = collections.defaultdict(collections.Counter)
        self.times: dict[str, list[float]] = collections.defaultdict(list)
        self.server_errors: list[str] = []
        self.distinct_stores: set[str] = set()

    def add(self, kind: str, variant: str, status: str, ms: float, text: str) -> None:
        with self.lock:
            self.statuses[kind, variant][status] += 1
            self.times[kind].append(ms)
            if status.startswith("5") and status != "503" and len(self.server_errors) < 20:
                self.server_errors.append(f"{kind} / {variant}: HTTP {status}: {text[:300]!r}")

    def by_kind(self) -> dict[str, collections.Counter]:
        out: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        for (kind, _), counts in self.statuses.items():
            out[kind].update(counts)
        return out


def data_span(data_dir: Path) -> tuple[dt.date, dt.date, int]:
    """The first and last day with activity, and the events loaded (read-only, before the server owns the file)."""
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        first, last = con.execute("SELECT min(activity_date), max(activity_date) "
                                  "FROM agg_user_activity_daily").fetchone()
        events, = con.execute("SELECT count(*) FROM fct_events").fetchone()
    finally:
        con.close()
    if first is None:
        raise SystemExit(f"{data_dir}: the warehouse holds no activity (build it with `python -m pipeline run`)")
    return first, last, events


def default_store(last_day: dt.date) -> dict:
    return {"platforms": list(reference.platforms()), "start": (last_day - dt.timedelta(days=29)).isoformat(),
            "end": last_day.isoformat(), "segment": "all", "preset": None}


def panel_body(deps: list[dict], part: str, store, grain="week") -> dict:
    return callback_body(deps, part, {"shell-filters.data": store,
                                      **{k: grain for k in PANELS[part]}})  # growth-grain.value


def csv_body(deps: list[dict], panel: str, store, option="week") -> dict | None:
    """The CSV download callback (pattern-matching ids) for one card, as its button's click sends it."""
    spec = next((d for d in deps if "csv-download" in d["output"]), None)
    if spec is None:
        return None

    def concrete(item: dict) -> dict:
        ident = item["id"]
        if isinstance(ident, str) and ident.startswith("{"):
            ident = {k: panel if v == ["MATCH"] else v for k, v in json.loads(ident).items()}
        return {"id": ident, "property": item["property"]}

    values = {"n_clicks": 1, "shell-filters": store, "panel-option": option}

    def valued(item: dict) -> dict:
        out = concrete(item)
        key = out["id"]["type"] if isinstance(out["id"], dict) else out["id"]
        return {**out, "value": values.get(key, values.get(out["property"]))}

    output = concrete({"id": spec["output"].rsplit(".", 1)[0], "property": spec["output"].rsplit(".", 1)[1]})
    inputs = [valued(i) for i in spec["inputs"]]
    return {"output": spec["output"], "outputs": output, "inputs": inputs, "state": [valued(s) for s in spec["state"]],
            "changedPropIds": [(json.dumps(i["id"], sort_keys=True, separators=(",", ":"))
                                if isinstance(i["id"], dict) else i["id"]) + "." + i["property"] for i in inputs]}


def url_body(deps: list[dict], search: str) -> dict | None:
    """The shell's callback that reads the filters from the address bar (on a page load), given a query string."""
    if not any("shell-filters.data" in d["output"] for d in deps):
        return None
    return callback_body(deps, "shell-filters.data", {"shell-url.search": search})


class Attacks:
    """Every attacker's requests: (kind, variant, method, path, json body or bytes) drawn at random."""

    def __init__(self, deps: list[dict], first: dt.date, last: dt.date) -> None:
        self.deps, self.first, self.last = deps, first, last
        self.platforms, self.segments = list(reference.platforms()), ["all", *reference.segments()]
        self.parts = list(PANELS)
        base = default_store(last)
        overview = self.parts[0]
        growth = next(p for p in self.parts if PANELS[p])
        big = panel_body(deps, overview, {**base, "junk": "x" * (10 * MiB)})
        huge = {**panel_body(deps, overview, base), "padding": "y" * (30 * MiB)}
        self.junk: list[tuple[str, object]] = [  # (variant, body): bytes are sent as they are
            ("10 MB string in the filters store", json.dumps(big).encode()),
            ("30 MB body", json.dumps(huge).encode()),
            ("JSON list body", json.dumps([panel_body(deps, overview, base)] * 3).encode()),
            ("broken JSON", b'{"output": "overview-activity-graph.figure", "inputs": [{"id": '),
            ("unknown platform", panel_body(deps, overview, {**base, "platforms": ["myspace", "facebook"]})),
            ("only unknown platforms", panel_body(deps, overview, {**base, "platforms": ["myspace"]})),
            ("dict segment", panel_body(deps, overview, {**base, "segment": {"$gt": ""}})),
            ("growth grain month", panel_body(deps, growth, base, grain="month")),
            ("filters store is a string", panel_body(deps, overview, "'; DROP TABLE fct_events; --")),
            ("start not a date", panel_body(deps, overview, {**base, "start": "2025-13-45"})),
            ("platforms a string", panel_body(deps, overview, {**base, "platforms": "facebook"})),
        ]

    def random_store(self, rng: random.Random) -> dict:
        total = (self.last - self.first).days
        start = self.first + dt.timedelta(days=rng.randint(-30, total + 30))
        end = start + dt.timedelta(days=rng.randint(0, 119))
        return {"platforms": rng.sample(self.platforms, rng.randint(1, len(self.platforms))),
                "start": start.isoformat(), "end": end.isoformat(), "segment": rng.choice(self.segments),
                "preset": rng.choice(PRESETS) if rng.random() < 0.1 else None}

    def hostile_store(self, rng: random.Random) -> tuple[str, dict]:
        ranges = {"0001-01-01..9999-12-31": ("0001-01-01", "9999-12-31"),
                  "year 1": ("0001-01-01", "0001-12-31"),
                  "0001-01-01..last day": ("0001-01-01", self.last.isoformat()),
                  "first day..9999-12-31": (self.first.isoformat(), "9999-12-31"),
                  "end before start": (self.last.isoformat(), self.first.isoformat()),
                  "null start": (None, self.last.isoformat())}
        name = rng.choice(list(ranges))
        start, end = ranges[name]
        return name, {"platforms": rng.sample(self.platforms, rng.randint(1, len(self.platforms))),
                      "start": start, "end": end, "segment": rng.choice(self.segments), "preset": None}

    def draw(self, rng: random.Random, tally: Tally) -> tuple[str, str, str, str, object]:
        kind = rng.choices(list(KINDS), weights=list(KINDS.values()))[0]
        if kind == "random":
            store = self.random_store(rng)
            with tally.lock:
                tally.distinct_stores.add(json.dumps(store, sort_keys=True))
            if rng.random() < 0.1 and (body := csv_body(self.deps, rng.choice(CSV_PANELS), store,
                                                        rng.choice(["week", "day"]))):
                return kind, "CSV download", "POST", CALLBACK, body
            part = rng.choice(self.parts)
            return kind, "panel callback", "POST", CALLBACK, panel_body(self.deps, part, store,
                                                                         rng.choice(["week", "day"]))
        if kind == "hostile":
            name, store = self.hostile_store(rng)
            roll = rng.random()
            if roll < 0.15 and (body := csv_body(self.deps, rng.choice(CSV_PANELS), store)):
                return kind, f"CSV download, {name}", "POST", CALLBACK, body
            if roll < 0.25 and (body := url_body(self.deps, f"?start={store['start'] or ''}&end={store['end']}")):
                return kind, f"address bar, {name}", "POST", CALLBACK, body
            return kind, name, "POST", CALLBACK, panel_body(self.deps, rng.choice(self.parts), store,
                                                           rng.choice(["week", "day"]))
        if kind == "junk":
            variant, body = rng.choice(self.junk)
            return kind, variant, "POST", CALLBACK, body
        path = rng.choice(HOSTILE_PAGES)
        return kind, f"GET {path}", "GET", path, None


def send(session: requests.Session, base: str, method: str, path: str, body, timeout: float) -> tuple[str, float, str]:
    """(status or what went wrong, milliseconds, the start of the answer) of one request; redirects not followed."""
    started = time.perf_counter()
    try:
        if isinstance(body, bytes):
            r = session.request(method, base + path, data=body, timeout=timeout, allow_redirects=False,
                                headers={"Content-Type": "application/json"})
        else:
            r = session.request(method, base + path, json=body, timeout=timeout, allow_redirects=False)
        status, text = str(r.status_code), r.text[:400] if r.status_code >= 500 else ""
    except requests.Timeout:
        status, text = "timeout", ""
    except requests.ConnectionError as exc:
        status, text = "connection error", str(exc)[:200]
    except requests.RequestException as exc:
        status, text = type(exc).__name__, str(exc)[:200]
    return status, (time.perf_counter() - started) * 1000, text


class RssSampler(threading.Thread):
    """The gunicorn worker's RSS (the master's children, summed) every SAMPLE_EVERY_S, with the time."""

    def __init__(self, master_pid: int) -> None:
        super().__init__(daemon=True)
        self.master = psutil.Process(master_pid)
        self.samples: list[tuple[float, int]] = []
        self.worker_pids: dict[int, None] = {}  # in the order seen
        self.halt = threading.Event()

    def sample(self) -> int | None:
        try:
            children = self.master.children(recursive=True)
            rss = 0
            for child in children:
                try:
                    rss += child.memory_info().rss
                except psutil.NoSuchProcess:
                    pass
                self.worker_pids.setdefault(child.pid)
        except psutil.NoSuchProcess:
            return None
        self.samples.append((time.time(), rss))
        return rss

    def run(self) -> None:
        while not self.halt.is_set():
            self.sample()
            self.halt.wait(SAMPLE_EVERY_S)

    def between(self, t0: float, t1: float) -> list[int]:
        return [rss for t, rss in self.samples if t0 <= t <= t1]


def timed_summary(latencies: list[float], errors: list[str]) -> dict:
    q = lambda p: round(percentile(latencies, p), 1) if latencies else None  # noqa: E731
    return {"requests": len(latencies), "p50_ms": q(0.5), "p95_ms": q(0.95), "p99_ms": q(0.99),
            "max_ms": round(max(latencies), 1) if latencies else None,
            "mean_ms": round(statistics.mean(latencies), 1) if latencies else None,
            "errors": len(errors), "error_kinds": dict(collections.Counter(errors).most_common(10))}


def analyst_call(session: requests.Session, base: str, body: dict) -> tuple[float, str | None]:
    started = time.perf_counter()
    try:
        r = session.post(base + CALLBACK, json=body, timeout=30)
        ms = (time.perf_counter() - started) * 1000
        problem = None if r.status_code == 200 and "response" in r.json() else f"HTTP {r.status_code}"
    except (requests.RequestException, ValueError) as exc:  # counted, not raised
        ms = (time.perf_counter() - started) * 1000
        problem = f"{type(exc).__name__}: {str(exc)[:120]}"
    return ms, problem


def gib(n: int | None) -> str:
    return "n/a" if n is None else f"{n / 1024 ** 3:.2f} GiB ({n / MiB:,.0f} MiB)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, help="a built data folder (copied to a temp folder first)")
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--attackers", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=30, help="seconds each request may take")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    temp = Path(tempfile.mkdtemp(prefix="pa-abuse-"))
    data_dir = temp / "data"
    try:
        built = time.time()
        if args.data_dir is None:
            data_dir.mkdir()
            pipeline("generate", "--users", "100000", "--days", "90", "--start", "2025-01-01", data_dir=data_dir)
            pipeline("run", data_dir=data_dir)
            source = f"generated and loaded in {time.time() - built:.0f} s"
        else:
            if not (args.data_dir / "warehouse.duckdb").is_file():
                raise SystemExit(f"{args.data_dir} holds no warehouse.duckdb")
            shutil.copytree(args.data_dir, data_dir)
            source = f"a copy of {args.data_dir} ({time.time() - built:.0f} s to copy)"
        first_day, last_day, events = data_span(data_dir)
        return attack(args, rng, temp, data_dir, source, first_day, last_day, events)
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def attack(args, rng: random.Random, temp: Path, data_dir: Path, source: str, first_day: dt.date,
           last_day: dt.date, events: int) -> int:
    password = secrets.token_urlsafe(16)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = temp / "abuse-server.log"
    server = start(GUNICORN, data_dir, port, log, PA_ANONYMOUS_ACCESS="1", PA_SECRET_KEY=secrets.token_hex(32),
                   PA_ANALYST_USERS=f"ana:{generate_password_hash(password)}", PA_THREADS="8")
    sampler = RssSampler(server.pid)
    tally = Tally()
    analyst_ms: list[float] = []
    analyst_errors: list[str] = []
    notes: list[str] = []
    try:
        wait_healthy(base, server, log, timeout=600)
        settled_last_run(base, timeout=600)  # the scheduler's catch-up at start is done
        ready = readiness(base)
        if ready.get("data_through") and ready["data_through"] != last_day.isoformat():
            notes.append(f"/readyz says data through {ready['data_through']}, the warehouse {last_day}: "
                         f"using {ready['data_through']}")
            last_day = dt.date.fromisoformat(ready["data_through"])
        anonymous_readyz = requests.get(base + "/readyz", timeout=10).json()
        sampler.start()

        analyst, login = log_in(base, "ana", password), "POST /login with the form's CSRF token -> HTTP 302"
        deps = dependencies(analyst, base)
        store = default_store(last_day)
        warm_bodies = [panel_body(deps, part, store) for part in PANELS]
        warm = [analyst_call(analyst, base, body) for body in warm_bodies]  # drawn (or taken from the cache) once
        warm_summary = timed_summary([ms for ms, _ in warm], [p for _, p in warm if p])
        again = [analyst_call(analyst, base, body) for body in warm_bodies]
        cached_summary = timed_summary([ms for ms, _ in again], [p for _, p in again if p])
        attacks = Attacks(deps, first_day, last_day)

        time.sleep(2)  # a few RSS samples of the idle, warmed worker
        baseline_rss = sampler.sample()
        stop_at = time.time() + args.seconds
        lock = threading.Lock()

        def attacker(number: int) -> None:
            own = random.Random(args.seed * 1000 + number)
            session = requests.Session()  # never logged in
            while time.time() < stop_at:
                kind, variant, method, path, body = attacks.draw(own, tally)
                status, ms, text = send(session, base, method, path, body, args.timeout)
                tally.add(kind, variant, status, ms, text)

        def analyst_loop() -> None:
            i = 0
            while time.time() < stop_at:
                ms, problem = analyst_call(analyst, base, warm_bodies[i % len(warm_bodies)])
                with lock:
                    analyst_ms.append(ms)
                    if problem:
                        analyst_errors.append(problem)
                i += 1
                time.sleep(ANALYST_PAUSE_S)

        threads = [threading.Thread(target=attacker, args=(n,), daemon=True) for n in range(args.attackers)]
        threads.append(threading.Thread(target=analyst_loop, daemon=True))
        attack_start = time.time()
        for t in threads:
            t.start()
        while time.time() < stop_at:
            time.sleep(min(1.0, max(0.0, stop_at - time.time())))
        for t in threads:  # each request ends within --timeout; the rest are left behind
            t.join(timeout=max(0.1, args.timeout + 5 - (time.time() - stop_at)))
        attack_end = time.time()
        left_behind = sum(t.is_alive() for t in threads)
        end_rss = sampler.sample()
        during = sampler.between(attack_start, attack_end)
        peak_rss = max(during) if during else None
        try:
            healthz = requests.get(base + "/healthz", timeout=10).status_code
            after = requests.get(base + "/readyz", headers=BEARER, timeout=10).status_code
            alive = f"/healthz {healthz}, /readyz {after}"
        except requests.RequestException as exc:
            alive = f"NOT ANSWERING ({type(exc).__name__})"
        post_ms, post_problems = zip(*(analyst_call(analyst, base, b) for b in warm_bodies))
    finally:
        sampler.halt.set()
        terminate(server)
    server_log = log.read_text(errors="replace")
    tracebacks = server_log.count("Traceback (most recent call last)")
    worker_restarts = max(0, len(sampler.worker_pids) - 1)

    # -- the figures
    analyst = timed_summary(analyst_ms, analyst_errors)
    seconds = attack_end - attack_start
    kinds = tally.by_kind()
    total = sum(sum(c.values()) for c in kinds.values())
    statuses = sorted({s for c in kinds.values() for s in c}, key=lambda s: (not s.isdigit(), s))
    five_hundreds = {f"{k} / {v}: HTTP {s}": c[s] for (k, v), c in tally.statuses.items() for s in c
                     if s.startswith("5") and s != "503"}
    rss_met = peak_rss is not None and peak_rss < RSS_TARGET_BYTES
    p95_met = analyst["p95_ms"] is not None and analyst["p95_ms"] < ANALYST_P95_TARGET_MS
    span_days = (last_day - first_day).days + 1

    print(f"data: {events:,} events, {first_day}..{last_day} ({span_days} days), {source}")
    print(f"server: gunicorn, 1 worker x 8 threads, anonymous access on, scheduler on; {args.attackers} anonymous "
          f"attackers + 1 analyst for {seconds:.1f} s ({args.seconds} s asked, request timeout {args.timeout:.0f} s)")
    print(f"analyst: {login}; warm pass {warm_summary['requests']} panels, max {warm_summary['max_ms']} ms, "
          f"{warm_summary['errors']} errors {warm_summary['error_kinds'] or ''}; repeated at once: p50 "
          f"{cached_summary['p50_ms']} ms, max {cached_summary['max_ms']} ms")
    print(f"anonymous /readyz: {json.dumps(anonymous_readyz)[:200]}")
    for note in notes:
        print(f"note: {note}")
    print()
    print("| attack kind | requests | req/s | p50 | p95 | max | " + " | ".join(statuses) + " |")
    print("|---|---|---|---|---|---|" + "---|" * len(statuses))
    for kind in KINDS:
        c, ms = kinds.get(kind, collections.Counter()), tally.times.get(kind, [])
        n = sum(c.values())
        q = (lambda p: f"{percentile(ms, p):,.0f} ms") if ms else (lambda p: "-")
        print(f"| {kind} | {n:,} | {n / seconds:.1f} | {q(0.5)} | {q(0.95)} | "
              f"{(max(ms) if ms else 0):,.0f} ms | " + " | ".join(f"{c.get(s, 0):,}" for s in statuses) + " |")
    print(f"| all | {total:,} | {total / seconds:.1f} | | | | "
          + " | ".join(f"{sum(c.get(s, 0) for c in kinds.values()):,}" for s in statuses) + " |")
    print(f"\n{len(tally.distinct_stores):,} distinct random filter stores sent")
    print("\nby variant (status: count):")
    for (kind, variant), c in sorted(tally.statuses.items()):
        print(f"  {kind:8} {variant:48} " + ", ".join(f"{s}: {n:,}" for s, n in sorted(c.items())))
    print()
    print("| figure | value | target | |")
    print("|---|---|---|---|")
    print(f"| worker RSS before the attack | {gib(baseline_rss)} | | |")
    print(f"| worker RSS peak during the attack | {gib(peak_rss)} | < 1.5 GiB | {'met' if rss_met else 'MISSED'} "
          f"({(peak_rss or 0) / RSS_TARGET_BYTES:.0%} of the target; {(peak_rss or 0) / (baseline_rss or 1):.2f}x "
          f"the baseline) |")
    print(f"| worker RSS at the end | {gib(end_rss)} | | |")
    print(f"| analyst requests during the attack | {analyst['requests']:,} | | |")
    print(f"| analyst p50 / p95 / max | {analyst['p50_ms']} / {analyst['p95_ms']} / {analyst['max_ms']} ms | "
          f"p95 < {ANALYST_P95_TARGET_MS} ms | {'met' if p95_met else 'MISSED'} "
          f"({(analyst['p95_ms'] or 0) / ANALYST_P95_TARGET_MS:.2f}x the target) |")
    print(f"| analyst errors | {analyst['errors']} {analyst['error_kinds'] or ''} | 0 | "
          f"{'met' if not analyst['errors'] else 'MISSED'} |")
    print(f"| HTTP 500 (and other 5xx but 503) answers | {sum(five_hundreds.values())} | 0 | "
          f"{'met' if not five_hundreds else 'MISSED'} |")
    print(f"| tracebacks in the server log | {tracebacks} | | |")
    print(f"| worker restarts | {worker_restarts} (pids {list(sampler.worker_pids)}) | 0 | "
          f"{'met' if not worker_restarts else 'MISSED'} |")
    print(f"| after the attack | {alive}; analyst again: max {max(post_ms):.0f} ms, "
          f"{sum(1 for p in post_problems if p)} errors | | |")
    print(f"| attack threads still waiting at the end | {left_behind} | | |")
    if five_hundreds or tally.server_errors:
        print("\n!!!!!!!! HTTP 500s: the server failed on these requests !!!!!!!!")
        for name, n in sorted(five_hundreds.items()):
            print(f"!!  {n:,} x {name}")
        for sample in tally.server_errors[:10]:
            print(f"!!  {sample}")
    figures = {
        "data": {"events": events, "first_day": first_day.isoformat(), "last_day": last_day.isoformat(),
                 "source": source},
        "seconds": round(seconds, 1), "attackers": args.attackers, "login": login, "notes": notes,
        "warm_pass": warm_summary, "warm_repeat": cached_summary, "analyst": analyst,
        "rss_bytes": {"baseline": baseline_rss, "peak": peak_rss, "end": end_rss,
                      "target": RSS_TARGET_BYTES, "samples": len(sampler.samples)},
        "targets": {"rss_peak_met": rss_met, "analyst_p95_met": p95_met, "no_500": not five_hundreds},
        "attacks": {kind: dict(c) for kind, c in kinds.items()},
        "attack_variants": {f"{k} / {v}": dict(c) for (k, v), c in sorted(tally.statuses.items())},
        "distinct_random_stores": len(tally.distinct_stores), "http_500": five_hundreds,
        "http_500_samples": tally.server_errors, "tracebacks_in_log": tracebacks,
        "worker_pids": list(sampler.worker_pids), "after": alive, "threads_left_behind": left_behind,
    }
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
        print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
