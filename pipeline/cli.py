"""`python -m pipeline ...`: generate the demo lake, run the ETL, backfill a range, show what is loaded."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import logging
import sys
import time
from dataclasses import replace
from typing import Sequence

from tqdm import tqdm

from pipeline import api_client, audit, churn, churn_model, etl, generate, lake, remote, run_queue, status
from pipeline.remote import EXIT_FAILED, EXIT_USAGE, EXIT_WARNINGS
from pipeline.lifecycle import RunFailed, RunResult
from pipeline.steps import ENGINES
from store import runs
from store.settings import Settings, load_settings
from store.warehouse import Warehouse, WarehouseBusy


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (expected YYYY-MM-DD)") from None


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be at least 1")
    return value


class OneLineParser(argparse.ArgumentParser):
    """Bad arguments get one line on stderr (what is wrong and where to look) and exit status 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help="folder with lake/ and warehouse.duckdb (default: $PA_DATA_DIR or ./data)")

    parser = OneLineParser(prog="python -m pipeline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="command", parser_class=OneLineParser)

    gen = sub.add_parser("generate", parents=[common], help="write synthetic days of events to the lake")
    gen.add_argument("--users", type=positive_int, default=5000, help="people in a new lake (default 5000)")
    gen.add_argument("--days", type=positive_int, default=30, help="days to generate (default 30)")
    gen.add_argument("--start", type=parse_date,
                     help="first day; a new lake defaults to ending yesterday, an existing one continues after its last day")
    gen.add_argument("--seed", type=int, default=42, help="random seed of a new lake (default 42)")

    engine = argparse.ArgumentParser(add_help=False)
    engine.add_argument("--engine", choices=ENGINES,
                        help="what stages the event partitions: duckdb, or spark (a PySpark job on PA_SPARK_MASTER "
                             "or PA_SPARK_REMOTE; the `spark` extra); default $PA_ENGINE or duckdb")
    sub.add_parser("run", parents=[common, engine], help="load new or changed lake partitions (incremental)")

    back = sub.add_parser("backfill", parents=[common, engine], help="reprocess every partition in a date range")
    back.add_argument("--start", type=parse_date, required=True, help="first day, YYYY-MM-DD")
    back.add_argument("--end", type=parse_date, required=True, help="last day, YYYY-MM-DD (inclusive)")

    sub.add_parser("status", parents=[common], help="what is loaded: partitions, rows, last run, pending partitions")

    sub.add_parser("dq", parents=[common], help="run the data-quality checks on what is published and record them")

    history = sub.add_parser("runs", parents=[common], help="recent runs with their check summaries")
    history.add_argument("--limit", type=positive_int, default=15, help="how many runs (default 15)")

    demo = sub.add_parser("demo", parents=[common],
                          help="build the demo warehouse unless one with data exists: generate a lake if there is "
                               "none, then load it")
    demo.add_argument("--users", type=positive_int, default=10_000,
                      help="people in the demo lake, including a base that signed up before its first day "
                           "(default 10000)")
    demo.add_argument("--days", type=positive_int, default=120,
                      help="days ending yesterday (default 120: a warm-up of history before the dashboards' "
                           "default 30-day range)")
    demo.add_argument("--seed", type=int, default=42, help="random seed (default 42)")

    churn_cmd = sub.add_parser("churn", parents=[common], help="churn risk: feature snapshots, the model, scores")
    churn_sub = churn_cmd.add_subparsers(dest="churn_command", required=True, metavar="action",
                                         parser_class=OneLineParser)
    snapshots = argparse.ArgumentParser(add_help=False)
    snapshots.add_argument("--snapshots", type=positive_int, default=12,
                           help="how many weekly snapshot days (Sundays), back from the last day of data "
                                "(default 12; the last day is one too)")
    snapshots.add_argument("--horizon", type=positive_int,
                           help="days without activity that make a churn label (default $PA_CHURN_HORIZON_DAYS, 14)")
    feats = churn_sub.add_parser("features", parents=[common, snapshots],
                                 help="compute the feature snapshots (docs/churn.md), optionally export them")
    feats.add_argument("--export", metavar="FILE.parquet",
                       help="also write every snapshot with its label to this Parquet file")
    churn_sub.add_parser("train", parents=[common, snapshots],
                         help="compute the snapshots, train the model on the labelled ones (the latest held out), "
                              "record it, and score the latest snapshot day")
    return parser


def _progress(label: str):
    """A progress bar on a terminal; elsewhere (logs, CI, a parent process) one line per step on stderr."""
    bar = tqdm(total=0, unit="partition", desc=label, disable=None, leave=False)

    def update(done: int, total: int) -> None:
        if bar.disable:
            print(f"{label}: {done}/{total} partitions", file=sys.stderr, flush=True)
            return
        bar.total = total
        bar.n = done
        bar.refresh()

    return bar, update


def cmd_generate(args, settings: Settings) -> int:
    with tqdm(unit=" events", unit_scale=True, desc="generating", disable=None, leave=False) as bar:
        days = [0]

        def step(events: int) -> None:
            days[0] += 1
            if bar.disable:  # not a terminal: a log line every tenth of the way
                if days[0] == args.days or days[0] % max(1, args.days // 10) == 0:
                    print(f"generating: {days[0]}/{args.days} days", file=sys.stderr, flush=True)
            else:
                bar.update(events)

        result = generate.generate(settings.lake_dir, users=args.users, days=args.days, start=args.start,
                                   seed=args.seed, progress=step)
    print(f"generated {result.days} days {result.first_day}..{result.last_day}: {result.events:,} events, "
          f"{result.user_records:,} user records, {result.users:,} users, in {settings.lake_dir}")
    return 0


def _run(settings: Settings, start=None, end=None) -> int:
    with Warehouse(settings) as wh:
        con = wh.connection
        if start is not None:
            plan = etl.make_plan(con, settings.lake_dir, start, end)
            if plan.is_empty:
                print(f"error: no lake partitions and nothing loaded between {start} and {end}; nothing run",
                      file=sys.stderr)
                return EXIT_USAGE
        bar, update = _progress("loading")
        try:
            result = etl.run(con, settings, start=start, end=end, trigger="backfill" if start else "cli",
                             requested_by=_who(), progress=update)
        except RunFailed as exc:
            bar.close()
            run_queue.after_run(con, settings, exc.result)
            _print_outcome(exc.result)
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_FAILED
        finally:
            bar.close()
        after = run_queue.after_run(con, settings, result)
    _print_outcome(result)
    print(f"run {result.run_id} {result.status} in {result.seconds:.1f} s: {result.message}; "
          f"{result.rows_read:,} rows read, {result.rows_loaded:,} loaded, {result.rows_quarantined:,} quarantined")
    for line in after:
        print(line)
    return EXIT_WARNINGS if result.status == runs.WITH_WARNINGS else 0


def _who() -> str:
    """Who asked, for the run history: the operating-system user running the command."""
    try:
        return f"{getpass.getuser()} (cli)"
    except Exception:  # no user name in this environment (e.g. a container with an unnamed uid)
        return "cli"


def _print_outcome(result: RunResult) -> None:
    """The run's notices (partitions skipped, ...) and the checks that did not pass, worst first."""
    for notice in result.notices:
        print(f"warning: {notice}")
    for c in sorted(result.checks, key=lambda c: c.status != "fail"):
        if c.status != "pass":
            print(f"{c.status.upper()} {c.check.name}: {c.message}")


def cmd_run(args, settings: Settings) -> int:
    return _run(settings)


def cmd_backfill(args, settings: Settings) -> int:
    return _run(settings, args.start, args.end)


def cmd_dq(args, settings: Settings) -> int:
    with Warehouse(settings) as wh:
        result = audit.check_published(wh.connection, settings, requested_by=_who())
        run_queue.after_run(wh.connection, settings, result)
    _print_outcome(result)
    print(f"run {result.run_id} (dq) {result.status} in {result.seconds:.1f} s: {result.message}")
    return 0 if result.status == "succeeded" else 1


def cmd_runs(args, settings: Settings) -> int:
    with Warehouse(settings) as wh:
        print(status.render_runs(runs.recent(wh.connection, args.limit)))
    return 0


def cmd_status(args, settings: Settings) -> int:
    with Warehouse(settings) as wh:
        print(status.render(status.collect(wh.connection, settings.lake_dir)))
    return 0


def cmd_demo(args, settings: Settings) -> int:
    with Warehouse(settings) as wh:
        loaded = status.collect(wh.connection, settings.lake_dir).partitions
    if loaded:
        print(f"the warehouse {settings.warehouse_path} already holds data; nothing to do")
        return 0
    if not lake.list_lake(settings.lake_dir).partitions("events"):
        args.start = None
        cmd_generate(args, settings)
    return _run(settings)


def cmd_churn(args, settings: Settings) -> int:
    horizon = args.horizon or settings.churn_horizon_days
    with Warehouse(settings) as wh:
        con = wh.connection
        started = time.perf_counter()
        days = churn.snapshot_days(con, args.snapshots)
        if not days:
            print(f"error: fewer than {churn.WINDOW_DAYS} days of data: no snapshot has a whole window yet",
                  file=sys.stderr)
            return 2
        rows = churn.build_features(con, days)
        print(f"churn features: {rows:,} rows for {len(days)} snapshot days {days[0]}..{days[-1]} in "
              f"{time.perf_counter() - started:.1f} s")
        if args.churn_command == "train":
            try:
                result = churn_model.train(con, settings.data_dir, horizon)
            except churn_model.NotEnoughHistory as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            print(_model_card(result, horizon))
            return 0
        if getattr(args, "export", None):
            written = churn.export(con, args.export, horizon)
            print(f"exported {written:,} rows (labels: {horizon}-day horizon) to {args.export}")
    return 0


def _model_card(result, horizon: int) -> str:
    """The training run in a few lines: the holdout metrics beside the baseline's, the strongest features."""
    m, b = result.metrics["model"], result.metrics["baseline"]
    lines = [f"churn model {result.model_id}: trained on {len(result.train_days)} snapshot days "
             f"{result.train_days[0]}..{result.train_days[-1]}, held out {result.holdout_day} "
             f"({m['rows']:,} people, {m['churn_rate']:.1%} churned within {horizon} days), in {result.seconds:.1f} s",
             "                 model  recency-only baseline"]
    for key, label in (("roc_auc", "ROC AUC"), ("pr_auc", "PR AUC"), ("brier", "Brier"),
                       ("top_decile_lift", "top-decile lift")):
        lines.append(f"  {label:<15}{m[key]:6.3f}  {b[key]:6.3f}")
    top = ", ".join(f"{k} {v:.2f}" for k, v in list(result.importances.items())[:5])
    lines.append(f"  strongest features (mean |log-odds contribution|): {top}")
    lines.append(f"  scored {result.scored:,} people of the latest snapshot day in {result.score_seconds:.1f} s")
    return "\n".join(lines)


COMMANDS = {"generate": cmd_generate, "run": cmd_run, "backfill": cmd_backfill, "status": cmd_status,
            "demo": cmd_demo, "dq": cmd_dq, "runs": cmd_runs, "churn": cmd_churn}


MOVED = {"hash-password": "python -m webapp hash-password"}  # commands that belong to another package now


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in MOVED:
        print(f"error: {argv[0]} is a command of the web app now: {MOVED[argv[0]]}", file=sys.stderr)
        return 2
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "backfill" and args.end < args.start:
        parser.error(f"--end {args.end} is before --start {args.start}")
    try:
        settings = load_settings().with_data_dir(getattr(args, "data_dir", None))
        if getattr(args, "engine", None):
            settings = replace(settings, engine=args.engine)
        try:
            return COMMANDS[args.command](args, settings)
        except WarehouseBusy as busy:
            if args.command not in remote.COMMANDS:
                raise
            if not settings.api_token:
                raise WarehouseBusy(f"{busy}; set PA_API_TOKEN (a token of its PA_API_TOKENS) to {args.command} "
                                    f"through its API at {settings.api_url} (PA_API_URL)") from None
            return remote.COMMANDS[args.command](args, settings)
    except api_client.ApiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except (WarehouseBusy, etl.LakeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
