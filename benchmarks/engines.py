"""Engines benchmark: the same lake loaded end to end by the DuckDB engine and by the Spark engine (local mode).

    python benchmarks/engines.py --data-dir DIR [--engines duckdb,spark] [--repeat 1] [--incremental]

DIR holds a lake (DIR/lake, e.g. from `python -m pipeline generate --users 100000 --days 93`). Each engine loads it
into a new warehouse of its own (the lake linked, not copied) in a fresh process, with the default settings
(PA_SPARK_MASTER local[2], PA_SPARK_DRIVER_MEMORY 2g, PA_DUCKDB_MEMORY_LIMIT 1GB); with --incremental, one more
generated day is appended and each warehouse loads it. Prints, per engine and load: the run's seconds, Spark / DuckDB,
where the time goes (the runs' own step seconds; the Spark job's session start, staging and reduction), the peak
resident memory of the process that owns the warehouse and of the Spark job's JVM (its VmHWM), and whether the two
engines' published tables are identical (rows and an order-independent checksum per table, tests/snapshots.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.etl import warm, where_time_goes  # noqa: E402  (the ETL benchmark's: warm page cache, slowest steps)

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
from dataclasses import replace
from store.settings import load_settings
from pipeline import etl
from store.warehouse import Warehouse
import datetime as dt
engine, data_dir, as_of = sys.argv[1], sys.argv[2], dt.datetime.fromisoformat(sys.argv[3])
settings = replace(load_settings().with_data_dir(data_dir), engine=engine)
wh = Warehouse(settings)
t0 = time.perf_counter()
result = etl.run(wh.connection, settings, trigger="cli", requested_by="benchmark", as_of=as_of)
wh.connection.execute("CHECKPOINT")
seconds = time.perf_counter() - t0
wh.close()
report = settings.data_dir / "spark" / f"run-{{result.run_id}}" / "report.json"
print(json.dumps({{"seconds": seconds, "rows": result.rows_read, "steps": result.step_seconds,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "job": json.loads(report.read_text()) if report.exists() else None}}))
"""


def load(engine: str, data_dir: Path) -> dict:
    """One run on the engine, judged "in the future" against the end of the lake's last day (a generated lake ends
    yesterday, and the appended day would be today's)."""
    from pipeline import lake

    last = max(lake.list_lake(data_dir / "lake").partitions("events"))
    as_of = dt.datetime.combine(last + dt.timedelta(days=1), dt.time())
    out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT)), engine, str(data_dir), as_of.isoformat()],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"the {engine} load failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def fresh(workdir: Path, engine: str, lake: Path) -> Path:
    folder = workdir / engine
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "lake").symlink_to(lake.resolve())
    return folder


def same_tables(folders: list[Path]) -> str:
    from store.settings import load_settings
    from tests.snapshots import fingerprint_of

    prints = [fingerprint_of(load_settings().with_data_dir(f)) for f in folders]
    differ = [t for t in prints[0] if any(p[t] != prints[0][t] for p in prints[1:])]
    return "identical" if not differ else "DIFFERENT: " + ", ".join(differ)


def line(label: str, runs: list[dict], base: float | None) -> str:
    r = sorted(runs, key=lambda x: x["seconds"])[len(runs) // 2]
    job = r["job"]
    jvm = f"{job['jvm_peak_rss_bytes'] / 2**30:.2f} GiB" if job and job.get("jvm_peak_rss_bytes") else "-"
    ratio = f"{statistics.median(x['seconds'] for x in runs) / base:.2f}x" if base else "1.00x"
    return (f"| {label} | {r['rows']:,} | {statistics.median(x['seconds'] for x in runs):.1f} s | {ratio} | "
            f"{r['peak_mb'] / 1024:.2f} GiB | {jvm} | {where_time_goes(r['steps'])} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True, help="a folder holding lake/")
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--incremental", action="store_true", help="then append a day and load it on each engine")
    parser.add_argument("--workdir", type=Path, help="where the warehouses go (default DIR/engines)")
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",")]
    workdir = args.workdir or args.data_dir / "engines"
    lake = args.data_dir / "lake"
    warm(lake)
    full: dict[str, list[dict]] = {e: [] for e in engines}
    for _ in range(args.repeat):  # interleaved, so each engine sees the same machine conditions
        for engine in engines:
            full[engine].append(load(engine, fresh(workdir, engine, lake)))
    verdict = same_tables([workdir / e for e in engines]) if len(engines) > 1 else "-"
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"DuckDB {__import__('duckdb').__version__}; median of {args.repeat}")
    head = ("| load | rows read | seconds | vs duckdb | warehouse process peak | Spark JVM peak "
            "| where the time goes |\n|---|---|---|---|---|---|---|")
    base = statistics.median(x["seconds"] for x in full[engines[0]])
    rows = [line(f"full, {e}", full[e], None if e == engines[0] else base) for e in engines]
    print(head, *rows, f"\npublished tables after the full loads: {verdict}", sep="\n")
    results = {"full": full, "same_after_full": verdict}
    if args.incremental:
        subprocess.run([sys.executable, "-m", "pipeline", "generate", "--data-dir", str(args.data_dir), "--days", "1"],
                       check=True, cwd=ROOT, capture_output=True)
        incremental = {e: [load(e, workdir / e)] for e in engines}
        base = incremental[engines[0]][0]["seconds"]
        verdict = same_tables([workdir / e for e in engines]) if len(engines) > 1 else "-"
        print(head, *[line(f"one more day, {e}", incremental[e], None if e == engines[0] else base)
                      for e in engines], f"\npublished tables after the incremental loads: {verdict}", sep="\n")
        results |= {"incremental": incremental, "same_after_incremental": verdict}
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
