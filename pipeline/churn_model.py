"""The churn model: trained on the labelled feature snapshots (pipeline/churn.py), evaluated on a time-based
holdout beside a recency-only baseline, recorded with its metrics (table `churn_models`) and saved; and the scores
of the latest snapshot day with a risk band and the features that push each score up (table `churn_scores`).

A logistic regression on standardised numbers and one-hot categories: each feature's contribution to a person's
score is its weight times how far the person is from the training average, so the reasons are exact. The metrics
and their definitions are in docs/churn.md.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pandas as pd

from pipeline import SQL, churn
from store.sql import transaction

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline
# scikit-learn and joblib are imported where a model is trained or used: every command and the app's start would
# otherwise pay for them (about a second)

NUMERIC = ["recency_days", "active_days_7", "active_days_28", "events_7", "events_28", "activity_trend",
           "events_trend", "sessions_28", "events_per_session_28", "platforms_7", "platforms_28",
           "top_platform_share", "funnel_depth_28", "tenure_days", "attribute_changes_28"]
CATEGORICAL = ["segment", "age_group", "country", "device", "top_platform"]
PARAMETERS = {"model": "LogisticRegression", "C": 1.0, "max_iter": 2000, "class_weight": None}
BANDS = ((0.5, "high"), (0.2, "medium"), (0.0, "low"))  # the lowest probability of each band
REASONS = 3
MODELS_FOLDER = "models"  # the saved models, under the data folder


class NotEnoughHistory(ValueError):
    """Too few labelled snapshot days (or only one outcome) to train and hold one out."""


@dataclass(frozen=True)
class TrainResult:
    model_id: int
    holdout_day: dt.date
    train_days: list[dt.date]
    metrics: dict
    importances: dict
    seconds: float  # training: reading the snapshots, fitting both models, measuring, saving
    scored: int
    score_seconds: float


def _pipeline(numeric: list[str], categorical: list[str]) -> "Pipeline":
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    columns = ColumnTransformer([
        ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
        *([("categories", make_pipeline(SimpleImputer(strategy="constant", fill_value="unknown"),
                                        OneHotEncoder(handle_unknown="ignore")), categorical)] if categorical else []),
    ], sparse_threshold=0.0)
    model = LogisticRegression(C=PARAMETERS["C"], max_iter=PARAMETERS["max_iter"],
                               class_weight=PARAMETERS["class_weight"])
    return Pipeline([("columns", columns), ("model", model)])


def evaluate(y: np.ndarray, p: np.ndarray) -> dict:
    """ROC AUC, PR AUC (average precision), Brier score, lift in the top decile of scores (its churn rate over
    everyone's), and a calibration table (ten equal bins of predicted probability: rows, mean predicted, observed)."""
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

    y = np.asarray(y, dtype=float)
    top = np.argsort(-p, kind="stable")[:max(1, len(p) // 10)]
    bins = np.minimum((p * 10).astype(int), 9)
    calibration = [{"bin": f"{b / 10:.1f}-{(b + 1) / 10:.1f}", "rows": int((bins == b).sum()),
                    "predicted": float(p[bins == b].mean()), "observed": float(y[bins == b].mean())}
                   for b in range(10) if (bins == b).any()]
    return {"roc_auc": float(roc_auc_score(y, p)), "pr_auc": float(average_precision_score(y, p)),
            "brier": float(brier_score_loss(y, p)), "top_decile_lift": float(y[top].mean() / y.mean()),
            "churn_rate": float(y.mean()), "rows": int(len(y)), "calibration": calibration}


def _labelled(con: duckdb.DuckDBPyConnection, horizon_days: int) -> pd.DataFrame:
    return SQL.run(con, "churn_labelled", {"horizon": horizon_days}).df()


def _contributions(pipe: "Pipeline", frame: pd.DataFrame, mean: np.ndarray) -> pd.DataFrame:
    """Each feature's contribution to each row's log-odds, relative to the training average (one-hot columns
    summed back into their feature)."""
    columns = pipe.named_steps["columns"]
    x = columns.transform(frame)
    parts = (x - mean) * pipe.named_steps["model"].coef_[0]
    names = columns.get_feature_names_out()
    feature = [n.split("__", 1)[1] for n in names]
    feature = [next((c for c in CATEGORICAL if f.startswith(c + "_")), f) if n.startswith("categories__") else f
               for n, f in zip(names, feature)]
    return pd.DataFrame(parts, columns=names).T.groupby(feature, sort=False).sum().T


def _shown(value) -> str:
    if isinstance(value, float):
        return "unknown" if np.isnan(value) else (f"{value:.0f}" if value.is_integer() else f"{value:.2f}")
    return str(value)


def _reasons(contributions: pd.DataFrame, frame: pd.DataFrame) -> list[list[str]]:
    """Per row: up to REASONS features that raise the score, strongest first, as "feature = value"."""
    values = contributions.to_numpy()
    names = list(contributions.columns)
    columns = [frame[n].to_numpy(dtype=object) for n in names]
    order = np.argsort(-values, axis=1)[:, :REASONS]
    return [[f"{names[j]} = {_shown(columns[j][row])}" for j in picks if values[row, j] > 0]
            for row, picks in enumerate(order)]


def band(score: float) -> str:
    return next(name for low, name in BANDS if score >= low)


def train(con: duckdb.DuckDBPyConnection, data_dir: Path, horizon_days: int) -> TrainResult:
    """Train on every labelled snapshot day but the latest, evaluate on the latest against the recency-only
    baseline, record the run and save the model, then score the latest snapshot day. NotEnoughHistory when fewer
    than two snapshot days are labelled or a split holds one outcome only."""
    started = time.perf_counter()
    data = _labelled(con, horizon_days)
    days = sorted(data["snapshot_date"].dt.date.unique()) if len(data) else []
    if len(days) < 2:
        raise NotEnoughHistory(f"{len(days)} snapshot day(s) have a known {horizon_days}-day label; training needs "
                               "two (one to hold out): about 28 + 7 + horizon days of data")
    holdout_day = days[-1]
    is_holdout = data["snapshot_date"].dt.date == holdout_day
    fit, held = data[~is_holdout], data[is_holdout]
    for name, part in (("training", fit), ("holdout", held)):
        if part["churned"].nunique() < 2:
            raise NotEnoughHistory(f"the {name} snapshots hold one outcome only; nothing to learn or measure")
    y_fit, y_held = fit["churned"].astype(int).to_numpy(), held["churned"].astype(int).to_numpy()

    pipe = _pipeline(NUMERIC, CATEGORICAL).fit(fit[NUMERIC + CATEGORICAL], y_fit)
    baseline = _pipeline(["recency_days"], []).fit(fit[["recency_days"]], y_fit)
    metrics = {"model": evaluate(y_held, pipe.predict_proba(held[NUMERIC + CATEGORICAL])[:, 1]),
               "baseline": evaluate(y_held, baseline.predict_proba(held[["recency_days"]])[:, 1])}
    mean = pipe.named_steps["columns"].transform(fit[NUMERIC + CATEGORICAL]).mean(axis=0)
    contributions = _contributions(pipe, held[NUMERIC + CATEGORICAL], mean)
    importances = contributions.abs().mean().sort_values(ascending=False).round(4).to_dict()

    import joblib

    model_id = SQL.run(con, "churn_model_next_id").fetchall()[0][0]
    saved_as = f"{MODELS_FOLDER}/churn-{model_id}.joblib"  # recorded relative to the data folder: it may move
    path = Path(data_dir) / saved_as
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump({"pipeline": pipe, "mean": mean, "horizon_days": horizon_days}, path)
    seconds = time.perf_counter() - started
    SQL.run(con, "churn_model_record", {
        "model_id": model_id, "horizon_days": horizon_days, "train_days": [d for d in days[:-1]],
        "holdout_day": holdout_day, "train_rows": len(fit), "holdout_rows": len(held),
        "parameters": json.dumps(PARAMETERS), "metrics": json.dumps(metrics), "importances": json.dumps(importances),
        "model_path": saved_as, "seconds": seconds})
    scoring = time.perf_counter()
    scored = score_latest(con, data_dir, model_id)
    return TrainResult(model_id, holdout_day, days[:-1], metrics, importances, seconds, scored,
                       time.perf_counter() - scoring)


def model_file(data_dir: Path, recorded: str) -> Path:
    """Where a model's file is: its recorded path under the data folder. An absolute path (recorded by an earlier
    version) is used while it exists; a data folder copied or mounted elsewhere finds it in its own models/."""
    path = Path(recorded)
    if not path.is_absolute():
        return Path(data_dir) / path
    return path if path.exists() else Path(data_dir) / MODELS_FOLDER / path.name


def score_latest(con: duckdb.DuckDBPyConnection, data_dir: Path, model_id: int | None = None) -> int:
    """Score everyone of the latest snapshot day with the given (default: the latest) model; the scores replace
    those held before (one transaction); how many people were scored (0 when there is no model or no snapshot)."""
    found = SQL.run(con, "churn_model_latest", {"model_id": model_id}).fetchall()
    if not found:
        return 0
    import joblib

    model_id, recorded = found[0]
    saved = joblib.load(model_file(data_dir, recorded))
    frame = SQL.run(con, "churn_latest_features").df()
    if frame.empty:
        return 0
    pipe = saved["pipeline"]
    scores = pipe.predict_proba(frame[NUMERIC + CATEGORICAL])[:, 1]
    reasons = _reasons(_contributions(pipe, frame[NUMERIC + CATEGORICAL], saved["mean"]), frame)
    rows = pd.DataFrame({"snapshot_date": frame["snapshot_date"], "user_id": frame["user_id"],
                         "model_id": model_id, "score": scores, "risk_band": [band(s) for s in scores],
                         "reasons": reasons})
    con.register("churn_scored", rows)
    try:
        with transaction(con):
            SQL.run(con, "churn_scores_replace")
    finally:
        con.unregister("churn_scored")
    return len(rows)


def refresh(con: duckdb.DuckDBPyConnection, data_dir: Path, horizon_days: int) -> str:
    """After a load: compute the snapshot days not computed yet and the last day's again, then train a new model
    when a newer snapshot day has become labelled than the latest model held out (it scores the last day), else
    score the last day with the latest model. One line saying what was done, for the run's log."""
    started = time.perf_counter()
    days = churn.snapshot_days(con)
    if not days:
        return "churn: fewer than 28 days of data, nothing scored"
    built = {row[0] for row in SQL.run(con, "churn_snapshot_days_built").fetchall()}
    churn.build_features(con, sorted({d for d in days if d not in built} | {days[-1]}))
    newest_labelled, last_holdout = SQL.run(con, "churn_refresh_state", {"horizon": horizon_days}).fetchall()[0]
    if newest_labelled is not None and (last_holdout is None or newest_labelled > last_holdout):
        try:
            result = train(con, data_dir, horizon_days)
        except NotEnoughHistory as exc:
            return f"churn: no model yet: {exc}"
        m, b = result.metrics["model"], result.metrics["baseline"]
        return (f"churn: model {result.model_id} trained (holdout {result.holdout_day}: ROC AUC {m['roc_auc']:.3f}, "
                f"baseline {b['roc_auc']:.3f}), {result.scored:,} people of {days[-1]} scored, "
                f"in {time.perf_counter() - started:.1f} s")
    scored = score_latest(con, data_dir)
    return f"churn: {scored:,} people of {days[-1]} scored in {time.perf_counter() - started:.1f} s"
