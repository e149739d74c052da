"""Breakdowns and the previous period in a real browser: choosing "Break down by" changes the series (to the counts
the analytics compute from the warehouse) and the URL, which the navbar carries to Retention and Growth; the
Overview's previous-period line holds the DAU of the days just before the range."""

from __future__ import annotations

import datetime as dt

from selenium.webdriver.common.by import By

from analytics import panels
from analytics.filters import Filters
from tests.browser.test_dashboard import (graph_data, no_console_errors, settled, visit, wait_for_change,
                                          wait_for_traces, wait_until)
from store import reference
from tests.conftest import DAYS, START

LAST = START + dt.timedelta(days=DAYS - 1)
ALL = ("facebook", "instagram", "messenger", "whatsapp", "threads")


def test_a_breakdown_changes_the_series_and_the_url_and_follows_to_other_pages(dashboard):
    visit(dashboard, "/?range=all&segment=regular")
    before = wait_for_traces(dashboard, "overview-activity-graph")
    dashboard.select_dcc_dropdown("#filter-breakdown", "Age group")
    wait_for_change(dashboard, "overview-activity-graph", before)
    traces = settled(dashboard, "overview-activity-graph")
    assert "breakdown=age_group" in dashboard.driver.current_url
    expected = panels.activity_breakdown(Filters(ALL, START, LAST, "regular", "all", "age_group"))
    assert [t["name"] for t in traces] == list(dict.fromkeys(expected["value"]))
    for t in traces:
        assert [int(y) for y in t["y"]] == list(expected.loc[expected["value"] == t["name"], "dau"]), t["name"]

    dashboard.driver.find_element(By.LINK_TEXT, "Retention").click()
    wait_until(lambda: "/retention" in dashboard.driver.current_url)
    assert "breakdown=age_group" in dashboard.driver.current_url
    days = wait_for_traces(dashboard, "retention-days-graph")
    expected = panels.retention_days_breakdown(Filters(ALL, START, LAST, "regular", "all", "age_group"))
    lines = [t for t in days if t["type"] == "scatter"]
    assert len(lines) == expected["value"].nunique() and days[-1]["type"] == "bar"  # curves beside cohort sizes
    first = expected[(expected["value"] == lines[0]["name"]) & (expected["cohort_users"] > 0)]
    assert [round(y, 9) for y in lines[0]["y"]] == [round(v, 9) for v in first["retention"]]

    visit(dashboard, "/growth?platforms=facebook,threads&range=all&breakdown=platform")
    growth = settled(dashboard, "growth-graph")
    assert {t["name"] for t in growth} == {"New", "Retained", "Resurrected", "Churned"}
    # a small chart per platform, four series each, its partial periods (the first week) as their own hatched bars
    assert len(growth) == 2 * 4 * 2
    assert {t["name"] for t in growth if len(t["x"]) == 1} == {"New", "Retained", "Resurrected", "Churned"}
    titles = dashboard.driver.execute_script(
        "const el = document.querySelector('#growth-graph .js-plotly-plot');"
        "return el.layout.annotations.map(a => a.text);")
    assert any(t.startswith("Facebook: Quick Ratio ") for t in titles)
    assert any(t.startswith("Threads: Quick Ratio ") for t in titles)
    no_console_errors(dashboard)


def test_the_previous_period_is_a_dashed_line_of_the_days_before(dashboard):
    start = START + dt.timedelta(days=14)
    visit(dashboard, f"/?start={start}&end={LAST}")
    before = wait_for_traces(dashboard, "overview-activity-graph")
    assert not any(t["name"] == "DAU, previous period" for t in before)
    dashboard.find_element("#overview-compare").click()
    traces = wait_for_change(dashboard, "overview-activity-graph", before)
    previous = next(t for t in traces if t["name"] == "DAU, previous period")
    earlier = panels.overview_activity(Filters(ALL, START, start - dt.timedelta(days=1), "all", None))
    assert [int(y) for y in previous["y"]] == list(earlier["dau"])
    dash = dashboard.driver.execute_script(
        "const el = document.querySelector('#overview-activity-graph .js-plotly-plot');"
        "return el.data.find(t => t.name === 'DAU, previous period').line.dash;")
    assert dash == "dash"
    assert graph_data(dashboard, "overview-stickiness-graph")  # the stickiness card is drawn alongside
    no_console_errors(dashboard)


def test_an_age_group_filters_every_page_and_the_url(dashboard):
    visit(dashboard, "/?range=all&segment=casual")
    before = wait_for_traces(dashboard, "overview-activity-graph")
    dashboard.select_dcc_dropdown("#filter-age-group", "25-34")
    wait_for_change(dashboard, "overview-activity-graph", before)
    wait_until(lambda: "age_group=25-34" in dashboard.driver.current_url)
    f = Filters(ALL, START, LAST, "casual", "all", age_group="25-34")
    dau = next(t for t in settled(dashboard, "overview-activity-graph") if t["name"] == "DAU")
    expected = panels.overview_activity(f)
    assert [int(y) for y in dau["y"]] == list(expected["dau"])
    assert sum(expected["dau"]) < sum(panels.overview_activity(Filters(ALL, START, LAST, "casual", "all"))["dau"])

    dashboard.driver.find_element(By.LINK_TEXT, "Growth").click()
    wait_until(lambda: "/growth" in dashboard.driver.current_url and "age_group=25-34" in dashboard.driver.current_url)
    bars = settled(dashboard, "growth-graph")
    weekly = panels.growth(f, "week")
    new = [t for t in bars if t["name"] == "New"]
    assert sum(int(y) for t in new for y in t["y"]) == int(weekly["new_users"].sum())

    visit(dashboard, "/growth?range=all&breakdown=age_group")  # one small chart per age group
    growth = settled(dashboard, "growth-graph")
    titles = dashboard.driver.execute_script(
        "const el = document.querySelector('#growth-graph .js-plotly-plot');"
        "return el.layout.annotations.map(a => a.text);")
    assert sum(": Quick Ratio" in t for t in titles) == len(reference.age_groups()), titles
    assert {t["name"] for t in growth} == {"New", "Retained", "Resurrected", "Churned"}

    visit(dashboard, "/?range=all&age_group=99-100")
    wait_until(lambda: "Unknown age group '99-100'" in dashboard.find_element("#shell-notice").text)
    no_console_errors(dashboard)
