# keyaccount — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 8000
HOST ?= 127.0.0.1
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEV_STAMP := $(VENV)/.dev-stamp
# The first Python >= 3.12 on PATH (pyenv honours .python-version).
PYTHON ?= $(shell for p in python3.12 python3.13 python3.14 python3 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 \
	&& { command -v $$p; break; }; done)

.PHONY: help run dev test test-fast check lint format typecheck bench messages clean

help:
	@echo "make run    set up, migrate, load demo data (first start), serve on http://$(HOST):$(PORT)"
	@echo "make test   run the whole test suite (SQLite; PostgreSQL when DATABASE_URL is set)"
	@echo "make check  lint, format check, layer contract, type check, Django checks, migrations"
	@echo "make bench  performance benchmarks"

# Serving needs only the product's own dependencies (a quick first start); the tests and checks
# add the development tools on top.
$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "Python >= 3.12 is required (see .python-version)." >&2; exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(DEV_STAMP)

run: $(STAMP)
	$(BIN)/keyaccount migrate --noinput
	$(BIN)/keyaccount collectstatic --noinput --verbosity 0
	$(BIN)/keyaccount demo --if-empty
	@echo "Serving on http://$(HOST):$(PORT) with the background worker  (Ctrl-C stops both)"
	$(BIN)/keyaccount serve --bind $(HOST):$(PORT) --workers 2 --threads 4

# Development server with autoreload and DEBUG on, and the worker beside it.
dev: $(STAMP)
	$(BIN)/keyaccount migrate --noinput
	$(BIN)/keyaccount demo --if-empty
	trap 'kill 0' EXIT; DEBUG=true $(BIN)/keyaccount worker & \
		DEBUG=true $(BIN)/keyaccount runserver $(HOST):$(PORT)

# Runs in parallel on every core (pytest-xdist); PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= auto
test: $(DEV_STAMP)
	$(BIN)/pytest -p no:cacheprovider -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-fast: $(DEV_STAMP)
	$(BIN)/pytest -p no:cacheprovider -m "not browser" -x $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports --no-cache

format: $(DEV_STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

typecheck: $(DEV_STAMP)
	$(BIN)/mypy src

check: lint typecheck
	$(BIN)/keyaccount check --fail-level WARNING
	$(BIN)/keyaccount makemigrations --check --dry-run
	KEYACCOUNT_PRODUCTION=true SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
		ALLOWED_HOSTS=ka.example.com $(BIN)/keyaccount check --deploy --fail-level WARNING

# Benchmarks (docs/performance.md), e.g. BENCH_ARGS="--dataset L --http" or "--dataset S --postgres".
bench: $(DEV_STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

# Regenerate the translation catalogs after changing user-facing text, then translate.
messages: $(DEV_STAMP)
	cd src/keyaccount && ../../$(BIN)/keyaccount makemessages -l zh_Hans --no-obsolete --no-location \
		--ignore 'static/*'
	cd src/keyaccount && ../../$(BIN)/keyaccount compilemessages --ignore '.venv'

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
