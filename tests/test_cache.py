"""The query cache: keyed by data version, query and every parameter; a new run invalidates it."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from flask import Flask

from warehouse import cache as C


@pytest.fixture
def app_context(built, tmp_path, monkeypatch):
    from warehouse import access

    shutil.copytree(built.data_dir, tmp_path / "data")
    monkeypatch.setenv("PA_DATA_DIR", str(tmp_path / "data"))
    access.close()
    server = Flask(__name__)
    C.init_cache(server)
    with server.app_context():
        C.cache.clear()
        C.forget_data_version()
        yield access
    access.close()


def params(day: int, mask: int = 31) -> dict:
    return {"platform_mask": mask, "start": dt.date(2024, 1, day), "end": dt.date(2024, 1, day + 6),
            "segment": "all"}


def test_a_hit_is_the_same_frame_and_never_another_filter_s(app_context):
    first = C.cached_query("overview_activity", **params(5))
    assert C.cache.get(C.cache_key(C.data_version(), "overview_activity", params(5))) is not None
    again = C.cached_query("overview_activity", **params(5))
    assert again.equals(first) and again is not first  # a copy: callers may change it
    other = C.cached_query("overview_activity", **params(5, mask=8))
    assert not other.equals(first)
    shifted = C.cached_query("overview_activity", **params(6))
    assert list(shifted["day"]) != list(first["day"])


def test_a_new_run_changes_the_version_and_so_every_key(app_context):
    before = C.data_version()
    C.cached_query("overview_activity", **params(5))
    with app_context.cursor() as cur:
        cur.execute("INSERT INTO etl_runs (run_id, trigger, status) VALUES (nextval('etl_run_id_seq'), 'cli', "
                    "'succeeded')")
    assert C.data_version() == before  # trusted for VERSION_TTL_SECONDS
    C.forget_data_version()
    after = C.data_version()
    assert after > before
    assert C.cache.get(C.cache_key(after, "overview_activity", params(5))) is None
