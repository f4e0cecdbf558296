// Load test with a crash in the middle (amqplib).
//
//   node tests/load/load.mjs [AMQP_URL]
//
// LOAD_CONNECTIONS publisher connections (default 200), each with a
// ConfirmChannel, publish LOAD_MESSAGES persistent messages (default 100,000)
// round-robin into LOAD_QUEUES durable queues (default 10, load.q0 ...), at most
// LOAD_WINDOW unconfirmed per publisher, while one consumer connection per queue
// (prefetch LOAD_PREFETCH, manual ack) takes them. Every message carries a unique
// id (message_id and body).
//
// After LOAD_CRASH_AT confirms (default half of the messages; 0 = never) the
// harness crashes the broker through its control script and starts it again on
// the same data: `sh $ORACLE_BROKER_SH kill` then `start` (LOAD_CRASH_VERB=kill,
// the default), or `restart` (LOAD_CRASH_VERB=restart, a graceful stop), or
// nothing (LOAD_CRASH_VERB=none). Every client reconnects (and consumers
// re-subscribe) on its own; a message whose confirm did not arrive is published
// again (a nack, or its channel died first).
//
// Passes when every id was confirmed and every confirmed id was delivered at
// least once (redeliveries and duplicates are counted, not failures). Prints
// the figures (elapsed, msg/s, duplicates, redeliveries, republished,
// reconnects, downtime) and one JSON line. Fails after LOAD_TIMEOUT_S (default
// 300 s) with what was missing. Loopback only: the URL must point at 127.0.0.1
// or localhost.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import amqp, { amqpUrl, sleep } from '../wire_clients/amqplib.mjs';

const env = process.env;
const URL_ = amqpUrl(process.argv[2]);
const N = Number(env.LOAD_MESSAGES || 100000);
const CONNS = Number(env.LOAD_CONNECTIONS || 200);
const QUEUES = Number(env.LOAD_QUEUES || 10);
const WINDOW = Number(env.LOAD_WINDOW || 10);
const PREFETCH = Number(env.LOAD_PREFETCH || 200);
const CRASH_AT = env.LOAD_CRASH_AT === undefined ? Math.floor(N / 2) : Number(env.LOAD_CRASH_AT);
const CRASH_VERB = env.LOAD_CRASH_VERB || 'kill';
const TIMEOUT_S = Number(env.LOAD_TIMEOUT_S || 300);
const DRAIN_S = Number(env.LOAD_DRAIN_S || 15); // no new delivery for this long: stop waiting
const BROKER_SH =
  env.ORACLE_BROKER_SH || fileURLToPath(new URL('../../../shared/conformance/broker.sh', import.meta.url));
const PORT = new URL(URL_.replace(/^amqps?:/, 'http:')).port || '5672';
const HOST = new URL(URL_.replace(/^amqps?:/, 'http:')).hostname;
const queueName = (i) => `load.q${i}`;

if (!['127.0.0.1', 'localhost', '[::1]'].includes(HOST)) {
  console.error(`load.mjs only talks to a loopback broker, not ${HOST}`);
  process.exit(2);
}
if (!['kill', 'restart', 'none'].includes(CRASH_VERB)) {
  console.error(`LOAD_CRASH_VERB must be kill, restart or none, not ${CRASH_VERB}`);
  process.exit(2);
}

// Per message id: 0 to publish, 1 published and unconfirmed, 2 confirmed.
const state = new Uint8Array(N);
const deliveries = new Uint16Array(N);
const retry = []; // ids whose publish must be repeated
let nextFresh = 0;
let confirmed = 0;
let deliveredUnique = 0; // ids delivered at least once
const stats = {
  deliveries: 0, redeliveredFlag: 0, republished: 0, nacks: 0, pubReconnects: 0,
  consReconnects: 0, connectErrors: 0, ackErrors: 0,
};
let finished = false;
let crash = null; // { at, t_kill, t_dead, t_started, t_first_confirm_after }
const t0 = Date.now();
const secs = (t) => ((t - t0) / 1000).toFixed(1);

function brokerSh(verb) {
  return new Promise((resolve, reject) => {
    execFile(
      'sh', [BROKER_SH, verb],
      { env: { ...env, ORACLE_AMQP_PORT: PORT, WARREN_AMQP_PORT: PORT }, timeout: 180000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${BROKER_SH} ${verb}: ${err.message}\n${stdout}${stderr}`)) : resolve(stdout.trim())),
    );
  });
}

async function connect() {
  const c = await amqp.connect(URL_, { noDelay: true }); // TCP_NODELAY, as pika sets it
  c.on('error', () => {}); // every loss also shows up as 'close'
  c.on('blocked', () => {});
  return c;
}

const closed = (conn) => new Promise((r) => conn.once('close', r));

function takeId() {
  if (retry.length) return retry.pop();
  if (nextFresh < N) return nextFresh++;
  return -1;
}

function onConfirmed(id) {
  if (state[id] === 2) return;
  state[id] = 2;
  confirmed++;
  if (crash && crash.t_dead && !crash.t_first_confirm_after) crash.t_first_confirm_after = Date.now();
  if (crash === null && CRASH_AT > 0 && CRASH_VERB !== 'none' && confirmed >= CRASH_AT) doCrash();
}

async function doCrash() {
  crash = { at: confirmed, t_kill: Date.now() };
  console.log(`[${secs(Date.now())}s] ${confirmed} confirmed: ${CRASH_VERB === 'kill' ? 'SIGKILL' : 'graceful restart of'} the broker (${BROKER_SH} ${CRASH_VERB})`);
  try {
    if (CRASH_VERB === 'kill') {
      console.log(`    ${await brokerSh('kill')}`);
      crash.t_dead = Date.now(); // any confirm from now on comes from the restarted broker
      console.log(`    ${await brokerSh('start')}`);
    } else {
      console.log(`    ${(await brokerSh('restart')).replace(/\n/g, '\n    ')}`);
      crash.t_dead = Date.now();
    }
  } catch (e) {
    console.log(`FAIL: could not ${CRASH_VERB} the broker: ${e.message}`);
    if (CRASH_VERB === 'kill') console.log('  (broker.sh has no kill verb: use tests/wire_clients/rabbit_broker.sh for RabbitMQ, or LOAD_CRASH_VERB=restart)');
    process.exit(1);
  }
  crash.t_started = Date.now();
  console.log(`[${secs(crash.t_started)}s] broker up again after ${((crash.t_started - crash.t_kill) / 1000).toFixed(1)} s`);
}

// One publisher connection: publish while there is work, keep at most WINDOW
// unconfirmed; on any loss give the unconfirmed ids back and reconnect.
async function publisher() {
  let first = true;
  let backoff = 50;
  while (confirmed < N) {
    let conn = null;
    const outstanding = new Set();
    try {
      conn = await connect();
      if (!first) stats.pubReconnects++;
      first = false;
      backoff = 50;
      const ch = await conn.createConfirmChannel();
      ch.on('error', () => {});
      let dead = false;
      let wake = null;
      const wakeUp = () => {
        if (wake) {
          const w = wake;
          wake = null;
          w();
        }
      };
      conn.once('close', () => { dead = true; wakeUp(); });
      ch.on('close', () => { dead = true; wakeUp(); });
      while (!dead && confirmed < N) {
        while (outstanding.size < WINDOW) {
          const id = takeId();
          if (id < 0) break;
          state[id] = 1;
          outstanding.add(id);
          ch.sendToQueue(
            queueName(id % QUEUES), Buffer.from(`load message ${id}`),
            { persistent: true, messageId: String(id) },
            (err) => {
              if (!outstanding.delete(id)) return; // already given back
              if (err) {
                if (/nack/i.test(String(err.message))) stats.nacks++;
                state[id] = 0;
                stats.republished++;
                retry.push(id);
              } else {
                onConfirmed(id);
              }
              wakeUp();
            },
          );
        }
        // Sleep until a confirm, a loss, or (no work now: others may give some back) 50 ms.
        await new Promise((r) => {
          const t = setTimeout(() => { wake = null; r(); }, outstanding.size ? 5000 : 50);
          wake = () => { clearTimeout(t); r(); };
        });
      }
      if (!dead) await conn.close().catch(() => {});
    } catch (e) {
      stats.connectErrors++;
      if (conn) conn.close().catch(() => {});
    }
    for (const id of outstanding) { // never confirmed: publish again
      if (state[id] !== 2) { state[id] = 0; retry.push(id); stats.republished++; }
    }
    outstanding.clear();
    if (confirmed < N) {
      await sleep(backoff + Math.random() * backoff);
      backoff = Math.min(backoff * 2, 1000);
    }
  }
}

// One consumer connection per queue: ack everything, count deliveries per id.
async function consumer(q) {
  let first = true;
  let backoff = 50;
  while (!finished) {
    try {
      const conn = await connect();
      if (!first) stats.consReconnects++;
      first = false;
      backoff = 50;
      const gone = closed(conn);
      const ch = await conn.createChannel();
      ch.on('error', () => {});
      await ch.prefetch(PREFETCH);
      await ch.assertQueue(queueName(q), { durable: true });
      await ch.consume(queueName(q), (m) => {
        if (m === null) return; // cancelled by the broker
        const id = Number(m.properties.messageId);
        stats.deliveries++;
        if (m.fields.redelivered) stats.redeliveredFlag++;
        if (deliveries[id] === 0) deliveredUnique++;
        if (deliveries[id] < 65535) deliveries[id]++;
        try { ch.ack(m); } catch { stats.ackErrors++; }
      });
      consumerConns.push(conn);
      await Promise.race([gone, until(() => finished)]);
      if (finished) { await conn.close().catch(() => {}); return; }
    } catch (e) {
      stats.connectErrors++;
    }
    await sleep(backoff + Math.random() * backoff);
    backoff = Math.min(backoff * 2, 1000);
  }
}
const consumerConns = [];

async function until(pred) {
  while (!pred()) await sleep(20);
}

function progress() {
  console.log(`[${secs(Date.now())}s] confirmed ${confirmed}/${N}, delivered ${deliveredUnique} ids (${stats.deliveries} deliveries), retry pool ${retry.length}, reconnects ${stats.pubReconnects}+${stats.consReconnects}`);
}

const timer = setTimeout(() => {
  const lost = [];
  for (let i = 0; i < N && lost.length < 10; i++) if (state[i] === 2 && deliveries[i] === 0) lost.push(i);
  console.log(`FAIL: load test timed out after ${TIMEOUT_S} s: confirmed ${confirmed}/${N}, confirmed but never delivered ${confirmed - countConfirmedDelivered()}${lost.length ? ` (e.g. ids ${lost.join(', ')})` : ''}; crash: ${crash ? JSON.stringify(crash) : 'not reached'}`);
  process.exit(1);
}, TIMEOUT_S * 1000);

function countConfirmedDelivered() {
  let n = 0;
  for (let i = 0; i < N; i++) if (state[i] === 2 && deliveries[i] > 0) n++;
  return n;
}

console.log(`load: ${N} persistent messages, ${CONNS} publisher connections (window ${WINDOW}), ${QUEUES} durable queues with one consumer each (prefetch ${PREFETCH}); crash: ${CRASH_AT > 0 && CRASH_VERB !== 'none' ? `${CRASH_VERB} after ${CRASH_AT} confirms` : 'none'}; broker ${URL_.replace(/\/\/[^@]*@/, '//')} via ${BROKER_SH}`);

// Fresh durable queues.
{
  const c = await connect();
  const ch = await c.createChannel();
  for (let q = 0; q < QUEUES; q++) {
    await ch.deleteQueue(queueName(q));
    await ch.assertQueue(queueName(q), { durable: true });
  }
  await c.close();
}

const ticker = setInterval(progress, 5000);
const consumers = Array.from({ length: QUEUES }, (_, q) => consumer(q));
// Open the publisher connections 20 at a time, then let them all run.
const publishers = [];
for (let k = 0; k < CONNS; k += 20) {
  const batch = [];
  for (let j = k; j < Math.min(CONNS, k + 20); j++) {
    const p = publisher();
    publishers.push(p);
    batch.push(p);
  }
  await sleep(10);
}
const tStart = t0;
await Promise.all(publishers);
const tConfirmed = Date.now();
console.log(`[${secs(tConfirmed)}s] all ${N} messages confirmed`);
// Wait for the consumers to catch up; give up once nothing new arrived for DRAIN_S.
{
  let seen = -1;
  let since = Date.now();
  while (countConfirmedDelivered() < N) {
    if (deliveredUnique !== seen) { seen = deliveredUnique; since = Date.now(); }
    if (Date.now() - since > DRAIN_S * 1000) break;
    await sleep(50);
  }
}
const tDelivered = Date.now();
finished = true;
clearInterval(ticker);
await Promise.all(consumers);

// What is left in the queues (duplicates nobody needed any more, not a failure).
let leftover = 0;
try {
  const c = await connect();
  const ch = await c.createChannel();
  for (let q = 0; q < QUEUES; q++) leftover += (await ch.checkQueue(queueName(q))).messageCount;
  for (let q = 0; q < QUEUES; q++) await ch.deleteQueue(queueName(q));
  await c.close();
} catch (e) {
  leftover = -1;
}
clearTimeout(timer);

const deliveredConfirmed = countConfirmedDelivered();
const lostIds = [];
for (let i = 0; i < N; i++) if (state[i] === 2 && deliveries[i] === 0) lostIds.push(i);
const elapsed = (tDelivered - tStart) / 1000;
const figures = {
  client: 'amqplib', messages: N, connections: CONNS, queues: QUEUES,
  crash: CRASH_AT > 0 && CRASH_VERB !== 'none' ? CRASH_VERB : 'none',
  crash_after_confirms: crash ? crash.at : null,
  broker_downtime_s: crash && crash.t_started ? +((crash.t_started - crash.t_kill) / 1000).toFixed(2) : null,
  outage_s: crash && crash.t_first_confirm_after ? +((crash.t_first_confirm_after - crash.t_kill) / 1000).toFixed(2) : null,
  elapsed_s: +elapsed.toFixed(2),
  confirmed_s: +((tConfirmed - tStart) / 1000).toFixed(2),
  msgs_per_s: Math.round(N / elapsed),
  confirmed: confirmed, delivered_unique: deliveredUnique, lost: lostIds.length,
  deliveries: stats.deliveries, duplicates: stats.deliveries - deliveredUnique,
  redelivered_flag: stats.redeliveredFlag, republished: stats.republished, nacks: stats.nacks,
  publisher_reconnects: stats.pubReconnects, consumer_reconnects: stats.consReconnects,
  failed_connects: stats.connectErrors, left_in_queues: leftover,
};
console.log(`elapsed ${figures.elapsed_s} s (all confirmed after ${figures.confirmed_s} s), ${figures.msgs_per_s} msg/s end to end`);
console.log(`deliveries ${figures.deliveries}: ${figures.delivered_unique} ids, ${figures.duplicates} duplicates, ${figures.redelivered_flag} flagged redelivered; republished ${figures.republished} (nacks ${figures.nacks}); reconnects: publishers ${figures.publisher_reconnects}, consumers ${figures.consumer_reconnects}; left in queues ${leftover}`);
if (crash) console.log(`crash after ${crash.at} confirms; ${CRASH_VERB === 'kill' ? 'kill + start' : 'restart'} took ${figures.broker_downtime_s} s; first confirm from the restarted broker ${figures.outage_s} s after the ${CRASH_VERB} was ordered`);
console.log(JSON.stringify(figures));
const crashWanted = CRASH_AT > 0 && CRASH_VERB !== 'none' && CRASH_AT < N;
if (confirmed !== N || deliveredConfirmed !== N || (crashWanted && !crash)) {
  console.log(`FAIL: ${N - confirmed} never confirmed, ${lostIds.length} confirmed but never delivered${lostIds.length ? ` (e.g. ${lostIds.slice(0, 10).join(', ')})` : ''}${crashWanted && !crash ? '; the crash never happened' : ''}`);
  process.exit(1);
}
console.log(`PASS: all ${N} confirmed messages were delivered at least once`);
process.exit(0);
