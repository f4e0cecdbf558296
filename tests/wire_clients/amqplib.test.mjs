// A second real client in a second language: Node's amqplib against the broker.
//
//   node tests/wire_clients/amqplib.test.mjs [AMQP_URL]
//
// AMQP_URL defaults to $WIRE_AMQP_URL, else amqp://guest:guest@127.0.0.1:$ORACLE_AMQP_PORT.
// The broker must be running. Plain node, no test framework: prints each
// check, exits 1 if one fails (or if the whole run exceeds 60 s).
//
//  1. hello world   sendToQueue('hello') / consume with noAck
//  2. work queues   ConfirmChannel: 200 persistent messages to durable task_queue,
//                   every one acked by the broker; two workers with prefetch 1
//                   (one slow, one fast) ack them all: each once, never more
//                   than one unacked per worker, the fast one gets most
//  3. RPC           a server on rpc_queue (prefetch 1) and a client with an
//                   exclusive server-named reply queue and correlation ids;
//                   the reply queue is locked to its connection (405) and
//                   gone (404) once the client disconnects
import { randomUUID } from 'node:crypto';
import amqp, { amqpUrl, sleep } from './amqplib.mjs';

const URL = amqpUrl(process.argv[2]);
const TIMEOUT_MS = Number(process.env.AMQPLIB_TEST_TIMEOUT_MS || 60000);
let failures = 0;
let checks = 0;
const live = new Set(); // connections not closed yet

function check(cond, what, detail) {
  checks++;
  if (cond) {
    console.log(`  ok   ${what}`);
  } else {
    failures++;
    console.log(`  FAIL ${what}${detail === undefined ? '' : `\n       ${detail}`}`);
  }
  return cond;
}

function equal(got, want, what) {
  const a = JSON.stringify(got);
  const b = JSON.stringify(want);
  return check(a === b, what, `expected ${b}\n       got      ${a}`);
}

async function connect() {
  const c = await amqp.connect(URL);
  c.on('error', () => {}); // surfaced through the failing calls instead
  live.add(c);
  c.on('close', () => live.delete(c));
  return c;
}

// Resolves when pred() holds; rejects after ms with a clear message.
async function until(pred, ms, what) {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(5);
  }
}

// The broker's answer to a method, as "CODE" or "ok", on a throwaway channel.
async function outcome(conn, fn) {
  const ch = await conn.createChannel();
  ch.on('error', () => {});
  try {
    await fn(ch);
    await ch.close();
    return 'ok';
  } catch (e) {
    return String(e.code || e.message);
  }
}

async function helloWorld() {
  console.log('\n== hello world');
  const prod = await connect();
  const ch = await prod.createChannel();
  await ch.deleteQueue('hello');
  const q = await ch.assertQueue('hello', { durable: false });
  equal([q.queue, q.messageCount, q.consumerCount], ['hello', 0, 0], "assertQueue('hello') -> declare-ok hello 0 0");
  check(ch.sendToQueue('hello', Buffer.from('Hello World!')), "sendToQueue('hello', 'Hello World!')");
  console.log(" [x] Sent 'Hello World!'");

  const cons = await connect();
  const cch = await cons.createChannel();
  const got = [];
  await cch.consume('hello', (m) => m && got.push(m), { noAck: true });
  await until(() => got.length >= 1, 10000, 'the hello message');
  const m = got[0];
  console.log(` [x] Received ${m.content.toString()}`);
  equal(
    [m.content.toString(), m.fields.exchange, m.fields.routingKey, m.fields.redelivered],
    ['Hello World!', '', 'hello', false],
    "received 'Hello World!' via the default exchange, routing key hello, not redelivered",
  );
  await sleep(100);
  equal(got.length, 1, 'exactly one delivery');
  await cons.close();
  await ch.deleteQueue('hello');
  await prod.close();
}

async function workQueues() {
  console.log('\n== work queues with publisher confirms');
  const N = 200;
  const prod = await connect();
  const setup = await prod.createChannel();
  await setup.deleteQueue('task_queue');
  await setup.assertQueue('task_queue', { durable: true });
  const ch = await prod.createConfirmChannel();
  let acked = 0;
  let nacked = 0;
  for (let i = 0; i < N; i++) {
    const body = `task ${i}${'.'.repeat(i % 3)}`;
    ch.sendToQueue('task_queue', Buffer.from(body), { persistent: true, messageId: String(i) }, (err) => {
      if (err) nacked++;
      else acked++;
    });
  }
  await ch.waitForConfirms();
  equal([acked, nacked], [N, 0], `${N} persistent messages published on a ConfirmChannel: all ${N} acked by the broker`);
  const q = await setup.checkQueue('task_queue');
  equal([q.messageCount, q.consumerCount], [N, 0], `task_queue holds ${N} ready messages`);

  // Two workers with prefetch 1: "slow" acks 20 ms after each delivery, "fast" at once.
  const received = new Map(); // message id -> delivery count
  const workers = [];
  for (const [name, delay] of [['slow', 20], ['fast', 0]]) {
    const conn = await connect();
    const wch = await conn.createChannel();
    await wch.prefetch(1);
    const w = { name, n: 0, inflight: 0, maxInflight: 0, redelivered: 0, persistent: 0 };
    workers.push(w);
    await wch.consume(
      'task_queue',
      (m) => {
        if (m === null) return; // the broker cancelled the consumer (queue deleted)
        w.n++;
        w.inflight++;
        w.maxInflight = Math.max(w.maxInflight, w.inflight);
        if (m.fields.redelivered) w.redelivered++;
        if (m.properties.deliveryMode === 2) w.persistent++;
        const id = m.properties.messageId;
        received.set(id, (received.get(id) || 0) + 1);
        const ack = () => {
          w.inflight--;
          wch.ack(m);
        };
        if (delay) setTimeout(ack, delay);
        else ack();
      },
      { noAck: false },
    );
  }
  await until(() => received.size >= N && workers.every((w) => w.inflight === 0), 30000, 'all tasks acked');
  await sleep(100);
  const counts = [...received.values()];
  equal([received.size, counts.every((c) => c === 1)], [N, true], `every task delivered exactly once (${N})`);
  equal(workers.map((w) => w.maxInflight), [1, 1], 'prefetch 1: never more than one unacked delivery per worker');
  equal(workers.map((w) => w.redelivered), [0, 0], 'no redeliveries');
  equal(workers.reduce((s, w) => s + w.persistent, 0), N, 'every delivery carries delivery_mode 2 (persistent)');
  const [slow, fast] = workers;
  check(fast.n > slow.n && slow.n > 0, `fair dispatch: fast worker ${fast.n}, slow worker ${slow.n}`);
  const after = await setup.checkQueue('task_queue');
  equal([after.messageCount, after.consumerCount], [0, 2], 'task_queue: 0 ready, 2 consumers');
  await setup.deleteQueue('task_queue'); // the broker cancels both workers' consumers
  for (const c of [...live]) await c.close();
}

function fib(n) {
  let a = 0;
  let b = 1;
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a;
}

async function rpc() {
  console.log('\n== RPC');
  const srv = await connect();
  const sch = await srv.createChannel();
  await sch.deleteQueue('rpc_queue');
  await sch.assertQueue('rpc_queue', { durable: false });
  await sch.prefetch(1);
  let served = 0;
  await sch.consume('rpc_queue', (m) => {
    if (m === null) return; // the broker cancelled the consumer (queue deleted)
    const n = Number.parseInt(m.content.toString(), 10);
    console.log(` [.] fib(${n})`);
    sch.sendToQueue(m.properties.replyTo, Buffer.from(String(fib(n))), {
      correlationId: m.properties.correlationId,
    });
    sch.ack(m);
    served++;
  });
  console.log(' [x] Awaiting RPC requests');

  const cli = await connect();
  const cch = await cli.createChannel();
  const { queue: replyQ } = await cch.assertQueue('', { exclusive: true });
  check(/^amq\.gen-[A-Za-z0-9_-]{20,}$/.test(replyQ), `exclusive server-named reply queue ${replyQ}`);
  const answers = new Map();
  let stray = 0;
  await cch.consume(
    replyQ,
    (m) => {
      if (m === null) return;
      if (answers.has(m.properties.correlationId)) answers.get(m.properties.correlationId)(m);
      else stray++;
    },
    { noAck: true },
  );
  const call = (n) =>
    new Promise((resolve) => {
      const corr = randomUUID();
      answers.set(corr, (m) => {
        answers.delete(corr);
        resolve({ corr, got: m.properties.correlationId, value: Number(m.content.toString()) });
      });
      cch.sendToQueue('rpc_queue', Buffer.from(String(n)), { correlationId: corr, replyTo: replyQ });
    });
  for (const n of [0, 1, 10, 30]) {
    console.log(` [x] Requesting fib(${n})`);
    const r = await Promise.race([call(n), sleep(10000).then(() => null)]);
    if (!check(r !== null, `fib(${n}) answered`)) continue;
    console.log(` [.] Got ${r.value}`);
    equal([r.value, r.got === r.corr], [fib(n), true], `fib(${n}) = ${fib(n)}, with the request's correlation_id`);
  }
  const all = await Promise.all([5, 6, 7].map(call));
  equal(all.map((r) => r.value), [5, 8, 13], 'three concurrent calls each matched by correlation_id');
  equal([served, stray], [7, 0], 'the server answered 7 requests, no reply without a caller');

  const other = await connect();
  equal(
    await outcome(other, (ch) => ch.consume(replyQ, () => {})),
    '405',
    'another connection cannot consume the exclusive reply queue (405 RESOURCE_LOCKED)',
  );
  await cli.close();
  let gone = 'ok';
  for (let i = 0; i < 100 && gone === 'ok'; i++) {
    gone = await outcome(other, (ch) => ch.checkQueue(replyQ));
    if (gone === 'ok') await sleep(20);
  }
  equal(gone, '404', 'the reply queue is deleted when the client disconnects (404 on passive declare)');
  await sch.deleteQueue('rpc_queue');
  await other.close();
  await srv.close();
}

const timer = setTimeout(() => {
  console.log(`\nFAIL: amqplib tests did not finish within ${TIMEOUT_MS / 1000} s`);
  process.exit(1);
}, TIMEOUT_MS);

const t0 = Date.now();
console.log(`amqplib against ${URL.replace(/\/\/[^@]*@/, '//')}`);
try {
  await helloWorld();
  await workQueues();
  await rpc();
} catch (e) {
  failures++;
  console.log(`  FAIL (aborted) ${e.stack || e}`);
}
clearTimeout(timer);
for (const c of [...live]) await c.close().catch(() => {});
console.log(`\namqplib: ${checks - failures} checks passed, ${failures} failed (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
process.exit(failures ? 1 : 0);
