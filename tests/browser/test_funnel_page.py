"""The funnel page's options in a real browser (headless Chromium): a conversion window, a breakdown and the steps
chosen in the card's header change what is drawn to the counts computed independently from the lake files, and
the card's CSV download holds the rows of the options shown. Each test ends with a clean browser console."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from store import reference
from tests import reference_metrics as ref
from tests.browser.test_dashboard import (LAST_DAY, chosen, graph_data, no_console_errors, settled, toggle, visit,
                                          wait_for_change, wait_until)
from tests.conftest import START

ALL = tuple(reference.platforms())


@pytest.fixture(scope="module")
def events(built) -> list[ref.FunnelEvent]:
    return ref.funnel_events(built.lake_dir)


def lake_counts(events, **options) -> dict[str, list[int]]:
    """The whole lake's funnel (range=all), per value."""
    return {v: c.users for v, c in ref.funnel_with_options(events, ALL, "all", START, LAST_DAY, **options).items()}


def drawn_counts(traces) -> list[int]:
    return [int(x) for x in traces[0]["x"]]


def choose_window(duo, window: str):
    duo.find_element(f"label[for='_dbcprivate_radioitems_funnel-window_input_{window}']").click()


def download_csv(duo) -> list[dict]:
    folder = Path(duo.download_path)
    before = set(folder.glob("funnel-steps_*.csv"))
    duo.find_element('#\\{\\"panel\\"\\:\\"funnel-steps\\"\\,\\"type\\"\\:\\"csv-button\\"\\}').click()
    files = wait_until(lambda: list(set(folder.glob("funnel-steps_*.csv")) - before), timeout=20)
    time.sleep(0.3)  # complete once Chromium renamed it
    text = files[0].read_text()
    files[0].unlink()
    return list(csv.DictReader(io.StringIO(text)))


def test_a_one_hour_window_draws_the_lake_s_count(dashboard, events):
    visit(dashboard, "/funnel?range=all")
    before = settled(dashboard, "funnel-graph")
    assert drawn_counts(before) == lake_counts(events)["all"]
    choose_window(dashboard, "1h")
    after = wait_for_change(dashboard, "funnel-graph", before)
    hour = lake_counts(events, window_seconds=3600)["all"]
    assert drawn_counts(after) == hour and hour[1] < drawn_counts(before)[1]
    assert after[0]["y"] == ["View", "Like", "Comment", "Share", "Create"]
    dashboard.wait_for_contains_text("#funnel-summary", "within 1 hour of their first view", timeout=10)
    # the small steps are readable: their numbers are in the table
    table = dashboard.find_element("#funnel-step-table").text
    assert f"Like {hour[1]:,}" in table
    no_console_errors(dashboard)


def test_a_breakdown_draws_one_series_per_value(dashboard, events):
    visit(dashboard, "/funnel?range=all")
    before = settled(dashboard, "funnel-graph")
    dashboard.select_dcc_dropdown("#funnel-breakdown", "Segment")
    wait_for_change(dashboard, "funnel-graph", before)
    traces = settled(dashboard, "funnel-graph")
    by_segment = lake_counts(events, breakdown="segment")
    assert [t["type"] for t in traces] == ["bar"] * len(by_segment)
    assert [t["name"] for t in traces] == [v.capitalize() for v in by_segment]  # most people entering first
    table = dashboard.find_element("#funnel-step-table").text
    for value, users in by_segment.items():
        assert f"{value.capitalize()} {users[0]:,}" in table
    assert f"Everyone {lake_counts(events)['all'][0]:,}" in table  # the values sum to the funnel
    times = graph_data(dashboard, "funnel-times")
    assert [t["type"] for t in times] == ["box"] * len(by_segment)
    no_console_errors(dashboard)


def drawn_steps(duo, labels: list[str]):
    """The funnel's traces once it draws these steps (each click of the steps control redraws it)."""
    return wait_until(lambda: (lambda t: t if t and t[0]["y"] == labels else None)(graph_data(duo, "funnel-graph")))


def test_choosing_steps_changes_the_steps(dashboard, events):
    visit(dashboard, "/funnel?range=all")
    settled(dashboard, "funnel-graph")
    toggle(dashboard, "funnel-step-choice", ["Like", "Share"])  # off: view > comment > create
    after = drawn_steps(dashboard, ["View", "Comment", "Create"])
    assert chosen(dashboard, "funnel-step-choice") == ["View", "Comment", "Create"]
    assert drawn_counts(after) == lake_counts(events, steps=("view", "comment", "create"))["all"]
    toggle(dashboard, "funnel-step-choice", ["Like"])  # on again: at the end
    again = drawn_steps(dashboard, ["View", "Comment", "Create", "Like"])
    assert drawn_counts(again) == lake_counts(events, steps=("view", "comment", "create", "like"))["all"]
    toggle(dashboard, "funnel-step-choice", ["View", "Comment", "Create"])  # one step left: the default, and why
    dashboard.wait_for_contains_text("#funnel-summary", "Pick at least two steps", timeout=10)
    drawn_steps(dashboard, ["View", "Like", "Comment", "Share", "Create"])
    no_console_errors(dashboard)


def test_the_csv_holds_the_rows_of_the_options_shown(dashboard, events):
    visit(dashboard, "/funnel?range=all")
    before = settled(dashboard, "funnel-graph")
    choose_window(dashboard, "1d")
    after = wait_for_change(dashboard, "funnel-graph", before)
    dashboard.select_dcc_dropdown("#funnel-breakdown", "Device")
    wait_for_change(dashboard, "funnel-graph", after)
    settled(dashboard, "funnel-graph")
    rows = download_csv(dashboard)
    want = lake_counts(events, window_seconds=86_400, breakdown="device")
    assert list(rows[0])[:4] == ["device", "step", "event_type", "users"]
    assert {r["window"] for r in rows} == {"1d"}
    got: dict[str, list[int]] = {}
    for r in rows:
        got.setdefault(r["device"], []).append(int(r["users"]))
    assert got == want
    # the About view names the option and the query it bound
    dashboard.find_element('#\\{\\"panel\\"\\:\\"funnel-steps\\"\\,\\"type\\"\\:\\"about-button\\"\\}').click()
    body = '#\\{\\"panel\\"\\:\\"funnel-steps\\"\\,\\"type\\"\\:\\"about-body\\"\\}'
    text = wait_until(lambda: (lambda e: e and "funnel_options.sql" in e[0].text and e[0].text)(
        dashboard.driver.find_elements(By.CSS_SELECTOR, body)), timeout=20)
    assert "Option 1d;device" in text and "window_seconds 86400" in text
    dashboard.driver.find_element(By.CSS_SELECTOR, ".modal.show .btn-close").click()
    no_console_errors(dashboard)
