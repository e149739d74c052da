"""The house: layers that point one way (import-linter), the model graph held to its SQL, every SQL file opening with
its grain, every published table read by something, the docs generated from the graph, and a wheel that holds
every package and its data."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pipeline import steps
from pipeline.quality.checks import load_checks
from store.sql import SqlFiles
from tests.conftest import make_settings, warehouse

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("store", "pipeline", "analytics", "webapp")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

_COMMENT = re.compile(r"--[^\n]*")
_WRITES = re.compile(r"\b(?:INSERT\s+INTO|DELETE\s+FROM|UPDATE|CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP\s+|TEMPORARY\s+)?"
                     r"TABLE(?:\s+IF\s+NOT\s+EXISTS)?)\s+([a-z_][a-z0-9_]*)", re.IGNORECASE)
_READS = re.compile(r"\b(?:FROM|JOIN|USING)\s+([a-z_][a-z0-9_]*)", re.IGNORECASE)


def sql_text(path: Path) -> str:
    return _COMMENT.sub("", path.read_text(encoding="utf-8"))


def written(path: Path) -> set[str]:
    return {m.lower() for m in _WRITES.findall(sql_text(path))}


def read(path: Path, known: set[str]) -> set[str]:
    return {m.lower() for m in _READS.findall(sql_text(path))} & known


@pytest.fixture(scope="module")
def new_warehouse(tmp_path_factory):
    """The settings of a new, empty warehouse (schema only)."""
    settings = make_settings(tmp_path_factory.mktemp("schema"))
    with warehouse(settings):
        pass
    return settings


@pytest.fixture(scope="module")
def tables(new_warehouse) -> set[str]:
    """Every table and view of a new warehouse, and every temporary table a run's steps create."""
    with warehouse(new_warehouse) as con:
        names = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() UNION "
                                           "SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    return names | {t for s in steps.STEPS for t in s.writes}


# -- layers ------------------------------------------------------------------------------------------------------------

def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={"PATH": f"{LINT_IMPORTS.parent}:/usr/bin:/bin", "PYTHONPATH": str(cwd)})


def test_the_layers_contract_holds():
    out = lint_imports(ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "store <- pipeline <- analytics <- webapp KEPT" in out.stdout


def test_the_layers_contract_fails_on_an_upward_import(tmp_path):
    """The same contract on a copy of the packages where the store imports the pipeline: broken, and it says where."""
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.sql", "*.csv",
                                                                                      "assets"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    reference = tmp_path / "store" / "reference.py"
    reference.write_text(reference.read_text() + "\nfrom pipeline import lake  # an upward import\n")
    out = lint_imports(tmp_path)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "store <- pipeline <- analytics <- webapp BROKEN" in out.stdout
    assert "store.reference -> pipeline.lake" in out.stdout


# -- the model graph ---------------------------------------------------------------------------------------------------

def test_each_step_declares_exactly_what_its_sql_writes():
    for step in steps.STEPS:
        assert written(step.path) == set(step.writes) - set(steps.FILES), step.name


def test_each_step_declares_what_its_sql_reads(tables):
    for step in steps.STEPS:
        found = read(step.path, tables) - set(step.writes)
        declared = set(step.reads) - set(steps.FILES)
        assert found <= declared, (step.name, found - declared)
        assert declared - {t for t in step.writes} <= found, (step.name, declared - found)
        reads_files = "read_parquet" in sql_text(step.path)  # the lake's, or the Spark job's output for a batch
        assert reads_files == bool({steps.LAKE_EVENTS, steps.LAKE_USERS, steps.SPARK_OUTPUT} & set(step.reads)) \
            == step.needs_files, step.name
        assert ("COPY" in sql_text(step.path)) == (steps.SPARK_INPUTS in step.writes), step.name


def test_steps_run_after_what_they_read_is_written():
    for position, step in enumerate(steps.STEPS):
        for table in step.reads:
            writers = [steps.STEPS.index(w) for w in steps.writers(table)]
            assert not writers or min(writers) <= position, (step.name, table)


def test_every_model_file_is_a_step_and_each_table_has_one_model():
    """Every file under pipeline/models is a step. A dims, facts or marts model is named after the table it builds;
    a second pass over a table it built is named <table>_<pass> (fct_events_versions re-points facts)."""
    assert sorted(s.file for s in steps.STEPS if s.layer != "run") == steps.MODELS.names()
    assert {p for s in steps.STEPS for p in s.phases} <= set(steps.PHASES) and {s.layer for s in steps.STEPS} <= set(steps.LAYERS)
    models = [s for s in steps.STEPS if s.layer in ("dims", "facts", "marts")]
    built = {s.name for s in models if s.name in s.writes}
    for step in models:
        table = step.name if step.name in built else next(t for t in built if step.name.startswith(t + "_"))
        assert table in step.writes, step.name
    assert sorted(built) == sorted({s.name for s in models if s.name in s.writes})  # one model per table
    assert len(built) == len([s for s in models if s.name in built])


SQL_FOLDERS = [ROOT / "pipeline" / "models", ROOT / "pipeline" / "sql", ROOT / "pipeline" / "quality" / "sql",
               ROOT / "store" / "sql", ROOT / "analytics" / "sql", ROOT / "webapp" / "sql"]


def test_every_query_and_transform_opens_with_its_grain():
    """Line 1 says what one row is (of what the file returns or writes); schema files (DDL) say what they define."""
    files = [p for folder in SQL_FOLDERS for p in folder.rglob("*.sql")]
    assert len(files) > 60
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("-- ") and "one row" in first.lower(), path.relative_to(ROOT)


def test_every_published_table_is_read_by_something(tables):
    """No table is built that nothing reads: a later step, a panel query, a metric definition, the run's own
    queries, the admin page or a check."""
    readers = " ".join(sql_text(p) for folder in SQL_FOLDERS[1:] + [ROOT / "store" / "schema"]
                       for p in folder.rglob("*.sql") if p.name not in ("facts.sql", "marts.sql", "dimensions.sql"))
    checked = {c.table for c in load_checks()}
    for position, step in enumerate(steps.STEPS):
        for table in set(step.writes) - set(steps.FILES):
            later = any(table in s.reads for s in steps.STEPS[position + 1:]) or table in read(step.path, tables)
            queried = re.search(rf"\b(FROM|JOIN)\s+{table}\b", readers, re.IGNORECASE) is not None
            assert later or queried or table in checked, table


def test_the_panels_read_only_marts_facts_dimensions_and_metric_definitions(tables):
    served = {t for s in steps.STEPS if s.layer in ("dims", "facts", "marts") for t in s.writes if t == s.name}
    served |= {"dim_platform", "dim_event_type", "dim_country", "agg_daily_metrics", "agg_user_engagement",
               "agg_retention_cohorts"}
    panel_sql = SqlFiles(ROOT / "analytics" / "sql")
    for name in panel_sql.names():
        path = panel_sql.path(name)
        # the two runs tables: versions; the churn tables: the scores, their model runs and features (docs/churn.md)
        assert read(path, tables) <= served | {"etl_runs", "dq_results", "churn_scores", "churn_models",
                                               "churn_features"}, name
        assert not written(path), name


def test_the_three_named_marts_are_views_over_the_panels_definitions(new_warehouse):
    with warehouse(new_warehouse) as con:
        views = {r[0]: r[1] for r in con.execute(
            "SELECT view_name, sql FROM duckdb_views() WHERE NOT internal").fetchall()}
        macros = {r[0]: r[1] for r in con.execute(
            "SELECT function_name, macro_definition FROM duckdb_functions() WHERE function_type = 'table_macro'"
        ).fetchall()}
    assert {"agg_daily_metrics", "agg_user_engagement", "agg_retention_cohorts"} <= set(views)
    assert "daily_metrics(" in views["agg_daily_metrics"] and "daily_activity(" in macros["daily_metrics"]
    assert "retention_cohorts(" in views["agg_retention_cohorts"]
    assert "engagement_score(" in views["agg_user_engagement"]
    panel_sql = SqlFiles(ROOT / "analytics" / "sql")
    assert "daily_activity(" in panel_sql.text("overview_activity")
    assert "retention_cohorts(" in panel_sql.text("retention_cohorts")
    assert "engagement_score(" in panel_sql.text("engagement_users")


def test_docs_models_md_is_the_graph():
    doc = (ROOT / "docs" / "models.md").read_text(encoding="utf-8")
    assert steps.markdown() in doc


# -- packaging ---------------------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_the_wheel_holds_every_package_and_its_data(tmp_path):
    """Built from a copy of what git tracks (so nothing of a local build/ folder or .venv can slip in)."""
    tracked = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.split()
    source = tmp_path / "source"
    for name in tracked:
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path),
                          str(source)], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    wheel = next(tmp_path.glob("product_analytics-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    sources = {str(p.relative_to(ROOT)) for name in PACKAGES for p in (ROOT / name).rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert sources <= names, sorted(sources - names)[:10]
    assert "app.py" in names
    metadata = next(n for n in names if n.endswith("METADATA"))
    requires = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "Requires-Dist: faker" not in requires.lower()


def test_the_readme_leads_to_every_page_query_and_doc():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pages = [p.name for p in (ROOT / "webapp" / "pages").glob("*.py") if not p.name.startswith("_")
             and p.stem != "not_found_404"]
    queries = [f"{name}.sql" for name in SqlFiles(ROOT / "analytics" / "sql").names()]
    for name in pages + queries + ["docs/models.md", "docs/data_quality.md", "checks.toml", "metrics.sql"]:
        assert name in readme, name
