"""The Airflow 3 DAG (airflow/dags/product_analytics_dag.py) run by real Airflow from its own virtual environment
(.venv-airflow, `make airflow`), in a subprocess: dag.test() end to end (SQLite metadata in a temp AIRFLOW_HOME) on
lakes generated in temp folders, in the task's process and through the runs API of a real gunicorn; each task's
state asserted, the warehouse read afterwards, the alerts caught by a webhook."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import requests

from pipeline import lake
from pipeline.generate import generate
from tests.conftest import DAYS, START, run_etl, warehouse
from tests.live_server import free_port, serving_copy
from tests.test_alerts import Receiver
from webapp import api_tokens

ROOT = Path(__file__).resolve().parents[1]
AIRFLOW_BIN = ROOT / ".venv-airflow" / "bin"
DAG_FILE = ROOT / "airflow" / "dags" / "product_analytics_dag.py"
NEW_DAY = START + dt.timedelta(days=DAYS)  # the day appended after a first load of the generated lake
TASKS = ("wait_for_partition", "load", "quality_gate", "refresh_churn")
TOKEN, TOKEN_ENTRY = api_tokens.new("ci")


@pytest.fixture(scope="module")
def airflow_env(tmp_path_factory) -> dict:
    """The environment of an Airflow process: a migrated SQLite metadata database in a temp AIRFLOW_HOME, the
    repo's dags folder, no examples; none of this shell's PA_ or AIRFLOW variables."""
    if not (AIRFLOW_BIN / "python").exists():
        pytest.fail("no .venv-airflow: run `make airflow` (make test does)")
    home = tmp_path_factory.mktemp("airflow-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PA_", "AIRFLOW"))}
    env.update(AIRFLOW_HOME=str(home), AIRFLOW__CORE__LOAD_EXAMPLES="False",
               AIRFLOW__CORE__DAGS_FOLDER=str(DAG_FILE.parent), PA_DUCKDB_MEMORY_LIMIT="512MB", PA_DUCKDB_THREADS="2")
    migrated = subprocess.run([str(AIRFLOW_BIN / "airflow"), "db", "migrate"], env=env, cwd=home,
                              capture_output=True, text=True, timeout=300)
    assert migrated.returncode == 0, migrated.stdout[-3000:] + migrated.stderr[-3000:]
    return env


def dag_test(env: dict, data_dir: Path, day: dt.date | None = None, engine: str | None = None,
             **extra: str) -> tuple[dict, str]:
    """`python product_analytics_dag.py [DAY] [--engine E]` (dag.test() for the day, default the lake's last, with
    the run's param engine): its outcome ({"dag_run": state, "tasks": {task_id: state}}) and its log."""
    proc = subprocess.run([str(AIRFLOW_BIN / "python"), str(DAG_FILE), *([day.isoformat()] if day else []),
                           *(["--engine", engine] if engine else [])],
                          env={**env, "PA_DATA_DIR": str(data_dir), **extra}, cwd=data_dir, capture_output=True,
                          text=True, timeout=600)
    return outcome_of(proc.returncode, proc.stdout + proc.stderr), proc.stdout + proc.stderr


def outcome_of(returncode: int, output: str) -> dict:
    lines = [line for line in output.splitlines() if line.startswith('{"day": ')]
    assert lines, f"dag.test() printed no outcome (exit {returncode}):\n{output[-5000:]}"
    outcome = json.loads(lines[-1])
    assert returncode == (0 if outcome["dag_run"] == "success" else 1), output[-3000:]
    return outcome


def states(**expected: str) -> dict:
    return {task: expected[task] for task in TASKS}


@pytest.fixture
def webhook():
    """A local alert webhook (tests/test_alerts.Receiver): its URL and the JSON bodies posted to it."""
    receiver = Receiver()
    yield receiver.url, receiver.bodies
    receiver.server.shutdown()


def task_alerts(received: list[dict]) -> dict[str, dict]:
    """The DAG's failure alerts (pipeline.alerts.notify_task_failure) by task id."""
    return {m["task_id"]: m for m in received if m.get("kind") == "task_failed"}


@pytest.fixture
def loaded(fresh_lake):
    """The generated lake loaded by the ETL, then one more day appended to the lake (NEW_DAY, not loaded)."""
    run_etl(fresh_lake)
    generate(fresh_lake.lake_dir, users=0, days=1)
    return fresh_lake


def lake_rows(lake_dir: Path, day: dt.date, kinds: tuple[str, ...] = ("events",)) -> int:
    """Rows of the day's partitions in the lake (events only, unless asked)."""
    return sum(pq.read_metadata(p).num_rows for kind in kinds
               for p in lake.partition_dir(lake_dir, kind, day).glob("*.parquet"))


def published_rows(settings, day: dt.date) -> int:
    with warehouse(settings) as con:
        return con.execute("SELECT count(*) FROM fct_events WHERE CAST(event_ts AS DATE) = ?", [day]).fetchone()[0]


def airflow_runs(settings) -> list[tuple]:
    """(status, parameters, requested_by, rows_loaded) of the runs the DAG started, oldest first."""
    with warehouse(settings) as con:
        return con.execute("SELECT status, parameters, requested_by, rows_loaded, error, skipped FROM etl_runs "
                           "WHERE trigger = 'airflow' ORDER BY run_id").fetchall()


def backfill_of(parameters: str) -> tuple:
    p = json.loads(parameters)
    return p["mode"], p["start"], p["end"]


# -- the DAG as Airflow parses it --------------------------------------------------------------------------------------

PARSE = """
import json
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=%r)
dag = bag.dags.get("product_analytics")
print(json.dumps({"errors": {k: str(v) for k, v in bag.import_errors.items()}, "dags": sorted(bag.dags),
    "order": [t.task_id for t in dag.topological_sort()] if dag else None,
    "upstream": {t.task_id: sorted(t.upstream_task_ids) for t in dag.tasks} if dag else None,
    "timetable": repr(dag.timetable), "catchup": dag.catchup, "start": dag.start_date.isoformat(),
    "max_active_runs": dag.max_active_runs,
    "sensor": [dag.get_task("wait_for_partition").mode, dag.get_task("wait_for_partition").timeout,
               dag.get_task("wait_for_partition").poke_interval],
    "on_failure": sorted({cb.__name__ for t in dag.tasks for cb in t.on_failure_callback}),
    "deadline": [[type(d.reference).__name__, d.interval.total_seconds(), d.callback.path.rsplit(".", 1)[1],
                  d.callback.kwargs] for d in dag.deadline],
    "engine": [dag.params.get_param("engine").value, dag.params.get_param("engine").schema.get("enum")]}))
"""


def test_the_dag_parses_with_its_tasks_schedule_and_alerts(airflow_env, tmp_path):
    """Airflow's own DagBag loads the file with no import error; the settings come from the environment."""
    env = {**airflow_env, "PA_AIRFLOW_START_DATE": "2024-03-05", "PA_AIRFLOW_SENSOR_TIMEOUT_SECONDS": "120",
           "PA_AIRFLOW_DEADLINE_HOURS": "2", "PA_DATA_DIR": str(tmp_path)}
    proc = subprocess.run([str(AIRFLOW_BIN / "python"), "-c", PARSE % str(DAG_FILE.parent)], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    parsed = json.loads(proc.stdout.strip().splitlines()[-1])
    assert parsed["errors"] == {} and parsed["dags"] == ["product_analytics"]
    assert parsed["order"] == list(TASKS)
    assert parsed["upstream"] == {"wait_for_partition": [], "load": ["wait_for_partition"],
                                  "quality_gate": ["load"], "refresh_churn": ["quality_gate"]}
    assert parsed["timetable"] == "CronDataIntervalTimetable(expression='0 0 * * *', timezone='UTC')"
    assert parsed["catchup"] is True and parsed["max_active_runs"] == 1
    assert parsed["start"] == "2024-03-05T00:00:00+00:00"
    assert parsed["sensor"] == ["reschedule", 120.0, 12.0]  # polls every tenth of a timeout under 50 minutes
    assert parsed["on_failure"] == ["task_failed"]
    assert parsed["deadline"] == [["DagRunQueuedAtDeadline", 7200.0, "deadline_missed", {"hours": 2.0}]]
    assert parsed["engine"] == ["duckdb", ["duckdb", "spark"]]  # a run's param; its default is PA_ENGINE's


# -- in the task's process ---------------------------------------------------------------------------------------------

def test_the_first_day_loads_into_an_empty_warehouse(airflow_env, fresh_lake):
    """Catchup's first run: the day is loaded by a backfill run triggered by Airflow; no churn model yet, so
    refresh_churn is skipped (the run still succeeds)."""
    outcome, log = dag_test(airflow_env, fresh_lake.data_dir, START)
    assert outcome == {"day": str(START), "dag_run": "success",
                       "tasks": states(wait_for_partition="success", load="success", quality_gate="success",
                                       refresh_churn="skipped")}, log[-3000:]
    assert "no churn model yet" in log
    assert published_rows(fresh_lake, START) == lake_rows(fresh_lake.lake_dir, START) > 0
    [(status, parameters, requested_by, rows_loaded, _, _)] = airflow_runs(fresh_lake)
    assert (status, requested_by, backfill_of(parameters)) == ("succeeded", "airflow",
                                                                ("backfill", str(START), str(START)))
    assert rows_loaded == lake_rows(fresh_lake.lake_dir, START, lake.KINDS)  # its events and user records
    assert published_rows(fresh_lake, START + dt.timedelta(days=1)) == 0  # that day only


def test_the_runs_param_chooses_the_spark_engine(airflow_env, fresh_lake):
    """A run triggered with {"engine": "spark"} stages its day in a PySpark job (local[2]); the run records it and
    publishes the rows the DuckDB engine would."""
    outcome, log = dag_test(airflow_env, fresh_lake.data_dir, START, "spark", PA_SPARK_DRIVER_MEMORY="1g")
    assert outcome["dag_run"] == "success" and outcome["tasks"]["load"] == "success", log[-3000:]
    with warehouse(fresh_lake) as con:
        assert con.execute("SELECT engine, json_extract_string(parameters, '$.engine') FROM etl_runs "
                           "WHERE trigger = 'airflow'").fetchall() == [("spark", "spark")]
    assert published_rows(fresh_lake, START) == lake_rows(fresh_lake.lake_dir, START) > 0


def test_a_new_day_loads_refreshes_churn_and_a_rerun_changes_nothing(airflow_env, fresh_lake):
    """49 days: 48 loaded by the ETL, the 49th by the DAG, whose load refreshes the churn scores (a model is
    trained: two weekly snapshots are labelled) and refresh_churn reports them. Run again for the lake's last day
    (the default of `python product_analytics_dag.py`): the same rows, nothing added."""
    generate(fresh_lake.lake_dir, users=0, days=20)
    run_etl(fresh_lake)
    generate(fresh_lake.lake_dir, users=0, days=1)
    day = START + dt.timedelta(days=48)
    outcome, log = dag_test(airflow_env, fresh_lake.data_dir, day)
    assert outcome["tasks"] == states(wait_for_partition="success", load="success", quality_gate="success",
                                      refresh_churn="success"), log[-3000:]
    with warehouse(fresh_lake) as con:
        scored_day, people, model = con.execute("SELECT max(snapshot_date), count(*), max(model_id) "
                                                "FROM churn_scores").fetchone()
    assert scored_day == day and people > 0
    assert f"churn scores: {people} people of {day} scored by model {model}" in log
    assert published_rows(fresh_lake, day) == lake_rows(fresh_lake.lake_dir, day) > 0
    with warehouse(fresh_lake) as con:
        facts = con.execute("SELECT count(*), sum(event_id) FROM fct_events").fetchone()

    again, log = dag_test(airflow_env, fresh_lake.data_dir)  # the lake's last day
    assert again["day"] == str(day) and again["dag_run"] == "success", log[-3000:]
    with warehouse(fresh_lake) as con:
        assert con.execute("SELECT count(*), sum(event_id) FROM fct_events").fetchone() == facts
    runs = airflow_runs(fresh_lake)
    assert [(r[0], backfill_of(r[1])) for r in runs] == [("succeeded", ("backfill", str(day), str(day)))] * 2
    assert runs[0][3] == runs[1][3] == lake_rows(fresh_lake.lake_dir, day, lake.KINDS)


def test_the_sensor_waits_for_the_days_partition(airflow_env, fresh_lake):
    """The run of a day the lake does not hold yet waits (rescheduled pokes), then loads it once it lands."""
    run_etl(fresh_lake)
    log_path = fresh_lake.data_dir / "dag-test.log"
    with log_path.open("w") as out:
        proc = subprocess.Popen([str(AIRFLOW_BIN / "python"), str(DAG_FILE), NEW_DAY.isoformat()],
                                env={**airflow_env, "PA_DATA_DIR": str(fresh_lake.data_dir),
                                     "PA_AIRFLOW_SENSOR_TIMEOUT_SECONDS": "40"},  # a poke every 4 s
                                cwd=fresh_lake.data_dir, stdout=out, stderr=subprocess.STDOUT)
    try:
        folder = lake.partition_dir(fresh_lake.lake_dir, "events", NEW_DAY)
        waiting = f"waiting for {folder} to hold a Parquet file"
        end = time.time() + 120
        while log_path.read_text().count(waiting) < 2:  # two pokes, the second after a reschedule
            assert proc.poll() is None and time.time() < end, log_path.read_text()[-3000:]
            time.sleep(0.5)
        generate(fresh_lake.lake_dir, users=0, days=1)  # NEW_DAY lands
        returncode = proc.wait(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    log = log_path.read_text()
    outcome = outcome_of(returncode, log)
    assert outcome["tasks"] == states(wait_for_partition="success", load="success", quality_gate="success",
                                      refresh_churn="skipped"), log[-3000:]
    assert f"{folder}: 1 Parquet file(s)" in log
    assert published_rows(fresh_lake, NEW_DAY) == lake_rows(fresh_lake.lake_dir, NEW_DAY) > 0


def test_a_partition_that_never_arrives_fails_the_sensor_and_alerts(airflow_env, loaded, webhook):
    url, received = webhook
    missing = NEW_DAY + dt.timedelta(days=5)
    outcome, log = dag_test(airflow_env, loaded.data_dir, missing, PA_AIRFLOW_SENSOR_TIMEOUT_SECONDS="3",
                            PA_ALERT_WEBHOOK_URL=url)
    assert outcome["dag_run"] == "failed"
    assert outcome["tasks"] == states(wait_for_partition="failed", load="upstream_failed",
                                      quality_gate="upstream_failed", refresh_churn="upstream_failed"), log[-3000:]
    alert = task_alerts(received)["wait_for_partition"]
    assert alert["dag_id"] == "product_analytics" and "timeout" in alert["error"].lower()
    assert airflow_runs(loaded) == []  # nothing was asked of the warehouse


def test_a_corrupt_file_fails_the_load_naming_it(airflow_env, loaded, webhook):
    """The day's only events file is not Parquet: the run skips the partition (succeeded_with_warnings, the rest
    published), so the day was not loaded: `load` fails naming the file and why, and alerts."""
    url, received = webhook
    [bad] = lake.partition_dir(loaded.lake_dir, "events", NEW_DAY).glob("*.parquet")
    bad.write_bytes(b"PAR1 this is not parquet at all")
    outcome, log = dag_test(airflow_env, loaded.data_dir, NEW_DAY, PA_ALERT_WEBHOOK_URL=url)
    assert outcome["dag_run"] == "failed"
    assert outcome["tasks"] == states(wait_for_partition="success", load="failed",
                                      quality_gate="upstream_failed", refresh_churn="upstream_failed"), log[-3000:]
    error = task_alerts(received)["load"]["error"]
    assert f"the events of {NEW_DAY} were not loaded" in error
    assert str(bad.resolve()) in error and "not a readable Parquet file" in error
    [(status, _, _, _, _, skipped)] = airflow_runs(loaded)
    assert status == "succeeded_with_warnings" and [(s["kind"], s["day"]) for s in json.loads(skipped)] == [
        ("events", str(NEW_DAY))]
    assert published_rows(loaded, NEW_DAY) == 0


def test_failed_checks_fail_the_gate_naming_them(airflow_env, loaded, webhook):
    """A third of the day's events on an unknown platform: the run's blocking check fails, nothing is published;
    `load` succeeds (it reports the run) and `quality_gate` fails naming the check, and alerts."""
    url, received = webhook
    [path] = lake.partition_dir(loaded.lake_dir, "events", NEW_DAY).glob("*.parquet")
    t = pq.read_table(path)
    platforms = t["platform"].to_pylist()
    pq.write_table(t.set_column(2, "platform", pa.array([p if i % 3 else "myspace" for i, p in enumerate(platforms)])),
                   path)
    outcome, log = dag_test(airflow_env, loaded.data_dir, NEW_DAY, PA_ALERT_WEBHOOK_URL=url)
    assert outcome["dag_run"] == "failed"
    assert outcome["tasks"] == states(wait_for_partition="success", load="success", quality_gate="failed",
                                      refresh_churn="upstream_failed"), log[-3000:]
    alerts = task_alerts(received)
    assert set(alerts) == {"quality_gate"}
    assert f"{NEW_DAY} was not published: data-quality checks failed: stg_events.platform.accepted_values" in \
        alerts["quality_gate"]["error"]
    assert any(m.get("kind") == "check_failed" and m["failed_checks"] == ["stg_events.platform.accepted_values"]
               for m in received)  # the run's own alert, from run_queue.after_run
    [(status, _, _, _, error, _)] = airflow_runs(loaded)
    assert status == "failed" and "stg_events.platform.accepted_values" in error
    assert published_rows(loaded, NEW_DAY) == 0


def test_the_deadline_callback_alerts_as_sla(airflow_env, tmp_path, webhook):
    """The deadline alert's callback run as Airflow's executor runs it (callback_supervisor.execute_callback, with
    the path the DAG serializes and the context the scheduler sends): one alert for task "sla"."""
    url, received = webhook
    script = f"""
import json, structlog
from airflow.dag_processing.dagbag import DagBag
from airflow.sdk.execution_time.callback_supervisor import execute_callback
[alert] = DagBag(dag_folder={str(DAG_FILE.parent)!r}).dags["product_analytics"].deadline
context = {{"dag_run": {{"dag_id": "product_analytics", "dag_run_id": "scheduled__2024-01-29T00:00:00+00:00"}},
           "deadline": {{"id": "d1", "deadline_time": "2024-01-30T06:00:00+00:00"}}}}
print(json.dumps(execute_callback(alert.callback.path, {{**alert.callback.kwargs, "context": context}},
                                  {DAG_FILE.name!r}, {str(DAG_FILE.parent)!r}, structlog.get_logger())))
"""
    proc = subprocess.run([str(AIRFLOW_BIN / "python"), "-c", script], capture_output=True, text=True, timeout=300,
                          env={**airflow_env, "PA_DATA_DIR": str(tmp_path), "PA_ALERT_WEBHOOK_URL": url}, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == [True, None]
    [alert] = received
    assert alert["task_id"] == "sla" and alert["dag_run_id"] == "scheduled__2024-01-29T00:00:00+00:00"
    assert alert["error"] == ("deadline missed: the run had not finished 6 h after it was queued "
                              "(deadline 2024-01-30T06:00:00+00:00)")


# -- through the app's runs API ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def app(built, tmp_path_factory):
    """The app on a copy of the built warehouse whose lake has one more day, scheduling nothing itself
    (PA_ETL_INTERVAL_MINUTES=0) and executing what the API asks; yields (base URL, data folder)."""
    with serving_copy(built.data_dir, tmp_path_factory.mktemp("airflow-api"),
                      lambda data: generate(data / "lake", users=0, days=1), PA_THREADS="4",
                      PA_API_TOKENS=TOKEN_ENTRY, PA_ETL_INTERVAL_MINUTES="0", PA_DUCKDB_MEMORY_LIMIT="512MB",
                      PA_DUCKDB_THREADS="2") as served:
        yield served


def test_through_the_api_the_app_runs_the_backfill(airflow_env, app):
    base, data_dir = app
    outcome, log = dag_test(airflow_env, data_dir, NEW_DAY, PA_API_URL=base, PA_API_TOKEN=TOKEN)
    assert outcome["tasks"] == states(wait_for_partition="success", load="success", quality_gate="success",
                                      refresh_churn="success"), log[-3000:]
    newest = requests.get(f"{base}/api/runs?limit=1", headers={"Authorization": f"Bearer {TOKEN}"},
                          timeout=10).json()["runs"][0]
    assert (newest["mode"], newest["parameters"]["start"], newest["parameters"]["end"]) == (
        "backfill", str(NEW_DAY), str(NEW_DAY))
    assert newest["requested_by"] == "ci (api)" and newest["status"] == "succeeded"
    assert newest["rows_loaded"] == lake_rows(data_dir / "lake", NEW_DAY, lake.KINDS) > 0
    assert (f"run {newest['run_id']} (backfill of {NEW_DAY}, duckdb engine) queued through the app's API at "
            f"{base}") in log
    assert newest["parameters"]["engine"] == newest["engine"] == "duckdb"  # the run's param, sent with the request
    status = requests.get(f"{base}/api/status", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).json()
    assert next(p for p in status["partitions"] if p[0] == "events")[3] == str(NEW_DAY)


def test_while_the_app_holds_the_warehouse_a_load_without_the_api_fails_saying_so(airflow_env, app):
    _, data_dir = app
    outcome, log = dag_test(airflow_env, data_dir, NEW_DAY)
    assert outcome["tasks"] == states(wait_for_partition="success", load="failed", quality_gate="upstream_failed",
                                      refresh_churn="upstream_failed"), log[-3000:]
    assert "is in use by another process" in log and "set PA_API_URL and PA_API_TOKEN" in log


def test_an_unreachable_api_fails_the_load(airflow_env, loaded, webhook):
    url, received = webhook
    down = f"http://127.0.0.1:{free_port()}"
    outcome, log = dag_test(airflow_env, loaded.data_dir, NEW_DAY, PA_API_URL=down, PA_API_TOKEN=TOKEN,
                            PA_ALERT_WEBHOOK_URL=url)
    assert outcome["tasks"] == states(wait_for_partition="success", load="failed", quality_gate="upstream_failed",
                                      refresh_churn="upstream_failed"), log[-3000:]
    assert f"cannot reach the app's API at {down}/api/runs" in task_alerts(received)["load"]["error"]
    assert airflow_runs(loaded) == [] and published_rows(loaded, NEW_DAY) == 0
