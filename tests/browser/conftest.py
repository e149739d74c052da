"""Browser tests: dash.testing's dash_duo on headless Chromium, each against a private copy of a built warehouse."""

from __future__ import annotations

import os
import shutil
from functools import cache
from pathlib import Path

import pytest
from selenium.webdriver.chrome.options import Options

os.environ.setdefault("DASH_TEST_CHROMEPATH", shutil.which("chromium") or "/usr/bin/chromium")


def pytest_setup_options():
    """Chromium flags for a closed network and a root user: no background traffic, no sandbox; reduced motion, so
    Bootstrap does not scroll smoothly (WebDriver would click where an element was before the scroll ended)."""
    options = Options()
    for flag in ("--headless=new", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--disable-extensions", "--window-size=1440,1000",
                 "--force-prefers-reduced-motion"):
        options.add_argument(flag)
    return options


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def _owned_copy(source: Path, tmp_path: Path, monkeypatch):
    """A copy of a data folder that the app under test owns; its connection and cache are reset around it."""
    from store import warehouse
    from webapp.cache import cache

    data = tmp_path / "data"
    shutil.copytree(source, data)
    monkeypatch.setenv("PA_DATA_DIR", str(data))
    warehouse.close_shared()
    yield data
    warehouse.close_shared()
    cache.clear()


@pytest.fixture
def app_data(built, tmp_path, monkeypatch):
    """A copy of the built warehouse (28 days) that the app under test owns."""
    yield from _owned_copy(built.data_dir, tmp_path, monkeypatch)


@pytest.fixture
def churn_dashboard(dash_duo, built_with_churn, tmp_path, monkeypatch):
    """The app on a copy of `built_with_churn`, open to anonymous visitors; yields (dash_duo, its data folder)."""
    from webapp import auth
    from webapp.cache import cache

    for data in _owned_copy(built_with_churn.data_dir, tmp_path, monkeypatch):
        app = _app()
        cache.clear()
        auth.configure_users(app.server, {}, anonymous=True)
        dash_duo.start_server(app)
        yield dash_duo, data


@cache
def _app():
    """The app, imported once: Dash registers page callbacks when their modules are first imported."""
    from dash.testing.application_runners import import_app

    return import_app("app")


@pytest.fixture
def dashboard(dash_duo, app_data):
    """The app, started on the copied warehouse, its cache empty, open to anonymous visitors
    (PA_ANONYMOUS_ACCESS=1) and nobody able to log in."""
    from webapp import auth
    from webapp.cache import cache

    app = _app()
    cache.clear()
    auth.configure_users(app.server, {}, anonymous=True)
    dash_duo.start_server(app)
    return dash_duo


ADMIN, ANALYST = ("ada", "ada-secret-1"), ("bob", "bob-secret-1")


@pytest.fixture
def with_users(dash_duo, app_data):
    """The app with an admin and an analyst, served, then its scheduler started on the copied warehouse."""
    from werkzeug.security import generate_password_hash

    from webapp import auth, background
    from webapp.cache import cache

    app = _app()
    cache.clear()
    auth.configure_users(app.server, {
        ADMIN[0]: auth.User(ADMIN[0], auth.ADMIN, generate_password_hash(ADMIN[1])),
        ANALYST[0]: auth.User(ANALYST[0], auth.ANALYST, generate_password_hash(ANALYST[1])),
    }, anonymous=False)
    try:
        dash_duo.start_server(app, navigate=False)  # the first page is the login form, not a Dash page
        # the scheduler after the server: when its port is taken, dash.testing kills the failed server thread by its
        # id, which a thread started in between (the scheduler's worker) may have been given
        assert background.start(app.server)
        yield dash_duo
    finally:
        background.stop(interrupt=False)
        auth.configure_users(app.server, {})


def log_in(duo, user: tuple[str, str]):
    """Log in through the form; then the Dash app is the browser's page (duo.server_url is set)."""
    duo.driver.get(duo.server.url + "/login")
    duo.find_element("#username").send_keys(user[0])
    duo.find_element("#password").send_keys(user[1])
    duo.find_element("#login-submit").click()
    duo.wait_for_element(".pa-filter-bar", timeout=10)
    duo.server_url = duo.server.url  # waits for the Dash page, now reachable
