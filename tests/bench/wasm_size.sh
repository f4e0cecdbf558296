#!/usr/bin/env bash
# ./dev.sh wasm-size: what the shipped wasm is made of (issue 16). Builds the
# same release wasm as `./dev.sh build`, but into target/wasm-named/ and with
# its function names kept (dev.sh strips them from pkg/), then lists its
# items with twiggy and groups them by crate (tests/bench/wasm_by_crate.py).
# Needs twiggy: `cargo install twiggy --locked`. Figures, never pass/fail;
# the latest are in README.md ("Where a goal is missed").
#
#   tests/bench/wasm_size.sh [TOP]             the shipped build, by crate
#   tests/bench/wasm_size.sh --generics [TOP]  rebuilt with v0 symbol names
#       (in its own target dir: every crate is rebuilt once, ~2 min), whose
#       names carry generic arguments, so each copy of a generic function
#       says what it was made for (`driftsort_main::<(String, Value), …>`)
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v twiggy >/dev/null; then
  echo "twiggy is not installed: cargo install twiggy --locked" >&2
  exit 2
fi
out=target/wasm-named
mkdir -p "$out"
if [ "${1:-}" = --generics ]; then
  shift
  v0_target="${CARGO_TARGET_DIR:-$PWD/target}/v0-names"
  CARGO_TARGET_DIR="$v0_target" RUSTFLAGS="-C symbol-mangling-version=v0" \
    cargo build --quiet --profile wasm-release --lib --target wasm32-unknown-unknown
  wasm="$v0_target/wasm32-unknown-unknown/wasm-release/warren.wasm"
else
  wasm-pack build --target web --profile wasm-release --mode no-install --out-dir "$out" >&2
  wasm="$out/warren_bg.wasm"
fi
twiggy top -n 1000000 -f csv "$wasm" >"$out/items.csv"
python3 tests/bench/wasm_by_crate.py "$out/items.csv" "${1:-25}"
