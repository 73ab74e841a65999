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

# The suite runs twice, at the same time: on SQLite, and on PostgreSQL (skipped when
# unreachable, unless CI=true). Each pass writes its own log and coverage data; both logs are
# printed, then the combined coverage must reach 85%.
test: $(VENV)/.installed
	$(VENV)/bin/ruff check skillmeat tests bench
	$(VENV)/bin/mypy skillmeat
	bash tests/run_both.sh $(VENV) $(PG_TEST_URL)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check skillmeat tests bench
	$(VENV)/bin/mypy skillmeat

bench: $(VENV)/.installed
	$(PY) bench/bench_api.py
