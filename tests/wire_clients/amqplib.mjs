// Loads amqplib for the wire-client scripts (tests/wire_clients, tests/load,
// tests/bench). It is a devDependency of tests/e2e/package.json, installed with
// the rest by `npm ci` there (./dev.sh setup does it), so it is resolved from
// that folder rather than next to the importing file.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../e2e/package.json', import.meta.url));
let amqp;
try {
  amqp = require('amqplib');
} catch (e) {
  console.error('amqplib is not installed: run `npm ci` in tests/e2e (or ./dev.sh setup)');
  process.exit(2);
}
export default amqp;

// The broker's AMQP URL: WIRE_AMQP_URL, else guest/guest on 127.0.0.1:$ORACLE_AMQP_PORT (5672).
export function amqpUrl(arg) {
  if (arg) return arg;
  if (process.env.WIRE_AMQP_URL) return process.env.WIRE_AMQP_URL;
  return `amqp://guest:guest@127.0.0.1:${process.env.ORACLE_AMQP_PORT || 5672}`;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
