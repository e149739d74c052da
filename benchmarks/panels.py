"""Panel benchmark: every panel's data (the churn page's too: it needs a trained model; the breakdowns and the previous period too) on a warehouse, over 50 varied filter combinations, uncached and cached.
Targets: uncached p95 under --uncached-target-ms (150 at 10M events, 250 at 50M, 500 at 100M), cached p95 under 5 ms.

    python benchmarks/panels.py [--data-dir DIR] [--combinations 50] [--seed 7] [--uncached-target-ms 150]

Without --data-dir it generates 100,000 people x 90 days (about 10M events) in a temp folder and loads it first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
UNCACHED_TARGET_MS, CACHED_TARGET_MS = 150, 5


def build_warehouse(data_dir: Path) -> None:
    for args in (["generate", "--users", "100000", "--days", "90", "--start", "2025-01-01"], ["run"]):
        subprocess.run([sys.executable, "-m", "pipeline", *args, "--data-dir", str(data_dir)], cwd=ROOT, check=True)


def combinations(span, n: int, seed: int):
    """n filter combinations: random platform subsets, segments and age groups, preset and custom ranges of 1 to 90
    days."""
    from analytics.filters import PRESETS
    from store import reference
    from webapp.url_filters import build

    rng = random.Random(seed)
    platforms, segments = reference.platforms(), ("all",) * 3 + reference.segments()
    ages = ("all",) * 5 + reference.age_groups()
    out = []
    total_days = (span.last_day - span.first_day).days + 1
    for i in range(n):
        chosen = rng.sample(platforms, rng.randint(1, len(platforms)))
        segment, age = rng.choice(segments), rng.choice(ages)
        if i % 2 == 0:
            f, _ = build(chosen, None, None, segment, rng.choice(list(PRESETS)), span, age_group=age)
        else:
            length = rng.randint(1, min(90, total_days))
            start = span.first_day + dt.timedelta(days=rng.randint(0, total_days - length))
            f, _ = build(chosen, start.isoformat(), (start + dt.timedelta(days=length - 1)).isoformat(), segment,
                         None, span, age_group=age)
        out.append(f)
    return out


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--combinations", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--uncached-target-ms", type=float, default=UNCACHED_TARGET_MS)
    args = parser.parse_args()
    temp = None
    if args.data_dir is None:
        temp = Path(tempfile.mkdtemp(prefix="pa-panels-"))
        args.data_dir = temp
        build_warehouse(temp)
    os.environ["PA_DATA_DIR"] = str(args.data_dir)

    from flask import Flask

    from analytics import churn_risk, funnel, panels
    from webapp.cache import cache, install

    server = Flask(__name__)
    install()  # the app's cache in front of every panel query
    measured = {
        "overview: activity": panels.overview_activity, "overview: KPIs": panels.kpis,
        "platforms: side by side": panels.platform_comparison, "platforms: apps per person": panels.cross_platform,
        "platforms: used together": panels.pairs, "funnel": panels.funnel,
        "retention: weekly cohorts": panels.retention_cohorts, "retention: N-day": panels.retention_days,
        "growth: by week": lambda f: panels.growth(f, "week"), "growth: by day": lambda f: panels.growth(f, "day"),
        "geography": panels.geography, "engagement: by segment": panels.engagement_distribution,
        "engagement: Pareto": panels.pareto,
        "churn: risk distribution": churn_risk.distribution,
        "churn: observed churn": lambda f: churn_risk.observed(f, 14),
        "churn: at risk by country": lambda f: churn_risk.breakdown(f, "country"),
        "churn: highest-risk list (200)": churn_risk.highest_risk,
        "churn: list CSV (10,000)": lambda f: churn_risk.highest_risk(f, churn_risk.CSV_ROWS),
        "overview: vs previous period": panels.overview_activity_compared,
        "funnel: 1 hour by segment": lambda f: funnel.data(f, "1h;segment"),
        "funnel: 1 hour by device": lambda f: funnel.data(f, "1h;device"),
        **{f"overview: by {b.replace('_', ' ')}":
           (lambda b: lambda f: panels.activity_breakdown(replace(f, breakdown=b)))(b)
           for b in ("platform", "segment", "age_group", "country", "device")},
        **{f"retention N-day: by {b.replace('_', ' ')}":
           (lambda b: lambda f: panels.retention_days_breakdown(replace(f, breakdown=b)))(b)
           for b in ("platform", "age_group", "country")},
        "growth: by platform (week)": lambda f: panels.growth_breakdown(replace(f, breakdown="platform"), "week"),
        "growth: by segment (week)": lambda f: panels.growth_breakdown(replace(f, breakdown="segment"), "week"),
    }
    results = []
    try:
        with server.app_context():
            span = panels.data_span()
            events = panels.data_status()
            combos = combinations(span, args.combinations, args.seed)
            for f in combos[:3]:  # warm DuckDB and the page cache once
                for fn in measured.values():
                    fn(f)
            for name, fn in measured.items():
                uncached, cached = [], []
                for f in combos:
                    cache.clear()
                    t0 = time.perf_counter()
                    fn(f)
                    uncached.append((time.perf_counter() - t0) * 1000)
                    t0 = time.perf_counter()
                    fn(f)
                    cached.append((time.perf_counter() - t0) * 1000)
                results.append({"panel": name, "uncached_median_ms": statistics.median(uncached),
                                "uncached_p95_ms": percentile(uncached, .95), "uncached_max_ms": max(uncached),
                                "cached_median_ms": statistics.median(cached), "cached_p95_ms": percentile(cached, .95)})
    finally:
        if temp:
            shutil.rmtree(temp, ignore_errors=True)

    print(f"warehouse: {args.data_dir} ({span.first_day}..{span.last_day}); {args.combinations} filter "
          f"combinations (seed {args.seed}); checks: {events.get('checks_flagged') or 'all passed'}; targets: "
          f"uncached p95 < {args.uncached_target_ms:g} ms, cached p95 < {CACHED_TARGET_MS} ms")
    print("| panel | uncached median | uncached p95 | uncached max | cached median | cached p95 | targets |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        ok = r["uncached_p95_ms"] < args.uncached_target_ms and r["cached_p95_ms"] < CACHED_TARGET_MS
        print(f"| {r['panel']} | {r['uncached_median_ms']:.0f} ms | {r['uncached_p95_ms']:.0f} ms | "
              f"{r['uncached_max_ms']:.0f} ms | {r['cached_median_ms']:.2f} ms | {r['cached_p95_ms']:.2f} ms | "
              f"{'met' if ok else 'missed'} |")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
