# tinhso — the two commands of the README, and the pieces they are made of.
#   make run    set up and start the platform on SQLite with the demo province
#   make test   the full suite (SQLite by default; PostgreSQL when DATABASE_URL is set)

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test bench lint typecheck format assets messages venv system-deps clean help

help:
	@echo "make run | make test | make bench | make lint"

# --- Python environment ------------------------------------------------------------------------
$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' || \
	  { echo "tinhso needs Python 3.11 (Debian 12: apt-get install -y python3 python3-venv)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || \
	  { echo "Cannot create a virtual environment. Run: apt-get install -y python3-venv"; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

venv: $(VENV)/.installed

# --- Front-end assets from the npm registry ------------------------------------------------------
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "Node.js and npm are needed: apt-get install -y nodejs npm"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

src/tinhso/static/vendor/.built: node_modules/.installed scripts/build-assets.mjs
	npm run --silent build
	@touch $@

assets: src/tinhso/static/vendor/.built

# --- Translations: compiled from the .po catalogues (pure Python, no gettext needed) -----------
# Compiling needs no secret: without TINHSO_ENV the settings would demand a production SECRET_KEY.
messages: venv
	@TINHSO_ENV=$${TINHSO_ENV:-development} $(PY) manage.py compile_catalogues

# --- System packages the browser tests and the PDF forms need ----------------------------------
system-deps:
	@bash scripts/ensure-system-deps.sh

# --- The two commands ------------------------------------------------------------------------
run: venv assets messages
	@bash scripts/run.sh

test: venv assets messages system-deps
	@bash scripts/test.sh $(ARGS)

bench: venv assets messages
	@bash bench/run.sh

# --- Checks ----------------------------------------------------------------------------------
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv
	TINHSO_ENV=test $(VENV)/bin/mypy src/tinhso

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules src/tinhso/static/vendor var/test*.sqlite3
