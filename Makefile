# Delivery Warehouse: `make run` builds the warehouse from the exports, `make test` runs the tests.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
export DAGSTER_HOME ?= $(CURDIR)/.dagster

.PHONY: install browser run test demo dev status check docs lint clean

# uv resolves and installs the pinned set in seconds; pip would take minutes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# Debian's Chromium renders the HTML report (and the dashboards) headless in the tests.
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium)

run: install
	$(BIN)/delivery run

# Two workers, one test module each: the slow end-to-end module runs beside the model tests.
test: install browser
	$(BIN)/pytest -n 2 --dist loadscope

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
	$(BIN)/ruff check ingestion orchestration tests bench

clean:
	rm -rf warehouse .dagster dbt_project/target dbt_project/logs
