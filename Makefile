# The two commands: `make run` (set up, load the demo, serve) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The demo server runs in debug mode unless told otherwise.
MANAGE := DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py

.PHONY: run test test-postgres install install-dev lint migrate demo

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run
install-dev: $(VENV)/.installed-dev

migrate: install
	$(MANAGE) migrate --no-input
	$(MANAGE) createcachetable

demo: migrate
	$(MANAGE) seed_demo

# The task worker runs imports in the background beside the web server; Ctrl+C stops both.
run: demo
	@echo "Serving on http://127.0.0.1:$(PORT)/ with a task worker (sign in with a demo account above; Ctrl+C stops both)"
	@$(MANAGE) db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver 127.0.0.1:$(PORT)

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test: lint
	$(PY) -m pytest

# The suite again against PostgreSQL, the production database (the browser tests only run in
# `make test`): make test-postgres DATABASE_URL=postgres://user:password@127.0.0.1:5432/name
test-postgres: install-dev
	@case "$(DATABASE_URL)" in postgres://* | postgresql://*) ;; \
	  *) echo "test-postgres needs DATABASE_URL=postgres://user:password@host:port/name"; exit 2;; esac
	DATABASE_URL='$(DATABASE_URL)' $(PY) -m pytest --ignore=tests/browser
