# Tuijin developer entry points. `make run` and `make test` work on a fresh machine (see README).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-fast lint format bench loadtest lock check system-deps clean

# The install never resolves: the venv's own pip (whatever the machine's is) installs only the pinned, hash-checked
# installer from requirements/tools.lock; that pip installs the complete lock with --no-deps; pip check and
# scripts/check_lock.py then prove nothing is missing. A newer upstream release cannot change what gets installed.
PIP := $(BIN)/python -m pip --disable-pip-version-check --no-input
$(STAMP): requirements.lock requirements/tools.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --no-deps --require-hashes -r requirements/tools.lock
	$(PIP) install --quiet --no-deps --require-hashes -r requirements.lock
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	$(PIP) check
	$(BIN)/python scripts/check_lock.py
	touch $(STAMP)

install: $(STAMP)

system-deps:  ## Debian packages for the browser tests and PDF fonts (chromium, fonts-noto-cjk), when missing
	bash scripts/install-system-deps.sh

run: install  ## migrate, load the demo, serve http://127.0.0.1:8000 on embedded SQLite
	$(BIN)/tuijin migrate --no-input -v 0
	$(BIN)/tuijin collectstatic --no-input -v 0
	$(BIN)/tuijin load_demo
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	$(BIN)/tuijin runserver --nostatic $(HOST):$(PORT)

# One pytest-xdist worker per CPU (TEST_WORKERS=0 runs in one process). Each worker has its own test database and,
# for the browser tests, its own demo server.
TEST_WORKERS ?= auto

test: install system-deps  ## the whole suite, browser tests included
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

test-fast: install  ## everything except the browser tests
	$(BIN)/pytest -n $(TEST_WORKERS) -m "not browser" $(PYTEST_ARGS)

lint: install  ## ruff, mypy and the import contracts in .importlinter
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy tuijin
	$(BIN)/lint-imports --no-logo

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: install
	$(BIN)/tuijin makemigrations --check --dry-run
	$(BIN)/tuijin check

bench: install  ## prints a table of measured figures and saves it under var/bench/
	$(BIN)/python -m tuijin.bench $(if $(BENCH_QUICK),--quick,)

loadtest: install  ## reporting-day peak: gunicorn + PostgreSQL + task worker, 220 locust users for 3 minutes
	$(BIN)/python -m tuijin.loadtest.run

lock: install  ## regenerate the locks from pyproject.toml and requirements/tools.in with the pinned uv, keeping pins
	$(BIN)/uv pip compile requirements/tools.in --generate-hashes --python-version 3.11 \
	  -o requirements/tools.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
	  -o requirements.lock
	@echo "Locks written; run 'make install' to install them and check them against pyproject.toml."

clean:
	rm -rf $(VENV) var/static
