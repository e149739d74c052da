"""The churn page's data (docs/metrics.md#churn-risk): who was scored on the latest day and how risky they are, by
segment, platform, age group and country; the model behind the scores against the recency-only baseline; the
highest-risk people with their features and reasons. Filters in (platforms, segment and age group; the scores are for the
last day with data, so the date range does not apply), DataFrames out, through analytics.queries like every panel.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pandas as pd

from analytics.filters import Filters
from analytics.queries import query
from pipeline.churn import WINDOW_DAYS  # the days the features look back

DIMENSIONS = {"segment": "Segment", "platform": "Platform", "age_group": "Age group", "country": "Country"}
BIN_WIDTH = 0.05
LIST_ROWS = 200  # the highest-risk people listed on the page
CSV_ROWS = 10_000  # ... and in its CSV (bounded work per request)
METRICS = {"roc_auc": "ROC AUC", "pr_auc": "PR AUC", "brier": "Brier score (lower is better)",
           "top_decile_lift": "Lift in the top decile", "churn_rate": "Churn rate on the holdout", "rows": "People"}


@dataclass(frozen=True)
class State:
    """What the page can show: "no_data", "not_enough_history" (fewer than horizon + 28 days), "no_model" (enough
    days, no model trained or nobody scored yet) or "scored"; `message` says why in a sentence when not scored."""

    status: str
    message: str
    horizon_days: int
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    scored_day: dt.date | None = None
    scored_people: int = 0

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1 if self.first_day and self.last_day else 0


def _day(value) -> dt.date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def state(horizon_days: int) -> State:
    """The churn page's state for a horizon of `horizon_days` (the setting; a trained model says its own)."""
    row = query("churn_state").iloc[0]
    first, last, scored = _day(row["first_day"]), _day(row["last_day"]), _day(row["scored_day"])
    people = int(row["scored_people"] or 0)
    needed = horizon_days + WINDOW_DAYS
    if last is None:
        return State("no_data", "The warehouse holds no data yet: generate and load a lake (`make demo`).",
                     horizon_days)
    days = (last - first).days + 1
    if people:
        return State("scored", "", horizon_days, first, last, scored, people)
    if days < needed:
        return State("not_enough_history",
                     f"Not enough history yet: churn risk needs {needed} days of data ({WINDOW_DAYS} days to describe "
                     f"each person, then {horizon_days} days to see who churned) and the warehouse holds {days} "
                     f"({first} to {last}). The first model is trained once {needed - days} more day"
                     f"{'s' if needed - days != 1 else ''} (and a week's second snapshot) are loaded.",
                     horizon_days, first, last)
    return State("no_model",
                 f"No churn model has scored anyone yet. Training needs two weekly snapshots (Sundays with "
                 f"{WINDOW_DAYS} days of data before them) whose {horizon_days} following days are loaded; the "
                 f"warehouse holds {days} days ({first} to {last}). The next load trains one when they are there, "
                 "or run `python -m pipeline churn train`.", horizon_days, first, last)


def distribution(f: Filters) -> pd.DataFrame:
    """One row per score bin of width 0.05 and risk band: bin_start, bin_end, risk_band, people, expected_churners
    (the sum of their scores); bins nobody falls in are left out."""
    frame = query("churn_distribution", **_params(f))
    frame["bin_start"] = frame["score_bin"] * BIN_WIDTH
    frame["bin_end"] = frame["bin_start"] + BIN_WIDTH
    return frame[["bin_start", "bin_end", "risk_band", "people", "expected_churners"]]


def summary(frame: pd.DataFrame) -> dict:
    """Totals of a distribution frame: people, high, medium, expected_churners, expected_rate (None when nobody)."""
    people = int(frame["people"].sum())
    by_band = frame.groupby("risk_band")["people"].sum()
    expected = float(frame["expected_churners"].sum())
    return {"people": people, "high": int(by_band.get("high", 0)), "medium": int(by_band.get("medium", 0)),
            "expected_churners": expected, "expected_rate": expected / people if people else None}


def observed(f: Filters, horizon_days: int) -> dict | None:
    """What happened after the latest labelled snapshot day to the people the filters select: {labelled_day,
    people, churned (from every app), churned_from_selected (from the selected platforms)}; None before any."""
    row = query("churn_observed", **_params(f), horizon=horizon_days).iloc[0]
    if pd.isna(row["labelled_day"]) or not row["people"]:
        return None
    return {"labelled_day": _day(row["labelled_day"]), "people": int(row["people"]), "churned": int(row["churned"]),
            "churned_from_selected": int(row["churned_from_selected"])}


def breakdown(f: Filters, dimension: str) -> pd.DataFrame:
    """One row per value of `dimension` (DIMENSIONS) among the scored people: value, people, high_risk, medium_risk,
    high_share, expected_churners, expected_churn_rate; most people first."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension {dimension!r} is not one of {', '.join(DIMENSIONS)}")
    frame = query("churn_breakdown", **_params(f))
    frame = frame[frame["dimension"] == dimension].drop(columns="dimension").reset_index(drop=True)
    frame.insert(4, "high_share", frame["high_risk"] / frame["people"])
    return frame


def highest_risk(f: Filters, limit: int = LIST_ROWS) -> pd.DataFrame:
    """One row per scored person, the highest scores first (at most `limit`, up to CSV_ROWS): user_id, score,
    risk_band, reasons, platforms and every feature of the scored day."""
    return query("churn_people", **_params(f), limit=max(1, min(int(limit), CSV_ROWS)))


def model_card() -> dict | None:
    """The model behind the scores (None before any training): its run's fields, with metrics, parameters and
    importances parsed from JSON."""
    frame = query("churn_model_card")
    if frame.empty:
        return None
    card = frame.iloc[0].to_dict()
    for key in ("parameters", "metrics", "importances"):
        card[key] = json.loads(card[key])
    card["train_days"] = [pd.Timestamp(d).date() for d in card["train_days"]]
    return card


def model_metrics(card: dict) -> pd.DataFrame:
    """One row per holdout metric (METRICS): metric, model, baseline (recency only), gain (model - baseline)."""
    rows = []
    for key, label in METRICS.items():
        model, baseline = card["metrics"]["model"][key], card["metrics"]["baseline"][key]
        rows.append({"metric": label, "model": model, "baseline": baseline,
                     "gain": None if key in ("churn_rate", "rows") else model - baseline})
    return pd.DataFrame(rows, columns=["metric", "model", "baseline", "gain"])


def model_card_data(card: dict | None) -> pd.DataFrame:
    """The model card as one long table (its CSV): section ("holdout" or "calibration"), name (the metric, or the
    bin and what of it: rows, predicted, observed), scorer (model or baseline), value; empty before any model."""
    rows = []
    if card:
        for key, label in METRICS.items():
            rows += [{"section": "holdout", "name": label, "scorer": scorer, "value": card["metrics"][scorer][key]}
                     for scorer in ("model", "baseline")]
        for r in calibration(card).itertuples():
            rows += [{"section": "calibration", "name": f"{r.bin} {what}", "scorer": r.scorer,
                      "value": getattr(r, what)} for what in ("rows", "predicted", "observed")]
    return pd.DataFrame(rows, columns=["section", "name", "scorer", "value"])


def calibration(card: dict) -> pd.DataFrame:
    """One row per (model or baseline, bin of predicted probability) on the holdout: scorer, bin, rows,
    predicted (mean), observed (churn rate)."""
    rows = [{"scorer": scorer, **row} for scorer in ("model", "baseline")
            for row in card["metrics"][scorer]["calibration"]]
    return pd.DataFrame(rows, columns=["scorer", "bin", "rows", "predicted", "observed"])


def _params(f: Filters) -> dict:
    return {"platform_mask": f.platform_mask, "segment": f.segment, "age_group": f.age_group}
