"""The app shell in a real browser: it serves its own assets and shows what the warehouse holds."""

from __future__ import annotations

from dash.testing.application_runners import import_app

from tests.conftest import make_settings, warehouse


def test_overview_shows_the_warehouse_with_local_assets_only(dash_duo, app_data):
    with warehouse(make_settings(app_data)) as con:
        events, first, last = con.execute("SELECT count(*), min(event_ts)::DATE, max(event_ts)::DATE "
                                          "FROM fct_events").fetchone()
    dash_duo.start_server(import_app("app"))
    dash_duo.wait_for_text_to_equal("#overview-events", f"{events:,}", timeout=10)
    assert f"Data from {first} through {last}" in dash_duo.find_element("#overview-span").text
    # Bootstrap comes from the app's assets, not a CDN
    sheets = dash_duo.driver.execute_script("return [...document.styleSheets].map(s => s.href).filter(Boolean)")
    assert any("/assets/bootstrap.min.css" in s for s in sheets)
    assert all(s.startswith(dash_duo.server_url) for s in sheets)
    assert dash_duo.get_logs() == []
