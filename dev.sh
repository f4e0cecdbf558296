#!/usr/bin/env bash
# Warren's developer commands (see README.md):
#
#   ./dev.sh serve   install what is missing, build, serve on http://127.0.0.1:8080/
#   ./dev.sh test    install what is missing, run every test (native, browser, end-to-end,
#                    real clients against warren-server)
#   ./dev.sh setup   only install what is missing
#   ./dev.sh build   only build pkg/ (wasm-pack, release)
#   ./dev.sh bench   the benchmarks (figures and ratios, never pass/fail)
#   ./dev.sh wasm-size  what the wasm is made of, by crate (needs twiggy)
#
# Every install step checks first and does nothing when the tool is present,
# so a warm run costs a few seconds. Nothing is ever downloaded from GitHub:
# wasm-pack runs with --mode no-install and its own wasm-opt disabled (dev.sh
# runs npm's binaryen instead), and wasm-bindgen-cli is built from crates.io
# at exactly the version in Cargo.lock.
set -euo pipefail
cd "$(dirname "$0")"

WASM_PACK_VERSION=0.15.1
SERVE_ADDR=127.0.0.1
SERVE_PORT=${WARREN_PORT:-8080}
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Runs a step and prints how long it took, for the notes on cold and warm runs.
timed() {
  local label=$1; shift
  local t0=$SECONDS
  "$@"
  say "$label: $((SECONDS - t0)) s"
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

install_chromium() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] \
    && [ -d /usr/share/fonts/truetype/wqy ]; then return; fi
  say "installing chromium, chromium-driver and a CJK font from Debian"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -q
  # Both from the same update so their versions match; never binaryen (its
  # wasm-opt cannot parse what rustc emits). The font lets the Chinese UI
  # render in headless screenshots instead of empty boxes.
  as_root apt-get install -y -q --no-install-recommends chromium chromium-driver \
    fonts-wqy-microhei
}

install_wasm_target() {
  if rustup target list --installed | grep -qx wasm32-unknown-unknown; then return; fi
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
}

install_wasm_pack() {
  if [ "$(wasm-pack --version 2>/dev/null)" = "wasm-pack $WASM_PACK_VERSION" ]; then return; fi
  say "installing wasm-pack $WASM_PACK_VERSION"
  cargo install wasm-pack --version "$WASM_PACK_VERSION" --locked
}

# The CLI must equal the wasm-bindgen library in Cargo.lock exactly, or
# wasm-pack refuses to use it.
lock_version() {
  awk -v name="$1" '$0 == "name = \"" name "\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

install_wasm_bindgen() {
  local want
  want=$(lock_version wasm-bindgen)
  if [ -z "$want" ]; then echo "no wasm-bindgen in Cargo.lock" >&2; exit 1; fi
  if [ "$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $want" ]; then return; fi
  say "installing wasm-bindgen-cli $want"
  # --locked first; its lock wants a webpki-roots the registry mirror may lack.
  cargo install wasm-bindgen-cli --version "$want" --locked \
    || cargo install wasm-bindgen-cli --version "$want"
}

# `npm ci` in DIR unless its node_modules is newer than its lock (a stamp
# file records when the last install finished).
npm_ci_once() {
  local dir=$1 why=$2 stamp=$1/node_modules/.warren-stamp
  if [ -f "$stamp" ] && [ "$stamp" -nt "$dir/package-lock.json" ]; then return; fi
  say "npm ci in $dir ($why)"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  touch "$stamp"
}

install_node_modules() {
  npm_ci_once tests/e2e "playwright-core, no browser download"
}

# binaryen's wasm-opt from npm (tools/wasm-opt/package-lock.json): a build
# of binaryen 132 that runs in node. Debian's binaryen 108 cannot parse
# what rustc 1.95 emits, and wasm-pack's own download goes to GitHub.
WASM_OPT=tools/wasm-opt/node_modules/.bin/wasm-opt
install_wasm_opt() {
  npm_ci_once tools/wasm-opt "binaryen's wasm-opt"
}

# pika for the real-client tests: a venv under target/ with the version the
# conformance recordings were made with. Debian's python3 needs python3-venv.
install_pika() {
  if target/wire-venv/bin/python -c 'import pika' 2>/dev/null; then return; fi
  say "python venv with pika 1.4.4 (target/wire-venv)"
  if ! python3 -m venv target/wire-venv 2>/dev/null; then
    rm -rf target/wire-venv
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get install -y -q --no-install-recommends python3-venv
    python3 -m venv target/wire-venv
  fi
  target/wire-venv/bin/pip install --quiet --disable-pip-version-check pika==1.4.4
}

# What the browser's Python needs, served by Warren itself (no CDN):
# Pyodide, pinned in www/vendor/package-lock.json, and pika's wheel, pinned
# by hash in www/vendor/requirements.txt; the terminals' editor, CodeMirror 6
# pinned there too, bundled by esbuild. None of them is committed.
PIKA_WHEEL=www/vendor/pika-1.4.4-py3-none-any.whl
EDITOR_BUNDLE=www/vendor/editor.bundle.js
install_python_vendor() {
  local dir=www/vendor stamp=www/vendor/node_modules/.warren-stamp
  npm_ci_once "$dir" "Pyodide, CodeMirror and esbuild for Python in the browser"
  # The terminals' editor: CodeMirror 6 bundled into one ES module.
  if ! { [ -f "$EDITOR_BUNDLE" ] && [ "$EDITOR_BUNDLE" -nt "$stamp" ] \
    && [ "$EDITOR_BUNDLE" -nt "$dir/editor.js" ]; }; then
    say "esbuild: the terminals' editor (CodeMirror 6) into $EDITOR_BUNDLE"
    "$dir/node_modules/.bin/esbuild" "$dir/editor.js" --bundle --format=esm --minify \
      --log-level=warning --outfile="$EDITOR_BUNDLE"
  fi
  if [ ! -f "$PIKA_WHEEL" ]; then
    say "pip download pika 1.4.4 (the wheel Pyodide loads)"
    target/wire-venv/bin/pip download --quiet --disable-pip-version-check --no-deps \
      --only-binary=:all: --require-hashes -r "$dir/requirements.txt" -d "$dir"
  fi
}

setup() {
  timed "apt (chromium, chromium-driver)" install_chromium
  timed "rustup target" install_wasm_target
  timed "wasm-pack" install_wasm_pack
  timed "wasm-bindgen-cli" install_wasm_bindgen
  timed "npm ci" install_node_modules
  timed "wasm-opt (npm binaryen)" install_wasm_opt
  mkdir -p target
  timed "pika venv" install_pika
  timed "Pyodide and pika for the browser" install_python_vendor
}

build() {
  timed "wasm-pack build" wasm-pack build --target web --profile wasm-release --mode no-install
  timed "wasm-opt" optimise_wasm pkg/warren_bg.wasm
}

# wasm-opt on what wasm-pack wrote (wasm-pack's own run is off in
# Cargo.toml: it would fetch binaryen from GitHub). What counts is the
# gzipped size, which is what a browser downloads, and gzip rewards code
# that repeats within its 32 KB window:
# - functions sorted by name, so the copies of one generic function
#   (`BTreeMap<K, V>::insert` for fifty K and V, the stable sort for each
#   closure) sit side by side: -10% gzipped alone;
# - then -Oz without the passes that made the gzipped file larger, though
#   smaller raw: inlining (+166 KB gzipped: every inlined body is a new,
#   unique copy), local CSE (+20 KB), merging similar functions (+6 KB)
#   and simplify-locals (+4 KB); with all of -Oz it was +88 KB;
# - the name section dropped (function names for stack traces, a fifth of
#   the gzipped file).
# No pass that assumes traps never happen: a panic stays a panic.
# Figures (workbench wasm, gzip -9): 1,056 KB before, 936 KB after.
optimise_wasm() {
  local before
  before=$(stat -c %s "$1")
  "$WASM_OPT" "$1" -o "$1" -Oz \
    --skip-pass=inlining-optimizing --skip-pass=local-cse \
    --skip-pass=merge-similar-functions --skip-pass=simplify-locals \
    --reorder-functions-by-name --strip-debug --strip-producers
  say "wasm-opt: $((before / 1024)) KB -> $(($(stat -c %s "$1") / 1024)) KB raw"
}

serve() {
  setup
  build
  say "Warren is served on http://$SERVE_ADDR:$SERVE_PORT/  (Ctrl-C to stop)"
  exec python3 -m http.server "$SERVE_PORT" --bind "$SERVE_ADDR"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Serves the repository root on a free port for the end-to-end tests and
# prints the URL; the server is stopped when the script exits.
start_test_server() {
  local port
  port=$(free_port)
  python3 -m http.server "$port" --bind 127.0.0.1 >target/e2e-server.log 2>&1 &
  SERVER_PID=$!
  trap 'kill $SERVER_PID 2>/dev/null || true' EXIT
  for _ in $(seq 50); do
    if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/index.html')" 2>/dev/null; then
      E2E_URL="http://127.0.0.1:$port/"
      return
    fi
    sleep 0.1
  done
  echo "test server did not start" >&2
  exit 1
}

run_tests() {
  # A cold run needs about 6 GB (toolchains, Chromium, Pyodide, the debug and
  # release builds); CI once ran out of disk, so say what there is.
  say "free disk: $(df -h --output=avail . | tail -1 | tr -d ' ')"
  setup
  mkdir -p target
  timed "native tests (cargo test)" cargo test --quiet
  timed "browser tests (wasm-pack test, Chromium)" \
    wasm-pack test --headless --chrome --mode no-install
  build
  start_test_server
  local t
  for t in tests/e2e/*.test.mjs; do
    timed "end-to-end $t" node "$t" "$E2E_URL"
  done
  timed "release build (warren-server, warrenctl)" \
    cargo build --quiet --release --bin warren-server --bin warrenctl
  timed "real clients over the wire (pika, amqplib, load test)" run_wire_clients
  timed "Python transcripts: Pyodide in Chromium against CPython on warren-server" \
    run_python_transcripts
  say "all tests passed"
}

# The lessons' and tutorials' pika programs, the conformance scenarios
# replayed by pika, amqplib and the load test, against a warren-server this
# starts (and stops) on a free port pair with a fresh --data.
run_wire_clients() {
  local port
  port=$(python3 tests/support/free_port.py)
  rm -rf target/warren-broker
  WIRE_PYTHON=$PWD/target/wire-venv/bin/python ORACLE_AMQP_PORT=$port WARREN_LOG=off \
    WARREN_BIN_DIR="${CARGO_TARGET_DIR:-$PWD/target}/release" \
    tests/wire_clients/run_all.sh tests/wire_clients/warren_broker.sh
}

# The lessons' scenarios (tests/python/scenarios.json) with CPython + pika
# against a warren-server on a free port, compared program by program with
# what Pyodide + pika printed in Chromium (target/python/browser.json, written
# by tests/e2e/python.test.mjs, which also checks them against RabbitMQ's).
run_python_transcripts() {
  local port
  port=$(python3 tests/support/free_port.py)
  rm -rf target/warren-python
  WARREN_BROKER_DIR=$PWD/target/warren-python WARREN_LOG=off \
    WARREN_BIN_DIR="${CARGO_TARGET_DIR:-$PWD/target}/release" \
    target/wire-venv/bin/python tests/python/native_run.py --check --port "$port" \
    --out target/python/native.json
  python3 tests/python/transcripts.py target/python/browser.json target/python/native.json
}

# tests/support/web_conformance_list.rs: the browser test's include_str! list of
# every recorded scenario (a native test checks it is complete).
gen_web_list() {
  {
    echo "// Generated by ./dev.sh gen-web-list: every scenario in tests/conformance."
    echo "pub const SCENARIOS: &[(&str, &str, &str)] = &["
    for f in tests/conformance/scenarios/*.json; do
      n=$(basename "$f" .json)
      echo "    (\"$n\", include_str!(\"../conformance/scenarios/$n.json\"), include_str!(\"../conformance/expected/$n.json\")),"
    done
    echo "];"
  } > tests/support/web_conformance_list.rs
}

case "${1:-}" in
  serve) serve ;;
  test) run_tests ;;
  setup) setup ;;
  build) setup; build ;;
  bench) setup; exec bash tests/bench/run.sh ;;
  wasm-size) setup; exec bash tests/bench/wasm_size.sh "${@:2}" ;;
  gen-web-list) gen_web_list ;;
  *) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
