"""Product analytics on Airflow 3: each day of the event lake loaded into the warehouse, gated on its data-quality
checks, and the churn scores reported (docs/airflow.md).

One run per day of data (a daily data-interval schedule, catchup on, one run at a time: the warehouse has one
writer). The run of logical date D starts once D is over:

    wait_for_partition   a sensor (rescheduled) until lake/events/event_date=D/ holds a Parquet file
    load                 a backfill of [D, D] (idempotent): through the app's runs API when PA_API_URL and
                         PA_API_TOKEN are set, else in the task's own process on the warehouse file; on the
                         engine the run's param `engine` names (duckdb or spark; default PA_ENGINE)
    quality_gate         fails, naming them, when the load's blocking data-quality checks failed
    refresh_churn        reports the churn scores the load refreshed; skipped while there is no model

The tasks call the project's own functions (pipeline.etl, pipeline.run_queue, pipeline.api_client); no pipeline
logic lives here. A failed task alerts through pipeline.alerts.notify_task_failure (PA_ALERT_WEBHOOK_URL); a run
still unfinished PA_AIRFLOW_DEADLINE_HOURS after it was queued alerts the same way as task "sla" (Airflow 3's
deadline alerts replace the SLAs of Airflow 2).

Environment, besides the project's own (PA_DATA_DIR, PA_API_URL, PA_API_TOKEN, PA_ALERT_WEBHOOK_URL: README):
    PA_AIRFLOW_START_DATE               [2024-01-01] the first day to load: set it to the lake's first day
    PA_AIRFLOW_SENSOR_TIMEOUT_SECONDS   [21600] how long wait_for_partition waits for the day's partition
    PA_AIRFLOW_DEADLINE_HOURS           [6] the deadline of a run, counted from when it was queued

`python product_analytics_dag.py [YYYY-MM-DD] [--engine duckdb|spark]` runs dag.test() for that day (default: the
lake's last day of events) against PA_DATA_DIR and prints each task's state as JSON; it exits 0 when the run
succeeded.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys

from airflow.sdk import (CronDataIntervalTimetable, DeadlineAlert, DeadlineReference, Param, PokeReturnValue,
                         SyncCallback, dag, get_current_context, task)
from airflow.sdk.exceptions import AirflowException, AirflowFailException, AirflowSkipException

log = logging.getLogger(__name__)

DAG_ID = "product_analytics"
START_DATE = dt.datetime.combine(dt.date.fromisoformat(os.environ.get("PA_AIRFLOW_START_DATE") or "2024-01-01"),
                                 dt.time(), tzinfo=dt.timezone.utc)
SENSOR_TIMEOUT = float(os.environ.get("PA_AIRFLOW_SENSOR_TIMEOUT_SECONDS") or 6 * 3600)
POKE_SECONDS = max(1.0, min(300.0, SENSOR_TIMEOUT / 10))  # every 5 minutes, or a tenth of a shorter timeout
DEADLINE_HOURS = float(os.environ.get("PA_AIRFLOW_DEADLINE_HOURS") or 6)
ENGINES = ("duckdb", "spark")  # store.runs.ENGINES: what stages the day's events (README, "The Spark engine")


def _settings():
    from store.settings import load_settings

    return load_settings()


def _through_api() -> bool:
    """Whether the app holds the warehouse and runs go through its runs API (both variables set)."""
    return bool(os.environ.get("PA_API_URL", "").strip() and os.environ.get("PA_API_TOKEN", "").strip())


def _day_of(context) -> dt.date:
    """The day a run loads: its logical date, in UTC."""
    logical = context.get("logical_date")
    if logical is None:
        raise AirflowFailException("this DAG loads the day of its logical date: trigger it with one")
    return logical.astimezone(dt.timezone.utc).date()


# -- alerts ----------------------------------------------------------------------------------------------------------

def _alert(**fields) -> None:
    """Post an alert through pipeline.alerts.notify_task_failure; logged, never raised."""
    try:
        from pipeline.alerts import notify_task_failure
    except (ImportError, AttributeError):
        log.error("alert not sent (pipeline.alerts.notify_task_failure is not available): %s", fields)
        return
    try:
        settings = _settings()
        sent = notify_task_failure(settings, **fields)
    except Exception:  # noqa: BLE001 - a callback must not raise
        log.exception("alert not sent: %s", fields)
        return
    if sent:
        log.warning("alert sent for %s.%s", fields["dag_id"], fields["task_id"])
    elif getattr(settings, "alert_webhook_url", ""):
        log.error("alert for %s.%s not delivered to PA_ALERT_WEBHOOK_URL", fields["dag_id"], fields["task_id"])
    else:
        log.warning("no PA_ALERT_WEBHOOK_URL: alert for %s.%s not sent", fields["dag_id"], fields["task_id"])


def task_failed(context) -> None:
    """on_failure_callback of every task: the task, its run and try, and its error."""
    ti = context["ti"]
    _alert(dag_id=ti.dag_id, task_id=ti.task_id, run_id=context.get("run_id") or ti.run_id,
           error=str(context.get("exception") or "failed"), try_number=ti.try_number)


def deadline_missed(context=None, hours: float = DEADLINE_HOURS) -> None:
    """The deadline alert's callback (run by the executor): the run that is late, as task "sla"."""
    context = context or {}
    run = context.get("dag_run") or {}
    deadline = (context.get("deadline") or {}).get("deadline_time")
    _alert(dag_id=run.get("dag_id") or DAG_ID, task_id="sla", run_id=run.get("dag_run_id") or "?",
           error=f"deadline missed: the run had not finished {hours:g} h after it was queued (deadline {deadline})",
           try_number=None)


# -- the DAG ---------------------------------------------------------------------------------------------------------

@dag(
    dag_id=DAG_ID,
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),  # logical date D runs once D is over
    start_date=START_DATE,
    catchup=True,
    max_active_runs=1,  # one writer of the warehouse: days load one at a time, in order
    default_args={"owner": "product-analytics", "retries": 0, "on_failure_callback": task_failed},
    deadline=DeadlineAlert(reference=DeadlineReference.DAGRUN_QUEUED_AT, interval=dt.timedelta(hours=DEADLINE_HOURS),
                           callback=SyncCallback(deadline_missed, kwargs={"hours": DEADLINE_HOURS}),
                           name="loaded within PA_AIRFLOW_DEADLINE_HOURS"),
    tags=["product-analytics"],
    params={"engine": Param(os.environ.get("PA_ENGINE") or "duckdb", enum=list(ENGINES),
                            description="what stages the day's event partitions: duckdb, or spark (a PySpark job "
                                        "on PA_SPARK_MASTER / PA_SPARK_REMOTE); DuckDB publishes either way")},
    doc_md=__doc__,
)
def product_analytics():
    @task.sensor(poke_interval=POKE_SECONDS, timeout=SENSOR_TIMEOUT, mode="reschedule")
    def wait_for_partition(**context) -> PokeReturnValue:
        """Done when the lake's listing has a Parquet file in the day's events partition; its xcom: the day."""
        from pipeline import lake

        settings, day = _settings(), _day_of(context)
        listing = lake.list_lake(settings.lake_dir)
        files = listing.files.get(("events", day), [])  # partitions("events") lists empty folders too
        folder = lake.partition_dir(settings.lake_dir, "events", day)
        if files:
            log.info("%s: %d Parquet file(s)", folder, len(files))
        else:
            log.info("waiting for %s to hold a Parquet file", folder)
        return PokeReturnValue(is_done=bool(files), xcom_value=day.isoformat())

    @task
    def load(day: str) -> dict:
        """Backfill the day; the run's id, status, failed checks and skipped partitions. A run that failed its
        checks is returned (quality_gate fails on it); any other failure, or the day's events partition skipped
        (a corrupt file, a broken contract), fails this task."""
        day_, engine = dt.date.fromisoformat(day), get_current_context()["params"]["engine"]
        outcome = _load_through_api(day_, engine) if _through_api() else _load_here(day_, engine)
        for line in outcome.pop("after_run", []):
            log.info("%s", line)
        if outcome["status"] == "failed" and outcome["failed_checks"]:
            log.error("run %s failed its checks: %s", outcome["run_id"], ", ".join(outcome["failed_checks"]))
            return outcome
        if outcome["status"] not in ("succeeded", "succeeded_with_warnings"):
            raise AirflowException(f"run {outcome['run_id']} {outcome['status']}: {outcome['error']}")
        own = [p for p in outcome["skipped"] if p["kind"] == "events" and p["day"] == day]
        if own:
            raise AirflowException(f"run {outcome['run_id']}: the events of {day} were not loaded: "
                                   + "; ".join(p["reason"] for p in own))
        return outcome

    @task
    def quality_gate(outcome: dict) -> dict:
        """Fails when the run failed its blocking checks (nothing of the day was published), naming them; a run
        that skipped partitions passes with a warning naming each file and reason."""
        if outcome["status"] == "failed":
            raise AirflowFailException(
                f"run {outcome['run_id']}: {outcome['day']} was not published: data-quality checks failed: "
                f"{', '.join(outcome['failed_checks'])} ({outcome['error']})")
        for part in outcome["skipped"]:
            log.warning("run %s skipped the %s partition of %s: %s", outcome["run_id"], part["kind"], part["day"],
                        part["reason"])
        log.info("run %s %s: %s", outcome["run_id"], outcome["status"], outcome.get("message") or "")
        return outcome

    @task
    def refresh_churn() -> dict:
        """What churn_scores holds after the load refreshed them (skipped while no model exists); through the API,
        the app's status (the app refreshes the scores after each load it runs)."""
        settings = _settings()
        if _through_api():
            from pipeline import api_client

            status = api_client.call(settings, "GET", "/api/status")
            events = next((p for p in status["partitions"] if p[0] == "events"), None)
            last = status.get("last_run") or {}
            log.info("the app refreshed the churn scores after run %s (%s); events loaded through %s",
                     last.get("run_id"), last.get("status"), events[3] if events else None)
            return {"mode": "api", "last_run": last.get("run_id"), "events_through": events[3] if events else None}
        from analytics.queries import SQL
        from store.warehouse import Warehouse

        with Warehouse(settings, read_only=True) as wh:
            state = wh.query(SQL, "churn_state").iloc[0]
        if not state["scored_people"]:
            raise AirflowSkipException(f"no churn model yet: the warehouse holds {str(state['first_day'])[:10]} to "
                                       f"{str(state['last_day'])[:10]} and nobody is scored")
        report = {"mode": "local", "scored_day": str(state["scored_day"])[:10],
                  "scored_people": int(state["scored_people"]), "model_id": int(state["scoring_model_id"])}
        log.info("churn scores: %(scored_people)s people of %(scored_day)s scored by model %(model_id)s", report)
        return report

    quality_gate(load(wait_for_partition())) >> refresh_churn()


def _outcome(day: dt.date, run_id: int, status: str, failed_checks: list[str], skipped: list[dict],
             error: str | None, message: str | None, after_run: list[str] | None = None) -> dict:
    return {"day": day.isoformat(), "run_id": run_id, "status": status, "failed_checks": failed_checks,
            "skipped": skipped, "error": error, "message": message, "after_run": after_run or []}


def _load_here(day: dt.date, engine: str) -> dict:
    """The backfill in this process, on the warehouse file; then what follows every run (churn scores, alerts)."""
    from dataclasses import replace

    from pipeline import etl, run_queue
    from pipeline.lifecycle import RunFailed
    from store.warehouse import Warehouse, WarehouseBusy

    settings = replace(_settings(), engine=engine)
    try:
        wh = Warehouse(settings)
    except WarehouseBusy as exc:
        raise AirflowException(f"{exc}; set PA_API_URL and PA_API_TOKEN to load through the app's runs API") from None
    with wh:
        try:
            result = etl.run(wh.connection, settings, start=day, end=day, trigger="airflow", requested_by="airflow")
        except RunFailed as exc:
            after = run_queue.after_run(wh.connection, settings, exc.result)
            if not exc.result.failed_checks:
                raise
            result = exc.result
        else:
            after = run_queue.after_run(wh.connection, settings, result)
    return _outcome(day, result.run_id, result.status, [c.check.name for c in result.failed_checks],
                    result.skipped, result.error, result.message, after)


def _load_through_api(day: dt.date, engine: str) -> dict:
    """The backfill asked of the app's runs API and waited for (the app's worker runs it, then its after-run)."""
    from pipeline import api_client

    settings = _settings()
    run_id = api_client.ask_for_run(settings, "backfill", day, day, engine)
    log.info("run %s (backfill of %s, %s engine) queued through the app's API at %s", run_id, day, engine,
             settings.api_url)
    seen = {}

    def progress(run: dict) -> None:
        now = (run["status"], run.get("partitions_done"), run.get("partitions"))
        if seen.get("last") != now:
            seen["last"] = now
            log.info("run %s %s: %s of %s partitions", run_id, *now)

    run = api_client.wait_for(settings, run_id, on_progress=progress)
    failed = [n for n in (run.get("failed_checks") or "").split(", ") if n]
    return _outcome(day, run_id, run["status"], failed, json.loads(run.get("skipped") or "[]"), run.get("error"),
                    run.get("message"))


product_analytics_dag = product_analytics()


def _last_lake_day() -> dt.date:
    from pipeline import lake

    listing = lake.list_lake(_settings().lake_dir)
    days = [d for d in listing.partitions("events") if listing.files[("events", d)]]
    if not days:
        sys.exit(f"no events partition in {_settings().lake_dir}: nothing to test")
    return days[-1]


def test_day(day: dt.date, engine: str | None = None) -> dict:
    """dag.test() for one day (logical date: the day at 00:00 UTC); the run's state and each task's.

    Airflow 3.3.2's dag.test() fails at the end of a successful run of a DAG with a deadline alert (it looks its
    alerts up by their definitions, not their ids); its runs are never queued, so no deadline applies to them
    anyway: the test run goes without it (the DAG parsed from the folder, in the metadata database, keeps it)."""
    from airflow.utils.db import check_migrations, upgradedb

    try:
        check_migrations(timeout=1)
    except TimeoutError:  # a fresh AIRFLOW_HOME (SQLite by default): migrate it, as `airflow db migrate` does
        log.warning("migrating the Airflow metadata database of AIRFLOW_HOME first")
        upgradedb()
    product_analytics_dag.deadline = None
    dag_run = product_analytics_dag.test(logical_date=dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc),
                                         run_conf={"engine": engine} if engine else None)
    return {"day": day.isoformat(), "dag_run": str(dag_run.state),
            "tasks": {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}}


if __name__ == "__main__":
    args = sys.argv[1:]
    chosen = args[args.index("--engine") + 1] if "--engine" in args else None
    days = [a for a in args if a[:1].isdigit()]
    outcome = test_day(dt.date.fromisoformat(days[0]) if days else _last_lake_day(), chosen)
    print(json.dumps(outcome))
    sys.exit(0 if outcome["dag_run"] == "success" else 1)
