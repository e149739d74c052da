"""ETL benchmark: full load and one-day incremental load against the bare DuckDB floor, at 1M to 100M events.

    python benchmarks/etl.py [--sizes 1m,10m,50m,100m] [--repeat 3] [--workdir DIR]

For each size it generates a lake, then times in fresh processes (so peak memory is each step's own):
- floor: CREATE TABLE ... AS SELECT * FROM read_parquet(lake events), into a new DuckDB file;
- full: `pipeline run` into a new warehouse (every partition, dimensions, facts, aggregates, the quality checks);
- incremental: one more generated day appended to the lake, then `pipeline run` on the full warehouse.
Each figure is the median of --repeat runs; the lake is read once first so every run starts from a warm page cache.
Floor and full runs alternate, and full / floor is the median (and range) of the per-pair ratios. Every run uses the
default settings (PA_DUCKDB_MEMORY_LIMIT and all); peak memory is the child process's peak RSS.
Prints a Markdown table (paste it into docs/benchmarks.md), where the time of the full load and of the incremental
goes (the runs' own per-step seconds, etl_runs.step_seconds), and the same figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = {"1m": (10_000, 90), "10m": (100_000, 90), "50m": (500_000, 90), "100m": (1_000_000, 90)}  # users, days

CHILD = r"""
import json, resource, sys, time, glob, os
sys.path.insert(0, {root!r})
step, data_dir = sys.argv[1], sys.argv[2]
from store.settings import load_settings
settings = load_settings().with_data_dir(data_dir)
t0 = time.perf_counter()
rows = 0
if step == "floor":
    import duckdb
    path = os.path.join(data_dir, "floor.duckdb")
    for f in glob.glob(path + "*"):
        os.remove(f)
    con = duckdb.connect(path, config={{"memory_limit": settings.duckdb_memory_limit}})
    t0 = time.perf_counter()
    con.execute("CREATE TABLE t AS SELECT * FROM read_parquet($f, hive_partitioning = true)",
                {{"f": os.path.join(data_dir, "lake", "events", "*", "*.parquet")}})
    con.execute("CHECKPOINT")
    rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    con.close()
else:
    from pipeline import etl
    from store.warehouse import Warehouse
    wh = Warehouse(settings)
    con = wh.connection
    t0 = time.perf_counter()
    result = etl.run(con, settings, trigger="cli", requested_by="benchmark")
    con.execute("CHECKPOINT")
    wh.close()
    rows = result.rows_read
    steps = result.step_seconds
seconds = time.perf_counter() - t0
print(json.dumps({{"seconds": seconds, "rows": rows, "steps": steps if step != "floor" else {{}},
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def child(step: str, data_dir: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT)), step, str(data_dir)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def pipeline(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pipeline", *args], check=True, cwd=ROOT, capture_output=True)


def warm(lake: Path) -> None:
    for path in lake.rglob("*.parquet"):
        path.read_bytes()


def median_of(runs: list[dict]) -> dict:
    """The median of each figure; the per-step seconds of the run whose time is the median."""
    middle = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    return {k: (middle[k] if k == "steps" else statistics.median(r[k] for r in runs)) for k in runs[0]}


def where_time_goes(steps: dict[str, float], top: int = 8) -> str:
    """The slowest steps, and the checks together."""
    checks = sum(v for k, v in steps.items() if k.startswith("check "))
    rest = sorted(((k, v) for k, v in steps.items() if not k.startswith("check ")), key=lambda kv: -kv[1])
    count = sum(1 for k in steps if k.startswith("check "))
    return ", ".join(f"{k} {v:.1f} s" for k, v in rest[:top]) + f", the {count} checks {checks:.1f} s"


def bench_size(name: str, workdir: Path, repeat: int) -> dict:
    users, days = SIZES[name]
    data = workdir / name
    shutil.rmtree(data, ignore_errors=True)
    t0 = time.perf_counter()
    pipeline("generate", "--data-dir", str(data), "--users", str(users), "--days", str(days), "--start", "2025-01-01")
    gen_seconds = time.perf_counter() - t0
    warm(data / "lake")

    floor_runs, full_runs = [], []
    for _ in range(repeat):  # interleaved, so each pair sees the same machine conditions
        floor_runs.append(child("floor", data))
        for f in data.glob("warehouse.duckdb*"):
            f.unlink() if f.is_file() else shutil.rmtree(f)
        full_runs.append(child("run", data))
    floor, full = median_of(floor_runs), median_of(full_runs)
    ratios = sorted(b["seconds"] / a["seconds"] for a, b in zip(floor_runs, full_runs))
    incremental_runs = []
    for _ in range(repeat):
        pipeline("generate", "--data-dir", str(data), "--days", "1")
        warm(data / "lake" / "events")
        incremental_runs.append(child("run", data))
    incremental = median_of(incremental_runs)
    (data / "floor.duckdb").unlink(missing_ok=True)
    return {
        "size": name, "users": users, "days": days, "events": int(floor["rows"]),
        "generate_s": gen_seconds, "generate_events_per_s": floor["rows"] / gen_seconds,
        "floor_s": floor["seconds"], "floor_peak_mb": floor["peak_mb"],
        "full_s": full["seconds"], "full_rows_per_s": full["rows"] / full["seconds"], "full_peak_mb": full["peak_mb"],
        "full_vs_floor": statistics.median(ratios), "full_vs_floor_range": (ratios[0], ratios[-1]),
        "incremental_s": incremental["seconds"], "incremental_rows": int(incremental["rows"]),
        "incremental_peak_mb": incremental["peak_mb"],
        "full_steps": full["steps"], "incremental_steps": incremental["steps"],
        "warehouse_mb": (data / "warehouse.duckdb").stat().st_size / 2**20,
        "lake_mb": sum(p.stat().st_size for p in (data / "lake").rglob("*.parquet")) / 2**20,
    }


def markdown(results: list[dict]) -> str:
    head = ("| events | generate (events/s) | floor | full ETL | full / floor | full rows/s | full peak | "
            "1-day incremental | incremental peak | lake | warehouse |\n|" + "---|" * 11)
    rows = [f"| {r['events']:,} | {r['generate_s']:.1f} s ({r['generate_events_per_s'] / 1e6:.2f}M) | "
            f"{r['floor_s']:.2f} s | {r['full_s']:.2f} s | {r['full_vs_floor']:.2f}x "
            f"({r['full_vs_floor_range'][0]:.2f}-{r['full_vs_floor_range'][1]:.2f}) | "
            f"{r['full_rows_per_s'] / 1e6:.2f}M | {r['full_peak_mb']:.0f} MiB | "
            f"{r['incremental_s']:.2f} s ({r['incremental_rows']:,} rows) | {r['incremental_peak_mb']:.0f} MiB | "
            f"{r['lake_mb']:.0f} MiB | {r['warehouse_mb']:.0f} MiB |" for r in results]
    where = [f"- {r['size']} full load: {where_time_goes(r['full_steps'])}\n"
             f"- {r['size']} one-day incremental: {where_time_goes(r['incremental_steps'], 5)}" for r in results]
    return "\n".join([head, *rows, "", *where])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1m,10m", help="comma-separated, from: " + ", ".join(SIZES))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, help="where the lakes go (default: a temp folder, removed after)")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="pa-bench-"))
    try:
        results = [bench_size(s.strip(), workdir, args.repeat) for s in args.sizes.split(",")]
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"DuckDB {__import__('duckdb').__version__}; median of {args.repeat} runs")
    print(markdown(results))
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
