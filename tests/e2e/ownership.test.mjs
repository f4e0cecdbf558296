// One broker, one owner: tabs of one browser share IndexedDB, and a second
// tab must never write into a broker another tab owns (it used to, and the
// first tab's committed durable state silently vanished). Three tabs with
// interleaved writes through the JS API; then the workbench: a second tab is
// refused and says why, waits, gets the broker when the owner's tab is
// closed (no unload handlers run), and a third takes it over.
import { run, check, watch, screenshot } from './browser.mjs';
import { declareQueue, addProducer, publish, acted, queueRow } from './workbench.mjs';

const url = process.argv[2] || 'http://127.0.0.1:8080/';

async function page(context) {
  const p = await context.newPage();
  await p.goto(`${url}www/docs-demo.html`);
  await p.waitForSelector('body[data-ready="true"]');
  return p;
}

// In a tab: `window.brokers[slot]` = Broker.create(options), or the error.
async function create(p, slot, options) {
  return p.evaluate(async ([slot, options]) => {
    const { Broker } = await import('/pkg/warren.js');
    window.brokers = window.brokers || {};
    try {
      window.brokers[slot] = await Broker.create({ store: 'indexeddb', ...options });
      return { ok: true, info: window.brokers[slot].storeInfo() };
    } catch (e) {
      return { ok: false, name: e.name, message: e.message };
    }
  }, [slot, options]);
}

// Declares a durable queue and publishes persistent messages with confirms;
// returns the bodies the broker confirmed and whether the tab believed it
// owned the store while it wrote.
async function write(p, slot, queue, bodies) {
  return p.evaluate(async ([slot, queue, bodies]) => {
    const broker = window.brokers[slot];
    const ch = broker.connect(queue).channel();
    ch.confirmSelect();
    ch.queueDeclare(queue, { durable: true });
    const acks = [];
    for (const body of bodies) {
      ch.basicPublish('', queue, body, { deliveryMode: 2 });
      acks.push(await ch.waitForConfirms());
    }
    const info = broker.storeInfo();
    return {
      confirmed: bodies.filter((_, i) => acks[i]),
      // Before this change storeInfo had no `owner`: the tab then believed it did.
      believedOwner: info.kind === 'indexeddb' && info.owner !== false,
      info,
    };
  }, [slot, queue, bodies]);
}

// What a fresh owner of broker `name` finds: { queue: [bodies] }.
async function contents(p, name) {
  return p.evaluate(async (name) => {
    const { Broker } = await import('/pkg/warren.js');
    const broker = await Broker.create({ store: 'indexeddb', name, autoRun: false });
    const ch = broker.connect('reader').channel();
    const out = {};
    for (const q of broker.snapshot().queues) {
      out[q.name] = [];
      for (;;) {
        const m = ch.basicGet(q.name, { autoAck: true });
        if (!m) break;
        out[q.name].push(m.body);
      }
    }
    // Reading with autoAck removed them from this broker only: nothing was
    // committed (no advance), and closing without a commit is a crash.
    await broker.crash();
    if (broker.close) await broker.close();
    return out;
  }, name);
}

// Every message any owner had confirmed is there, and every durable queue a
// tab declared while it believed it owned the store.
function checkNothingLost(written, found) {
  for (const w of written) {
    if (w.believedOwner) {
      check(found[w.queue] !== undefined,
        `queue ${w.queue}, declared durable by tab ${w.tab} while it reported owning the store, is still there (found ${JSON.stringify(found)})`);
    }
    for (const body of w.confirmed) {
      check((found[w.queue] || []).includes(body),
        `message ${body} confirmed to tab ${w.tab} is still there (found ${JSON.stringify(found)})`);
    }
  }
}

await run('three tabs on one stored broker: one owner at a time, nothing confirmed is lost', async ({ context, page: a }) => {
  await a.goto(`${url}www/docs-demo.html`);
  await a.waitForSelector('body[data-ready="true"]');
  const b = await page(context);
  const c = await page(context);
  const errors = [];
  for (const p of [b, c]) watch(p, errors);

  // The reproduction: A and B both open "shared", both write, a
  // third tab reads what is stored.
  let written = []; // { tab, queue, confirmed, believedOwner }
  const ca = await create(a, 'a', { name: 'shared' });
  check(ca.ok && ca.info.kind === 'indexeddb' && ca.info.owner !== false, `tab A owns the broker: ${JSON.stringify(ca)}`);
  const cb = await create(b, 'b', { name: 'shared' });
  written.push({ tab: 'A', queue: 'qa', ...(await write(a, 'a', 'qa', ['a-1', 'a-2', 'a-3'])) });
  if (cb.ok) written.push({ tab: 'B', queue: 'qb', ...(await write(b, 'b', 'qb', ['b-1', 'b-2', 'b-3'])) });
  for (const [p, slot] of [[a, 'a'], [b, 'b']]) {
    await p.evaluate((slot) => window.brokers[slot] && window.brokers[slot].close && window.brokers[slot].close(), slot);
  }
  checkNothingLost(written, await contents(c, 'shared'));
  check(!cb.ok, `a second tab is refused while the first owns the broker, got ${JSON.stringify(cb)}`);
  check(cb.name === 'BrokerLockedError' && /another tab/.test(cb.message) && /ifLocked/.test(cb.message),
    `the refusal says why and what to do: ${JSON.stringify(cb)}`);

  // Interleaved: A owns "relay" and writes while B waits for it; A lets go,
  // B gets it and writes; C takes it over, B is told and stops writing.
  written = [];
  check((await create(a, 'a', { name: 'relay' })).ok, 'A owns relay');
  await b.evaluate(() => {
    window.waited = import('/pkg/warren.js').then(({ Broker }) =>
      Broker.create({ store: 'indexeddb', name: 'relay', ifLocked: 'wait' })
        .then((broker) => { window.waitedBroker = broker; return true; }));
  });
  written.push({ tab: 'A', queue: 'qa', ...(await write(a, 'a', 'qa', ['a-1', 'a-2', 'a-3'])) });
  check(await b.evaluate(() => window.waitedBroker === undefined), 'B is still waiting while A owns the broker');
  written.push({ tab: 'A', queue: 'qa2', ...(await write(a, 'a', 'qa2', ['a2-1'])) });
  await a.evaluate(() => window.brokers.a.close());
  check(await b.evaluate(async () => { const ok = await window.waited; window.brokers.b = window.waitedBroker; return ok; }),
    'B gets the broker once A closes it');
  const bInfo = await b.evaluate(() => window.brokers.b.storeInfo());
  check(bInfo.owner === true, `B owns the broker now: ${JSON.stringify(bInfo)}`);
  check(await b.evaluate(() => window.brokers.b.snapshot().queues.some((q) => q.name === 'qa' && q.ready === 3)),
    'B boots with what A committed');
  written.push({ tab: 'B', queue: 'qb', ...(await write(b, 'b', 'qb', ['b-1', 'b-2'])) });

  const cc = await create(c, 'c', { name: 'relay', ifLocked: 'takeOver' });
  check(cc.ok && cc.info.owner === true, `C took the broker over: ${JSON.stringify(cc)}`);
  await b.waitForFunction(() => window.brokers.b.storeInfo().owner === false);
  const lost = await b.evaluate(() => window.brokers.b.storeInfo());
  check(/another tab took over/.test(lost.lostReason || ''), `B says why it stopped: ${JSON.stringify(lost)}`);
  const late = await write(b, 'b', 'qb-late', ['b-late']);
  check(late.confirmed.length === 0 && !late.believedOwner,
    `after the take-over B's writes are nacked, never confirmed: ${JSON.stringify(late)}`);
  written.push({ tab: 'C', queue: 'qc', ...(await write(c, 'c', 'qc', ['c-1', 'c-2'])) });
  await c.evaluate(() => window.brokers.c.close());

  const found = await contents(a, 'relay');
  checkNothingLost(written, found);
  check(!('qb-late' in found), `nothing B wrote after losing the broker was stored: ${JSON.stringify(found)}`);
  check(errors.length === 0, `no console errors in the other tabs: ${errors.join('; ')}`);
});

await run('workbench: a second tab is refused and says why; it gets the broker when the owner is closed, a third takes it over', async ({ context, page: a }) => {
  await a.goto(`${url}?broker=owned`);
  await a.waitForSelector('html[data-store-idle="true"]');
  check((await a.textContent('#store-badge')).includes('IndexedDB'), 'the first tab uses IndexedDB');
  check(await a.$('#ownership') === null, 'the owner shows no ownership bar');

  const b = await context.newPage();
  const errors = [];
  watch(b, errors);
  await b.goto(`${url}?broker=owned`);
  await b.waitForSelector('#ownership');
  const refused = await b.textContent('#ownership-text');
  check(/another tab/.test(refused) && /saves nothing/.test(refused), `the refused tab says why: ${refused}`);
  check((await b.textContent('#store-badge')).includes('in memory'), 'the refused tab is not writing to IndexedDB');
  await screenshot(b, 'ownership-1-refused');

  // The owner writes something durable and commits it.
  await declareQueue(a, 'task_queue', { durable: true });
  await addProducer(a, { name: 'new_task.py', key: 'task_queue', body: 'Task.', persistent: true });
  for (const body of ['One.', 'Two.']) await publish(a, body);
  await acted(a, () => a.click('#ctl-advance'));
  await a.waitForSelector('html[data-store-idle="true"]');
  check((await a.textContent('#broker-unsaved')).includes('on disk'), 'the owner committed everything');

  // B waits; the owner's tab is closed without running unload handlers.
  await b.click('#ownership-wait');
  await b.waitForFunction(() => /Waiting/.test(document.querySelector('#ownership-text')?.textContent || ''));
  await a.close({ runBeforeUnload: false });
  await b.waitForFunction(() => document.querySelector('#ownership') === null
    && document.querySelector('#store-badge').textContent.includes('IndexedDB'));
  await b.waitForFunction(() => !!document.querySelector('#list-queues tr[data-queue="task_queue"]'));
  check(JSON.stringify(await queueRow(b, 'task_queue')) === '[2,0,0]',
    `B resumed with the two committed messages (${await queueRow(b, 'task_queue')})`);

  // A third tab takes the broker over from B.
  const c = await context.newPage();
  watch(c, errors);
  await c.goto(`${url}?broker=owned&lang=zh`);
  await c.waitForSelector('#ownership-take');
  await c.click('#ownership-take');
  await c.waitForFunction(() => document.querySelector('#ownership') === null
    && document.querySelector('#store-badge').textContent.includes('IndexedDB'));
  await c.waitForFunction(() => !!document.querySelector('#list-queues tr[data-queue="task_queue"]'));
  check(JSON.stringify(await queueRow(c, 'task_queue')) === '[2,0,0]', 'C has the committed messages');
  await b.waitForSelector('#ownership-reload');
  const lost = await b.textContent('#ownership-text');
  check(/another tab took broker 'owned' over/i.test(lost), `B says it stopped saving and why: ${lost}`);
  check(/another tab took over/.test(await b.textContent('#ownership-detail')), 'the detail names the cause');
  check((await b.textContent('#store-badge')).includes('in memory'), 'B no longer writes to IndexedDB');
  await screenshot(b, 'ownership-2-taken-over');

  // Another broker name is a separate database that B can own at once.
  await b.fill('#ownership-name', 'mine');
  await b.click('#ownership-rename button[type=submit]');
  await b.waitForURL(/broker=mine/);
  await b.waitForSelector('html[data-store-idle="true"]');
  check(await b.$('#ownership') === null, 'a broker of its own is not locked');
  check((await b.textContent('#store-badge')).includes('warren-mine'), 'B now works on broker "mine"');
  check(errors.length === 0, `no console errors in the other tabs: ${errors.join('; ')}`);
});
