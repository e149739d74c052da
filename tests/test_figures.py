"""Figure builders: DataFrame in, figure out; each drawn from known values, and each with an empty state."""

from __future__ import annotations

import pandas as pd
import pytest

from webapp.components import figures
from webapp.components.theme import EMPTY_MESSAGE, is_empty

DAYS = pd.date_range("2024-01-01", periods=3)


def test_activity_draws_dau_its_average_wau_and_mau():
    frame = pd.DataFrame({"day": DAYS, "dau": [10, 20, 30], "dau_ma7": [10, 15, 20], "wau": [10, 25, 40],
                          "mau": [10, 25, 45], "stickiness": [1, .8, .67], "events": [1, 2, 3], "new_users": [1, 1, 1]})
    fig = figures.activity(frame)
    assert [t.name for t in fig.data] == ["DAU", "DAU, 7-day average", "WAU", "MAU"]
    assert list(fig.data[0].y) == [10, 20, 30] and list(fig.data[3].y) == [10, 25, 45]
    assert list(figures.stickiness(frame).data[0].y) == [1, .8, .67]


@pytest.mark.parametrize("builder, frame", [
    (figures.activity, pd.DataFrame({"day": DAYS, "dau": [0, 0, 0], "dau_ma7": [0] * 3, "wau": [0] * 3,
                                     "mau": [0] * 3, "stickiness": [None] * 3})),
    (figures.funnel, pd.DataFrame({"event_type": ["view"], "users": [0], "from_previous": [None],
                                   "from_first": [None]})),
    (figures.cohort_heatmap, pd.DataFrame(columns=["cohort_week", "period", "cohort_size", "retention",
                                                   "is_complete"])),
    (figures.choropleth, pd.DataFrame(columns=["iso3", "users", "country_name"])),
    (figures.pareto, pd.DataFrame(columns=["percentile", "events", "cumulative_share"])),
    (figures.engagement_distribution, pd.DataFrame(columns=["segment", "score_bin", "users"])),
    (figures.growth, pd.DataFrame({"period_start": DAYS, "new_users": [0] * 3, "retained": [0] * 3,
                                   "resurrected": [0] * 3, "churned": [0] * 3, "active": [0] * 3,
                                   "quick_ratio": [None] * 3})),
])
def test_no_data_draws_an_empty_state_not_a_broken_chart(builder, frame):
    fig = builder(frame)
    assert is_empty(fig) and fig.layout.annotations[0].text == EMPTY_MESSAGE and not fig.data


def test_funnel_labels_conversion_from_previous_and_first():
    frame = pd.DataFrame({"event_type": ["view", "like", "comment"], "users": [100, 50, 10],
                          "from_previous": [1.0, .5, .2], "from_first": [1.0, .5, .1]})
    trace = figures.funnel(frame).data[0]
    assert list(trace.x) == [100, 50, 10] and list(trace.y) == ["View", "Like", "Comment"]
    assert trace.text[2] == "20% of previous, 10% of first"


def test_cohort_heatmap_marks_incomplete_weeks_instead_of_drawing_a_drop():
    weeks = pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-08", "2024-01-08"])
    frame = pd.DataFrame({"cohort_week": weeks, "period": [0, 1, 0, 1], "cohort_size": [10, 10, 4, 4],
                          "active_users": [10, 6, 4, 0], "retention": [1, .6, 1, 0],
                          "is_complete": [True, True, True, False]})
    trace = figures.cohort_heatmap(frame).data[0]
    assert trace.text[1][1] == "…" and pd.isna(trace.z[1][1])  # not 0%
    assert trace.text[0][1] == "60%" and list(trace.y) == ["2024-01-01 (n=10)", "2024-01-08 (n=4)"]


def test_growth_draws_churn_below_zero_and_the_quick_ratio():
    frame = pd.DataFrame({"period_start": DAYS, "new_users": [5, 3, 2], "retained": [0, 4, 5],
                          "resurrected": [0, 1, 1], "churned": [0, 2, 4], "active": [5, 8, 8],
                          "quick_ratio": [None, 2.0, .75]})
    fig = figures.growth(frame)
    bars = {t.name: list(t.y) for t in fig.data if t.type == "bar"}
    assert bars["Churned"] == [0, -2, -4] and bars["New"] == [5, 3, 2]
    ratio = next(t for t in fig.data if t.name == "Quick Ratio")
    assert list(ratio.y)[1:] == [2.0, .75] and fig.layout.barmode == "relative"


def test_platform_pairs_is_symmetric_with_an_empty_diagonal():
    frame = pd.DataFrame({"platform_a": ["facebook", "facebook", "instagram"],
                          "platform_b": ["instagram", "whatsapp", "whatsapp"], "users": [7, 5, 3]})
    z = figures.platform_pairs(frame).data[0].z
    assert z[0][1] == z[1][0] == 7 and z[1][2] == z[2][1] == 3 and pd.isna(z[0][0])
    assert "two platforms" in figures.platform_pairs(frame.iloc[0:0]).layout.annotations[0].text


def test_choropleth_uses_iso3_and_skips_unknown_countries():
    frame = pd.DataFrame({"iso3": ["USA", None], "users": [5, 2], "country_name": ["United States", "XX"]})
    trace = figures.choropleth(frame).data[0]
    assert trace.locationmode == "ISO-3" and list(trace.locations) == ["USA"] and list(trace.z) == [5]


def test_pareto_marks_the_top_1_and_10_percent():
    frame = pd.DataFrame({"percentile": list(range(1, 101)), "events": [1] * 100,
                          "cumulative_share": [i / 100 for i in range(1, 101)]})
    texts = [a.text for a in figures.pareto(frame).layout.annotations]
    assert texts == ["top 1%: 1%", "top 10%: 10%"]


def test_engagement_traces_follow_segment_order():
    frame = pd.DataFrame({"segment": ["regular", "casual", "power"], "score_bin": [10, 5, 90], "users": [3, 4, 1]})
    assert [t.name for t in figures.engagement_distribution(frame).data] == ["casual", "regular", "power"]
