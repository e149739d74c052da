"""The admin page in a real browser: an admin queues a backfill and watches it finish; analysts get no admin page;
the form refuses bad ranges; anonymous visitors (PA_ANONYMOUS_ACCESS=1) get no admin page; logging out through the
navbar's form ends the session."""

from __future__ import annotations

import time

from selenium.webdriver.common.by import By

from tests.browser.conftest import ADMIN, ANALYST, log_in


def runs_shown(duo) -> list[dict]:
    """The run history grid's rows, top first: {column: text}."""
    return duo.driver.execute_script(
        "const rows = [...document.querySelectorAll('#admin-runs .ag-center-cols-container .ag-row')];"
        "rows.sort((a, b) => Number(a.getAttribute('row-index')) - Number(b.getAttribute('row-index')));"
        "return rows.map(r => Object.fromEntries([...r.querySelectorAll('.ag-cell')]"
        ".map(c => [c.getAttribute('col-id'), c.innerText])));")


def test_an_admin_backfills_and_watches_it_finish(with_users):
    duo = with_users
    log_in(duo, ADMIN)
    assert duo.find_element("#nav-admin").text == "Admin"
    duo.find_element("#nav-admin").click()
    duo.wait_for_element("#admin-runs", timeout=10)
    duo.find_element("#admin-backfill-start").send_keys("2024-01-03")
    duo.find_element("#admin-backfill-end").send_keys("2024-01-05")
    duo.find_element("#admin-backfill").click()
    queued = duo.wait_for_element("#admin-queued", timeout=10).text
    assert queued.startswith("Backfill 2024-01-03..2024-01-05 queued as run ")
    run = queued.split("queued as run ")[1].split(";")[0].rstrip(".")
    duo.wait_for_contains_text("#admin-run-result", f"Run {run} succeeded", timeout=30)
    result = duo.find_element("#admin-run-result").text
    assert "rows read" in result and "quarantined" in result and "checks:" in result and "0 failed" in result
    duo.wait_for_contains_text("#admin-runs", "backfill", timeout=10)
    newest = runs_shown(duo)[0]
    assert [newest[k] for k in ("run_id", "status", "mode", "trigger", "requested_by")] == [
        run, "succeeded", "backfill", "backfill", "ada"]
    # selecting the run shows its check results, failures and warnings first
    duo.find_element("#admin-runs .ag-center-cols-container .ag-row[row-index='0']").click()
    duo.wait_for_contains_text("#admin-run-checks-title", f"Checks of run {run}", timeout=10)
    first = duo.find_element("#admin-run-checks .ag-row[row-index='0'] .ag-cell[col-id='check_name']")
    assert first.text == "fct_events.freshness"
    assert "of 5" in duo.find_element("#admin-run-checks .ag-paging-panel").text  # 51 results, 12 a page
    assert "fct_events.freshness" in duo.find_element("#admin-checks").text  # the latest result of every check
    assert duo.get_logs() == []


def test_the_form_refuses_bad_ranges_and_queues_nothing(with_users):
    duo = with_users
    log_in(duo, ADMIN)
    duo.driver.get(duo.server_url + "/admin")
    duo.wait_for_element("#admin-runs", timeout=10)
    duo.wait_for_contains_text("#admin-progress", "Nothing running", timeout=30)  # the start-up catch-up is done
    time.sleep(2)
    before = len(runs_shown(duo))
    start, end = duo.find_element("#admin-backfill-start"), duo.find_element("#admin-backfill-end")
    cases = [("", "", "Choose a start and an end date."),
             ("2024-01-10", "2024-01-02", "The end date 2024-01-02 is before the start date 2024-01-10."),
             ("2030-01-01", "2030-01-31", "No lake partition between 2030-01-01 and 2030-01-31"),
             ("yesterday", "today", "is not a pair of dates")]
    for first, last, message in cases:
        for box, value in ((start, first), (end, last)):
            box.clear()
            if value:
                box.send_keys(value)
        duo.find_element("#admin-backfill").click()
        duo.wait_for_contains_text("#admin-backfill-error", message, timeout=10)
    time.sleep(2)
    assert len(runs_shown(duo)) == before  # nothing queued
    assert not duo.driver.find_elements(By.CSS_SELECTOR, "#admin-queued")
    assert duo.get_logs() == []


def test_an_analyst_gets_no_admin_page(with_users):
    duo = with_users
    log_in(duo, ANALYST)
    assert not duo.driver.find_elements(By.CSS_SELECTOR, "#nav-admin")
    assert "bob" in duo.find_element("#nav-logout").text
    duo.driver.get(duo.server_url + "/admin")
    duo.wait_for_contains_text("#admin-denied", "Admins only", timeout=10)
    assert not duo.driver.find_elements(By.CSS_SELECTOR, "#admin-run-now")
    assert duo.get_logs() == []


def test_an_anonymous_visitor_gets_no_admin_page(dashboard):
    dashboard.driver.get(dashboard.server_url + "/admin")
    dashboard.wait_for_contains_text("#admin-denied", "Admins only", timeout=10)
    assert not dashboard.driver.find_elements(By.CSS_SELECTOR, "#nav-admin")
    assert dashboard.find_element("#nav-login").text == "Log in"
    assert dashboard.get_logs() == []


def test_logging_out_from_the_navbar_ends_the_session(with_users):
    duo = with_users
    log_in(duo, ADMIN)
    saved = duo.driver.get_cookie("session")
    duo.find_element("#nav-logout").click()
    duo.wait_for_element("#login-form", timeout=10)
    # the cookie from before the logout is worth nothing now
    duo.driver.add_cookie({k: saved[k] for k in ("name", "value", "path")})
    duo.driver.get(duo.server.url + "/admin")
    duo.wait_for_element("#login-form", timeout=10)
    assert "/login?next=/admin" in duo.driver.current_url
