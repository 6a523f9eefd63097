# Delivery Warehouse: `make run` builds the warehouse from the exports, `make test` runs the tests.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
export DAGSTER_HOME ?= $(CURDIR)/.dagster

.PHONY: install run test demo dev status check lint clean

# uv resolves and installs the pinned set in seconds; pip would take minutes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/delivery run

# Two workers, one test module each: the slow end-to-end module runs beside the model tests.
test: install
	$(BIN)/pytest -n 2 --dist loadscope

demo: install
	$(BIN)/delivery demo

dev: install
	$(BIN)/delivery ui

status: install
	$(BIN)/delivery status

check: install
	$(BIN)/delivery check

lint: install
	$(BIN)/ruff check ingestion orchestration tests bench

clean:
	rm -rf warehouse .dagster dbt_project/target dbt_project/logs
