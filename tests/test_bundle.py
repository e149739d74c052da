"""A card's download bundle (analytics/bundle.py) reruns on the marts snapshot of its data version to the same rows;
a bundle whose rows were changed, a data version no longer kept and a file that is not a bundle each say so."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import zipfile
from dataclasses import replace

import pytest

from analytics import bundle
from analytics.filters import Filters
from store import snapshot
from tests.conftest import DAYS, START, make_settings, panels_on, warehouse

LAST = START + dt.timedelta(days=DAYS - 1)


@pytest.fixture(scope="module")
def data(built, tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("bundle") / "data")
    shutil.copytree(built.data_dir, settings.data_dir)
    with warehouse(settings) as con:
        snapshot.write(con, settings.data_dir, run_id=1)
    return settings


@pytest.fixture(scope="module")
def made(data, tmp_path_factory) -> dict:
    """Bundles of a few cards, built as the app builds them."""
    f = Filters(("facebook", "messenger"), START + dt.timedelta(days=3), LAST, "casual", None)
    out = {}
    with panels_on(data.data_dir):
        for panel, option, breakdown in (("funnel-steps", None, "none"), ("growth-accounting", "day", "none"),
                                         ("platforms-comparison", None, "none"),
                                         ("engagement-distribution", None, "none"),
                                         ("overview-activity", None, "age_group")):
            e = bundle.explain(panel, replace(f, breakdown=breakdown), option)
            path = tmp_path_factory.mktemp("made") / f"{panel}.zip"
            path.write_bytes(bundle.build(e, "http://host/x", "### def"))
            out[panel] = (path, e)
    return out


def test_bundles_rerun_to_identical_rows(data, made, capsys):
    paths = [str(p) for p, _ in made.values()]
    assert bundle.main(["rerun", *paths, "--data-dir", str(data.data_dir)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 5 and all(": identical: " in line and "data version 1 " in line for line in out), out
    path, e = made["funnel-steps"]
    info, csv = bundle.read(path)
    assert csv == e.csv and len(e.frame) == 5 and info["rows"] == 5
    assert [q["name"] for q in info["queries"]] == ["data_status", "funnel"]
    assert info["queries"][1]["params"] == {"platform_mask": 1 | 4, "start": "2024-01-04", "end": "2024-01-28",
                                            "segment": "casual", "age_group": "all"}
    assert bundle.read(made["overview-activity"][0])[0]["filters"]["breakdown"] == "age_group"
    assert "value" in bundle.read(made["overview-activity"][0])[1].splitlines()[0]  # the breakdown's rows
    assert info["queries"][1]["macros"] and all(f.startswith("store/schema/") for f in info["queries"][1]["macros"].values())


def _tampered(path, tmp_path):
    out = tmp_path / "tampered.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            body = src.read(name)
            if name == "data.csv":
                lines = body.decode().splitlines(keepends=True)
                first = lines[1].split(",")
                first[2] = str(int(first[2]) + 1)  # users of the first step, one more
                lines[1] = ",".join(first)
                body = "".join(lines).encode()
            dst.writestr(name, body)
    return out


def test_a_changed_row_a_missing_version_and_a_stranger_file_are_named(data, made, tmp_path, capsys):
    path, _ = made["funnel-steps"]
    assert bundle.main(["rerun", str(_tampered(path, tmp_path)), "--data-dir", str(data.data_dir)]) == 1
    out = capsys.readouterr().out
    assert "different: 5 rows computed on data version 1" in out and "line 2: expected " in out

    other = tmp_path / "other.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(other, "w") as dst:
        for name in src.namelist():
            body = src.read(name)
            if name == "bundle.json":
                body = json.dumps(json.loads(body) | {"data_version": 7}).encode()
            dst.writestr(name, body)
    assert bundle.main(["rerun", str(other), "--data-dir", str(data.data_dir)]) == 2
    assert "no marts snapshot of data version 7" in capsys.readouterr().err
    assert bundle.main(["rerun", str(other), "--data-dir", str(data.data_dir), "--current"]) == 0  # same rows

    stranger = tmp_path / "notes.zip"
    stranger.write_text("not a zip")
    assert bundle.main(["rerun", str(stranger), "--data-dir", str(data.data_dir)]) == 2
    assert "is not a download bundle of this app" in capsys.readouterr().err
