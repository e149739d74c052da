"""Settings come from environment variables with documented defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.settings import Settings, documented, load_settings
from webapp.settings import WebSettings, load_web_settings

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_and_overrides():
    assert load_settings({}) == Settings()
    environ = {"PA_DATA_DIR": "/srv/pa", "PA_DUCKDB_THREADS": " 3 ", "PA_THREADS": ""}
    s, web = load_settings(environ), load_web_settings(environ)
    assert s.data_dir == Path("/srv/pa") and s.duckdb_threads == 3 and web.threads == WebSettings().threads
    assert s.warehouse_path == Path("/srv/pa/warehouse.duckdb") and s.lake_dir == Path("/srv/pa/lake")
    assert s.with_data_dir("/tmp/x").data_dir == Path("/tmp/x") and s.with_data_dir(None) is s


def test_a_bad_value_names_the_variable():
    with pytest.raises(ValueError, match="PA_DUCKDB_THREADS='two' is not an integer"):
        load_settings({"PA_DUCKDB_THREADS": "two"})


def test_the_readme_documents_every_setting():
    readme = (ROOT / "README.md").read_text()
    for env, default, _help in documented(Settings) + documented(WebSettings):
        assert f"| `{env}` | `{default}` |" in readme, env
