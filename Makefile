# Quick start: `make run` (install, build the demo warehouse if none, serve) and `make test` (install, every test).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PA_DATA_DIR ?= ./data
PA_DEMO_USERS ?= 10000
PA_DEMO_DAYS ?= 120
export PA_DATA_DIR

.PHONY: install run demo serve test test-fast lint bench clean airflow spark notebook notebook-strip

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

# The Spark engine (PA_ENGINE=spark, pipeline/spark/): PySpark from the optional extra `spark`, and Java 17 for local
# mode (installed when missing and running as root). The tests compare it with the DuckDB engine.
SPARK_STAMP := $(VENV)/.spark-installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

spark: $(SPARK_STAMP)  ## PySpark (the `spark` extra) and Java for `pipeline run --engine spark` (a no-op once installed)

$(SPARK_STAMP): $(STAMP)
	scripts/ensure-java
	$(BIN)/python -m pip install --quiet -e '.[test,spark]'
	rm -f $(VENV)/.spark-installed-*
	touch $@

# Airflow 3 in its own virtual environment (docs/airflow.md): the DAG's tests run it in a subprocess.
AIRFLOW_VERSION ?= 3.3.2
AIRFLOW_VENV := .venv-airflow
AIRFLOW_STAMP := $(AIRFLOW_VENV)/.installed-$(AIRFLOW_VERSION)-$(shell cksum pyproject.toml | cut -d' ' -f1)

airflow: $(AIRFLOW_STAMP)  ## Apache Airflow 3 and the project in .venv-airflow (a no-op once installed)

$(AIRFLOW_STAMP): pyproject.toml
	$(PYTHON) -m venv $(AIRFLOW_VENV)
	$(AIRFLOW_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(AIRFLOW_VENV)/bin/python -m pip install --quiet 'apache-airflow==$(AIRFLOW_VERSION)' -e '.[spark]'
	rm -f $(AIRFLOW_VENV)/.installed-*
	touch $@

demo: install  ## generate and load the demo lake unless a warehouse already holds data
	$(BIN)/python -m pipeline demo --users $(PA_DEMO_USERS) --days $(PA_DEMO_DAYS)

serve: install
	$(BIN)/gunicorn --config gunicorn.conf.py app:server

run: demo serve

lint: install  ## the layers contract: store <- pipeline <- analytics <- webapp (pyproject.toml)
	$(BIN)/lint-imports

test: lint airflow spark  ## the layers contract, then every test, browser tests included (installs Chromium when missing, as root)
	scripts/ensure-chromium
	$(BIN)/python -m pytest

test-fast: lint airflow spark  ## every test but the browser ones
	$(BIN)/python -m pytest -m "not browser"

# The analyst's notebook (README, "Notebook"): JupyterLab from the optional extra `notebook`, installed on first use.
NOTEBOOK := notebooks/product_analytics_exploration.ipynb
NOTEBOOK_STAMP := $(VENV)/.notebook-installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

# Served from the repository's root (the notebook links to docs/); without JupyterLab's "build recommended" prompt,
# which Dash's bundled JupyterLab source extension triggers and this notebook does not need.
notebook: $(NOTEBOOK_STAMP)  ## JupyterLab on the analyst's notebook (it reads the marts snapshot in the data folder)
	$(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR) $(if $(filter 0,$(shell id -u)),--allow-root) \
		"--ServerApp.tornado_settings={'page_config_data': {'buildCheck': False, 'buildAvailable': False}}" \
		$(NOTEBOOK)

$(NOTEBOOK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,notebook]'
	rm -f $(VENV)/.notebook-installed-*
	touch $@

notebook-strip: install  ## remove the notebooks' outputs before committing (tests/test_notebook.py fails on any)
	$(BIN)/python scripts/strip_notebook_outputs.py

bench: install
	$(BIN)/python benchmarks/etl.py

clean:
	rm -rf $(VENV) $(AIRFLOW_VENV) .pytest_cache build *.egg-info
