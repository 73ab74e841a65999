# Two set-up commands on a fresh machine: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test lint bench

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

run: $(VENV)/.installed
	$(VENV)/bin/skillmeat serve

# The suite runs twice: on SQLite, then on PostgreSQL (skipped when unreachable, unless CI=true).
test: $(VENV)/.installed
	$(VENV)/bin/ruff check skillmeat tests bench
	$(VENV)/bin/mypy skillmeat
	$(VENV)/bin/pytest --cov=skillmeat --cov-report=
	SKILLMEAT_TEST_DATABASE_URL=$(PG_TEST_URL) $(VENV)/bin/pytest --cov=skillmeat --cov-append --cov-report=term:skip-covered --cov-fail-under=85

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check skillmeat tests bench
	$(VENV)/bin/mypy skillmeat

bench: $(VENV)/.installed
	$(PY) bench/bench_api.py
