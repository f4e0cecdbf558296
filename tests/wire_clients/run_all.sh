#!/usr/bin/env bash
# Every real-client harness against one broker, in order:
#
#   1. lessons      tests/lessons/run_lessons.py       (the blog lessons' pika programs)
#   2. tutorials    tests/tutorials/run_tutorials.py   (RabbitMQ's Python tutorials 1-7)
#   3. conformance  tests/wire_clients/replay_conformance.sh (oracle.py over the wire)
#   4. amqplib      tests/wire_clients/amqplib.test.mjs (Node's amqplib)
#   5. load         tests/load/load.mjs                (200 connections, 100,000 confirmed
#                                                        persistent messages, a crash midway)
#
#   tests/wire_clients/run_all.sh [BROKER_SH]
#
# BROKER_SH: broker-control script (start, stop, restart, kill, ctl, version);
# default $ORACLE_BROKER_SH, else tests/wire_clients/warren_broker.sh. For
# RabbitMQ use tests/wire_clients/rabbit_broker.sh (broker.sh plus `kill`).
#
# Environment:
#   ORACLE_AMQP_PORT   AMQP port on 127.0.0.1 (default 5672)
#   WIRE_SECTIONS      the sections to run (default "lessons tutorials conformance amqplib load")
#   WIRE_PYTHON        interpreter with pika (default: the first of target/wire-venv/bin/python,
#                      python3 that can import pika)
#   WIRE_KEEP_BROKER=1 leave the broker running at the end (default: stop it)
#   REPLAY_ARGS        extra arguments for replay_conformance.sh (e.g. --shared-only)
#   LOAD_*             see tests/load/load.mjs (LOAD_CRASH_VERB=kill by default)
#
# Needs no network beyond loopback and no standard input. One-time setup (pika
# venv, npm ci for amqplib): tests/wire_clients/setup.sh. Exit 1 if any section fails.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT"

BROKER_SH=${1:-${ORACLE_BROKER_SH:-$HERE/warren_broker.sh}}
BROKER_SH=$(cd "$(dirname "$BROKER_SH")" && pwd)/$(basename "$BROKER_SH")
export ORACLE_BROKER_SH=$BROKER_SH
export ORACLE_AMQP_PORT=${ORACLE_AMQP_PORT:-5672}
export WARREN_AMQP_PORT=$ORACLE_AMQP_PORT
export ORACLE_RESET=${ORACLE_RESET:-vhost}
export WIRE_AMQP_URL=${WIRE_AMQP_URL:-amqp://guest:guest@127.0.0.1:$ORACLE_AMQP_PORT}
SECTIONS=${WIRE_SECTIONS:-lessons tutorials conformance amqplib load}

banner() { printf '\n\033[1m######## %s\033[0m\n' "$*"; }

PY=""
for cand in "${WIRE_PYTHON:-}" "$ROOT/target/wire-venv/bin/python" python3; do
  if [ -n "$cand" ] && "$cand" -c 'import pika' 2>/dev/null; then PY=$cand; break; fi
done
if [ -z "$PY" ]; then
  echo "no Python with pika: run tests/wire_clients/setup.sh (or set WIRE_PYTHON)" >&2
  exit 2
fi
export WIRE_PYTHON=$PY
if ! [ -f "$ROOT/tests/e2e/node_modules/amqplib/package.json" ]; then
  case " $SECTIONS " in *" amqplib "*|*" load "*)
    echo "amqplib is not installed: run tests/wire_clients/setup.sh (npm ci in tests/e2e)" >&2
    exit 2 ;;
  esac
fi

reset_vhost() {
  sh "$BROKER_SH" ctl delete_vhost / >/dev/null 2>&1 || true
  sh "$BROKER_SH" ctl add_vhost / >/dev/null
  sh "$BROKER_SH" ctl set_permissions -p / guest '.*' '.*' '.*' >/dev/null
}

stop_broker() {
  if [ "${WIRE_KEEP_BROKER:-0}" != 1 ]; then
    banner "stopping the broker"
    sh "$BROKER_SH" stop || true
  fi
}

banner "broker: $BROKER_SH on 127.0.0.1:$ORACLE_AMQP_PORT (python: $PY, $("$PY" -c 'import pika; print("pika", pika.__version__)'), node $(node --version))"
T0=$SECONDS
if ! sh "$BROKER_SH" start; then echo "the broker did not start" >&2; exit 1; fi
trap stop_broker EXIT
echo "version: $(sh "$BROKER_SH" version 2>&1 | head -n 1)"

declare -a RESULTS=()
failed=0
run_section() { # name, timeout in s, command...
  local name=$1 limit=$2 t0=$SECONDS rc
  shift 2
  banner "$name"
  timeout -k 15 "$limit" "$@"
  rc=$?
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then echo "FAIL: section $name exceeded ${limit}s"; fi
  if [ $rc -eq 0 ]; then RESULTS+=("$(printf '%-12s ok    %4d s' "$name" $((SECONDS - t0)))")
  else RESULTS+=("$(printf '%-12s FAIL  %4d s  (exit %d)' "$name" $((SECONDS - t0)) $rc)"); failed=1; fi
}

for s in $SECTIONS; do
  case $s in
    lessons) run_section lessons 600 "$PY" tests/lessons/run_lessons.py --python "$PY" ;;
    tutorials) run_section tutorials 600 "$PY" tests/tutorials/run_tutorials.py --python "$PY" ;;
    conformance) run_section conformance 2400 tests/wire_clients/replay_conformance.sh "$BROKER_SH" ${REPLAY_ARGS:-} ;;
    amqplib) reset_vhost; run_section amqplib 180 node tests/wire_clients/amqplib.test.mjs ;;
    load) reset_vhost; run_section load $(( ${LOAD_TIMEOUT_S:-300} + 60 )) node tests/load/load.mjs ;;
    *) echo "unknown section $s" >&2; RESULTS+=("$(printf '%-12s FAIL  unknown section' "$s")"); failed=1 ;;
  esac
done

banner "summary ($((SECONDS - T0)) s against $(basename "$BROKER_SH"))"
printf '%s\n' "${RESULTS[@]}"
exit $failed
