# The two commands: `make run` (set up, load the demo, serve) and `make test`.
# The newest Python from 3.11 to 3.14 that runs here (a pyenv shim may exist but not run).
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3.11 python3; do \
  $$p -c 'import sys; sys.exit(not (3, 11) <= sys.version_info < (3, 15))' 2>/dev/null \
  && { command -v $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The demo server runs in debug mode unless told otherwise.
MANAGE := DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py

.PHONY: run test test-postgres test-other-python install install-dev lint typecheck migrate demo

$(PY):
	@test -n "$(PYTHON)" || { echo "Python 3.11 to 3.14 is needed (none found on PATH)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools

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

# mypy with the Django plugin over the whole project (configured in pyproject.toml).
typecheck: install-dev
	$(PY) -m mypy

test: lint typecheck
	$(PY) -m pytest

# The suite again against PostgreSQL, the production database (the browser tests only run in
# `make test`): make test-postgres DATABASE_URL=postgres://user:password@127.0.0.1:5432/name
test-postgres: install-dev
	@case "$(DATABASE_URL)" in postgres://* | postgresql://*) ;; \
	  *) echo "test-postgres needs DATABASE_URL=postgres://user:password@host:port/name"; exit 2;; esac
	DATABASE_URL='$(DATABASE_URL)' $(PY) -m pytest --ignore=tests/browser

# The suite again under another supported Python, in a virtual environment of its own (the
# browser tests only run in `make test`): make test-other-python OTHER_PYTHON=python3.13
OTHER_PYTHON ?=
test-other-python:
	@test -n "$(OTHER_PYTHON)" || { echo "test-other-python needs OTHER_PYTHON=/path/to/python3.x"; exit 2; }
	$(eval OTHER_VENV := .venv-$(shell $(OTHER_PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])'))
	test -x $(OTHER_VENV)/bin/python || $(OTHER_PYTHON) -m venv $(OTHER_VENV)
	$(OTHER_VENV)/bin/python -m pip install --quiet --upgrade pip setuptools
	$(OTHER_VENV)/bin/python -m pip install --quiet -e ".[dev]"
	$(OTHER_VENV)/bin/python --version
	$(OTHER_VENV)/bin/python -m pytest --ignore=tests/browser
