#!/usr/bin/env bash
# The suite on SQLite and on PostgreSQL at once (each test uses its own database or schema),
# then their combined coverage. Usage: tests/run_both.sh VENV PG_URL
set -uo pipefail
venv=$1 pg_url=$2
logs=.cache/test-logs
mkdir -p "$logs"
rm -f .coverage .coverage.sqlite .coverage.postgresql
COVERAGE_FILE=.coverage.sqlite "$venv/bin/pytest" --cov=skillmeat --cov-report= \
    >"$logs/sqlite.log" 2>&1 &
sqlite_pid=$!
COVERAGE_FILE=.coverage.postgresql SKILLMEAT_TEST_DATABASE_URL=$pg_url \
    "$venv/bin/pytest" --cov=skillmeat --cov-report= >"$logs/postgresql.log" 2>&1
pg_status=$?
wait "$sqlite_pid"
sqlite_status=$?
for pass in sqlite postgresql; do
    echo "==== pytest on $pass"
    cat "$logs/$pass.log"
done
echo "==== exit status: SQLite $sqlite_status, PostgreSQL $pg_status"
[ "$sqlite_status" -eq 0 ] && [ "$pg_status" -eq 0 ] || exit 1
"$venv/bin/coverage" combine .coverage.sqlite .coverage.postgresql >/dev/null
"$venv/bin/coverage" report --skip-covered --fail-under=85
