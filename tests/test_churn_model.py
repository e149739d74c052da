"""The churn model (pipeline/churn_model.py): on the generated lake it beats the recency-only baseline on a
time-based holdout; on a lake whose churn has no precursor it does not; every run is recorded and the latest day
scored with bands and reasons."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline import churn, churn_model
from pipeline.generate import generate
from store import reference
from tests.conftest import make_settings, run_etl, warehouse
from tests.test_churn import START, churn_command, loaded_lake


def _train(settings):
    with warehouse(settings) as con:
        churn.build_features(con, churn.snapshot_days(con))
        return churn_model.train(con, settings.data_dir, 14)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The generator's lake, 3,000 people over 70 days, loaded and trained on."""
    settings = make_settings(tmp_path_factory.mktemp("churn-demo"))
    generate(settings.lake_dir, users=3000, days=70, start=START, seed=5)
    run_etl(settings)
    return settings, _train(settings)


def test_on_the_generated_lake_the_model_beats_recency_alone(demo):
    _, result = demo
    model, baseline = result.metrics["model"], result.metrics["baseline"]
    assert model["rows"] == baseline["rows"] > 1000 and 0.05 < model["churn_rate"] < 0.6
    assert model["roc_auc"] > baseline["roc_auc"] + 0.01 and model["pr_auc"] > baseline["pr_auc"] + 0.02
    assert model["brier"] < baseline["brier"]
    assert sum(b["rows"] for b in model["calibration"]) == model["rows"]
    assert result.holdout_day > max(result.train_days)  # time-based: trained on earlier snapshots only


def test_a_training_run_is_recorded_and_the_latest_day_scored(demo):
    settings, result = demo
    with warehouse(settings) as con:
        record = con.execute("SELECT data_version, holdout_day, train_rows, metrics, importances, model_path "
                             "FROM churn_models WHERE model_id = ?", [result.model_id]).fetchall()[0]
        scores = con.execute("SELECT snapshot_date, score, risk_band, reasons FROM churn_scores").fetchall()
        latest, people = con.execute("SELECT max(snapshot_date), count(*) FILTER (WHERE snapshot_date = "
                                     "(SELECT max(snapshot_date) FROM churn_features)) FROM churn_features"
                                     ).fetchall()[0]
    assert record[0] >= 1 and record[1] == result.holdout_day and record[2] > 0
    assert json.loads(record[3])["model"]["roc_auc"] == result.metrics["model"]["roc_auc"]
    assert set(json.loads(record[4])) == set(churn_model.NUMERIC + churn_model.CATEGORICAL)
    assert (settings.data_dir / "models").is_dir() and record[5].endswith(f"churn-{result.model_id}.joblib")
    assert len(scores) == people == result.scored and {s[0] for s in scores} == {latest}
    for _, score, band, reasons in scores:
        assert band == churn_model.band(score) and len(reasons) <= churn_model.REASONS
        if band == "high":
            assert reasons and all(" = " in r for r in reasons)


def _no_precursor_lake(lake_dir, people=2500, days=70, seed=3):
    """A lake written here, not by the generator: everyone active each day with the same chance and the same
    habits until the day they leave for good, drawn independently of everything they do (no precursor)."""
    rng = np.random.default_rng(seed)
    platforms, devices = reference.platforms(), reference.devices()
    types = reference.event_types()
    users = pa.table({
        "user_id": pa.array(np.arange(1, people + 1), pa.int64()),
        "segment": rng.choice(reference.segments(), people).tolist(),
        "country": rng.choice(reference.countries(), people).tolist(),
        "age_group": rng.choice(reference.age_groups(), people).tolist(),
        "signup_date": pa.array([START - dt.timedelta(days=400)] * people, pa.date32()),
        "updated_at": pa.array([dt.datetime.combine(START, dt.time())] * people, pa.timestamp("us")),
    })
    (lake_dir / "users" / f"change_date={START}").mkdir(parents=True)
    pq.write_table(users, lake_dir / "users" / f"change_date={START}" / "part-0.parquet")
    leaves = rng.geometric(1 / 60, people)  # the day each leaves, the same hazard for all
    device = rng.choice(devices, people)
    next_id = 1
    for d in range(days):
        day = START + dt.timedelta(days=d)
        active = np.flatnonzero((rng.random(people) < 0.55) & (leaves > d))
        counts = rng.poisson(6, len(active)) + 1
        who = np.repeat(active, counts)
        n = len(who)
        seconds = rng.integers(0, 86400, n)
        table = pa.table({
            "event_id": pa.array(np.arange(next_id, next_id + n), pa.int64()),
            "user_id": pa.array(who + 1, pa.int64()),
            "platform": rng.choice(platforms, n).tolist(),
            "event_type": rng.choice(types, n).tolist(),
            "event_ts": pa.array([dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=int(s))
                                  for s in seconds], pa.timestamp("us")),
            "session_id": pa.array(who * 1000 + d, pa.int64()),
            "device": device[who].tolist(),
            "country": users["country"].to_numpy(zero_copy_only=False)[who].tolist(),
        })
        next_id += n
        folder = lake_dir / "events" / f"event_date={day}"
        folder.mkdir(parents=True)
        pq.write_table(table, folder / "part-0.parquet")


def test_a_data_folder_moved_elsewhere_still_scores_with_its_model(demo, tmp_path):
    """The model's file is recorded under the data folder, so a copy (a volume mounted at another path) scores; a
    record of an earlier version with an absolute path to a folder that is gone finds the file in its models/."""
    settings, result = demo
    moved = make_settings(tmp_path / "elsewhere")
    shutil.copytree(settings.data_dir, moved.data_dir)
    with warehouse(moved) as con:
        recorded = con.execute("SELECT model_path FROM churn_models WHERE model_id = ?", [result.model_id]).fetchone()
        assert recorded == (f"models/churn-{result.model_id}.joblib",)
        assert churn_model.score_latest(con, moved.data_dir) == result.scored
        con.execute("UPDATE churn_models SET model_path = ? WHERE model_id = ?",
                    [f"/gone/data/models/churn-{result.model_id}.joblib", result.model_id])
        assert churn_model.score_latest(con, moved.data_dir) == result.scored
        (moved.data_dir / "models" / f"churn-{result.model_id}.joblib").unlink()
        with pytest.raises(FileNotFoundError):
            churn_model.score_latest(con, moved.data_dir)


def test_churn_without_precursors_gives_a_model_no_better_than_recency(tmp_path):
    settings = make_settings(tmp_path)
    _no_precursor_lake(settings.lake_dir)
    assert run_etl(settings).status == "succeeded"
    result = _train(settings)
    model, baseline = result.metrics["model"], result.metrics["baseline"]
    assert model["rows"] > 1000
    assert model["roc_auc"] <= baseline["roc_auc"] + 0.01 and model["pr_auc"] <= baseline["pr_auc"] + 0.02


def test_training_with_too_little_history_is_refused_in_one_line(tmp_path):
    result = churn_command(loaded_lake(tmp_path, users=300, days=40, seed=3), "train")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "snapshot day(s) have a known 14-day label; training needs two" in result.stderr


def _newest_labelled(con):
    return con.execute("SELECT max(snapshot_date) FROM churn_labels(14)").fetchall()[0][0]


def test_each_scheduled_load_scores_the_new_day_and_retrains_when_a_snapshot_becomes_labelled(tmp_path):
    from pipeline import run_queue
    from store import runs

    settings = make_settings(tmp_path)
    generate(settings.lake_dir, users=1500, days=62, start=START, seed=8)  # ends on a Saturday

    def scheduled_load():
        with warehouse(settings) as con:
            runs.enqueue(con, "incremental", "schedule", "scheduler")
            result = run_queue.execute(con, settings, runs.claim_next(con))
            assert result.status == "succeeded"
            return (con.execute("SELECT count(*) FROM churn_models").fetchall()[0][0], _newest_labelled(con),
                    con.execute("SELECT DISTINCT snapshot_date FROM churn_scores").fetchall(),
                    {r[0] for r in con.execute("SELECT DISTINCT snapshot_date FROM churn_features").fetchall()})

    models, labelled, scored, snapshots = scheduled_load()
    saturday = START + dt.timedelta(days=61)
    assert models == 1 and scored == [(saturday,)] and saturday in snapshots
    for extra in range(1, 4):  # Sunday, Monday, Tuesday arrive one at a time
        generate(settings.lake_dir, users=0, days=1)
        before = (models, labelled)
        models, labelled, scored, snapshots = scheduled_load()
        last = saturday + dt.timedelta(days=extra)
        assert scored == [(last,)] and last in snapshots
        assert not {d for d in snapshots if d.isoweekday() != 7} - {last}  # earlier last days dropped, Sundays kept
        assert models == before[0] + (labelled > before[1])  # a new model exactly when a newer snapshot is labelled
    assert models == 2  # the Sunday made the Sunday two weeks before it labelled: one retraining, then scoring only
