# hrsuite: `make run` sets everything up and starts the suite; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
MANAGE := $(BIN)/python manage.py
I18N_IGNORE := --ignore=.venv --ignore=var --ignore=node_modules --ignore=static

.PHONY: run test bench setup prepare system-deps system-deps-test venv lint format messages clean-test-db help

help:
	@echo "make run    set up (venv, packages, database, migrations, translations, static, demo data) and start web + worker + beat"
	@echo "make test   run every test (unit, integration on PostgreSQL and Redis, browser tests in headless Chromium)"
	@echo "make bench  measure the suite at company scale (SIZE=10000)"
	@echo "make lint   ruff and mypy"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

venv: $(VENV)/.installed

.env: | $(BIN)/python
	@$(BIN)/python scripts/make_env.py

system-deps:
	@scripts/system-deps.sh run

system-deps-test:
	@scripts/system-deps.sh test

prepare: system-deps venv .env
	@$(MANAGE) preflight
	$(MANAGE) migrate --noinput
	@$(MANAGE) compilemessages $(I18N_IGNORE) -v 0
	@$(MANAGE) collectstatic --noinput -v 0
	$(MANAGE) seed_demo --if-empty
	@mkdir -p var

setup: prepare

run: prepare
	@echo ""
	@echo "  hrsuite is starting on http://$(HOST):$(PORT)/   (Ctrl-C stops web, worker and beat)"
	@echo "  Demo logins (password hrsuite-demo):"
	@echo "    hr        HR administrator"
	@echo "    hrstaff   HR staff"
	@echo "    payroll   payroll administrator"
	@echo "    manager   manager (head of 技术部)"
	@echo "    employee  employee (reports to manager)"
	@echo ""
	@WEB_PORT=$(PORT) WEB_HOST=$(HOST) $(BIN)/honcho start -f Procfile -e /dev/null

test: system-deps-test venv
	@DJANGO_SETTINGS_MODULE=hrsuite.settings.test $(MANAGE) preflight --database postgres
	@DJANGO_SETTINGS_MODULE=hrsuite.settings.test $(MANAGE) compilemessages $(I18N_IGNORE) -v 0
	$(BIN)/pytest -n 2 --dist loadgroup --create-db $(PYTEST_ARGS)

SIZE ?= 10000
BENCH_DB ?= postgres://postgres@127.0.0.1:5432/hrsuite_bench
# the pay-run scenario's Celery workers use a Redis database of their own (not the dev worker's)
BENCH_BROKER ?= redis://127.0.0.1:6379/4
bench: system-deps venv .env
	@DATABASE_URL=$(BENCH_DB) $(MANAGE) preflight
	@DATABASE_URL=$(BENCH_DB) $(MANAGE) migrate --noinput -v 0
	@DATABASE_URL=$(BENCH_DB) $(MANAGE) compilemessages $(I18N_IGNORE) -v 0
	DATABASE_URL=$(BENCH_DB) CELERY_BROKER_URL=$(BENCH_BROKER) CELERY_RESULT_BACKEND=$(BENCH_BROKER) $(MANAGE) bench --size $(SIZE)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=hrsuite.settings.test $(MANAGE) makemigrations --check --dry-run

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: venv
	@scripts/makemessages.sh
