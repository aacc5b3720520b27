# Snowball: `make run` (the app with demo data, worker and beat) and `make test` (the whole suite).
# Needs only Python 3.11+; PostgreSQL and Redis are embedded unless DATABASE_URL / REDIS_URL are set.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format stop bench faults audit clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Snowball needs Python 3.11 or newer: set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m config.devrun

# The suite runs in TEST_WORKERS processes (pytest-xdist), each with its own test database and
# Redis database; whole files go to one process (module fixtures, such as the crawl's demo
# data, are built once). TEST_WORKERS=0 runs it in this process.
TEST_WORKERS ?= 2

test: $(STAMP) audit
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

# Known vulnerabilities in the installed dependencies (OSV database); skipped, saying so, where
# the machine cannot reach it.
audit: $(STAMP)
	@if $(BIN)/python -c "import http.client as h; c = h.HTTPSConnection('api.osv.dev', timeout=10); c.request('HEAD', '/'); c.getresponse()" 2>/dev/null; then \
		$(BIN)/pip-audit --strict --skip-editable --progress-spinner off --vulnerability-service osv; \
	else \
		echo "pip-audit SKIPPED: api.osv.dev cannot be reached from this machine; run 'make audit' where it can."; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

stop: $(STAMP)
	$(BIN)/python -m config.embedded stop

bench: $(STAMP)
	$(BIN)/python bench/make_run_restarts.py 20
	$(BIN)/python bench/roster_import.py
	$(BIN)/python bench/kickoff_load.py
	$(BIN)/python bench/import_linkedin.py
	$(BIN)/python bench/rollup.py
	$(BIN)/python bench/rollup_growth.py
	$(BIN)/python bench/reference_model.py 300
	$(BIN)/python bench/showcase_search.py
	$(BIN)/python bench/load.py
	HYPOTHESIS_PROFILE=bench $(BIN)/python -m pytest tests/security/test_fuzz_uploads.py -q

faults: $(STAMP)
	FAULT_RUNS=10 $(BIN)/python -m pytest tests/faults

clean: stop
	rm -rf $(VENV) .data staticfiles
