"""Saved views (webapp/saved_views.py) in the app's SQLite file of a temp data folder, as the app keeps them: names,
pages and query strings validated, a name saved again updated, each user's list (their own and those others shared,
newest first), deletion by the owner or an admin only; and the page after login (webapp/auth._safe_next): the
view's query string kept, other sites refused."""

from __future__ import annotations

import importlib
import sqlite3
import time

import pytest

from webapp import saved_views
from webapp.saved_views import Invalid, SavedViews
from webapp.sessions import store_path


@pytest.fixture(scope="module", autouse=True)
def pages():
    importlib.import_module("app")  # registers the pages: a view opens one of them


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A data folder of its own: the views live in its web/sessions.sqlite3, beside the sessions."""
    monkeypatch.setenv("PA_DATA_DIR", str(tmp_path))
    return tmp_path


def test_a_view_is_its_page_and_its_filters_as_the_shell_writes_them(data_dir):
    view = saved_views.save("bob", "  Threads   power users ", "/growth",
                            "?segment=power&range=90d&platforms=threads", shared=True)
    assert (view.owner, view.name, view.path, view.shared) == ("bob", "Threads power users", "/growth", True)
    assert view.query == "?platforms=threads&range=90d&segment=power"  # url_filters.query_string's order
    assert view.href == "/growth?platforms=threads&range=90d&segment=power"
    assert view.created_at == view.updated_at and view.created_at <= time.time()
    # the same file as the sessions, its own table
    with sqlite3.connect(store_path(data_dir)) as con:
        assert con.execute("SELECT owner, name, path, query, shared FROM saved_views").fetchall() == [
            ("bob", "Threads power users", "/growth", "?platforms=threads&range=90d&segment=power", 1)]
    # fixed dates, several platforms (reference order), no "?", the defaults
    assert saved_views.save("bob", "Jan", "/", "platforms=whatsapp,facebook&start=2024-01-03&end=2024-01-09"
                            ).query == "?platforms=facebook,whatsapp&start=2024-01-03&end=2024-01-09"
    assert saved_views.save("bob", "Defaults", "/retention", "").query == "?range=30d"


@pytest.mark.parametrize("name", [None, "", "   ", "x" * 81, 42])
def test_a_name_has_1_to_80_characters(data_dir, name):
    with pytest.raises(Invalid, match="1 to 80 characters"):
        saved_views.save("bob", name, "/growth", "?range=7d")
    assert saved_views.save("bob", "x" * 80, "/growth", "?range=7d").name == "x" * 80


@pytest.mark.parametrize("path", ["/admin", "/nowhere", "//evil.example", "https://evil.example/", "", None,
                                  "/growth?range=7d"])
def test_a_view_opens_one_of_the_dashboard_pages(data_dir, path):
    with pytest.raises(Invalid, match="is not a page of the dashboard"):
        saved_views.save("bob", "v", path, "?range=7d")


@pytest.mark.parametrize("query, why", [
    ("?range=7d&tab=2", "Unknown filter 'tab'"),
    ("?=7d", "Unknown filter ''"),
    ("?range=7d&range=30d", "given twice"),
    ("?platforms=myspace", "Unknown platform 'myspace'"),
    ("?segment=vip", "Unknown segment 'vip'"),
    ("?range=5y", "Unknown range '5y'"),
    ("?start=2024-13-40&end=soon", "not both dates"),
    ("?start=2024-01-09&end=2024-01-03", "before the start date"),
    ("?start=0001-01-01&end=9999-12-31", "Dates go from 1900-01-01 to 2999-12-31"),
    ("?start=2024-01-01&end=3000-01-01", "Dates go from 1900-01-01 to 2999-12-31"),
    ("?range", "not a query string"),
    ("?range=7d&&segment=power", "not a query string"),
    ("?" + "x" * 2001, "at most 2000 characters"),
    (["?range=7d"], "at most 2000 characters"),
])
def test_a_query_holds_only_filters_the_shell_takes_without_a_notice(data_dir, query, why):
    with pytest.raises(Invalid, match=why):
        saved_views.save("bob", "v", "/growth", query)
    assert saved_views.list_for("bob") == []


def test_the_keys_of_a_query_are_those_the_shell_reads():
    assert all(map(saved_views.read_by_the_shell, ["platforms", "start", "end", "range", "segment"]))
    assert not any(map(saved_views.read_by_the_shell, ["", "tab", "query", "preset", "Range", "platforms[]"]))


def test_saving_a_name_again_updates_that_view(data_dir):
    first = saved_views.save("bob", "Mine", "/growth", "?range=7d")
    time.sleep(0.01)
    again = saved_views.save("bob", "Mine", "/funnel", "?range=90d&segment=power", shared=True)
    assert again.id == first.id and again.created_at == first.created_at and again.updated_at > first.updated_at
    assert (again.path, again.query, again.shared) == ("/funnel", "?range=90d&segment=power", True)
    adas = saved_views.save("ada", "Mine", "/growth", "?range=7d")  # another owner's name: another view
    assert adas.id != first.id
    assert [v.id for v in saved_views.list_for("bob")] == [first.id]
    assert [v.id for v in saved_views.list_for("ada")] == [adas.id, first.id]


def test_each_user_sees_their_own_views_and_those_others_shared_newest_first(data_dir):
    saved = []
    for owner, name, shared in [("bob", "bob private", False), ("bob", "bob shared", True),
                                ("ada", "ada private", False), ("ada", "ada shared", True), ("eve", "eve's", False)]:
        saved.append(saved_views.save(owner, name, "/growth", "?platforms=threads&range=7d", shared))
        time.sleep(0.005)
    assert [v.name for v in saved_views.list_for("bob")] == ["ada shared", "bob shared", "bob private"]
    assert [v.name for v in saved_views.list_for("ada")] == ["ada shared", "ada private", "bob shared"]
    assert [v.name for v in saved_views.list_for("carl")] == ["ada shared", "bob shared"]
    assert saved_views.list_for(None) == [] and saved_views.list_for("") == []  # anonymous visitors: none
    # saving a view again brings it to the top
    saved_views.save("bob", "bob private", "/growth", "?range=30d")
    assert [v.name for v in saved_views.list_for("bob")][0] == "bob private"


def test_only_the_owner_or_an_admin_deletes_a_view(data_dir):
    bobs = saved_views.save("bob", "bob shared", "/growth", "?range=7d", shared=True)
    other = saved_views.save("bob", "another", "/growth", "?range=7d", shared=True)
    assert not saved_views.delete(bobs.id, "eve")  # an analyst, not the owner
    assert not saved_views.delete(bobs.id, None, admin=True)  # nobody logged in
    assert not saved_views.delete(str(bobs.id), "bob")  # ids are integers
    assert [v.id for v in saved_views.list_for("eve")] == [other.id, bobs.id]
    assert saved_views.delete(bobs.id, "bob")
    assert not saved_views.delete(bobs.id, "bob")  # gone already
    assert saved_views.delete(other.id, "ada", admin=True)
    assert saved_views.list_for("bob") == []


def test_anonymous_visitors_save_nothing(data_dir):
    with pytest.raises(Invalid, match="Log in"):
        saved_views.save("", "v", "/growth", "?range=7d")


def test_each_data_folder_has_its_own_views(tmp_path, monkeypatch):
    for name in ("one", "two"):
        monkeypatch.setenv("PA_DATA_DIR", str(tmp_path / name))
        saved_views.save("bob", name, "/growth", "?range=7d")
    assert [v.name for v in saved_views.list_for("bob")] == ["two"]
    assert [v.name for v in SavedViews(store_path(tmp_path / "one")).list_for("bob")] == ["one"]


# the page after login ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["/growth?platforms=threads&range=90d&segment=power", "/", "/admin",
                                    "/growth?platforms=whatsapp,threads&start=2024-01-01&end=2024-01-28",
                                    "/%2F%2Fevil.example", "/gr%C3%B6wth", "/growth#at-risk"])
def test_the_page_after_login_keeps_its_query_string(target):
    from webapp.auth import _safe_next

    assert _safe_next(target) == target


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "http://evil.example/growth",
                                    "/\\evil.example", "\\\\evil.example", "/\\/evil.example", "///evil.example",
                                    "/\t/evil.example", "/\n/evil.example", "/\r\n//evil.example", "/ /evil",
                                    "/\x00/evil", "javascript:alert(1)", "evil.example", "", None,
                                    "/" + "a" * 5000])
def test_the_page_after_login_is_never_another_site(target):
    from webapp.auth import _safe_next

    assert _safe_next(target) == "/"
