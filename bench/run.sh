#!/usr/bin/env bash
# `make bench`: the benchmarks against a production-mode Gunicorn on PostgreSQL.
#
# Creates a fresh database (drops it first), migrates, generates a province's organisation,
# collects static files, starts Gunicorn on 127.0.0.1, waits for /readyz, runs the load with
# wrk and writes var/bench/latest.{md,json}. Gunicorn is stopped whatever happens.
#
#   bash bench/run.sh [--quick]         (or: make bench; BENCH_QUICK=1 make bench)
#
# Environment (all optional):
#   BENCH_DATABASE_URL  PostgreSQL URL of a database to drop and create (name must contain
#                       "bench"); default postgres://postgres@127.0.0.1:5432/tinhso_bench
#   BENCH_QUICK=1       the same as --quick: one 5 s run per benchmark instead of three of 20 s
#   BENCH_DURATION, BENCH_WARMUP, BENCH_REPEAT   seconds per run, of the warm-up, runs kept
#   BENCH_QUIET_WAIT    seconds to wait, before each run, for other work on the machine to end
#   BENCH_BENCHMARKS    comma list from: healthz,home,deadline,deadline@500, receipt,
#                       dossier-list@1,dossier-list,track@1,track,search@1,search,
#                       documents-search@1,documents-search,documents-register,documents-issue
#                       ("documents": those four), signatures, exchange, exchange-eoffice,
#                       exchange-outage (default: all); "signatures" and the exchange ones, alone
#                       or together, run bench/signatures.py and bench/exchange.py only, without
#                       the province or this Gunicorn (bench/exchange.py starts its own hub and
#                       two installations on PostgreSQL); the e-office ones alone skip the
#                       one-stop dossiers
#   BENCH_SIGNATURES=0  skip the signature benchmarks (bench/signatures.py: signing on SoftHSM2
#                       with the local TSA, sandboxed validation), run after the HTTP ones
#   BENCH_EXCHANGE=0    skip the interconnection benchmarks (bench/exchange.py: hub + two
#                       installations; "exchange": the transport, sender and receiver processes
#                       with the nodes' identities, 100 KB packages signed, sent, stored,
#                       pulled, verified, acknowledged; "exchange-eoffice": the e-office round
#                       trip from issued documents; "exchange-outage": a receiver's outage),
#                       run last; their databases are named after BENCH_DATABASE_URL's
#   BENCH_EXCHANGE_CONFIGS  the transport's configurations to measure, comma list of
#                       HUBWORKERSxTHREADS:SENDERS/RECEIVERS (default 3x2:3/1,3x2:2/1); the best is the
#                       row's figure, all of them its table
#   BENCH_EXCHANGE_PULL  how the transport's receivers pull: auto (the batch take when the hub
#                       has it), list, take, both (default auto)
#   BENCH_EXCHANGE_PACKAGES, BENCH_EXCHANGE_RATE   e-office backlog packages (1000; 300 with
#                       --quick) and the paced rate per second for the latency (0: half the
#                       measured throughput, at most the 100/s target)
#   BENCH_EXCHANGE_OUTAGE_SECONDS, BENCH_EXCHANGE_OUTAGE_RATE   the receiver's outage (600 s;
#                       60 s with --quick) and the steady send rate during it (2 per second)
#   BENCH_DOSSIERS      one-stop dossiers to generate (default 1000000; 0: none)
#   BENCH_DOCUMENTS     e-office documents to generate (default 1000000; 0: none, and no
#                       e-office benchmark in the default list)
#   BENCH_ISSUE_DOCUMENTS  approved documents the issuing benchmark issues, each once
#                       (default 60000; 12000 with --quick)
#   BENCH_REDIS_URL     Redis for the queue and cache as in production (default
#                       redis://127.0.0.1:6379/15 when it answers; "none": embedded queue)
#   BENCH_AGENCIES, BENCH_OFFICIALS, BENCH_SCALE   size of the generated province
#   BENCH_WORKERS, BENCH_THREADS   Gunicorn workers and threads per worker (default 4 and 2)
#   BENCH_MAX_REQUESTS  Gunicorn max_requests (default: the production configuration's)
#   BENCH_PORT          port on 127.0.0.1 (default 8765)
#   BENCH_OUT_DIR       where results and the run's files go (default var/bench)
set -euo pipefail
cd "$(dirname "$0")/.."

quick="${BENCH_QUICK:-0}"
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    -h | --help) sed -n '2,54p' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown argument $arg (try --help)" >&2; exit 2 ;;
  esac
done

PY=.venv/bin/python
out_dir="${BENCH_OUT_DIR:-var/bench}"
case "$out_dir" in /*) ;; *) out_dir="$PWD/$out_dir" ;; esac
runtime="$out_dir/runtime"
port="${BENCH_PORT:-8765}"
database_url="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tinhso_bench}"
if [ "$quick" = 1 ]; then defaults=(5 2 1 10); else defaults=(20 5 3 60); fi
duration="${BENCH_DURATION:-${defaults[0]}}"
warmup="${BENCH_WARMUP:-${defaults[1]}}"
repeat="${BENCH_REPEAT:-${defaults[2]}}"
quiet_wait="${BENCH_QUIET_WAIT:-${defaults[3]}}"
workers="${BENCH_WORKERS:-4}"
threads="${BENCH_THREADS:-2}"

say() { printf '[bench] %s\n' "$*" >&2; }

# --- Which benchmarks: the HTTP ones (bench/drive.py) and the signatures (bench/signatures.py) ---
documents_count="${BENCH_DOCUMENTS:-1000000}"
http_benchmarks=""
run_signatures=1
exchange_rows="exchange,exchange-eoffice,exchange-outage"   # bench/exchange.py's rows to run
run_documents=1   # generate the e-office documents (bench/documents.py)
run_onestop=1     # generate the one-stop dossiers (bench/onestop.py)
if [ -n "${BENCH_BENCHMARKS:-}" ]; then
  run_signatures=0
  exchange_rows=""
  run_documents=0
  run_onestop=0
  IFS=',' read -ra requested <<<"$BENCH_BENCHMARKS"
  for name in "${requested[@]}"; do
    name="${name// /}"
    case "$name" in
      "") ;;
      signatures) run_signatures=1 ;;
      exchange | exchange-eoffice | exchange-outage) exchange_rows="${exchange_rows:+$exchange_rows,}$name" ;;
      documents | documents-*)
        run_documents=1
        http_benchmarks="${http_benchmarks:+$http_benchmarks,}$name" ;;
      *)
        run_onestop=1
        http_benchmarks="${http_benchmarks:+$http_benchmarks,}$name" ;;
    esac
  done
fi
if [ "$documents_count" = 0 ]; then run_documents=0; fi
default_http="healthz,home,deadline,deadline@500,receipt,dossier-list@1,dossier-list,track@1,track,search@1,search"
if [ "$run_documents" = 1 ]; then default_http="$default_http,documents"; fi
if [ "${BENCH_SIGNATURES:-1}" = 0 ]; then run_signatures=0; fi
if [ "${BENCH_EXCHANGE:-1}" = 0 ]; then exchange_rows=""; fi
signature_bench() {
  # Its own processes (SoftHSM2 token, timestamp authority, validation sandboxes): no server.
  $PY bench/signatures.py --duration "$duration" --out-dir "$out_dir"
}
exchange_bench() {
  # Its own processes: a hub and two installations (gunicorn + workers), each with a database
  # copied from a migrated template named after BENCH_DATABASE_URL's; no province, no wrk.
  local sizes=(1000 600)
  if [ "$quick" = 1 ]; then sizes=(300 60); fi
  $PY bench/exchange.py --only "$exchange_rows" --out-dir "$out_dir" \
    --database-url "${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tinhso_bench}" \
    --packages "${BENCH_EXCHANGE_PACKAGES:-${sizes[0]}}" --rate "${BENCH_EXCHANGE_RATE:-0}" \
    --outage-seconds "${BENCH_EXCHANGE_OUTAGE_SECONDS:-${sizes[1]}}" \
    --outage-rate "${BENCH_EXCHANGE_OUTAGE_RATE:-2}" \
    --transport-seconds "$duration" --transport-warmup "$warmup" --quiet-wait "$quiet_wait" \
    --transport-configs "${BENCH_EXCHANGE_CONFIGS:-3x2:3/1,3x2:2/1}" \
    --transport-pull "${BENCH_EXCHANGE_PULL:-auto}" "$@"
}
if [ -n "${BENCH_BENCHMARKS:-}" ] && [ -z "$http_benchmarks" ]; then
  if [ "$run_signatures" = 0 ] && [ -z "$exchange_rows" ]; then
    echo "bench/run.sh: nothing to run (BENCH_BENCHMARKS=$BENCH_BENCHMARKS, BENCH_SIGNATURES=${BENCH_SIGNATURES:-1}, BENCH_EXCHANGE=${BENCH_EXCHANGE:-1})" >&2
    exit 2
  fi
  say "signature / interconnection benchmarks only: no province, no Gunicorn of ours"
  set +e
  status=0
  if [ "$run_signatures" = 1 ]; then
    signature_bench
    status=$?
  fi
  if [ -n "$exchange_rows" ]; then
    exchange_bench --also-latest
    exchange_status=$?
    if [ "$exchange_status" -gt "$status" ]; then status=$exchange_status; fi
  fi
  exit "$status"
fi

# --- The load generator ---------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing wrk from Debian"
    apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
  else
    echo "The benchmarks need wrk. Install it, then run make bench again:" >&2
    echo "    sudo apt-get install -y wrk" >&2
    exit 1
  fi
fi

# --- A port of our own on the loopback ----------------------------------------------------------
if $PY -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" "$port" 2>/dev/null; then
  echo "Port $port on 127.0.0.1 is in use; set BENCH_PORT to a free port." >&2
  exit 1
fi

# --- Production settings, a throw-away secret -------------------------------------------------
rm -rf "$runtime"
mkdir -p "$runtime"
export TINHSO_ENV=production DEBUG=0 TINHSO_TLS=false LOG_LEVEL=WARNING
export ALLOWED_HOSTS=127.0.0.1 TINHSO_VAR_DIR="$runtime" DATABASE_URL="$database_url"
# Production queues background work on Redis: use it when one answers (BENCH_REDIS_URL, default
# database 15 of the local server; "none" to keep Huey's SQLite queue).
redis_url="${BENCH_REDIS_URL:-redis://127.0.0.1:6379/15}"
if [ "$redis_url" != none ] && $PY -c "import redis,sys; redis.Redis.from_url(sys.argv[1]).ping()" "$redis_url" 2>/dev/null; then
  export REDIS_URL="$redis_url"
  $PY -c "import redis,sys; redis.Redis.from_url(sys.argv[1]).flushdb()" "$redis_url"
fi
# Every request comes from 127.0.0.1: lift the public tracking's per-address limit.
export TINHSO_PUBLIC_TRACKING_PER_MINUTE=1000000000
SECRET_KEY="$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SECRET_KEY
export GUNICORN_BIND="127.0.0.1:$port" GUNICORN_WORKERS="$workers" GUNICORN_THREADS="$threads"
if [ -n "${BENCH_MAX_REQUESTS:-}" ]; then export GUNICORN_MAX_REQUESTS="$BENCH_MAX_REQUESTS"; fi

say "database: fresh ${database_url##*/}"
BENCH_POSTGRES_VERSION="$($PY bench/database.py reset "$database_url")"
export BENCH_POSTGRES_VERSION
say "migrate"
$PY manage.py migrate --noinput -v0
say "generate the province"
$PY bench/province.py \
  --agencies "${BENCH_AGENCIES:-130}" --officials "${BENCH_OFFICIALS:-10000}" \
  --scale "${BENCH_SCALE:-1}" \
  --cookies-out "$runtime/cookies.txt" --summary-out "$runtime/data.json"
if [ "$run_onestop" = 1 ] && [ "${BENCH_DOSSIERS:-1000000}" != 0 ]; then
  say "generate ${BENCH_DOSSIERS:-1000000} one-stop dossiers"
  $PY bench/onestop.py --dossiers "${BENCH_DOSSIERS:-1000000}" --out "$runtime" >/dev/null
fi
if [ "$run_documents" = 1 ]; then
  # Enough for every attempt at up to 500 issues/s (drive.py runs a disturbed benchmark again).
  if [ "$quick" = 1 ]; then issue_default=12000; else issue_default=60000; fi
  say "generate $documents_count e-office documents"
  $PY bench/documents.py generate --documents "$documents_count" \
    --issue-documents "${BENCH_ISSUE_DOCUMENTS:-$issue_default}" --out "$runtime" >/dev/null
fi
say "collectstatic"
$PY manage.py collectstatic --noinput -v0

# --- Gunicorn, stopped on every exit ------------------------------------------------------------
server=""
stop_server() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server" 2>/dev/null || true
    for _ in $(seq 1 100); do  # at most 10 s for a graceful stop
      kill -0 "$server" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$server" 2>/dev/null || true
  fi
}
trap stop_server EXIT
trap 'exit 130' INT TERM

say "gunicorn: $workers workers × $threads threads on 127.0.0.1:$port (log: $runtime/gunicorn.log)"
.venv/bin/gunicorn -c src/tinhso/config/gunicorn.py --pythonpath src --no-control-socket \
  tinhso.config.wsgi:application >"$runtime/gunicorn.log" 2>&1 &
server=$!

server_info="$($PY - "$workers" "$threads" <<'PY'
import json, sys
sys.path.insert(0, "src")
from tinhso.config import gunicorn as g
info = {"gunicorn workers": int(sys.argv[1]), "threads": int(sys.argv[2]),
        "worker class": g.worker_class, "max_requests": g.max_requests,
        "max_requests_jitter": g.max_requests_jitter}
print(json.dumps(info))
PY
)"
BENCH_DJANGO_VERSION="$($PY -c 'import django; print(django.get_version())')"
BENCH_SERVER_PYTHON="$($PY -c 'import platform; print(platform.python_version())')"
export BENCH_DJANGO_VERSION BENCH_SERVER_PYTHON

set +e
$PY bench/drive.py \
  --base-url "http://127.0.0.1:$port" \
  --wait-ready 60 \
  --benchmarks "${http_benchmarks:-$default_http}" \
  --duration "$duration" --warmup "$warmup" --repeat "$repeat" --quiet-wait "$quiet_wait" \
  --cookies "$runtime/cookies.txt" --data "$runtime/data.json" \
  --server-pid "$server" --server "$server_info" \
  --database "$($PY -c 'import sys,urllib.parse as u; print(u.unquote(u.urlsplit(sys.argv[1]).path.lstrip("/")))' "$database_url")" \
  --runtime-dir "$runtime" --out-dir "$out_dir"
status=$?
set -e
if grep -q '"level": "error"\|Traceback' "$runtime/gunicorn.log"; then
  say "the server logged errors: see $runtime/gunicorn.log"
fi
if [ "$run_signatures" = 1 ]; then
  stop_server  # the signature benchmarks measure their own processes: leave them the cores
  say "signature benchmarks (bench/signatures.py)"
  set +e
  signature_bench
  signatures_status=$?
  set -e
  # 0 all met, 1 a target missed, 2 could not run: the worse of the parts.
  if [ "$signatures_status" -gt "$status" ]; then status=$signatures_status; fi
fi
if [ -n "$exchange_rows" ]; then
  stop_server  # the interconnection benchmarks start their own servers: leave them the cores
  say "interconnection benchmarks (bench/exchange.py: $exchange_rows)"
  set +e
  exchange_bench
  exchange_status=$?
  set -e
  if [ "$exchange_status" -gt "$status" ]; then status=$exchange_status; fi
fi
exit "$status"
