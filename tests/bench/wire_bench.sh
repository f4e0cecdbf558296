#!/usr/bin/env bash
# The wire benchmarks against one broker: starts it through its control script,
# runs target/release/wire-bench (Rust, Warren's codec: the fast client),
# tests/bench/wire_bench.mjs (amqplib) and tests/bench/wire_bench.py (pika),
# prints their JSON lines and writes them to target/bench-wire.json (a JSON
# array), then stops the broker if this script started it. Figures only.
#
#   tests/bench/wire_bench.sh [BROKER_SH]     (default: tests/wire_clients/warren_broker.sh)
#
# ORACLE_AMQP_PORT (default 5672), WIRE_PYTHON (a python3 with pika), BENCH_* as in the scripts.
# For ./dev.sh bench (tests/bench/run.sh), after `cargo build --release --bin warren-server --bin warrenctl`:
#   ORACLE_AMQP_PORT=5690 bash tests/bench/wire_bench.sh tests/wire_clients/warren_broker.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
BROKER_SH=${1:-${ORACLE_BROKER_SH:-tests/wire_clients/warren_broker.sh}}
export ORACLE_AMQP_PORT=${ORACLE_AMQP_PORT:-5672}
export WARREN_AMQP_PORT=$ORACLE_AMQP_PORT
export WIRE_AMQP_URL=${WIRE_AMQP_URL:-amqp://guest:guest@127.0.0.1:$ORACLE_AMQP_PORT}
PY=${WIRE_PYTHON:-}
if [ -z "$PY" ]; then
  for cand in target/wire-venv/bin/python python3; do
    if "$cand" -c 'import pika' 2>/dev/null; then PY=$cand; break; fi
  done
fi
started=0
if ! sh "$BROKER_SH" status 2>/dev/null | grep -q '^pid'; then
  sh "$BROKER_SH" start >&2
  started=1
fi
trap '[ $started = 1 ] && sh "$BROKER_SH" stop >&2' EXIT
echo "==> wire benchmarks against $(sh "$BROKER_SH" version | head -n 1) ($BROKER_SH, 127.0.0.1:$ORACLE_AMQP_PORT)" >&2
mkdir -p target
r='{"client": "wire-bench", "error": "target/release/wire-bench is not built"}'
if [ -x target/release/wire-bench ]; then r=$(target/release/wire-bench --port "$ORACLE_AMQP_PORT") || true; fi
echo "$r"
a=$(node tests/bench/wire_bench.mjs) || true
[ -n "$a" ] || a='{"client": "amqplib", "error": "wire_bench.mjs printed nothing"}'
echo "$a"
b='{"client": "pika", "error": "no python3 with pika (tests/wire_clients/setup.sh)"}'
if [ -n "$PY" ]; then b=$("$PY" tests/bench/wire_bench.py) || true; fi
[ -n "$b" ] || b='{"client": "pika", "error": "wire_bench.py printed nothing"}'
echo "$b"
printf '[%s,\n %s,\n %s]\n' "$r" "$a" "$b" > "${WIRE_BENCH_OUT:-target/bench-wire.json}"
