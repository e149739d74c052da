"""Links, saved views and annotations in a real browser: a link opened while logged out comes back, filters and all,
after logging in through the form; a view an analyst saves and shares is listed for the admin and opens its page
with its filters, one not shared is not; anonymous visitors get no views; an admin adds, changes and deletes an
annotation on the admin page."""

from __future__ import annotations

import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import ADMIN, ANALYST, log_in
from tests.browser.test_dashboard import graph_data, wait_for_traces, wait_until
from webapp.components import saved_views_bar

VIEW = "/growth?platforms=threads&range=90d&segment=power"


def picked(duo, dropdown_id: str) -> list[str]:
    """The labels a Dash dropdown shows as selected, those scrolled out of sight too."""
    return duo.driver.execute_script(
        "return [...document.querySelectorAll(`#${arguments[0]} .dash-dropdown-value-item`)]"
        ".map(e => e.textContent.trim());", dropdown_id)


def preset(duo) -> str:
    """The range preset the filter bar shows checked."""
    return duo.driver.execute_script("const i = document.querySelector('#filter-preset input:checked');"
                                     "return i ? i.value : null;")


def shows_view(duo, path: str, platforms: list[str], segment: str, range_: str, timeout: float = 20):
    """The browser is on `path` and the filter bar shows these filters (once the shell has resolved them)."""
    wanted = (duo.server.url + path, platforms, [segment], range_)
    end = time.time() + timeout
    while (shown := (duo.driver.current_url, picked(duo, "filter-platforms"), picked(duo, "filter-segment"),
                     preset(duo))) != wanted and time.time() < end:
        time.sleep(0.1)
    assert shown == wanted


def submit_login(duo, user: tuple[str, str]):
    clear(duo.find_element("#username"))
    duo.find_element("#username").send_keys(user[0])
    duo.find_element("#password").send_keys(user[1])
    duo.find_element("#login-submit").click()


def test_a_link_opened_while_logged_out_comes_back_after_the_login(with_users):
    duo = with_users
    duo.driver.get(duo.server.url + VIEW)
    duo.wait_for_element("#login-form", timeout=10)
    assert duo.driver.current_url == duo.server.url + "/login?next=/growth%3Fplatforms%3Dthreads%26range%3D90d" \
                                                      "%26segment%3Dpower"
    assert duo.find_element("#login-form input[name=next]").get_attribute("value") == VIEW
    submit_login(duo, (ANALYST[0], "not the password"))  # a failed attempt keeps the page to go back to
    duo.wait_for_contains_text("#login-error", "Wrong user or password", timeout=10)
    assert duo.find_element("#login-form input[name=next]").get_attribute("value") == VIEW
    assert [e["message"] for e in duo.get_logs()] == [  # the page of a failed login comes with its 401
        f"{duo.server.url}/login - Failed to load resource: the server responded with a status of 401 (UNAUTHORIZED)"]
    submit_login(duo, ANALYST)
    duo.wait_for_element(".pa-filter-bar", timeout=10)
    shows_view(duo, VIEW, ["Threads"], "Power", "90d")
    assert wait_for_traces(duo, "growth-graph")
    assert duo.driver.current_url == duo.server.url + VIEW  # the shell kept it as it came
    assert duo.get_logs() == []


def test_an_offsite_next_lands_on_the_dashboard(with_users):
    duo = with_users
    duo.driver.get(duo.server.url + "/login?next=//example.com/growth")
    assert duo.find_element("#login-form input[name=next]").get_attribute("value") == "/"
    submit_login(duo, ANALYST)
    duo.wait_for_element(".pa-filter-bar", timeout=10)
    assert duo.driver.current_url.startswith(duo.server.url + "/?")  # the overview, its default filters written


def clear(box):
    """Empty a text box as a person does (WebElement.clear() changes the DOM but not Dash's value)."""
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE)


def open_views(duo) -> list[str]:
    """Open the Views menu; the names of the views it lists."""
    duo.find_element(f"#{saved_views_bar.MENU} .dropdown-toggle").click()
    duo.wait_for_element(f"#{saved_views_bar.MENU} .dropdown-menu.show", timeout=5)
    return [e.text for e in duo.driver.find_elements(By.CSS_SELECTOR, f"#{saved_views_bar.MENU} .pa-saved-view")]


def save_view(duo, name: str, shared: bool):
    """Save the page on screen under a name, from the Views menu's form; the form closed again."""
    open_views(duo)
    duo.find_element(f"#{saved_views_bar.OPEN}").click()
    box = duo.wait_for_element(f"#{saved_views_bar.NAME}", timeout=5)
    clear(box)
    box.send_keys(name)
    share = duo.find_element(f"#{saved_views_bar.SHARED}")
    if share.is_selected() != shared:
        share.click()
    duo.find_element(f"#{saved_views_bar.SAVE}").click()
    duo.wait_for_contains_text("#saved-views-saved", f"Saved “{name}”", timeout=10)
    duo.find_element(f"#{saved_views_bar.MODAL} .btn-close").click()
    wait_until(lambda: not duo.driver.find_elements(By.CSS_SELECTOR, f"#{saved_views_bar.MODAL}.show"))


def log_out(duo):
    duo.find_element("#nav-logout").click()
    duo.wait_for_element("#login-form", timeout=10)


def test_a_shared_view_opens_for_another_user_and_a_private_one_is_not_listed(with_users):
    duo = with_users
    log_in(duo, ANALYST)
    duo.driver.get(duo.server.url + VIEW)
    shows_view(duo, VIEW, ["Threads"], "Power", "90d")
    save_view(duo, "Threads power users", shared=True)
    duo.driver.get(duo.server.url + "/funnel?platforms=whatsapp&range=7d")
    shows_view(duo, "/funnel?platforms=whatsapp&range=7d", ["WhatsApp"], "All segments", "7d")
    save_view(duo, "Bob's WhatsApp week", shared=False)
    assert open_views(duo) == ["Bob's WhatsApp week · Funnel", "Threads power users · Growth · shared"]
    duo.find_element("body").send_keys(Keys.ESCAPE)
    log_out(duo)

    submit_login(duo, ADMIN)
    duo.wait_for_element(".pa-filter-bar", timeout=10)
    assert duo.driver.current_url.startswith(duo.server.url + "/?")  # the overview
    assert open_views(duo) == ["Threads power users · Growth · by bob"]  # not bob's unshared view
    duo.driver.find_element(By.PARTIAL_LINK_TEXT, "Threads power users").click()
    shows_view(duo, VIEW, ["Threads"], "Power", "90d")
    shown = wait_for_traces(duo, "growth-graph")
    # from the same page with other filters too
    duo.driver.get(duo.server.url + "/growth?range=7d")
    shows_view(duo, "/growth?range=7d", ["Facebook", "Instagram", "Messenger", "WhatsApp", "Threads"],
               "All segments", "7d")
    open_views(duo)
    duo.driver.find_element(By.PARTIAL_LINK_TEXT, "Threads power users").click()
    shows_view(duo, VIEW, ["Threads"], "Power", "90d")
    wait_until(lambda: graph_data(duo, "growth-graph") == shown)
    assert duo.get_logs() == []


def test_anonymous_visitors_get_no_saved_views(dashboard, app_data):
    from webapp import saved_views

    saved_views.save("bob", "Shared by bob", "/growth", "?range=7d", shared=True)
    dashboard.wait_for_element(".pa-filter-bar", timeout=10)
    assert open_views(dashboard) == []
    dashboard.wait_for_contains_text(f"#{saved_views_bar.MENU}", "Log in to save and share views", timeout=10)
    assert "disabled" in dashboard.find_element(f"#{saved_views_bar.OPEN}").get_attribute("class")
    assert dashboard.get_logs() == []


def annotation_rows(duo) -> list[dict]:
    return duo.driver.execute_script(
        "const rows = [...document.querySelectorAll('#admin-annotations .ag-center-cols-container .ag-row')];"
        "rows.sort((a, b) => Number(a.getAttribute('row-index')) - Number(b.getAttribute('row-index')));"
        "return rows.map(r => Object.fromEntries([...r.querySelectorAll('.ag-cell')]"
        ".map(c => [c.getAttribute('col-id'), c.innerText])));")


def test_an_admin_adds_changes_and_deletes_an_annotation(with_users):
    duo = with_users
    log_in(duo, ADMIN)
    duo.driver.get(duo.server.url + "/admin")
    duo.wait_for_element("#admin-annotations", timeout=10)
    day = duo.find_element("#admin-annotation-day")
    day.send_keys("2024-01-10")
    day.send_keys(Keys.TAB)
    duo.find_element("#admin-annotation-note").send_keys("Release 2.0: the new feed")
    duo.find_element("#admin-annotation-add").click()
    duo.wait_for_contains_text("#admin-annotation-result", "Added the note on 2024-01-10.", timeout=10)
    wait_until(lambda: [(r["day"], r["note"], r["author"]) for r in annotation_rows(duo)] == [
        ("2024-01-10", "Release 2.0: the new feed", "ada")])
    # an empty note is refused with a message, and nothing is added
    clear(duo.find_element("#admin-annotation-note"))
    duo.find_element("#admin-annotation-add").click()
    duo.wait_for_contains_text("#admin-annotation-result", "A note has 1 to 200 characters.", timeout=10)
    assert len(annotation_rows(duo)) == 1

    duo.find_element("#admin-annotations .ag-center-cols-container .ag-row[row-index='0']").click()
    wait_until(lambda: duo.find_element("#admin-annotation-note").get_attribute("value")
               == "Release 2.0: the new feed")
    clear(duo.find_element("#admin-annotation-note"))
    duo.find_element("#admin-annotation-note").send_keys("Release 2.0 (rolled out to everyone)")
    duo.find_element("#admin-annotation-save").click()
    duo.wait_for_contains_text("#admin-annotation-result", "Saved the note on 2024-01-10.", timeout=10)
    wait_until(lambda: [r["note"] for r in annotation_rows(duo)] == ["Release 2.0 (rolled out to everyone)"])
    duo.find_element("#admin-annotation-delete").click()
    duo.wait_for_contains_text("#admin-annotation-result", "Deleted the note on 2024-01-10.", timeout=10)
    wait_until(lambda: annotation_rows(duo) == [])
    assert duo.get_logs() == []


def test_an_annotation_shows_on_every_time_chart(with_users):
    """Added on the admin page, a note is drawn at its day on the Overview's two charts and on Growth (its week's
    Monday on weekly bars), with the drawn panels already cached: the notes are applied after the panel cache."""
    duo = with_users
    log_in(duo, ADMIN)
    duo.driver.get(duo.server.url + "/?range=all")
    wait_for_traces(duo, "overview-activity-graph")  # drawn and cached before the note exists
    duo.driver.get(duo.server.url + "/admin")
    day = duo.wait_for_element("#admin-annotation-day", timeout=10)
    day.send_keys("2024-01-10")
    day.send_keys(Keys.TAB)
    duo.find_element("#admin-annotation-note").send_keys("Outage: feed down for an hour")
    duo.find_element("#admin-annotation-add").click()
    duo.wait_for_contains_text("#admin-annotation-result", "Added the note on 2024-01-10.", timeout=10)

    def marks(graph_id: str) -> list[list[str]]:
        return duo.driver.execute_script(
            "const el = document.querySelector(`#${arguments[0]} .js-plotly-plot`);"
            "if (!el || !el.layout) { return []; }"
            "const shapes = (el.layout.shapes || []).filter(s => (s.name || '').startsWith('annotation-'));"
            "const labels = (el.layout.annotations || []).filter(a => (a.name || '').startsWith('annotation-'));"
            "return shapes.map(s => [String(s.x0).slice(0, 10), labels.map(a => a.text).join('|')]);", graph_id)

    duo.driver.get(duo.server.url + "/?range=all")
    for graph in ("overview-activity-graph", "overview-stickiness-graph"):
        shown = wait_until(lambda: marks(graph), timeout=20)
        assert shown == [["2024-01-10", "Outage: feed down for an hour"]], graph
    duo.driver.get(duo.server.url + "/growth?range=all")
    assert wait_until(lambda: marks("growth-graph"), timeout=20) == [["2024-01-08", "Outage: feed down for an hour"]]
    assert duo.get_logs() == []
