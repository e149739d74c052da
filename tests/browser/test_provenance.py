"""Every card says why it shows what it shows, and its bundle reproduces it: in a real browser, each card's "About
this panel" view gives the metric's definition, the SQL files it ran with their bound parameters, the data version
and the run that published it, and when the data ends; bundles downloaded from the page rerun on the marts snapshot
(`python -m analytics.bundle rerun`, another process, as a user would) to the same rows as their CSV."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from selenium.webdriver.common.by import By

from analytics import catalog
from store import warehouse
from tests.browser.test_dashboard import no_console_errors, visit, wait_until
from webapp import metrics_doc

ROOT = Path(__file__).resolve().parents[2]


def _button(duo, kind: str, panel: str):
    return duo.find_element(f'#\\{{\\"panel\\"\\:\\"{panel}\\"\\,\\"type\\"\\:\\"{kind}\\"\\}}')


def _about_text(duo, panel: str) -> str:
    """The About view's text once it is open and filled."""
    _button(duo, "about-button", panel).click()
    selector = f'#\\{{\\"panel\\"\\:\\"{panel}\\"\\,\\"type\\"\\:\\"about-body\\"\\}}'
    return wait_until(lambda: (lambda e: e and "queries it ran" in e[0].text.lower() and e[0].text)(
        duo.driver.find_elements(By.CSS_SELECTOR, selector)), timeout=20)


def _close_about(duo):
    duo.driver.find_element(By.CSS_SELECTOR, ".modal.show .btn-close").click()
    wait_until(lambda: not duo.driver.find_elements(By.CSS_SELECTOR, ".modal.show"), timeout=10)


def _published() -> tuple[int, str, str]:
    """(data version, last day, first day) read from the tables on the app's own connection."""
    with warehouse.cursor() as con:
        version, first, last = con.execute("SELECT data_version(), data_first_day(), data_last_day()").fetchone()
    return int(version), str(last), str(first)


def test_every_card_explains_its_definition_queries_and_data(churn_dashboard):
    duo, _ = churn_dashboard
    version, last, first = _published()
    titles = {s.anchor: s.title for s in metrics_doc.sections()}
    by_page: dict[str, list[catalog.Panel]] = {}
    for panel in catalog.PANELS.values():
        by_page.setdefault(panel.page, []).append(panel)
    catalog_mask = 1 | 2 | 16  # facebook, instagram, threads (platform keys 1, 2, 5)
    seen = 0
    for page, page_panels in by_page.items():
        visit(duo, page + "?platforms=facebook,instagram,threads&segment=regular")
        for panel in page_panels:
            text = _about_text(duo, panel.id)
            assert titles[panel.definition] in text, (panel.id, text[:300])
            assert f"Data version {version}" in text and f"Published by run {version}: incremental" in text, panel.id
            assert f"Data ends {last}" in text and f"Data spans {first} to {last}" in text, panel.id
            assert "analytics/sql/" in text and ".sql" in text, panel.id
            if panel.page != "/churn" or panel.id != "churn-model":  # the model card takes no filter
                assert f"platform_mask {catalog_mask}" in text and 'segment "regular"' in text, (panel.id, text)
            assert f"catalog.panel('{panel.id}')" in text, panel.id
            _close_about(duo)
            seen += 1
    assert seen == len(catalog.PANELS) == 18
    no_console_errors(duo)


def _download_bundle(duo, panel: str) -> Path:
    folder = Path(duo.download_path)
    before = set(folder.glob(f"{panel}_*.zip"))
    _button(duo, "bundle-button", panel).click()
    files = wait_until(lambda: list(set(folder.glob(f"{panel}_*.zip")) - before), timeout=20)
    time.sleep(0.3)  # complete once Chromium renamed it
    return files[0]


def _download_csv(duo, panel: str) -> str:
    folder = Path(duo.download_path)
    _button(duo, "csv-button", panel).click()
    files = wait_until(lambda: list(folder.glob(f"{panel}_*.csv")), timeout=20)
    time.sleep(0.3)
    return files[0].read_text()


def test_a_bundle_holds_the_csv_sql_and_parameters_and_reruns_to_identical_rows(churn_dashboard):
    duo, data = churn_dashboard
    version, last, _ = _published()
    visit(duo, "/growth?platforms=instagram,threads&range=90d&segment=power")
    duo.wait_for_element("#growth-graph .js-plotly-plot", timeout=20)
    day = next(label for label in duo.driver.find_elements(By.CSS_SELECTOR, "#growth-grain label")
               if label.text == "Day")
    day.click()  # the card's option: the bundle holds the day grain
    time.sleep(1)
    growth = _download_bundle(duo, "growth-accounting")
    with zipfile.ZipFile(growth) as z:
        names = set(z.namelist())
        info = json.loads(z.read("bundle.json"))
        csv_in_bundle = z.read("data.csv").decode()
        assert {"bundle.json", "data.csv", "definition.md", "README.md", "sql/growth.sql"} <= names
        assert z.read("sql/growth.sql").decode() == (ROOT / "analytics/sql/growth.sql").read_text()
        assert z.read("definition.md").decode().startswith("### Growth accounting")
    assert info["panel"] == "growth-accounting" and info["data_version"] == version
    assert info["filters"]["platforms"] == ["instagram", "threads"] and info["filters"]["segment"] == "power"
    assert info["filters"]["end"] == last and info["data_last_day"] == last
    assert "/growth?platforms=instagram,threads&start=" in info["filter_url"] and "segment=power" in info["filter_url"]
    growth_query = next(q for q in info["queries"] if q["name"] == "growth")
    assert growth_query["params"]["platform_mask"] == 2 | 16 and growth_query["params"]["segment"] == "power"
    assert growth_query["params"]["grain"] == info["option"] == "day"
    assert csv_in_bundle == _download_csv(duo, "growth-accounting")  # the bundle's CSV is the card's CSV

    bundles = [growth]
    for page, panel in (("/", "overview-activity"), ("/funnel", "funnel-steps"), ("/retention", "retention-cohorts"),
                        ("/churn", "churn-people")):
        visit(duo, page + "?platforms=instagram,threads&range=90d&segment=power")
        bundles.append(_download_bundle(duo, panel))
    done = subprocess.run([sys.executable, "-m", "analytics.bundle", "rerun", *map(str, bundles),
                           "--data-dir", str(data)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(bundles) and all(": identical: " in line for line in lines), done.stdout
    assert all(f"data version {version}" in line for line in lines)
    no_console_errors(duo)
