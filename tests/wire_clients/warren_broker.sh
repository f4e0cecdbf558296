#!/bin/sh
# Start / stop warren-server for the real-client harnesses: the same verbs as
# ../shared/conformance/broker.sh (which drives RabbitMQ), plus `kill`.
#
#   sh warren_broker.sh start     start warren-server in the background, wait until AMQP answers
#   sh warren_broker.sh stop      SIGTERM (graceful stop), wait for the process to exit
#   sh warren_broker.sh restart   stop + start on the same --data (durable state reloads)
#   sh warren_broker.sh kill      SIGKILL (a crash), wait for the process to exit
#   sh warren_broker.sh status    print the PID and whether the AMQP port answers
#   sh warren_broker.sh version   print the broker version (from warrenctl)
#   sh warren_broker.sh ctl ARGS  run warrenctl ARGS against this server (rabbitmqctl syntax)
#   sh warren_broker.sh wipe      delete the data directory (server must be stopped)
#
# Environment:
#   WARREN_AMQP_PORT     AMQP port on 127.0.0.1 (default: $ORACLE_AMQP_PORT, else 5672);
#                        the control port is AMQP port + 20000
#   WARREN_BIN_DIR       folder with warren-server and warrenctl (default: <repo>/target/release)
#   WARREN_BROKER_DIR    PID file and server log (default: <repo>/target/warren-broker)
#   WARREN_DATA_DIR      the server's --data directory (default: $WARREN_BROKER_DIR/data)
#   WARREN_SPEED         optional --speed N
#   WARREN_PROFILE       optional --profile (rabbitmq-3 | rabbitmq-4.3)
#   WARREN_LOG           optional --log (text | json | off)
#   WARREN_START_TIMEOUT seconds to wait for the AMQP port (default 30)
#
# oracle.py runs this file with `sh` and sets ORACLE_AMQP_PORT, so it stays POSIX sh.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PORT=${WARREN_AMQP_PORT:-${ORACLE_AMQP_PORT:-5672}}
CTL_PORT=$((PORT + 20000))
BIN=${WARREN_BIN_DIR:-$ROOT/target/release}
BASE=${WARREN_BROKER_DIR:-$ROOT/target/warren-broker}
DATA=${WARREN_DATA_DIR:-$BASE/data}
TIMEOUT=${WARREN_START_TIMEOUT:-30}
PIDFILE="$BASE/server-$PORT.pid"
LOG="$BASE/server-$PORT.log"

mkdir -p "$BASE"

ctl() { "$BIN/warrenctl" -n "127.0.0.1:$CTL_PORT" "$@"; }

# Succeeds when $1 is a live process (a zombie counts as gone).
alive() {
    kill -0 "$1" 2>/dev/null || return 1
    [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != "Z" ]
}

running_pid() {
    if [ -f "$PIDFILE" ]; then
        p=$(cat "$PIDFILE")
        if [ -n "$p" ] && alive "$p"; then echo "$p"; return 0; fi
    fi
    return 1
}

# Succeeds when 127.0.0.1:$1 accepts a TCP connection; with "amqp" as $2 it must
# also answer the AMQP 0-9-1 protocol header with a frame (connection.start).
answers() {
    python3 - "$1" "${2:-tcp}" <<'PY'
import socket, sys
port, kind = int(sys.argv[1]), sys.argv[2]
try:
    s = socket.create_connection(("127.0.0.1", port), timeout=2)
    if kind == "amqp":
        s.sendall(b"AMQP\x00\x00\x09\x01")
        first = s.recv(1)
        if first != b"\x01":
            sys.exit(1)
    s.close()
except OSError:
    sys.exit(1)
PY
}

start() {
    if p=$(running_pid); then echo "already running, pid $p"; return 0; fi
    if answers "$PORT"; then echo "port $PORT is already in use by another process" >&2; return 1; fi
    [ -x "$BIN/warren-server" ] || { echo "no $BIN/warren-server (cargo build --release?)" >&2; return 1; }
    mkdir -p "$DATA"
    set -- --amqp "127.0.0.1:$PORT" --data "$DATA"
    if [ -n "${WARREN_SPEED:-}" ]; then set -- "$@" --speed "$WARREN_SPEED"; fi
    if [ -n "${WARREN_PROFILE:-}" ]; then set -- "$@" --profile "$WARREN_PROFILE"; fi
    if [ -n "${WARREN_LOG:-}" ]; then set -- "$@" --log "$WARREN_LOG"; fi
    # setsid: a Ctrl-C or SIGINT aimed at a harness's process group does not reach the server.
    setsid "$BIN/warren-server" "$@" >> "$LOG" 2>&1 < /dev/null &
    echo $! > "$PIDFILE"
    p=$(cat "$PIDFILE")
    i=0
    until answers "$PORT" amqp && answers "$CTL_PORT"; do
        if ! alive "$p"; then echo "warren-server exited; see $LOG" >&2; tail -n 20 "$LOG" >&2; rm -f "$PIDFILE"; return 1; fi
        i=$((i + 1))
        if [ $i -gt $((TIMEOUT * 10)) ]; then echo "warren-server did not answer on $PORT within ${TIMEOUT}s; see $LOG" >&2; return 1; fi
        sleep 0.1
    done
    echo "started, pid $p"
}

# stop_with SIGNAL: send it to the server and wait (60 s at most) until it has exited.
stop_with() {
    if ! p=$(running_pid); then echo "not running"; rm -f "$PIDFILE"; return 0; fi
    kill "-$1" "$p"
    i=0
    while alive "$p"; do
        i=$((i + 1))
        if [ $i -gt 600 ]; then echo "pid $p did not exit in 60s after SIG$1" >&2; return 1; fi
        sleep 0.1
    done
    rm -f "$PIDFILE"
    echo "stopped pid $p (SIG$1)"
}

cmd=${1:-status}
[ $# -gt 0 ] && shift
case "$cmd" in
    start) start ;;
    stop) stop_with TERM ;;
    restart) stop_with TERM; start ;;
    kill) stop_with KILL ;;
    status)
        if p=$(running_pid); then
            echo "pid $p"
            if answers "$PORT" amqp; then echo "AMQP answers on 127.0.0.1:$PORT"; else echo "AMQP does not answer on 127.0.0.1:$PORT"; fi
        else echo "not running"; fi ;;
    version) ctl version 2>/dev/null || "$BIN/warren-server" --version ;;
    ctl) ctl "$@" ;;
    wipe)
        if running_pid > /dev/null; then echo "stop the server first" >&2; exit 1; fi
        rm -rf "$DATA"; echo "wiped $DATA" ;;
    *) echo "usage: $0 start|stop|restart|kill|status|version|ctl ARGS|wipe" >&2; exit 2 ;;
esac
