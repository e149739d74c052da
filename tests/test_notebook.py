"""The analyst's notebook (notebooks/product_analytics_exploration.ipynb), executed for real by nbclient on a kernel of
this interpreter, against a copy of a scored warehouse while this process holds that warehouse read-write, as the
app does: the notebook reads the marts snapshot, and the figures it prints are what the dashboard's own functions
return on the warehouse. Also: a clear error without a snapshot, and the committed notebook carries no outputs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from analytics import catalog, churn_risk, panels
from analytics.filters import default_filters
from store import snapshot
from tests.conftest import make_settings, panels_on, warehouse
from webapp import metrics_doc

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "product_analytics_exploration.ipynb"
STRIP = ROOT / "scripts" / "strip_notebook_outputs.py"
CELL_TIMEOUT = 300  # seconds per cell
KERNEL = "product-analytics-tests"
CHARTS = 6  # activity, platforms, growth, cohorts, funnel, churn risk
PLOTLY_JSON = "application/vnd.plotly.v1+json"


@pytest.fixture(scope="module")
def kernels(tmp_path_factory) -> Path:
    """A kernel spec running ipykernel on this interpreter (the project's venv), whatever other specs are installed."""
    root = tmp_path_factory.mktemp("kernels")
    (root / KERNEL).mkdir()
    (root / KERNEL / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "product-analytics (tests)", "language": "python"}))
    return root


def execute(kernels: Path, cwd: Path) -> nbformat.NotebookNode:
    """The notebook executed in a fresh kernel started in `cwd`, with this process's environment; a failing cell
    raises CellExecutionError, the notebook's outputs so far kept in `error.notebook`."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    km = KernelManager(kernel_name=KERNEL, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))
    client = NotebookClient(nb, km=km, timeout=CELL_TIMEOUT, resources={"metadata": {"path": str(cwd)}})
    try:
        client.execute()
    except CellExecutionError as exc:
        exc.notebook = nb
        raise
    return nb


def printed(nb: nbformat.NotebookNode) -> dict[str, str]:
    """What each code cell printed, by cell id."""
    return {c.id: "".join(o.text for o in c.outputs if o.output_type == "stream" and o.name == "stdout")
            for c in nb.cells if c.cell_type == "code"}


@pytest.fixture(scope="module")
def data(built_with_churn, tmp_path_factory):
    """A private copy of the scored warehouse and its marts snapshot."""
    root = tmp_path_factory.mktemp("notebook") / "data"
    shutil.copytree(built_with_churn.data_dir, root)
    return make_settings(root)


def dashboard_figures(data_dir: Path) -> dict:
    """The figures the notebook prints, from the dashboard's functions on the warehouse itself, for the dashboard's
    default view (the last 30 days, every app, every segment)."""
    with panels_on(data_dir):
        f = default_filters(panels.data_span())
        activity = catalog.panel("overview-activity").data(f)
        card = churn_risk.model_card()
        state = churn_risk.state(card["horizon_days"])
        risk = churn_risk.summary(catalog.panel("churn-distribution").data(f))
        return {"filters": f, "last": activity.iloc[-1],
                "funnel": catalog.panel("funnel-steps").data(f),
                "quick_ratio": panels.quick_ratio(catalog.panel("growth-accounting").data(f, "week")),
                "retention_days": catalog.panel("retention-days").data(f),
                "cohorts": catalog.panel("retention-cohorts").data(f),
                "state": state, "risk": risk}


def test_the_notebook_runs_on_the_snapshot_while_the_warehouse_is_held_and_prints_the_dashboards_figures(
        data, kernels, monkeypatch, tmp_path):
    want = dashboard_figures(data.data_dir)  # before the warehouse is held: this process opens it through the app's way
    monkeypatch.setenv("PA_DATA_DIR", str(data.data_dir))
    with warehouse(data) as con:  # held read-write, as the app's process holds it
        data_version = con.execute("SELECT data_version()").fetchone()[0]
        run_id = con.execute("SELECT max(run_id) FROM etl_runs").fetchone()[0]
        other = subprocess.run([sys.executable, "-c", "import duckdb, sys; duckdb.connect(sys.argv[1], read_only=True)",
                                str(data.warehouse_path)], capture_output=True, text=True, timeout=60)
        assert other.returncode != 0 and "lock" in other.stderr.lower(), other.stderr  # no other process may open it
        nb = execute(kernels, NOTEBOOK.parent)  # as Jupyter runs it: in notebooks/

    errors = [(c.id, o.ename, o.evalue) for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors, errors
    stderr = {c.id: o.text for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "stream" and o.name == "stderr"}
    assert not stderr, stderr
    out = printed(nb)

    # the snapshot of the warehouse's data version, written after its last run, in the data folder of $PA_DATA_DIR
    assert f"Data version {data_version}, written by run {run_id} at " in out["setup"], out["setup"]
    assert f"Snapshot {snapshot.current(data.data_dir)} " in out["setup"], out["setup"]
    f = want["filters"]
    assert f"Range {f.start} to {f.end} ({f.days} days)" in out["view"], out["view"]

    last = want["last"]
    assert f"DAU on {last['day']:%Y-%m-%d}: {last['dau']:,} " in out["engagement"], out["engagement"]
    assert f"MAU on {last['day']:%Y-%m-%d}: {last['mau']:,}\n" in out["engagement"], out["engagement"]

    steps = re.findall(r"^Step (\d), (\w+): ([\d,]+) people", out["funnel"], re.M)
    assert [(int(s), e, int(u.replace(",", ""))) for s, e, u in steps] == \
        list(zip(want["funnel"]["step"], want["funnel"]["event_type"], want["funnel"]["users"]))
    assert f"From view to create: {want['funnel']['from_first'].iloc[-1]:.1%}" in out["funnel"], out["funnel"]

    ratio = re.search(r"^Quick Ratio \(weekly, over \d+ complete weeks[^)]*\): (\S+)$", out["growth"], re.M)
    assert ratio and want["quick_ratio"] is not None, out["growth"]
    assert ratio[1] == f"{want['quick_ratio']:.2f}", out["growth"]

    days = want["retention_days"]
    assert days["cohort_users"].iloc[:3].gt(0).all()  # not vacuous: D1, D3 and D7 have people
    for r in days[days["cohort_users"] > 0].itertuples():
        line = f"D{r.day_n} retention: {r.retention:.1%} ({r.returned_users:,} of {r.cohort_users:,} new users)"
        assert line in out["retention"], (line, out["retention"])
    sizes = want["cohorts"].groupby("cohort_week")["cohort_size"].first()
    assert f"{len(sizes)} weekly cohorts, {int(sizes.sum()):,} new users" in out["retention"], out["retention"]

    state, risk = want["state"], want["risk"]
    assert state.status == "scored" and state.scored_people > 0
    assert f"Scored people on {state.scored_day}: {state.scored_people:,} " in out["churn"], out["churn"]
    assert f"high risk {risk['high']:,}, medium {risk['medium']:,}" in out["churn"], out["churn"]

    # the charts: the app's figures, drawn with plotly.js embedded once and nothing from a CDN
    bundles = [o.data for c in nb.cells if c.cell_type == "code" for o in c.outputs if "data" in o]
    assert sum(PLOTLY_JSON in b for b in bundles) == CHARTS
    html = [b["text/html"] for b in bundles if "text/html" in b]
    assert sum("* plotly.js v" in h for h in html) == 1  # plotly.js itself, embedded once
    for h in html:
        assert not re.search(r"""<script[^>]*\bsrc=["']?(https?:)?//|import\s*["'](https?:)?//|cdnjs|cdn\.plot\.ly/plotly""",
                             h), h[:300]

    # stripped, the executed notebook is the committed one (scripts/strip_notebook_outputs.py, `make notebook-strip`)
    ran = tmp_path / NOTEBOOK.name
    nbformat.write(nb, ran)
    strip = subprocess.run([sys.executable, str(STRIP), str(ran)], capture_output=True, text=True, timeout=60)
    assert strip.returncode == 0 and "outputs stripped" in strip.stdout, strip.stdout + strip.stderr
    assert json.loads(ran.read_text()) == json.loads(NOTEBOOK.read_text())


def test_without_a_snapshot_the_first_cell_says_how_to_get_one(kernels, monkeypatch, tmp_path):
    """Run from outside the repository, with a relative PA_DATA_DIR: taken from the repository's root, as the
    Makefile's ./data is."""
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PA_DATA_DIR", os.path.relpath(empty, ROOT))
    with pytest.raises(CellExecutionError) as raised:
        execute(kernels, tmp_path)
    errors = [(c.id, o) for c in raised.value.notebook.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert [(cell, o.ename) for cell, o in errors] == [("setup", "NoSnapshot")]
    message = errors[0][1].evalue
    assert f"no marts snapshot in {empty.resolve() / 'marts'}" in message, message
    assert "`make run`" in message and "`python -m pipeline run --data-dir" in message, message


def test_the_committed_notebook_is_valid_and_carries_no_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)
    assert nb.nbformat == 4 and all(c.get("id") for c in nb.cells)
    dirty = [f"cell {i} ({c.id}): {len(c.outputs)} outputs, execution_count {c.execution_count}"
             for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count is not None)]
    assert not dirty, "outputs committed (run `make notebook-strip`): " + "; ".join(dirty)
    check = subprocess.run([sys.executable, str(STRIP), "--check"], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr


def test_every_section_links_to_its_definition():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    anchors = {s.anchor for s in metrics_doc.sections()}
    for cell in nb.cells:
        if cell.cell_type != "markdown" or not cell.source.startswith("## "):
            continue
        links = re.findall(r"\]\(\.\./docs/metrics\.md#([\w-]+)\)", cell.source)
        if cell.id != "more-md":  # the closing notes define nothing
            assert links, f"{cell.id} links to no definition"
        assert set(links) <= anchors, (cell.id, set(links) - anchors)
