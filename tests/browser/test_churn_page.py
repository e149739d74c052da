"""The churn page in a real browser: its numbers are the warehouse's scores under the filters, the list and its CSV
hold the highest-risk people with their features and reasons, a selected person shows every feature, the model
card shows the recorded holdout metrics, the retention and growth pages link to it with their filters, and with too
little history it says why instead of drawing empty charts."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

from selenium.webdriver.common.by import By

from store import warehouse
from tests.browser.test_dashboard import no_console_errors, visit, wait_for_traces, wait_until


def _scores(platform_mask: int = 31, segment: str = "all") -> list[tuple[int, float]]:
    """(user_id, score) of the people the page should show, read from the tables themselves (on the app's
    connection: DuckDB opens a file once per process), highest first."""
    with warehouse.cursor() as con:
        return con.execute(
            "SELECT s.user_id, s.score FROM churn_scores AS s JOIN churn_features AS f USING (snapshot_date, user_id)"
            " WHERE f.platform_mask_28 & ? <> 0 AND (? = 'all' OR f.segment = ?)"
            " ORDER BY s.score DESC, s.user_id", [platform_mask, segment, segment]).fetchall()


def _model() -> dict:
    with warehouse.cursor() as con:
        return json.loads(con.execute("SELECT metrics FROM churn_models ORDER BY model_id DESC LIMIT 1").fetchone()[0])


def _download(duo, panel: str) -> list[dict]:
    duo.find_element(f'#\\{{\\"panel\\"\\:\\"{panel}\\"\\,\\"type\\"\\:\\"csv-button\\"\\}}').click()
    files = wait_until(lambda: list(Path(duo.download_path).glob(f"{panel}_*.csv")), timeout=15)
    time.sleep(0.3)  # the file is complete once Chromium renamed it
    return list(csv.DictReader(files[0].open()))


def _people_bars(duo) -> int:
    """People in the risk distribution as drawn: the sum of every bar."""
    return int(sum(sum(t["y"]) for t in wait_for_traces(duo, "churn-distribution-graph")))


def test_the_page_shows_the_scores_the_list_and_a_person(churn_dashboard):
    duo, _ = churn_dashboard
    visit(duo, "/churn")
    everyone = _scores()
    assert len(everyone) > 500
    assert _people_bars(duo) == len(everyone)
    summary = duo.wait_for_element("#churn-summary").text
    high = sum(1 for _, s in everyone if s >= 0.5)
    assert summary.startswith(f"{len(everyone):,} people scored on ") and f"{high:,} high risk" in summary

    rows = wait_until(lambda: duo.driver.find_elements(By.CSS_SELECTOR, "#churn-people-grid .ag-row"))
    first = rows[0].find_element(By.CSS_SELECTOR, '[col-id="user_id"]').text
    assert int(first) == everyone[0][0]
    assert duo.find_element("#churn-people-grid .ag-paging-row-summary-panel").text.endswith(
        f"of {min(200, len(everyone))}")

    rows[0].find_element(By.CSS_SELECTOR, '[col-id="score"]').click()
    person = duo.wait_for_element("#churn-person-card").text
    assert person.startswith(f"Person {everyone[0][0]}: score {everyone[0][1]:.3f} (high risk)")
    assert "Days since last active" in person and "Funnel depth" in person and "Raising the score most: " in person

    card = duo.find_element("#churn-metrics").text
    metrics = _model()
    assert f"ROC AUC {metrics['model']['roc_auc']:.3f} {metrics['baseline']['roc_auc']:.3f}" in card
    assert "Recency only" in card
    downloaded = {(r["section"], r["name"], r["scorer"]): float(r["value"]) for r in _download(duo, "churn-model")}
    assert downloaded[("holdout", "ROC AUC", "baseline")] == metrics["baseline"]["roc_auc"]
    assert sum(v for (section, name, scorer), v in downloaded.items()
               if section == "calibration" and name.endswith(" rows") and scorer == "model") == metrics["model"]["rows"]
    calibration = wait_for_traces(duo, "churn-calibration-graph")
    assert [t["name"] for t in calibration][1:] == ["model", "recency-only baseline"]
    assert wait_for_traces(duo, "churn-breakdown-graph")
    no_console_errors(duo)


def test_the_list_downloads_with_features_and_reasons_and_follows_the_filters(churn_dashboard):
    duo, _ = churn_dashboard
    visit(duo, "/churn?platforms=instagram,threads&segment=regular")
    wanted = _scores(platform_mask=2 | 16, segment="regular")
    assert 0 < len(wanted) < len(_scores())
    wait_until(lambda: _people_bars(duo) == len(wanted))
    observed = duo.find_element("#churn-observed").text
    assert observed.startswith("Observed on ") and "churned from every app, " in observed
    assert observed.endswith("from the selected platforms.")  # churn per platform: the filter selects two of five
    rows = _download(duo, "churn-people")
    assert [int(r["user_id"]) for r in rows] == [u for u, _ in wanted]
    assert all(abs(float(r["score"]) - s) < 1e-9 for r, (_, s) in zip(rows, wanted))
    assert {r["segment"] for r in rows} == {"regular"}
    assert all({"instagram", "threads"} & set(r["platforms"].split(", ")) for r in rows)
    assert all(r["reasons"] for r in rows if float(r["score"]) >= 0.5)  # a high score has features raising it
    for column in ("recency_days", "active_days_28", "activity_trend", "funnel_depth_28", "tenure_days", "device"):
        assert column in rows[0]
    no_console_errors(duo)


def test_retention_and_growth_link_to_the_list_with_their_filters(churn_dashboard):
    duo, _ = churn_dashboard
    for page in ("retention", "growth"):
        visit(duo, f"/{page}?platforms=whatsapp&range=90d")
        link = duo.wait_for_element(f"#{page}-at-risk-link a")
        wait_until(lambda: "platforms=whatsapp" in (link.get_attribute("href") or ""))
        assert link.get_attribute("href").endswith("/churn?platforms=whatsapp&range=90d#at-risk")
    link.click()
    wait_until(lambda: duo.driver.current_url.split("?")[0].endswith("/churn"))
    wait_for_traces(duo, "churn-distribution-graph")
    assert "platforms=whatsapp" in duo.driver.current_url
    no_console_errors(duo)


def test_with_too_little_history_the_page_says_why(dashboard):
    """The 28-day test warehouse: fewer than 14 + 28 days, so nothing is scored and the page explains it."""
    visit(dashboard, "/churn")
    alert = dashboard.wait_for_element("#churn-state").text
    assert alert.startswith("Not enough history yet: churn risk needs 42 days of data") and "holds 28" in alert
    assert "Not enough history yet" in wait_until(lambda: " ".join(
        dashboard.driver.execute_script(
            "const el = document.querySelector('#churn-distribution-graph .js-plotly-plot');"
            "return el && el.layout && el.layout.annotations ? el.layout.annotations.map(a => a.text) : [];")))
    no_console_errors(dashboard)
