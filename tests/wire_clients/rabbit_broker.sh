#!/bin/sh
# ../shared/conformance/broker.sh (a private RabbitMQ node) plus the one verb the
# load test needs and broker.sh lacks:
#
#   sh rabbit_broker.sh kill      SIGKILL the node's Erlang VM (a crash), wait until it is gone
#
# Every other verb (start, stop, restart, status, version, ctl, wipe) is broker.sh's,
# with the same environment (ORACLE_AMQP_PORT, ORACLE_BROKER_DIR, ORACLE_NODENAME).
# Set RABBIT_BROKER_SH to use another copy of broker.sh.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
BROKER_SH=${RABBIT_BROKER_SH:-$(cd "$HERE/../../.." && pwd)/shared/conformance/broker.sh}
BASE=${ORACLE_BROKER_DIR:-$(dirname "$BROKER_SH")/.broker}

alive() {
    kill -0 "$1" 2>/dev/null || return 1
    [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != "Z" ]
}

if [ "${1:-}" = kill ]; then
    wrapper=$(cat "$BASE/server.pid" 2>/dev/null || true)
    beam=$(cat "$BASE/beam.pid" 2>/dev/null || true)
    if [ -z "$beam" ] || ! alive "$beam"; then echo "not running"; exit 0; fi
    kill -KILL "$beam"
    i=0
    # The rabbitmq-server wrapper shell exits when its VM dies.
    while alive "$beam" || { [ -n "$wrapper" ] && alive "$wrapper"; }; do
        i=$((i + 1))
        if [ $i -gt 600 ]; then echo "node did not die in 60s" >&2; exit 1; fi
        sleep 0.1
    done
    rm -f "$BASE/server.pid"
    echo "killed beam pid $beam (SIGKILL)"
    exit 0
fi
exec sh "$BROKER_SH" "$@"
