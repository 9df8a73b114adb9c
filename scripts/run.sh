#!/usr/bin/env bash
# `make run`: the embedded platform on SQLite with the demo province, one web server and one
# background worker. Running it again reuses the database and the environment it finds.
set -euo pipefail
cd "$(dirname "$0")/.."

export TINHSO_ENV="${TINHSO_ENV:-development}"
PORT="${PORT:-8000}"
PY=.venv/bin/python
mkdir -p var

$PY manage.py migrate --noinput -v0
# The demo's signing keys live on a SoftHSM2 token; the counter's forms are sealed with the
# agency key whose PIN the server holds (demo token only: never do this with a real token).
export TINHSO_DEMO_SEAL_PIN="${TINHSO_DEMO_SEAL_PIN:-123456}"
$PY manage.py load_demo --if-empty --with-pki

$PY manage.py run_huey --quiet > var/worker.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM

password="${TINHSO_DEMO_PASSWORD:-tinhso-demo-2026}"
cat <<MSG

  tinhso is running: http://127.0.0.1:${PORT}/   (API docs: http://127.0.0.1:${PORT}/api/v1/docs/)
  Demo province: Thành phố Huế. Every demo account has the password: ${password}
    admin       provincial administrator (sets up two-factor authentication at first sign-in)
    motcua      counter officer, Public Administrative Service Center
    vanthu      registry clerk, Sở Nội vụ
    chuyenvien  specialist, Sở Nội vụ
    lanhdao     head of department, Sở Nội vụ
    vanthu.xa   registry clerk, Phường Phú Xuân
    motcua.xa   counter officer, Phường Phú Xuân
    congdan     a citizen
  Digital signatures: the demo token's PIN is 123456; anyone checks a signed PDF at
  http://127.0.0.1:${PORT}/signatures/kiem-tra/
  Background worker log: var/worker.log. Stop with Ctrl+C.

MSG
$PY manage.py runserver "127.0.0.1:${PORT}" --noreload
