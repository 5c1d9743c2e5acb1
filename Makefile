# plainsight: every target sets up what it needs. Start with `make demo` or `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_HOME ?= demo-data

.PHONY: demo test check install bench clean java

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

# The Spark engine's tests need a Java runtime: install Debian's when missing (as root).
java:
	@command -v java >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && apt-get install -y -qq default-jre-headless >/dev/null; \
	  else echo "no Java runtime: the Spark tests will be skipped"; fi; }

# The operational database is tested on a real PostgreSQL too (scripts/test-postgres.sh).
test: $(STAMP) check java
	PLAINSIGHT_TEST_DATABASE_URL="$$(scripts/test-postgres.sh || true)" $(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/import_adverts.py

clean:
	rm -rf $(VENV) $(DEMO_HOME) .pytest_cache .mypy_cache .ruff_cache
