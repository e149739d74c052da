"""The query and panel cache: keyed by data version, query and every parameter; a new run invalidates it, a
quality run only the check results; a run in the app process is served once its recently viewed panels are drawn."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask

from pipeline import etl
from webapp import cache as C


@pytest.fixture
def app_context(built, tmp_path, monkeypatch):
    from store import warehouse

    shutil.copytree(built.data_dir, tmp_path / "data")
    monkeypatch.setenv("PA_DATA_DIR", str(tmp_path / "data"))
    warehouse.close_shared()
    server = Flask(__name__)
    C.install()
    with server.app_context():
        C.cache.clear()
        C.forget_data_version()
        yield warehouse
    warehouse.close_shared()


def params(day: int, mask: int = 31) -> dict:
    return {"platform_mask": mask, "start": dt.date(2024, 1, day), "end": dt.date(2024, 1, day + 6),
            "segment": "all", "age_group": "all"}


def test_a_hit_is_the_same_frame_and_never_another_filter_s(app_context):
    first = C.cached_query("overview_activity", params(5))
    assert C.cache.get(C.cache_key(C.data_version(), "overview_activity", params(5))) is not None
    again = C.cached_query("overview_activity", params(5))
    assert again.equals(first) and again is not first  # a copy: callers may change it
    other = C.cached_query("overview_activity", params(5, mask=8))
    assert not other.equals(first)
    shifted = C.cached_query("overview_activity", params(6))
    assert list(shifted["day"]) != list(first["day"])


def test_a_new_run_changes_the_version_and_so_every_key(app_context):
    before = C.data_version()
    C.cached_query("overview_activity", params(5))
    with app_context.cursor() as cur:
        cur.execute("INSERT INTO etl_runs (run_id, trigger, status, partitions) VALUES "
                    "(nextval('etl_run_id_seq'), 'cli', 'succeeded', 2)")
    assert C.data_version() == before  # trusted for VERSION_TTL_SECONDS
    C.forget_data_version()
    after = C.data_version()
    assert after > before
    assert C.cache.get(C.cache_key(after, "overview_activity", params(5))) is None


def test_concurrent_requests_for_one_missing_entry_compute_it_once(app_context):
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.3)
        return {"drawn": len(calls)}

    server = Flask(__name__)
    C.install()

    def ask(_):
        with server.app_context():
            return C.cached("slow-panel", {"x": 1}, slow)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(ask, range(8)))
    assert len(calls) == 1 and answers == [{"drawn": 1}] * 8


def test_a_quality_run_or_a_run_with_nothing_new_changes_only_the_checks_version(app_context, tmp_path):
    from pipeline import audit
    from tests.conftest import make_settings

    settings = make_settings(tmp_path / "data")
    for run in (lambda cur: etl.run(cur, settings), lambda cur: audit.check_published(cur, settings)):
        before = C.versions()
        with app_context.cursor() as cur:
            assert run(cur).status == "succeeded"
        C.forget_data_version()
        after = C.versions()
        assert after.data == before.data and after.checks > before.checks


@pytest.mark.parametrize("hold_limit", [C.HOLD_LIMIT_SECONDS, 0])
def test_a_run_serves_the_old_data_until_recently_viewed_panels_are_drawn_on_the_new(app_context, tmp_path,
                                                                                      monkeypatch, hold_limit):
    """A real run over a new day inside `publishing`: meanwhile the panel still shows the old data; afterwards the
    open page's filters and the moved preset range are already drawn on the new data. Past the hold limit the new
    version is served while panels are still being drawn."""
    from analytics import panels
    from analytics.filters import default_filters
    from analytics.queries import run as uncached
    from pipeline.generate import generate
    from tests.conftest import make_settings
    from webapp.pages._common import filters_from, rendered
    from webapp.url_filters import to_store

    monkeypatch.setattr(C, "HOLD_LIMIT_SECONDS", hold_limit)
    drawn = []  # (the range's last day, whether the previous version was still held)

    @rendered
    def last_day_shown(data):
        f = filters_from(data)
        drawn.append((f.end, C.refresh_status()["drawing_panels_for_new_run"]))
        frame = panels.overview_activity(f)
        return {"end": f.end.isoformat(), "dau": int(frame["dau"].iloc[-1])}

    old = to_store(default_filters(panels.data_span()))
    before = last_day_shown(old)
    version_before = C.data_version()
    settings = make_settings(tmp_path / "data")
    generate(settings.lake_dir, users=0, days=1)
    with C.publishing():
        with app_context.cursor() as cur:
            assert etl.run(cur, settings).status == "succeeded"
        assert last_day_shown(old) == before and C.data_version() == version_before  # the version before the run
        assert len(drawn) == 1
    assert C.data_version() > version_before
    moved = to_store(default_filters(panels.data_span()))
    assert moved["end"] > old["end"]
    # drawn again for the open page's filters and for the range that follows the data, the previous version held
    # meanwhile unless the limit is 0
    assert [day.isoformat() for day, _ in drawn[1:]] == [old["end"], moved["end"]]
    assert [held for _, held in drawn[1:]] == [hold_limit > 0] * 2
    shown = last_day_shown(moved)
    assert len(drawn) == 3 and shown["end"] == moved["end"]
    new_dau = int(uncached("overview_activity", filters_from(moved).params())["dau"].iloc[-1])
    assert shown["dau"] == new_dau > 0
    assert last_day_shown(old)["end"] == old["end"] and len(drawn) == 3


def test_the_warm_up_reads_back_recent_well_formed_entries_only(tmp_path, caplog):
    from webapp import warmup

    file = tmp_path / "web" / "viewed-panels.json"
    assert warmup.load(file) == []  # none saved yet
    now = 1_000_000.0
    file.parent.mkdir()
    file.write_text(json.dumps([
        {"name": "rendered:a", "params": {"args": [1]}, "viewed_at": now - 10},
        {"name": "rendered:b", "params": {"args": [2]}, "viewed_at": now - 5},
        {"name": "rendered:old", "params": {"args": []}, "viewed_at": now - warmup.KEEP_SECONDS - 1},
        {"name": 7, "params": {}, "viewed_at": now}, {"name": "x", "params": [], "viewed_at": now}, "junk",
    ]))
    assert [e["name"] for e in warmup.load(file, now)] == ["rendered:b", "rendered:a"]
    file.write_text("{not json")
    assert warmup.load(file, now) == [] and "cannot be read" in caplog.text
