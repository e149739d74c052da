"""The admin page in a real browser: an admin queues a backfill and watches it finish; analysts get no admin page;
the form refuses bad ranges; anonymous visitors (PA_ANONYMOUS_ACCESS=1) get no admin page; logging out through the
navbar's form ends the session."""

from __future__ import annotations

import datetime as dt
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import ADMIN, ANALYST, _app, log_in
from tests.browser.test_dashboard import annotations


def runs_shown(duo) -> list[dict]:
    """The run history grid's rows, top first: {column: text}."""
    return duo.driver.execute_script(
        "const rows = [...document.querySelectorAll('#admin-runs .ag-center-cols-container .ag-row')];"
        "rows.sort((a, b) => Number(a.getAttribute('row-index')) - Number(b.getAttribute('row-index')));"
        "return rows.map(r => Object.fromEntries([...r.querySelectorAll('.ag-cell')]"
        ".map(c => [c.getAttribute('col-id'), c.innerText])));")


def pick_dates(duo, start: str, end: str):
    """Type a range into the backfill's date pickers, as a person does (each box left with Tab)."""
    for box_id, value in (("#admin-backfill-start", start), ("#admin-backfill-end", end)):
        box = duo.find_element(box_id)
        box.send_keys(value)
        box.send_keys(Keys.TAB)


def test_an_admin_backfills_and_watches_it_finish(with_users):
    duo = with_users
    log_in(duo, ADMIN)
    assert duo.find_element("#nav-admin").text == "Admin"
    duo.find_element("#nav-admin").click()
    duo.wait_for_element("#admin-runs", timeout=10)
    assert "next at " in duo.find_element("#admin-worker").text  # when the scheduler queues its next run
    pick_dates(duo, "2024-01-03", "2024-01-05")
    duo.find_element("#admin-backfill").click()
    queued = duo.wait_for_element("#admin-queued", timeout=10).text
    assert queued.startswith("Backfill 2024-01-03..2024-01-05 queued as run ")
    run = queued.split("queued as run ")[1].split(";")[0].rstrip(".")
    duo.wait_for_contains_text("#admin-run-result", f"Run {run} succeeded", timeout=60)  # after the scheduler's runs
    result = duo.find_element("#admin-run-result").text
    assert "rows read" in result and "quarantined" in result and "checks:" in result and "0 failed" in result
    assert f"Run {run} succeeded (duckdb engine)." in result
    duo.wait_for_contains_text("#admin-runs", "backfill", timeout=10)
    newest = runs_shown(duo)[0]
    assert [newest[k] for k in ("run_id", "status", "what", "requested_by")] == [
        run, "succeeded", "backfill · backfill · duckdb", "ada"]  # mode, trigger, engine
    assert newest["partitions"] == "6" and "," in newest["rows_loaded"]  # 3 days of events and users; 1,234 style
    # the history fits the page: no sideways scrolling at this width
    viewport = duo.driver.execute_script(
        "const v = document.querySelector('#admin-runs .ag-center-cols-viewport'); return [v.scrollWidth, v.clientWidth]")
    assert viewport[0] <= viewport[1]
    # selecting the run shows its check results, failures and warnings first
    duo.find_element("#admin-runs .ag-center-cols-container .ag-row[row-index='0']").click()
    duo.wait_for_contains_text("#admin-run-checks-title", f"Checks of run {run}", timeout=10)
    first = duo.find_element("#admin-run-checks .ag-row[row-index='0'] .ag-cell[col-id='check_name']")
    assert first.text == "fct_events.freshness"
    assert "of 5" in duo.find_element("#admin-run-checks .ag-paging-panel").text  # 51 results, 12 a page
    assert "fct_events.freshness" in duo.find_element("#admin-checks").text  # the latest result of every check
    assert duo.get_logs() == []

    # the backfill restated three published days: the run says so and links to the charts, which mark them
    restated = duo.wait_for_element("#admin-restated", timeout=10).text
    assert "2024-01-03 to 2024-01-05 (3 days)" in restated
    duo.find_element("#admin-restated .pa-restated-link").click()
    duo.wait_for_element("#overview-activity-graph .js-plotly-plot", timeout=20)
    assert duo.driver.current_url.endswith("/?start=2024-01-01&end=2024-01-12")  # a week either side, in the data
    label = f"restated on {dt.datetime.now(dt.timezone.utc):%Y-%m-%d} by run {run}"
    for graph in ("overview-activity-graph", "overview-stickiness-graph"):
        assert wait_for_shape(duo, graph, f"restated-run-{run}") == ["2024-01-03", "2024-01-05"], graph
        assert label in annotations(duo, graph)
    duo.driver.find_element(By.LINK_TEXT, "Growth").click()  # the navbar keeps the dates
    assert wait_for_shape(duo, "growth-graph", f"restated-run-{run}") == ["2024-01-01", "2024-01-01"]  # its week
    assert label in annotations(duo, "growth-graph")
    assert duo.get_logs() == []


def wait_for_shape(duo, graph_id: str, name: str, timeout: float = 20) -> list[str]:
    """The days a named shaded range of a chart covers (its x0 and x1, half a day or a week wide, rounded in)."""
    end = time.time() + timeout
    while time.time() < end:
        edges = duo.driver.execute_script(
            "const el = document.querySelector(`#${arguments[0]} .js-plotly-plot`);"
            "const s = el && el.layout && (el.layout.shapes || []).find(s => s.name === arguments[1]);"
            "return s ? [s.x0, s.x1] : null;", graph_id, name)
        if edges:
            x0, x1 = (dt.datetime.fromisoformat(str(x).replace(" ", "T")[:19]) for x in edges)
            half = (x1 - x0) / 2 if graph_id == "growth-graph" else dt.timedelta(hours=12)
            return [(x0 + (dt.timedelta(days=3.5) if graph_id == "growth-graph" else half)).date().isoformat(),
                    (x1 - (dt.timedelta(days=3.5) if graph_id == "growth-graph" else half)).date().isoformat()]
        time.sleep(0.2)
    raise AssertionError(f"{graph_id} has no shape {name}")


def test_the_form_refuses_bad_ranges_and_queues_nothing(with_users):
    duo = with_users
    log_in(duo, ADMIN)
    duo.driver.get(duo.server_url + "/admin")
    duo.wait_for_element("#admin-runs", timeout=10)
    duo.wait_for_contains_text("#admin-progress", "Nothing running", timeout=30)  # the start-up catch-up is done
    time.sleep(2)
    before = len(runs_shown(duo))
    duo.find_element("#admin-backfill").click()
    duo.wait_for_contains_text("#admin-backfill-error", "Choose a start and an end date from 2024-01-01 to "
                                                        "2024-01-28 (the lake's days).", timeout=10)
    pick_dates(duo, "2030-01-01", "2030-01-31")  # outside the lake: the pickers do not take them
    duo.find_element("#admin-backfill").click()
    time.sleep(1)
    assert "Choose a start and an end date" in duo.find_element("#admin-backfill-error").text
    pick_dates(duo, "2024-01-10", "2024-01-02")
    duo.find_element("#admin-backfill").click()
    duo.wait_for_contains_text("#admin-backfill-error",
                               "The end date 2024-01-02 is before the start date 2024-01-10.", timeout=10)
    time.sleep(2)
    assert len(runs_shown(duo)) == before  # nothing queued
    assert not duo.driver.find_elements(By.CSS_SELECTOR, "#admin-queued")
    assert duo.get_logs() == []


def partitions_listed(duo) -> list[dict]:
    return duo.driver.execute_script(
        "return [...document.querySelectorAll('#admin-partitions .ag-center-cols-container .ag-row')]"
        ".map(r => Object.fromEntries([...r.querySelectorAll('.ag-cell')]"
        ".map(c => [c.getAttribute('col-id'), c.innerText])));")


def test_a_skipped_partition_shows_as_one_in_the_partitions_and_the_run(with_users, app_data):
    """A corrupt file: Run now ends succeeded_with_warnings, highlighted; the partition grid lists the day as
    skipped with its file and reason and run; the run's details name it."""
    from pipeline.generate import generate
    from tests.conftest import DAYS, START

    duo = with_users
    log_in(duo, ADMIN)
    duo.driver.get(duo.server_url + "/admin")
    duo.wait_for_contains_text("#admin-progress", "Nothing running", timeout=30)
    new_day = START + dt.timedelta(days=DAYS)
    generate(app_data / "lake", users=0, days=1)
    bad = app_data / "lake" / "events" / f"event_date={new_day}" / "part-0.parquet"
    bad.write_bytes(b"PAR1 not parquet")
    duo.find_element("#admin-run-now").click()
    run = duo.wait_for_element("#admin-queued", timeout=10).text.split("queued as run ")[1].split(";")[0].rstrip(".")
    duo.wait_for_contains_text("#admin-run-result", f"Run {run} succeeded_with_warnings", timeout=30)
    wait = time.time() + 20
    while time.time() < wait and [r["state"] for r in partitions_listed(duo)] != ["skipped"]:
        time.sleep(0.5)
    [listed] = partitions_listed(duo)  # the users partition of the day loaded; the events one is skipped
    assert (listed["kind"], listed["day"], listed["state"], listed["run_id"]) == ("events", str(new_day), "skipped", run)
    assert str(bad) in listed["reason"] and "not a readable Parquet file" in listed["reason"]
    row = next(r for r in runs_shown(duo) if r["run_id"] == run)
    assert row["status"] == "succeeded_with_warnings" and row["note"].startswith(f"1 partition skipped: events {new_day}")
    color = duo.driver.execute_script(
        "return getComputedStyle(document.querySelector(\"#admin-runs .ag-row[row-id], #admin-runs .ag-row\"))"
        ".backgroundColor")
    assert color == "rgb(255, 249, 219)"  # the warning yellow
    duo.find_element("#admin-runs .ag-center-cols-container .ag-row[row-index='0']").click()
    duo.wait_for_contains_text("#admin-skipped", f"events {new_day}: {bad}", timeout=10)
    assert duo.get_logs() == []


def test_a_queued_run_is_cancelled_and_retried_from_the_page(with_users, app_data):
    """With the scheduler stopped nothing executes runs: the page says so and disables Run now; a queued run is
    cancelled; retrying is refused until the scheduler runs again, then the run is queued again and executed."""
    from store import runs, warehouse
    from webapp import background

    duo = with_users
    log_in(duo, ADMIN)
    duo.driver.get(duo.server_url + "/admin")
    duo.wait_for_contains_text("#admin-progress", "Nothing running", timeout=30)
    background.stop(interrupt=False)
    with warehouse.cursor() as cur:
        queued = runs.enqueue(cur, "incremental", "manual", "ada")
    duo.driver.get(duo.server_url + "/admin")
    duo.wait_for_contains_text("#admin-worker", "Nothing executes runs in this process", timeout=10)
    assert not duo.find_element("#admin-run-now").is_enabled()
    duo.wait_for_contains_text("#admin-runs", "queued", timeout=10)
    duo.find_element("#admin-runs .ag-center-cols-container .ag-row[row-index='0']").click()
    duo.find_element("#admin-cancel").click()
    duo.wait_for_contains_text("#admin-run-action-result", f"Run {queued} cancelled: it will not start.", timeout=10)
    duo.wait_for_contains_text("#admin-runs", "cancelled", timeout=10)
    duo.find_element("#admin-retry").click()
    duo.wait_for_contains_text("#admin-run-action-result", "Nothing executes runs in this process", timeout=10)
    assert background.start(_app().server)  # the scheduler again (the fixture stops it at the end)
    duo.driver.get(duo.server_url + "/admin")
    duo.wait_for_contains_text("#admin-worker", "The scheduler runs here", timeout=10)
    row = next(i for i, r in enumerate(runs_shown(duo)) if r["run_id"] == str(queued))
    duo.find_element(f"#admin-runs .ag-center-cols-container .ag-row[row-index='{row}']").click()
    duo.find_element("#admin-retry").click()
    duo.wait_for_contains_text("#admin-run-action-result", f"Run {queued} queued again as run ", timeout=10)
    again = duo.find_element("#admin-run-action-result").text.rsplit(" ", 1)[1].rstrip(".")
    duo.wait_for_contains_text("#admin-run-result", f"Run {again} succeeded", timeout=30)
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
