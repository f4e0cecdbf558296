// The inspectors' views of issue 17, through the UI only: a stream's log
// with each reader's next offset and credit (chapter 14 solved, then a slow
// reader from the first offset), the acknowledgement timeout's countdown on
// unacknowledged deliveries, going down as virtual time moves, and a quorum
// queue's x-delivery-count (chapter 13), in the queue and message
// inspectors; the broker panel's "Ack timeout" shortened to 15 s before a
// worker that never acks, its countdown and the 406 that closes the
// channel at the next minute's tick. Screenshots of the stream view at 1280x720 and 390x844 under
// target/e2e/inspectors-*.png.
import { run, check, screenshot } from './browser.mjs';
import {
  acted, addProducer, addWorker, declareQueue, logText, publish, showMe, stepKey, stepUntil,
} from './workbench.mjs';

const url = process.argv[2] || 'http://127.0.0.1:8080/';

/** Opens chapter `n` from the URL and lets "show me" solve its first `tasks` tasks. */
async function chapterSolved(page, n, tasks) {
  await page.goto(`${url}?chapter=${n}`);
  await page.waitForSelector(`#lesson[data-chapter^="${String(n).padStart(2, '0')}-"]`);
  await showMe(page, tasks);
}

async function selectNode(page, kind, name) {
  const sel = `g.node.${kind}[data-name="${name}"]`;
  await page.waitForSelector(sel);
  await page.click(sel);
}

/** The stream inspector's readers: { tag: { next, credit } } by holder name. */
async function readers(page) {
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll('#stream-readers li')].map((li) => [
    li.querySelector('strong').textContent,
    { next: Number(li.dataset.nextOffset), credit: li.dataset.credit === undefined ? null : Number(li.dataset.credit) },
  ])));
}

/** The countdowns (ms) of the queue inspector's unacknowledged deliveries. */
async function countdowns(page) {
  return page.evaluate(() => [...document.querySelectorAll('#queue-unacked .countdown')].map((e) => Number(e.dataset.ms)));
}

await run('a stream as a log with each reader\'s offset, and the ack timeout counting down', async ({ page }) => {
  await chapterSolved(page, 14, 5);
  // A slow reader from the start: two deliveries in hand (its credit),
  // ten minutes of work each.
  await addWorker(page, {
    name: 'slow.py', queue: 'events', prefetch: 2, args: 'x-stream-offset=first', fixedMs: 600000,
  });
  await selectNode(page, 'queue', 'events');
  await page.waitForSelector('#stream-log');
  for (let i = 0; i < 20 && (await readers(page))['slow.py']?.credit !== 0; i++) await stepKey(page);
  const r = await readers(page);
  check(r['slow.py'] && r['slow.py'].next === 2 && r['slow.py'].credit === 0,
    `slow.py read offsets 0 and 1 and has no credit left: ${JSON.stringify(r)}`);
  const logLength = Number(await page.getAttribute('#stream-log', 'data-next-offset'));
  check(logLength === 7, `five events and two late ones: ${logLength}`);
  for (const done of ['reader.py', 'tail.py', 'audit.py']) {
    check(r[done] && r[done].next === logLength, `${done} read to the end: ${JSON.stringify(r[done])}`);
  }
  const rows = await page.$$eval('#stream-rows .stream-row', (els) => els.map((e) => ({
    offset: Number(e.dataset.offset),
    body: e.querySelector('.msg-body')?.textContent ?? null,
    marks: [...e.querySelectorAll('.reader-mark')].map((m) => m.textContent),
  })));
  check(rows.length === 8 && rows[0].offset === 0 && rows[0].body === 'event 1',
    `seven offsets and the end: ${JSON.stringify(rows)}`);
  check(rows[2].marks.join() === '◀ slow.py', `offset 2 is slow.py's next: ${JSON.stringify(rows[2])}`);
  check(rows[7].marks.length === 3, `three readers wait at offset 7: ${JSON.stringify(rows[7])}`);
  const range = await page.textContent('#stream-range');
  check(range.includes('0–6') && range.includes('7'), `the range: ${range}`);

  // The countdown: both deliveries go back when the channel times out.
  const before = await countdowns(page);
  check(before.length === 2 && before[0] === before[1] && before[0] > 25 * 60000 && before[0] <= 31 * 60000,
    `two deliveries, one deadline, under 31 minutes: ${before}`);
  const text = await page.textContent('#queue-unacked .countdown');
  check(/^times out in \d+:\d\d$/.test(text), `reads like a clock: ${text}`);
  await stepKey(page);
  await stepKey(page);
  const after = await countdowns(page);
  check(after.length > 0 && after[0] < before[0], `it went down as time moved: ${before} -> ${after}`);

  // The worker inspector counts down to the same close.
  await selectNode(page, 'worker', 'slow.py');
  const inWorker = await page.$$eval('#worker-unacked .countdown', (els) => els.map((e) => Number(e.dataset.ms)));
  check(inWorker.length === 2 && inWorker[0] === after[0], `the worker's deliveries: ${inWorker} (queue: ${after})`);
  await selectNode(page, 'queue', 'events');
  await page.waitForSelector('#stream-log');

  await page.setViewportSize({ width: 1280, height: 720 });
  await page.$eval('#stream-log', (e) => e.scrollIntoView({ block: 'start' }));
  await screenshot(page, 'inspectors-stream-1280');
  await page.$eval('#queue-unacked', (e) => e.scrollIntoView({ block: 'end' }));
  await screenshot(page, 'inspectors-countdown-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  if (await page.isVisible('#pane-inspector')) await page.click('#pane-inspector');
  await page.$eval('#stream-log', (e) => e.scrollIntoView({ block: 'start' }));
  await screenshot(page, 'inspectors-stream-390');
  // Chinese labels.
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.click('#lang-zh');
  await page.waitForFunction(() => document.querySelector('#stream-range').textContent.includes('偏移量'));
  const zh = await page.textContent('#queue-unacked .countdown');
  check(/后超时$/.test(zh), `the countdown in Chinese: ${zh}`);
  await page.$eval('#stream-log', (e) => e.scrollIntoView({ block: 'start' }));
  await screenshot(page, 'inspectors-stream-zh');
});

await run('a quorum queue\'s x-delivery-count in the queue and message inspectors', async ({ page }) => {
  // Chapter 13's quorum queue (x-delivery-limit 3), one poison message and
  // a worker that rejects it with requeue after a second.
  await chapterSolved(page, 13, 1);
  await selectNode(page, 'producer', 'new_task.py');
  await page.waitForSelector('#producer-inspector #publish-once');
  await acted(page, () => page.click('#publish-once'));
  await addWorker(page, { name: 'picky.py', queue: 'tasks', fixedMs: 1000, onDone: 'reject-requeue' });
  await selectNode(page, 'queue', 'tasks');
  await page.waitForSelector('#queue-inspector');
  const limit = await page.$$eval('#queue-inspector .fact-row', (rows) => rows.map((r) => r.textContent).find((t) => t.startsWith('Delivery limit')));
  check(limit === 'Delivery limit3', `the queue's limit: ${limit}`);
  const counts = async () => page.$$eval('#queue-inspector .dcount', (els) => els.map((e) => Number(e.dataset.count)));
  for (let i = 0; i < 30 && !(await counts()).includes(2); i++) await stepKey(page);
  const seen = await counts();
  check(seen.includes(2), `the count reached 2: ${seen}`);
  const tag = await page.textContent('#queue-inspector .dcount');
  check(tag === 'x-delivery-count 2/3', `the tag says the limit too: ${tag}`);
  await page.$eval('#queue-inspector .dcount', (e) => e.scrollIntoView({ block: 'center' }));
  await screenshot(page, 'inspectors-quorum');
  await page.click('#queue-inspector .msg-row .linkish, #queue-unacked .linkish');
  await page.waitForSelector('#message-delivery-counts li');
  const inMessage = await page.$eval('#message-delivery-counts li', (li) => ({ queue: li.dataset.queue, count: Number(li.dataset.count) }));
  check(inMessage.queue === 'tasks' && inMessage.count === 2, `the message inspector agrees: ${JSON.stringify(inMessage)}`);
  await page.$eval('#message-delivery-counts', (e) => e.scrollIntoView({ block: 'center' }));
  await screenshot(page, 'inspectors-quorum-message');
});

await run('a shorter ack timeout for channels opened afterwards: countdown, then the 406', async ({ page }) => {
  await page.goto(`${url}?broker=e2e-ack-timeout`);
  await page.waitForSelector('#ack-timeout');
  const label = await page.$eval('label[for="ack-timeout"]', (l) => l.textContent);
  check(label === 'Ack timeout', `the select's label: ${label}`);
  const shown = async () => page.$eval('#ack-timeout', (s) => s.value);
  check(await shown() === '1800000', `RabbitMQ's 30 minutes to start with: ${await shown()}`);
  const options = await page.$$eval('#ack-timeout option', (os) => os.map((o) => o.textContent));
  check(options.join('|') === '30 min (default)|5 min|1 min|15 s|off', `the choices: ${options}`);
  // Set as `application:set_env` does: a recorded command, shown by the select.
  await acted(page, () => page.selectOption('#ack-timeout', '15000'));
  check(await shown() === '15000', `the select shows what is in force: ${await shown()}`);
  const help = await page.textContent('#ack-timeout-help');
  check(help.includes('channels opened from now on'), `one line says which channels: ${help}`);

  await declareQueue(page, 'tasks');
  await addProducer(page, { name: 'new_task.py', key: 'tasks', body: 'Task.' });
  await publish(page, 'Task.');
  await addWorker(page, { name: 'forgetful.py', queue: 'tasks', onDone: 'forget', fixedMs: 1000 });
  await page.click('g.node.queue[data-name="tasks"]');
  await stepUntil(page, () => document.querySelector('#queue-unacked .countdown') !== null, undefined, 20);
  const ms = await page.$eval('#queue-unacked .countdown', (e) => Number(e.dataset.ms));
  // Deadline 15 s after the delivery; the channel checks once a minute from
  // when it opened, so it closes at that first tick, about a minute away.
  check(ms > 45000 && ms <= 60000, `counts down to the channel's first tick: ${ms} ms`);
  const text = await page.textContent('#queue-unacked .countdown');
  check(/^times out in 0:[45]\d$|^times out in 1:00$/.test(text), `near a minute: ${text}`);
  // Stepping stops short of an ack deadline (nothing is due): "+1 s" moves
  // virtual time on, a second a click, until the tick closes the channel.
  const closed = () => [...document.querySelectorAll('#log-list .log-row .text')]
    .some((e) => e.textContent.includes('closed') && e.textContent.includes('406'));
  for (let i = 0; i < 70 && !(await page.evaluate(closed)); i++) {
    await acted(page, () => page.click('#ctl-advance'));
  }
  const log = (await logText(page)).join('\n');
  check(log.includes('within the consumer timeout (15000 ms)'), `the timeout in the log:\n${log}`);
  check(/closed forgetful\.py.*channel 1 with 406|The broker closed .*406 PRECONDITION_FAILED/.test(log),
    `the channel closed with 406:\n${log}`);
  await page.$eval('#broker-panel', (e) => e.scrollIntoView({ block: 'end' }));
  await screenshot(page, 'inspectors-ack-timeout');

  await page.click('#lang-zh');
  await page.waitForFunction(() => document.querySelector('label[for="ack-timeout"]').textContent === '应答超时');
  const zhOptions = await page.$$eval('#ack-timeout option', (os) => os.map((o) => o.textContent));
  check(zhOptions.join('|') === '30 分钟（默认）|5 分钟|1 分钟|15 秒|关闭', `the choices in Chinese: ${zhOptions}`);
  check((await page.textContent('#ack-timeout-help')).includes('之后打开的信道'), 'the line in Chinese');
});
