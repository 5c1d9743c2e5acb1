# plainsight: every target sets up what it needs. Start with `make demo` or `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_HOME ?= demo-data

.PHONY: demo test check install bench clean java system screenshots

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "plainsight needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m plainsight.demo --home $(DEMO_HOME) $(DEMO_ARGS)

check: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

# The system packages the tests use (Java for Spark, PostgreSQL, Pango, poppler-utils,
# Chromium for the browser tests): installed from Debian's archive when missing, as root.
system:
	@scripts/debian-packages.sh

java: system

# The operational database is tested on a real PostgreSQL too (scripts/test-postgres.sh).
test: $(STAMP) check system
	PLAINSIGHT_TEST_DATABASE_URL="$$(scripts/test-postgres.sh || true)" $(BIN)/pytest

# The screenshots in docs/screenshots/, taken by the browser journeys.
screenshots: $(STAMP) system
	PLAINSIGHT_SCREENSHOTS=1 $(BIN)/pytest -q tests/web/test_journeys.py \
	  tests/web/test_network_page.py -k "journey or draws or markup"

bench: $(STAMP)
	$(BIN)/python benchmarks/import_adverts.py

clean:
	rm -rf $(VENV) $(DEMO_HOME) .pytest_cache .mypy_cache .ruff_cache
