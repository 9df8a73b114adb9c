#!/usr/bin/env bash
# `make test`: the whole suite — unit, integration and browser tests — in parallel.
# SQLite by default; PostgreSQL when DATABASE_URL is set (pytest-django creates test_<name>).
set -euo pipefail
cd "$(dirname "$0")/.."
export TINHSO_ENV=test
export TINHSO_HUEY_IMMEDIATE=1
mkdir -p var test-artifacts
workers="${TEST_WORKERS:-auto}"
exec .venv/bin/python -m pytest -n "$workers" --dist loadfile "$@"
