"""Figure builders: DataFrame in, figure out; each drawn from known values, and each with an empty state."""

from __future__ import annotations

import pandas as pd
import pytest

from webapp.components import figures
from webapp.components.theme import EMPTY_MESSAGE, is_empty

DAYS = pd.date_range("2024-01-01", periods=3)


def test_activity_draws_dau_its_average_wau_and_mau():
    frame = pd.DataFrame({"day": DAYS, "dau": [10, 20, 30], "dau_ma7": [10, 15, 20], "wau": [10, 25, 40],
                          "mau": [10, 25, 45], "stickiness": [1, .8, .67], "events": [1, 2, 3], "new_users": [1, 1, 1],
                          "is_wau_complete": [True] * 3, "is_mau_complete": [True] * 3})
    fig = figures.activity(frame)
    assert [t.name for t in fig.data] == ["DAU", "DAU, 7-day average", "WAU", "MAU"]
    assert list(fig.data[0].y) == [10, 20, 30] and list(fig.data[3].y) == [10, 25, 45]
    assert list(figures.stickiness(frame).data[0].y) == [1, .8, .67]
    assert not fig.layout.shapes  # nothing incomplete, nothing shaded


def test_windows_reaching_before_the_data_are_dashed_and_shaded():
    frame = pd.DataFrame({"day": DAYS, "dau": [10, 20, 30], "dau_ma7": [10, 15, 20], "wau": [10, 25, 40],
                          "mau": [10, 25, 45], "stickiness": [1, .8, .67], "events": [1, 2, 3], "new_users": [1, 1, 1],
                          "is_wau_complete": [False, True, True], "is_mau_complete": [False, False, True]})
    fig = figures.activity(frame)
    mau = [t for t in fig.data if t.legendgroup == "MAU"]
    solid, dashed = mau
    assert list(solid.y)[:2] == [None, None] or pd.isna(list(solid.y)[0])
    assert list(solid.y)[2] == 45 and dashed.line.dash == "dash" and list(dashed.y) == [10, 25, 45]
    wau_dashed = [t for t in fig.data if t.legendgroup == "WAU"][1]
    assert list(wau_dashed.y)[:2] == [10, 25] and pd.isna(list(wau_dashed.y)[2])
    assert len(fig.layout.shapes) == 1  # the band of incomplete MAU windows
    sticky = figures.stickiness(frame)
    assert pd.isna(list(sticky.data[0].y)[0]) and sticky.data[1].line.dash == "dash"


def test_hover_formats_counts_as_whole_numbers():
    frame = pd.DataFrame({"day": DAYS, "dau": [7261, 20, 30], "dau_ma7": [6747.143, 15, 20], "wau": [12935] * 3,
                          "mau": [12935] * 3, "stickiness": [.5] * 3, "is_wau_complete": [True] * 3,
                          "is_mau_complete": [True] * 3})
    templates = {t.name: t.hovertemplate for t in figures.activity(frame).data}
    assert templates["DAU"].startswith("%{y:,.0f}") and templates["MAU"].startswith("%{y:,.0f}")
    assert templates["DAU, 7-day average"].startswith("%{y:,.1f}")


@pytest.mark.parametrize("builder, frame", [
    (figures.activity, pd.DataFrame({"day": DAYS, "dau": [0, 0, 0], "dau_ma7": [0] * 3, "wau": [0] * 3,
                                     "mau": [0] * 3, "stickiness": [None] * 3})),
    (figures.funnel, pd.DataFrame({"event_type": ["view"], "users": [0], "from_previous": [None],
                                   "from_first": [None]})),
    (figures.cohort_heatmap, pd.DataFrame(columns=["cohort_week", "period", "cohort_size", "retention",
                                                   "is_complete", "is_cohort_complete"])),
    (figures.choropleth, pd.DataFrame(columns=["iso3", "users", "country_name"])),
    (figures.pareto, pd.DataFrame(columns=["percentile", "events", "cumulative_share"])),
    (figures.engagement_distribution, pd.DataFrame(columns=["segment", "score_bin", "users"])),
    (figures.growth, pd.DataFrame({"period_start": DAYS, "new_users": [0] * 3, "retained": [0] * 3,
                                   "resurrected": [0] * 3, "churned": [0] * 3, "active": [0] * 3,
                                   "quick_ratio": [None] * 3, "is_complete": [True] * 3})),
])
def test_no_data_draws_an_empty_state_not_a_broken_chart(builder, frame):
    fig = builder(frame)
    assert is_empty(fig) and fig.layout.annotations[0].text == EMPTY_MESSAGE and not fig.data


def test_funnel_labels_conversion_from_previous_and_first():
    frame = pd.DataFrame({"event_type": ["view", "like", "comment"], "users": [17046, 8512, 10],
                          "from_previous": [1.0, .5, .2], "from_first": [1.0, .5, .1]})
    trace = figures.funnel(frame).data[0]
    assert list(trace.x) == [17046, 8512, 10] and list(trace.y) == ["View", "Like", "Comment"]
    assert trace.text[2] == "20% of previous, 10% of first"
    assert trace.texttemplate.startswith("%{x:,.0f}")  # 17,046 and 8,512 alike, never 17.046k


def test_cohort_heatmap_marks_incomplete_weeks_instead_of_drawing_a_drop():
    weeks = pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-08", "2024-01-08"])
    frame = pd.DataFrame({"cohort_week": weeks, "period": [0, 1, 0, 1], "cohort_size": [10, 10, 4, 4],
                          "active_users": [10, 6, 4, 0], "retention": [1, .6, 1, 0],
                          "is_complete": [True, True, True, False], "is_cohort_complete": [False, False, True, True]})
    trace = figures.cohort_heatmap(frame).data[0]
    assert trace.text[2][1] == "…" and pd.isna(trace.z[2][1])  # not 0%
    assert trace.text[1][1] == "60%"
    assert list(trace.y) == ["All cohorts, weighted (n=14)", "2024-01-01 (n=10, partial week)", "2024-01-08 (n=4)"]
    # the weighted average row: week 0 of both (14 of 14), week 1 of the cohort whose week 1 is complete (6 of 10)
    assert list(trace.z[0]) == [1.0, 0.6] and list(trace.text[0]) == ["100%", "60%"]
    # 75% and 90% are told apart: at least two colour steps between them
    stops = [stop for stop, _ in trace.colorscale]
    assert sum(1 for stop in stops if 0.75 < stop <= 0.9) >= 1 and sum(1 for stop in stops if stop >= 0.7) >= 4


def test_retention_curve_shows_each_points_sample_size():
    frame = pd.DataFrame({"day_n": [1, 7, 14, 30], "cohort_users": [1200, 800, 35, 0],
                          "returned_users": [600, 120, 7, 0], "retention": [.5, .15, .2, None]})
    trace = figures.retention_curve(frame).data[0]
    assert list(trace.x) == [1, 7, 14] and trace.text[2] == "20%<br>n=35" and trace.text[0] == "50%<br>n=1,200"


def test_growth_draws_churn_below_zero_and_the_quick_ratio_of_complete_periods():
    frame = pd.DataFrame({"period_start": DAYS, "new_users": [5, 3, 2], "retained": [0, 4, 5],
                          "resurrected": [0, 1, 1], "churned": [0, 2, 4], "active": [5, 8, 8],
                          "quick_ratio": [None, 2.0, .75], "is_complete": [False, True, True]})
    fig = figures.growth(frame, "day")
    bars = {(t.name, t.marker.pattern.shape): t for t in fig.data if t.type == "bar"}
    assert list(bars["Churned", ""].y) == [-2, -4] and list(bars["New", ""].y) == [3, 2]
    assert list(bars["New", "/"].y) == [5] and not bars["New", "/"].showlegend  # the partial period is hatched
    ratio = next(t for t in fig.data if t.name == "Quick Ratio")
    assert list(ratio.y)[1:] == [2.0, .75] and fig.layout.barmode == "relative"
    assert any(s.y0 == 1 and s.y1 == 1 for s in fig.layout.shapes)  # the line at 1
    assert fig.layout.yaxis2.range[0] == 0 and fig.layout.yaxis2.tickformat == ".1f"


def test_weekly_growth_ticks_sit_on_the_mondays_of_the_bars():
    mondays = pd.date_range("2024-01-01", periods=4, freq="7D")
    frame = pd.DataFrame({"period_start": mondays, "new_users": [1] * 4, "retained": [1] * 4,
                          "resurrected": [1] * 4, "churned": [1] * 4, "active": [3] * 4,
                          "quick_ratio": [2.0] * 4, "is_complete": [True] * 4})
    fig = figures.growth(frame, "week")
    assert pd.Timestamp(fig.layout.xaxis.tick0) == mondays[0] and fig.layout.xaxis.dtick == 7 * 86_400_000


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


def test_a_range_outside_the_data_draws_no_data_not_an_empty_filter():
    from analytics.panels import no_data
    from webapp.components.theme import NO_DATA_MESSAGE

    fig = figures.funnel(no_data(["event_type", "users", "from_previous", "from_first"]))
    assert is_empty(fig) and fig.layout.annotations[0].text == NO_DATA_MESSAGE
