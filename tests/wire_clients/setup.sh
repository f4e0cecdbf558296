#!/usr/bin/env bash
# One-time setup for the wire-client harnesses (needs the package registries;
# run_all.sh itself needs no network):
#  * a Python with pika: python3 if it already imports pika, else a venv in
#    target/wire-venv with pika 1.4.4 (the version oracle.py was recorded with);
#  * amqplib: `npm ci` in tests/e2e (amqplib is a devDependency there; ./dev.sh setup does the same).
# Each step does nothing when it is already done.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
if python3 -c 'import pika' 2>/dev/null; then
  echo "python3 has pika $(python3 -c 'import pika; print(pika.__version__)')"
elif target/wire-venv/bin/python -c 'import pika' 2>/dev/null; then
  echo "target/wire-venv has pika"
else
  echo "==> python3 -m venv target/wire-venv; pip install pika==1.4.4"
  python3 -m venv target/wire-venv
  target/wire-venv/bin/pip install --quiet pika==1.4.4
fi
if [ -f tests/e2e/node_modules/amqplib/package.json ]; then
  echo "amqplib $(node -p "require('./tests/e2e/node_modules/amqplib/package.json').version") is installed"
else
  echo "==> npm ci in tests/e2e"
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi
