#!/usr/bin/env bash
# Replays the conformance recordings over the wire: ../shared/conformance/oracle.py
# (pika) drives the broker behind a broker-control script and diffs every step's
# outcome against what RabbitMQ 3.10.8 did.
#
#   tests/wire_clients/replay_conformance.sh [BROKER_SH] [--shared-only|--project-only|--all] [NAME ...]
#
#   BROKER_SH   broker-control script with broker.sh's verbs (start, stop, restart,
#               ctl, version); default $ORACLE_BROKER_SH, else ../shared/conformance/broker.sh
#   NAME ...    only these scenarios (from whichever set has them)
#
# Sets: ../shared/conformance (26 recordings), then tests/conformance (the
# project's recordings) minus the 26 byte-identical copies of the shared ones
# (--all replays those twice). Scenarios with ops oracle.py does not know
# (Warren's crash_broker) are skipped.
#
# Environment: ORACLE_AMQP_PORT (default 5672), ORACLE_RESET (default here:
# vhost, i.e. delete_vhost / add_vhost / set_permissions through `ctl`, which
# Warren needs: it has no Erlang `eval`), WIRE_PYTHON (an interpreter with pika;
# default python3), REPLAY_REPEAT (check --repeat, default 1).
# The broker is started if it is not running (`start` is idempotent) and left running.
# Exit 1 if any scenario differs. A full run against RabbitMQ takes ~10 min
# (rabbitmqctl ~0.5 s per call, restarts ~8 s, real TTL waits).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SHARED=$(cd "$ROOT/.." && pwd)/shared/conformance

BROKER_SH=${ORACLE_BROKER_SH:-$SHARED/broker.sh}
if [ $# -gt 0 ] && [ -f "$1" ]; then BROKER_SH=$1; shift; fi
BROKER_SH=$(cd "$(dirname "$BROKER_SH")" && pwd)/$(basename "$BROKER_SH")
sets="shared project"
skip_same=(--skip-same-as "$SHARED")
case "${1:-}" in
  --shared-only) sets="shared"; shift ;;
  --project-only) sets="project"; shift ;;
  --all) skip_same=(); shift ;;
esac

export ORACLE_BROKER_SH=$BROKER_SH
export ORACLE_AMQP_PORT=${ORACLE_AMQP_PORT:-5672}
export WARREN_AMQP_PORT=$ORACLE_AMQP_PORT
export ORACLE_RESET=${ORACLE_RESET:-vhost}
PY=${WIRE_PYTHON:-python3}

sh "$BROKER_SH" start
echo "broker $(sh "$BROKER_SH" version) via $BROKER_SH on 127.0.0.1:$ORACLE_AMQP_PORT, ORACLE_RESET=$ORACLE_RESET"

status=0
for set in $sets; do
  t0=$SECONDS
  if [ "$set" = shared ]; then
    echo "--- conformance replay: $SHARED"
    "$PY" "$HERE/oracle_dir.py" "$SHARED" --repeat "${REPLAY_REPEAT:-1}" "$@" || status=1
  else
    echo "--- conformance replay: $ROOT/tests/conformance"
    "$PY" "$HERE/oracle_dir.py" "$ROOT/tests/conformance" "${skip_same[@]}" --repeat "${REPLAY_REPEAT:-1}" "$@" || status=1
  fi
  echo "--- ($((SECONDS - t0)) s)"
done
exit $status
