"""The dashboard in a real browser (headless Chromium): every page, the filters, the URL, empty states, downloads.
Each test ends with a clean browser console."""

from __future__ import annotations

import csv
import datetime as dt
import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.conftest import DAYS, START

LAST_DAY = START + dt.timedelta(days=DAYS - 1)
PAGES = {
    "/": ["overview-activity-graph", "overview-stickiness-graph"],
    "/platforms": ["platforms-comparison-graph", "platforms-apps-graph", "platforms-pairs-graph"],
    "/funnel": ["funnel-graph"],
    "/retention": ["retention-cohorts-graph", "retention-days-graph"],
    "/growth": ["growth-graph"],
    "/geography": ["geography-graph"],
    "/engagement": ["engagement-distribution-graph", "engagement-pareto-graph"],
}


def graph_data(duo, graph_id: str):
    """The traces Plotly drew in a dcc.Graph (None until it drew)."""
    return duo.driver.execute_script(
        "const el = document.querySelector(`#${arguments[0]} .js-plotly-plot`);"
        "const plain = v => v && v._inputArray ? Array.from(v._inputArray)"
        " : (Array.isArray(v) || ArrayBuffer.isView(v)) ? Array.from(v, plain) : v;"
        "return el && el.data ? el.data.map(t => ({type: t.type, x: plain(t.x), y: plain(t.y), z: plain(t.z),"
        " name: t.name})) : null;", graph_id)


def annotations(duo, graph_id: str) -> list[str]:
    return duo.driver.execute_script(
        "const el = document.querySelector(`#${arguments[0]} .js-plotly-plot`);"
        "return el && el.layout && el.layout.annotations ? el.layout.annotations.map(a => a.text) : [];", graph_id)


def wait_for_traces(duo, graph_id: str, timeout: float = 20):
    end = time.time() + timeout
    while time.time() < end:
        data = graph_data(duo, graph_id)
        if data:
            return data
        time.sleep(0.1)
    raise AssertionError(f"{graph_id} drew no trace; annotations: {annotations(duo, graph_id)}")


def wait_for_change(duo, graph_id: str, before, timeout: float = 20):
    end = time.time() + timeout
    while time.time() < end:
        data = graph_data(duo, graph_id)
        if data and data != before:
            return data
        time.sleep(0.1)
    raise AssertionError(f"{graph_id} did not change")


def wait_until(condition, timeout: float = 20):
    end = time.time() + timeout
    while time.time() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def settled(duo, graph_id: str):
    """The graph's traces once two reads half a second apart agree (the last callback has landed)."""
    previous = None
    end = time.time() + 20
    while time.time() < end:
        current = graph_data(duo, graph_id)
        if current and current == previous:
            return current
        previous = current
        time.sleep(0.5)
    raise AssertionError(f"{graph_id} did not settle")


def dau(duo) -> list:
    return wait_for_traces(duo, "overview-activity-graph")[0]["y"]


def visit(duo, path: str):
    duo.driver.get(duo.server_url + path)


def chosen(duo, dropdown_id: str) -> list[str]:
    """The labels a Dash dropdown shows as selected."""
    return [e.text for e in duo.driver.find_elements(By.CSS_SELECTOR, f"#{dropdown_id} .dash-dropdown-value-item")]


def toggle(duo, dropdown_id: str, labels: list[str]):
    """Open a dropdown, click the options with these labels (toggling them in a multi-select), close it."""
    duo.find_element(f"#{dropdown_id}").click()
    menu = duo.wait_for_element(".dash-dropdown-options", timeout=5)
    for label in labels:
        option = next(o for o in menu.find_elements(By.CSS_SELECTOR, ".dash-dropdown-option") if o.text == label)
        option.click()
    duo.driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)


def no_console_errors(duo):
    assert duo.get_logs() == []


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_draws_its_charts(dashboard, path):
    visit(dashboard, path)
    for graph in PAGES[path]:
        traces = wait_for_traces(dashboard, graph)
        assert traces and "No activity" not in " ".join(annotations(dashboard, graph))
    meta = dashboard.find_element(".pa-card-meta").text
    assert f"Data through {LAST_DAY}" in meta
    assert "1 check warned" in meta  # the test lake is from 2024: freshness warns
    no_console_errors(dashboard)


def test_the_map_uses_the_app_s_own_geometry(dashboard):
    visit(dashboard, "/geography")
    wait_for_traces(dashboard, "geography-graph")
    dashboard.wait_for_element("#geography-graph .choroplethlayer path", timeout=20)
    resources = dashboard.driver.execute_script(
        "return performance.getEntriesByType('resource').map(r => r.name)")
    assert any(r.endswith("/assets/topojson/world_110m.json") for r in resources)
    assert all(r.startswith(dashboard.server_url) for r in resources), [r for r in resources
                                                                        if not r.startswith(dashboard.server_url)]
    assert dashboard.find_element("#geography-table tbody tr").text.startswith("1 ")
    no_console_errors(dashboard)


def test_each_filter_changes_the_charts_and_the_url(dashboard):
    visit(dashboard, "/")
    everyone = dau(dashboard)
    # the default range, the last 30 days, on a 28-day lake: clamped to the data with a notice, no days of zeros
    assert len(everyone) == 28 and all(everyone)
    dashboard.wait_for_contains_text("#shell-notice", "Last 30 days: only 28 days of data", timeout=10)

    # platforms: keep WhatsApp only
    toggle(dashboard, "filter-platforms", ["Facebook", "Instagram", "Messenger", "Threads"])
    wait_until(lambda: "platforms=whatsapp" in dashboard.driver.current_url)
    whatsapp = settled(dashboard, "overview-activity-graph")
    assert chosen(dashboard, "filter-platforms") == ["WhatsApp"]
    assert sum(whatsapp[0]["y"]) < sum(everyone)
    assert "platforms=whatsapp" in dashboard.driver.current_url

    # segment
    before = graph_data(dashboard, "overview-activity-graph")
    dashboard.select_dcc_dropdown("#filter-segment", "Power")
    wait_for_change(dashboard, "overview-activity-graph", before)
    power = settled(dashboard, "overview-activity-graph")
    assert sum(power[0]["y"]) < sum(whatsapp[0]["y"])
    assert "segment=power" in dashboard.driver.current_url

    # date preset
    before = graph_data(dashboard, "overview-activity-graph")
    dashboard.find_element("label[for='_dbcprivate_radioitems_filter-preset_input_7d']").click()
    week = wait_for_change(dashboard, "overview-activity-graph", before)
    assert len(week[0]["y"]) == 7 and "range=7d" in dashboard.driver.current_url
    no_console_errors(dashboard)


def test_a_link_restores_the_view(dashboard):
    visit(dashboard, f"/?platforms=instagram,threads&start={START + dt.timedelta(days=3)}"
                     f"&end={START + dt.timedelta(days=9)}&segment=regular")
    traces = wait_for_traces(dashboard, "overview-activity-graph")
    assert len(traces[0]["y"]) == 7
    assert traces[0]["x"][0].startswith(str(START + dt.timedelta(days=3)))
    assert chosen(dashboard, "filter-platforms") == ["Instagram", "Threads"]
    assert chosen(dashboard, "filter-segment") == ["Regular"]
    assert not dashboard.driver.find_elements(By.CSS_SELECTOR, "#shell-notice.show, #shell-notice .alert")
    no_console_errors(dashboard)


def test_a_bad_link_falls_back_with_a_notice(dashboard):
    visit(dashboard, "/growth?platforms=myspace,whatsapp&start=2024-13-40&end=soon&segment=vip")
    dashboard.wait_for_text_to_equal  # noqa: B018
    notice = dashboard.wait_for_element("#shell-notice", timeout=10)
    dashboard.wait_for_contains_text("#shell-notice", "Unknown platform 'myspace'", timeout=10)
    text = notice.text
    assert "not both dates" in text and "Unknown segment 'vip'" in text
    assert wait_for_traces(dashboard, "growth-graph")
    assert "platforms=whatsapp" in dashboard.driver.current_url and "myspace" not in dashboard.driver.current_url
    no_console_errors(dashboard)


def test_a_range_outside_the_data_shows_no_data(dashboard):
    after = LAST_DAY + dt.timedelta(days=30)
    visit(dashboard, f"/engagement?start={after}&end={after + dt.timedelta(days=6)}")
    for graph in PAGES["/engagement"]:
        dashboard.wait_for_contains_text(f"#{graph}", "No data in the selected range", timeout=20)
    dashboard.wait_for_contains_text("#shell-notice", f"No data from {after} to", timeout=10)
    no_console_errors(dashboard)


def test_the_edges_of_the_data_are_marked_not_drawn_as_values(dashboard):
    visit(dashboard, "/?range=all")  # 28 days: no 30-day window is whole, the first 6 weekly ones are not
    traces = settled(dashboard, "overview-activity-graph")
    assert "WAU (window before the data)" in [t["name"] for t in traces]
    cards = lambda: dashboard.driver.execute_script(  # noqa: E731
        "return Array.from(document.querySelectorAll('.pa-kpi')).map(c => c.textContent)")
    mau = wait_until(lambda: next((text for text in cards() if text.startswith("MAU (last day)")), None))
    assert "n/a" in mau and "fewer than 30 days of data" in mau
    visit(dashboard, "/growth?range=all")
    dashboard.wait_for_contains_text("#growth-quick-ratio", "partial period", timeout=20)
    no_console_errors(dashboard)


def test_a_card_links_to_the_definition_of_its_number(dashboard):
    visit(dashboard, "/")
    wait_for_traces(dashboard, "overview-stickiness-graph")
    dashboard.find_element("#card-overview-stickiness a[href='/definitions#stickiness']").click()
    dashboard.wait_for_text_to_equal("#stickiness", "Stickiness", timeout=10)
    assert dashboard.driver.current_url.endswith("/definitions#stickiness")
    wait_until(lambda: dashboard.driver.execute_script(
        "const r = document.getElementById('stickiness').getBoundingClientRect();"
        "return r.top >= 0 && r.top < window.innerHeight / 2;"), timeout=10)  # scrolled to it
    assert "DAU / MAU" in dashboard.find_element("#definitions-doc").text
    no_console_errors(dashboard)


def test_filters_survive_moving_between_pages(dashboard):
    visit(dashboard, "/?platforms=facebook&range=7d")
    wait_for_traces(dashboard, "overview-activity-graph")
    dashboard.wait_for_element("#filter-platforms")
    link = dashboard.find_element("a[href^='/funnel']")
    end = time.time() + 10
    while "platforms=facebook" not in link.get_attribute("href") and time.time() < end:
        time.sleep(0.1)
    link.click()
    wait_for_traces(dashboard, "funnel-graph")
    assert "/funnel?platforms=facebook&range=7d" in dashboard.driver.current_url
    assert chosen(dashboard, "filter-platforms") == ["Facebook"]
    no_console_errors(dashboard)


def test_a_card_downloads_exactly_its_data(dashboard):
    visit(dashboard, "/funnel?range=all")
    wait_for_traces(dashboard, "funnel-graph")
    dashboard.find_element("#\\{\\\"panel\\\"\\:\\\"funnel-steps\\\"\\,\\\"type\\\"\\:\\\"csv-button\\\"\\}").click()
    path = dashboard.download_path
    end = time.time() + 15
    files = []
    while time.time() < end and not files:
        files = [p for p in __import__("pathlib").Path(path).glob("funnel-steps_*.csv")]
        time.sleep(0.2)
    assert files, "no CSV downloaded"
    rows = list(csv.DictReader(files[0].open()))
    assert [r["event_type"] for r in rows] == ["view", "like", "comment", "share", "create"]
    shown = [int(u) for u in wait_for_traces(dashboard, "funnel-graph")[0]["x"]]
    assert [int(r["users"]) for r in rows] == shown and all(r["users"].isdigit() for r in rows)  # never "12.0"
    no_console_errors(dashboard)


def test_an_unknown_page_says_so(dashboard):
    visit(dashboard, "/nowhere")
    dashboard.wait_for_text_to_equal("#not-found h1", "Page not found", timeout=10)
    no_console_errors(dashboard)


def test_the_content_security_policy_holds_and_charts_offer_no_cloud(dashboard):
    visit(dashboard, "/")
    wait_for_traces(dashboard, "overview-activity-graph")
    buttons = dashboard.driver.find_elements(By.CSS_SELECTOR, "#overview-activity-graph .modebar-btn")
    titles = [b.get_attribute("data-title") for b in buttons]
    assert titles and not any("share" in t.lower() or "cloud" in t.lower() or "studio" in t.lower() for t in titles)
    assert len(titles) <= 3, titles  # download, zoom, reset: few tab stops, nothing over the title
    no_console_errors(dashboard)  # every page's own scripts satisfy the policy (the other tests check each page)
    # an inline script injected into the page is blocked by the policy, and the browser says so
    dashboard.driver.execute_script("const s = document.createElement('script'); s.textContent = 'window.pwned = 1;';"
                                    "document.body.appendChild(s);")
    time.sleep(0.3)
    assert dashboard.driver.execute_script("return window.pwned === undefined")
    assert any("Content Security Policy" in entry["message"] for entry in dashboard.get_logs())
