#!/usr/bin/env bash
# ./dev.sh bench: Warren's benchmark table. Native engine figures (cargo run
# --release --bin bench), then the browser half in headless Chromium
# (tests/bench/browser.mjs: the same workloads in wasm, IndexedDB batched vs
# one transaction per message, the workbench's render time and DOM size,
# time to interactive, Python ready cold and warm), and the size of pkg/.
# Prints the table with each goal and writes target/bench.json. Then the wire benchmarks
# (tests/bench/wire_compare.sh): three clients against warren-server and
# against RabbitMQ 3.10.8, side by side. Figures, never pass/fail.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p target
echo "==> native benchmarks" >&2
cargo run --quiet --release --bin bench -- --json target/bench-native.json "$@"
echo "==> building pkg/ (release)" >&2
./dev.sh build >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
python3 -m http.server "$port" --bind 127.0.0.1 >target/bench-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
sleep 0.5
echo "==> browser benchmarks (Chromium)" >&2
node tests/bench/browser.mjs "http://127.0.0.1:$port/" target/bench-native.json target/bench.json
echo "==> wire benchmarks: warren-server against RabbitMQ" >&2
bash tests/bench/wire_compare.sh
