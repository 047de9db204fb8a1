# Tuijin developer entry points. `make run` and `make test` work on a fresh machine (see README).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-fast lint format bench loadtest lock check system-deps clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
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

test: install system-deps  ## the whole suite, browser tests included
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: install  ## everything except the browser tests
	$(BIN)/pytest -m "not browser" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy tuijin

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

lock:  ## regenerate requirements.lock from pyproject.toml (needs uv)
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 --index-url https://pypi.org/simple -o requirements.lock

clean:
	rm -rf $(VENV) var/static
