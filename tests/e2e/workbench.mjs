// Driving the workbench through its UI only: helpers shared by the tests.
// Every action waits for the DOM to say it happened (the step counter, a
// node, a table cell); nothing races the app with sleeps.
import { check } from './browser.mjs';

/** The cursor position the controls show. */
export async function pos(page) {
  return Number(await page.getAttribute('#step-counter', 'data-pos'));
}

/** Runs `act` and waits until the timeline moved past where it was. */
export async function acted(page, act) {
  const before = await pos(page);
  await act();
  await page.waitForFunction(
    (b) => Number(document.querySelector('#step-counter').dataset.pos) > b, before);
}

/** One step with the keyboard (Space), focus away from any control. */
export async function stepKey(page) {
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await acted(page, () => page.keyboard.press('Space'));
}

/** Steps until `cond` (evaluated in the page) holds; at most `max` steps. */
export async function stepUntil(page, cond, arg, max = 200) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate(cond, arg)) return;
    await stepKey(page);
  }
  throw new Error(`condition not reached in ${max} steps: ${cond}`);
}

/** Lets the open chapter's "show me" solve its next `tasks` tasks, one at a time. */
export async function showMe(page, tasks) {
  for (let i = 0; i < tasks; i++) {
    const before = Number(await page.getAttribute('#lesson', 'data-task'));
    await page.click('#lesson-show-me');
    await page.waitForFunction((k) => Number(document.querySelector('#lesson').dataset.task) > k, before, { timeout: 10000 });
  }
}

export async function openTab(page, tab) {
  await page.click(`#tab-${tab}`);
  await page.waitForSelector(`#${tab}-form`);
}

export async function declareQueue(page, name, { durable = false } = {}) {
  await openTab(page, 'queue');
  await page.fill('#queue-name', name);
  await page.setChecked('#queue-durable', durable);
  await acted(page, () => page.click('#queue-submit'));
}

/** Declares exchange `name` of `type` from the build panel. */
export async function declareExchange(page, name, type) {
  await openTab(page, 'exchange');
  await page.fill('#exchange-name', name);
  await page.selectOption('#exchange-type', type);
  await acted(page, () => page.click('#exchange-submit'));
}

/** An auto-ack worker that binds a queue of its own to `exchange` with `keys`. */
export async function addSubscriber(page, { name, exchange, keys }) {
  await openTab(page, 'worker');
  await page.fill('#worker-name', name);
  await page.selectOption('#worker-source', 'subscribe');
  await page.fill('#worker-sub-exchange', exchange);
  await page.fill('#worker-sub-keys', keys);
  await page.selectOption('#worker-ack', 'auto');
  await acted(page, () => page.click('#worker-submit'));
}

/** Opens the docs demo page (served under `url`) and waits until both of
 * its players are ready and have drawn their diagrams; each is scrolled
 * into view first, as a lazy frame loads only then. */
export async function openDocsDemo(page, url) {
  await page.goto(new URL('www/docs-demo.html', url).href);
  await page.waitForSelector('body[data-ready="true"]');
  for (const id of ['fanout-frame', 'topic-frame']) {
    await page.$eval(`#${id}`, (f) => f.scrollIntoView());
    const frame = await (await page.$(`#${id}`)).contentFrame();
    await frame.waitForSelector('[data-ready="true"]');
    await frame.waitForSelector('g.node.exchange');
  }
}

/**
 * Adds a worker through the build form. Its work is a second per dot, or
 * `fixedMs` per message; `args` are basic.consume's arguments (key=value lines).
 */
export async function addWorker(page, { name, queue, prefetch = 1, manual = true, onDone = 'ack', fixedMs, args }) {
  await openTab(page, 'worker');
  await page.fill('#worker-name', name);
  await page.fill('#worker-queue', queue);
  await page.selectOption('#worker-ack', manual ? 'manual' : 'auto');
  await page.fill('#worker-prefetch', String(prefetch));
  if (args !== undefined) await page.fill('#worker-consume-args', args);
  await page.selectOption('#worker-work', fixedMs === undefined ? 'dot' : 'fixed');
  await page.fill('#worker-ms', String(fixedMs ?? 1000));
  if (manual) await page.selectOption('#worker-on-done', onDone);
  await acted(page, () => page.click('#worker-submit'));
}

export async function addProducer(page, { name, exchange = '', key, body, persistent = false }) {
  await openTab(page, 'producer');
  await page.fill('#producer-name', name);
  await page.fill('#producer-exchange', exchange);
  await page.fill('#producer-key', key);
  await page.fill('#producer-body', body);
  await page.setChecked('#producer-persistent', persistent);
  await acted(page, () => page.click('#producer-submit'));
  // The new producer is selected: its inspector offers the publish box.
  await page.waitForSelector('#producer-inspector #publish-once');
}

/** Publishes one message with this body from the selected producer. */
export async function publish(page, body) {
  await page.fill('#publish-body', body);
  await acted(page, () => page.click('#publish-once'));
}

/** A queue's row of the list_queues table: [ready, unacked, consumers]. */
export async function queueRow(page, name) {
  return page.evaluate((n) => {
    const row = [...document.querySelectorAll('#list-queues tr[data-queue]')].find((r) => r.dataset.queue === n);
    if (!row) return null;
    return ['ready', 'unacked', 'consumers'].map((c) => Number(row.querySelector(`td.${c}`).textContent));
  }, name);
}

/** What a worker node shows it is working on: { body, redelivered }. */
export async function workerTask(page, id) {
  return page.evaluate((i) => {
    const t = document.querySelector(`#node-worker-${i} .task`);
    return t ? { body: t.dataset.body, redelivered: t.dataset.redelivered === 'true' } : null;
  }, id);
}

/** The event log's visible sentences. */
export async function logText(page) {
  return page.evaluate(() => [...document.querySelectorAll('#log-list .log-row .text')].map((e) => e.textContent));
}

export { check };
