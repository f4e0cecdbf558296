// Wire benchmark, "fast client": Node's amqplib against a running broker.
// Figures only, never pass/fail. Prints one JSON line.
//
//   node tests/bench/wire_bench.mjs [AMQP_URL]
//
// AMQP_URL defaults to $WIRE_AMQP_URL, else amqp://guest:guest@127.0.0.1:$ORACLE_AMQP_PORT.
// BENCH_MESSAGES (20,000), BENCH_PREFETCH (100), BENCH_BODY_BYTES (100),
// BENCH_CONNECTIONS (50 open+close for the setup time).
//
//  throughput       one connection publishes BENCH_MESSAGES transient messages to a
//                   fresh queue while another consumes them (prefetch BENCH_PREFETCH,
//                   one manual ack per message): msg/s from the first publish to the
//                   last delivery
//  confirms         a ConfirmChannel publishes BENCH_MESSAGES persistent messages to a
//                   durable queue, at most 1,000 unconfirmed at a time: msg/s until the
//                   last confirm
//  connection       amqp.connect + close, repeated: median and 90th percentile in ms
import { performance } from 'node:perf_hooks';
import amqp, { amqpUrl } from '../wire_clients/amqplib.mjs';

const URL_ = amqpUrl(process.argv[2]);
const N = Number(process.env.BENCH_MESSAGES || 20000);
const PREFETCH = Number(process.env.BENCH_PREFETCH || 100);
const BODY = Buffer.alloc(Number(process.env.BENCH_BODY_BYTES || 100), 'x');
const CONNS = Number(process.env.BENCH_CONNECTIONS || 50);
const WINDOW = 1000;
// TCP_NODELAY, as pika sets it: without it Nagle's algorithm adds ~40 ms to
// every small request/response exchange (the connection figure measured 47 ms).
const SOCKET = { noDelay: true };
const open = () => amqp.connect(URL_, SOCKET);

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const round = (x, d = 0) => Number(x.toFixed(d));

async function throughput() {
  const pc = await open();
  const cc = await open();
  const pch = await pc.createChannel();
  const { queue } = await pch.assertQueue('', { exclusive: false, autoDelete: false });
  const cch = await cc.createChannel();
  await cch.prefetch(PREFETCH);
  let got = 0;
  let done;
  const finished = new Promise((r) => { done = r; });
  await cch.consume(queue, (m) => {
    if (m === null) return; // cancelled by the broker
    cch.ack(m);
    if (++got === N) done(performance.now());
  });
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    if (!pch.sendToQueue(queue, BODY)) await new Promise((r) => pch.once('drain', r));
  }
  const tEnd = await finished;
  await cc.close();
  await pch.deleteQueue(queue);
  await pc.close();
  return N / ((tEnd - t0) / 1000);
}

async function confirms() {
  const c = await open();
  const setup = await c.createChannel();
  const queue = `wire_bench.confirms.${process.pid}`;
  await setup.assertQueue(queue, { durable: true });
  await setup.purgeQueue(queue);
  const ch = await c.createConfirmChannel();
  let acked = 0;
  let inflight = 0;
  let wake = null;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    while (inflight >= WINDOW) await new Promise((r) => { wake = r; });
    inflight++;
    ch.sendToQueue(queue, BODY, { persistent: true }, (err) => {
      if (!err) acked++;
      inflight--;
      if (wake) { const w = wake; wake = null; w(); }
    });
  }
  await ch.waitForConfirms();
  const t = performance.now() - t0;
  await setup.deleteQueue(queue);
  await c.close();
  if (acked !== N) throw new Error(`only ${acked} of ${N} confirms were acks`);
  return N / (t / 1000);
}

async function connectionSetup() {
  const times = [];
  for (let i = 0; i < CONNS; i++) {
    const t0 = performance.now();
    const c = await open();
    await c.close();
    times.push(performance.now() - t0);
  }
  return { median: quantile(times, 0.5), p90: quantile(times, 0.9) };
}

const out = { client: 'amqplib', url: URL_.replace(/\/\/[^@]*@/, '//'), messages: N, prefetch: PREFETCH, body_bytes: BODY.length };
try {
  out.publish_consume_ack_msgs_per_s = round(await throughput());
  out.confirms_persistent_msgs_per_s = round(await confirms());
  const cs = await connectionSetup();
  out.connection_open_close_ms_median = round(cs.median, 2);
  out.connection_open_close_ms_p90 = round(cs.p90, 2);
  out.connections = CONNS;
  console.log(JSON.stringify(out));
  process.exit(0);
} catch (e) {
  out.error = String(e.message || e);
  console.log(JSON.stringify(out));
  process.exit(1);
}
