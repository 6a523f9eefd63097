# Delivery Warehouse: `make run` builds the warehouse from the exports, `make test` runs the tests.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
export DAGSTER_HOME ?= $(CURDIR)/.dagster

.PHONY: install browser run test test-spark demo dev status check docs lint clean

# uv resolves and installs the pinned set in seconds; pip would take minutes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	# Bytecode compiled once, here: every `delivery`, dbt and test process then imports without compiling its
	# thousands of modules again (a Python that writes no bytecode, PYTHONDONTWRITEBYTECODE, would each time).
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[dev]'
	$(BIN)/python -m compileall -q -j 0 orchestration ingestion demo tests bench
	touch $@

install: $(VENV)/.installed

# Debian's Chromium renders the HTML report (and the dashboards) headless in the tests.
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium)

# The demo is explicit: `delivery demo` writes its exports (and leaves an unchanged demo as it is), then
# `delivery run` builds. `delivery run` alone never writes demo data.
run: install
	$(BIN)/delivery demo
	$(BIN)/delivery run

# Two workers, a test module at a time each, in the order tests/conftest.py sets: the slowest modules
# start first, and the others fill in around them. The 30 slowest tests are listed at the end.
# The tests' warehouses and Dagster instances live in memory where the machine has /dev/shm: a run's
# thousands of small SQLite commits (Dagster's event log) then wait for no disk. Removed when the tests pass,
# kept for a look when they fail.
TEST_TMP ?= $(shell test -d /dev/shm -a -w /dev/shm && echo /dev/shm || echo $(CURDIR)/.test-tmp)/delivery-tests-$(shell id -u)
test: install browser
	rm -rf $(TEST_TMP) && mkdir -p $(TEST_TMP)/tmp
	TMPDIR=$(TEST_TMP)/tmp $(BIN)/pytest -n 2 --dist loadscope --no-loadscope-reorder --durations=30 \
	  --basetemp=$(TEST_TMP)/pytest
	rm -rf $(TEST_TMP)

# The dbt project on Apache Spark in local mode (docs/scale-out.md): the `spark` extra (pyspark, dbt-spark) on top
# of the environment, Java 17 on the machine. One test process: Spark's bundled metastore admits one at a time.
$(VENV)/.spark-installed: $(VENV)/.installed
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[dev,spark]'
	touch $@

test-spark: $(VENV)/.spark-installed
	rm -rf $(TEST_TMP)-spark && mkdir -p $(TEST_TMP)-spark/tmp
	TMPDIR=$(TEST_TMP)-spark/tmp $(BIN)/pytest -p no:xdist -m spark --durations=10 --basetemp=$(TEST_TMP)-spark/pytest tests/spark
	rm -rf $(TEST_TMP)-spark

demo: install
	$(BIN)/delivery demo

dev: install
	$(BIN)/delivery ui

status: install
	$(BIN)/delivery status

check: install
	$(BIN)/delivery check

# The dbt docs of the last build (every model and column, the lineage graph up to the dashboards), on loopback.
# Each build writes them; without a build yet, `make run` first.
DOCS_PORT ?= 8081
docs: install
	@test -f warehouse/dbt_docs/index.html || $(MAKE) run
	DELIVERY_WAREHOUSE_PATH=$(CURDIR)/warehouse/delivery.duckdb $(BIN)/dbt docs serve --project-dir dbt_project \
		--profiles-dir dbt_project --target-path $(CURDIR)/warehouse/dbt_docs --host 127.0.0.1 --port $(DOCS_PORT) --no-browser

lint: install
	$(BIN)/ruff check ingestion orchestration demo tests bench

clean:
	rm -rf warehouse .dagster dbt_project/target dbt_project/logs dbt_project/organisations

# --- Apache Superset over the serving file (docs/bi.md) -----------------------------------------------
# Superset has its own environment: its pins (pandas, SQLAlchemy 1.4, Flask) clash with the warehouse's.
BI_VENV ?= .venv-bi
BI_BIN := $(BI_VENV)/bin
BI_PORT ?= 8088
SERVING_PATH ?= $(CURDIR)/warehouse/serving.duckdb
BI_ENV := SUPERSET_HOME=$(CURDIR)/.superset SUPERSET_SERVING_PATH=$(SERVING_PATH) SUPERSET_CONFIG_PATH=$(CURDIR)/bi/superset/superset_config.py SUPERSET_PORT=$(BI_PORT)

$(BI_VENV)/.installed: $(VENV)/.installed
	$(BIN)/uv venv --quiet --python $(PYTHON) $(BI_VENV)
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(BIN)/uv pip install --quiet --python $(BI_BIN)/python \
	  'apache-superset>=6.1,<6.2' 'flask-caching<2.4' rich cachetools duckdb-engine playwright
	touch $@

$(SERVING_PATH):
	$(MAKE) run

# Installs Superset, provisions it (metadata DB, admin, the bundle in bi/superset/assets) and starts it.
bi: install $(BI_VENV)/.installed $(SERVING_PATH)
	$(BI_ENV) $(BI_BIN)/python bi/superset/manage.py provision --serving $(SERVING_PATH)
	$(BI_ENV) $(BI_BIN)/python bi/superset/manage.py start

bi-serve: $(BI_VENV)/.installed
	$(BI_ENV) $(BI_BIN)/python bi/superset/manage.py serve

bi-stop:
	$(BI_ENV) $(BI_BIN)/python bi/superset/manage.py stop

# After editing dashboards in the UI: write them back as YAML under bi/superset/assets.
bi-export: $(BI_VENV)/.installed
	$(BI_ENV) $(BI_BIN)/python bi/superset/manage.py export

bi-screenshots: $(BI_VENV)/.installed browser
	$(BI_BIN)/python bi/superset/screenshots.py --url http://127.0.0.1:$(BI_PORT) --password "$$(cat .superset/admin_password)" --out docs/img >/dev/null

# Starts Superset through `make bi` (on BI_PORT, over SERVING_PATH), runs the tests against it and stops it
# again, unless it was already running before. `pytest -m bi tests/bi` alone starts a throwaway instance.
test-bi: install browser
	@if $(BI_BIN)/python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$(BI_PORT)/health', timeout=2)" 2>/dev/null; \
	then started=no; else started=yes; fi; \
	$(MAKE) --no-print-directory bi BI_PORT=$(BI_PORT) SERVING_PATH=$(SERVING_PATH) \
	&& BI_TEST_URL=http://127.0.0.1:$(BI_PORT) BI_TEST_SERVING_PATH=$(SERVING_PATH) $(BIN)/pytest -m bi -p no:xdist tests/bi; \
	status=$$?; \
	if [ $$started = yes ]; then $(MAKE) --no-print-directory bi-stop BI_PORT=$(BI_PORT); fi; \
	exit $$status
