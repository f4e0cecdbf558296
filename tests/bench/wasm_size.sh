#!/usr/bin/env bash
# ./dev.sh wasm-size: what the shipped wasm is made of (issue 16). Builds the
# same release wasm as `./dev.sh build`, but into target/wasm-named/ and with
# its function names kept (dev.sh strips them from pkg/), then lists its
# items with twiggy and groups them by crate (tests/bench/wasm_by_crate.py).
# Needs twiggy: `cargo install twiggy --locked`. Figures, never pass/fail;
# the latest are in README.md ("Where a goal is missed").
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v twiggy >/dev/null; then
  echo "twiggy is not installed: cargo install twiggy --locked" >&2
  exit 2
fi
out=target/wasm-named
wasm-pack build --target web --release --mode no-install --out-dir "$out" >&2
wasm="$out/warren_bg.wasm"
twiggy top -n 1000000 -f csv "$wasm" >"$out/items.csv"
python3 tests/bench/wasm_by_crate.py "$out/items.csv" "${1:-25}"
