#!/usr/bin/env bash
# The wire half of ./dev.sh bench: the same three clients (wire-bench, the
# fast Rust client on Warren's codec; amqplib; pika) against warren-server
# and against RabbitMQ 3.10.8 on this machine, one after the other in the
# same run, then one table with the ratios. Figures, never pass/fail.
#
# Needs Debian's rabbitmq-server (installed if missing, as root), the pika
# venv and amqplib (./dev.sh setup), and release builds of warren-server,
# warrenctl and wire-bench (built here).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
if ! [ -x /usr/sbin/rabbitmq-server ] && ! [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then
  echo "==> installing rabbitmq-server from Debian (for the comparison)" >&2
  export DEBIAN_FRONTEND=noninteractive
  if [ "$(id -u)" = 0 ]; then apt-get install -y -q --no-install-recommends rabbitmq-server >&2
  else sudo apt-get install -y -q --no-install-recommends rabbitmq-server >&2; fi
fi
cargo build --quiet --release --bin warren-server --bin warrenctl --bin wire-bench
# A free port whose +20000 (the control / Erlang distribution port) is free too.
port() { python3 tests/support/free_port.py; }

echo "==> wire benchmarks: warren-server (release, --data on disk)" >&2
rm -rf target/bench-warren
WARREN_BROKER_DIR=$ROOT/target/bench-warren WARREN_LOG=off ORACLE_AMQP_PORT=$(port) \
  WIRE_BENCH_OUT=target/bench-wire-warren.json bash tests/bench/wire_bench.sh tests/wire_clients/warren_broker.sh >&2

echo "==> wire benchmarks: RabbitMQ" >&2
ORACLE_BROKER_DIR=$ROOT/target/bench-rabbit ORACLE_NODENAME=rabbit-bench@localhost ORACLE_AMQP_PORT=$(port) \
  WIRE_BENCH_OUT=target/bench-wire-rabbit.json bash tests/bench/wire_bench.sh tests/wire_clients/rabbit_broker.sh >&2

python3 - <<'PY'
import json
w = json.load(open("target/bench-wire-warren.json"))
r = json.load(open("target/bench-wire-rabbit.json"))
rows = [("publish→consume→ack msg/s", "publish_consume_ack_msgs_per_s", True),
        ("persistent + confirms msg/s", "confirms_persistent_msgs_per_s", True),
        ("connection open+close ms", "connection_open_close_ms_median", False)]
print()
print(f"{'client':<10} {'figure':<30} {'Warren':>10} {'RabbitMQ':>10} {'ratio':>7}")
for a, b in zip(w, r):
    name = a.get("client", "?").split()[0]
    for label, key, more_is_better in rows:
        x, y = a.get(key), b.get(key)
        if x is None or y is None:
            print(f"{name:<10} {label:<30} {str(x):>10} {str(y):>10}   (error: {a.get('error') or b.get('error')})")
            continue
        ratio = (x / y) if more_is_better else (y / x)
        print(f"{name:<10} {label:<30} {x:>10,.2f} {y:>10,.2f} {ratio:>6.1f}×")
print("ratio: how many times better Warren is (higher msg/s, shorter setup).")
print("goal: >= 5× RabbitMQ's msg/s with the fast client (wire-bench), never slower with pika.")
json.dump({"warren": w, "rabbitmq": r}, open("target/bench-wire.json", "w"), indent=1)
PY
