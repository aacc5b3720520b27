# Snowball: `make run` (the app with demo data, worker and beat) and `make test` (the whole suite).
# Needs only Python 3.11+; PostgreSQL and Redis are embedded unless DATABASE_URL / REDIS_URL are set.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format stop bench faults clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Snowball needs Python 3.11 or newer: set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m config.devrun

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

stop: $(STAMP)
	$(BIN)/python -m config.embedded stop

bench: $(STAMP)
	$(BIN)/python bench/roster_import.py
	$(BIN)/python bench/kickoff_load.py
	$(BIN)/python bench/import_linkedin.py
	$(BIN)/python bench/rollup.py
	$(BIN)/python bench/showcase_search.py

faults: $(STAMP)
	FAULT_RUNS=10 $(BIN)/python -m pytest tests/faults

clean: stop
	rm -rf $(VENV) .data staticfiles
