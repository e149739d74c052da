"""Accessibility and narrow screens in a real browser (headless Chromium).

On every page (the seven dashboards, churn risk, definitions, admin, login and the 404): axe-core, vendored in
tests/browser/vendor/axe-core (MPL-2.0) and run inside the page (nothing fetched), finds no violation of impact
"serious" or "critical"; on a 400 px wide screen the page is no wider than the screen. The Dash pages say their
language, have exactly one h1, and a "Skip to content" link that is the first tab stop and lands on the content;
the navbar folds behind a menu button on a phone. Every card is a group named by its title, described by a sentence,
and holds its data as a table for screen readers whose first row is the first row of the card's CSV.
Each test ends with a clean browser console."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import ADMIN, log_in
from tests.browser.test_dashboard import no_console_errors, visit, wait_until

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
DESKTOP, PHONE = (1440, 1000), (400, 900)
LOADING = "The data behind this card is loading."  # webapp/components/cards.py, until webapp/card_a11y.py fills it
PAGES = ["/", "/platforms", "/funnel", "/retention", "/growth", "/geography", "/engagement", "/definitions",
         "/nowhere"]
CARD_PAGES = ["/", "/platforms", "/funnel", "/retention", "/growth", "/geography", "/engagement"]


def settled(duo, timeout: float = 30):
    """Wait until the page is drawn and still: no callback loading, every chart drawn, every card's text alternative
    filled, nothing changing between two reads half a second apart."""
    previous, end = None, time.time() + timeout
    while time.time() < end:
        state = duo.driver.execute_script("""
            const plots = [...document.querySelectorAll('.js-plotly-plot')];
            const summaries = [...document.querySelectorAll('.pa-card-content > .visually-hidden > p')];
            return [document.readyState, document.querySelectorAll('[data-dash-is-loading="true"]').length,
                    plots.length, plots.filter(p => p.data && p._fullLayout).length,
                    summaries.filter(p => p.textContent === arguments[0]).length,
                    !!document.querySelector('h1, #login-form'), document.body.innerText.length,
                    document.documentElement.scrollWidth];""", LOADING)
        ready = state[0] == "complete" and state[1] == 0 and state[2] == state[3] and state[4] == 0 and state[5]
        if ready and state == previous:
            return
        previous = state
        time.sleep(0.5)
    raise AssertionError(f"the page did not settle: {previous}")


def axe_violations(duo) -> list[dict]:
    """axe-core's violations on the page as it is (its script injected from the vendored copy, no network)."""
    duo.driver.set_script_timeout(90)
    duo.driver.execute_script(AXE.read_text())
    return duo.driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ['violations']})
          .then(r => done(r.violations.map(v => ({rule: v.id, impact: v.impact, help: v.help,
                                                   targets: v.nodes.map(n => n.target.join(' '))}))))
          .catch(e => done([{rule: 'axe-error', impact: 'critical', help: String(e), targets: []}]));""")


def assert_no_blocking_violations(duo, page: str):
    found = [v for v in axe_violations(duo) if v["impact"] in BLOCKING]
    assert not found, f"axe on {page}:\n" + "\n".join(
        f"  {v['impact']} {v['rule']} ({v['help']}): {', '.join(v['targets'][:8])}" for v in found)


def width(duo) -> tuple[int, int]:
    """(the document's scroll width, its visible width) in CSS pixels."""
    return tuple(duo.driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];"))


def fits_a_phone(duo, page: str):
    """No sideways scrolling of the page at 400 px (a table or a chart may scroll inside its card)."""
    duo.driver.set_window_size(*PHONE)
    try:
        time.sleep(0.5)  # Plotly redraws the charts for the new width
        settled(duo)
        scroll, visible = width(duo)
        assert scroll <= visible, f"{page} is {scroll} px wide on a {visible} px screen: " + ", ".join(
            duo.driver.execute_script("""
                const w = document.documentElement.clientWidth;
                return [...document.querySelectorAll('body *')].filter(e => {
                    const r = e.getBoundingClientRect(); return r.right > w + 1 && r.width > 0;
                }).slice(0, 10).map(e => e.id ? '#' + e.id : e.tagName.toLowerCase() + '.' + [...e.classList].join('.'));
            """))
    finally:
        duo.driver.set_window_size(*DESKTOP)


def check_page(duo, page: str, dash_page: bool = True):
    settled(duo)
    assert duo.driver.execute_script("return document.documentElement.lang") == "en"
    if dash_page:
        titles = [h.text for h in duo.driver.find_elements(By.TAG_NAME, "h1")]
        assert len(titles) == 1 and titles[0], f"{page}: h1 {titles}"
        levels = duo.driver.execute_script(
            "return [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => +h.tagName[1]);")
        assert levels[0] == 1, f"{page}: the first heading is an h{levels[0]}"
    assert_no_blocking_violations(duo, page)
    fits_a_phone(duo, page)
    no_console_errors(duo)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_is_accessible_and_fits_a_phone(dashboard, page):
    visit(dashboard, page)
    check_page(dashboard, page)


def test_the_churn_page_is_accessible_and_fits_a_phone(churn_dashboard):
    duo, _ = churn_dashboard
    visit(duo, "/churn")
    check_page(duo, "/churn")


def test_the_admin_page_is_accessible_and_fits_a_phone(with_users):
    log_in(with_users, ADMIN)
    visit(with_users, "/admin")
    with_users.wait_for_element("#admin-runs", timeout=10)
    check_page(with_users, "/admin")


def test_the_login_page_is_accessible_and_fits_a_phone(dashboard):
    dashboard.driver.get(dashboard.server.url + "/login")
    dashboard.wait_for_element("#login-form", timeout=10)
    check_page(dashboard, "/login", dash_page=False)


def test_the_login_page_has_one_h1(dashboard):
    dashboard.driver.get(dashboard.server.url + "/login")
    dashboard.wait_for_element("#login-form", timeout=10)
    assert len(dashboard.driver.find_elements(By.TAG_NAME, "h1")) == 1


def test_the_skip_link_is_the_first_tab_stop_and_lands_on_the_content(dashboard):
    visit(dashboard, "/funnel")
    settled(dashboard)
    driver = dashboard.driver
    focused = lambda: driver.execute_script("return document.activeElement.id")  # noqa: E731
    ActionChains(driver).send_keys(Keys.TAB).perform()
    assert focused() == "skip-link"
    link = driver.find_element(By.ID, "skip-link")
    assert link.text == "Skip to content" and link.size["width"] > 50  # shown once focused
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    wait_until(lambda: focused() == "main-content", timeout=5)
    ActionChains(driver).send_keys(Keys.TAB).perform()  # on from the content: the first filter, not the navbar
    assert driver.execute_script("return document.getElementById('main-content').contains(document.activeElement)")
    assert driver.execute_script("return document.activeElement.id") == "filter-platforms"
    assert driver.switch_to.active_element.accessible_name.startswith("Platforms")
    no_console_errors(dashboard)


def test_the_navbar_folds_behind_a_menu_button_on_a_phone(dashboard):
    visit(dashboard, "/")
    settled(dashboard)
    driver = dashboard.driver
    toggler, links = driver.find_element(By.ID, "nav-toggler"), driver.find_element(By.ID, "nav-collapse")
    assert not toggler.is_displayed() and links.is_displayed()  # 1440 px: every link in the bar
    driver.set_window_size(*PHONE)
    try:
        wait_until(lambda: toggler.is_displayed() and not links.is_displayed(), timeout=5)
        assert toggler.get_attribute("aria-expanded") == "false" and toggler.accessible_name == "Menu"
        toggler.click()
        wait_until(lambda: links.is_displayed() and toggler.get_attribute("aria-expanded") == "true", timeout=5)
        driver.find_element(By.LINK_TEXT, "Funnel").click()  # another page closes the menu
        dashboard.wait_for_element("#funnel-graph", timeout=10)
        wait_until(lambda: not links.is_displayed() and toggler.get_attribute("aria-expanded") == "false",
                   timeout=5)
    finally:
        driver.set_window_size(*DESKTOP)
    no_console_errors(dashboard)


def _csv_rows(duo, panel: str) -> list[list[str]]:
    before = set(Path(duo.download_path).glob(f"{panel}_*.csv"))
    duo.find_element(f'#\\{{\\"panel\\"\\:\\"{panel}\\"\\,\\"type\\"\\:\\"csv-button\\"\\}}').click()
    files = wait_until(lambda: set(Path(duo.download_path).glob(f"{panel}_*.csv")) - before, timeout=15)
    time.sleep(0.3)  # the file is complete once Chromium renamed it
    return list(csv.reader(next(iter(files)).open()))


def check_cards(duo, page: str):
    """Every card: a group named by its title and described by a sentence; its data as a table whose header and
    first row are the CSV's."""
    settled(duo)
    cards = duo.driver.find_elements(By.CSS_SELECTOR, ".pa-card")
    assert cards, page
    for card in cards:
        panel = card.get_attribute("id").removeprefix("card-")
        title = card.find_element(By.CSS_SELECTOR, "h2").text
        group = card.find_element(By.CSS_SELECTOR, ".pa-card-content")
        assert group.aria_role == "group" and group.accessible_name == title, (page, panel)
        region = card.find_element(By.CSS_SELECTOR, ".pa-card-content > .visually-hidden")
        text = duo.driver.execute_script(
            "const d = document.getElementById(arguments[0].getAttribute('aria-describedby'));"
            "return d && d.textContent;", group)
        assert text and text != LOADING and region.get_attribute("textContent").startswith(text), (page, panel)
        cells = duo.driver.execute_script(
            "const t = arguments[0].querySelector('table');"
            "return t && [[...t.querySelectorAll('thead th')].map(c => c.textContent),"
            " [...t.querySelectorAll('tbody tr:first-child td')].map(c => c.textContent)];", region)
        rows = _csv_rows(duo, panel)
        if len(rows) > 1:
            assert cells == [rows[0], rows[1]], (page, panel, cells, rows[:2])
        else:
            assert cells is None and text.startswith("No data"), (page, panel, text)


@pytest.mark.parametrize("page", CARD_PAGES)
def test_every_card_is_named_and_reads_out_its_data(dashboard, page):
    visit(dashboard, page)
    check_cards(dashboard, page)
    no_console_errors(dashboard)


def test_the_churn_cards_read_out_their_data(churn_dashboard):
    duo, _ = churn_dashboard
    visit(duo, "/churn")
    check_cards(duo, "/churn")
    no_console_errors(duo)


def test_a_card_s_data_follows_the_filters_and_its_option(dashboard):
    visit(dashboard, "/growth?platforms=threads&range=all")
    settled(dashboard)
    summary = lambda: dashboard.driver.execute_script(  # noqa: E731
        "return document.getElementById('card-growth-accounting-summary').textContent")
    weekly = summary()
    assert " for Threads, " in weekly, weekly
    dashboard.driver.find_element(By.CSS_SELECTOR, "label[for$='_input_day']").click()  # growth by day
    wait_until(lambda: summary() not in (weekly, LOADING), timeout=15)
    settled(dashboard)
    rows = lambda text: int(text.split(" row")[0].replace(",", ""))  # noqa: E731
    assert rows(summary()) > rows(weekly) > 1, (weekly, summary())
    no_console_errors(dashboard)
