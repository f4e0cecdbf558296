// The inspectors' views of issue 17, through the UI only: a quorum
// queue's x-delivery-count (chapter 13), in the queue and message
// inspectors. Screenshots under target/e2e/inspectors-*.png.
import { run, check, screenshot } from './browser.mjs';
import { acted, openTab, stepKey } from './workbench.mjs';

const url = process.argv[2] || 'http://127.0.0.1:8080/';

/** Opens chapter `n` from the URL and lets "show me" solve its first `tasks` tasks. */
async function chapterSolved(page, n, tasks) {
  await page.goto(`${url}?chapter=${n}`);
  await page.waitForSelector(`#lesson[data-chapter^="${String(n).padStart(2, '0')}-"]`);
  for (let i = 0; i < tasks; i++) {
    await page.click('#lesson-show-me');
    await page.waitForFunction((k) => Number(document.querySelector('#lesson').dataset.task) > k
      || document.querySelector('#lesson[data-finished="true"]'), i, { timeout: 10000 });
  }
}

async function selectNode(page, kind, name) {
  const sel = `g.node.${kind}[data-name="${name}"]`;
  await page.waitForSelector(sel);
  await page.click(sel);
}

/** Adds a worker through the build form; work is a fixed time. */
async function addWorker(page, { name, queue, prefetch, args = '', ms, onDone }) {
  await openTab(page, 'worker');
  await page.fill('#worker-name', name);
  await page.fill('#worker-queue', queue);
  await page.selectOption('#worker-ack', 'manual');
  await page.fill('#worker-prefetch', String(prefetch));
  await page.fill('#worker-consume-args', args);
  await page.selectOption('#worker-work', 'fixed');
  await page.fill('#worker-ms', String(ms));
  await page.selectOption('#worker-on-done', onDone);
  await acted(page, () => page.click('#worker-submit'));
}

await run('a quorum queue\'s x-delivery-count in the queue and message inspectors', async ({ page }) => {
  // Chapter 13's quorum queue (x-delivery-limit 3), one poison message and
  // a worker that rejects it with requeue after a second.
  await chapterSolved(page, 13, 1);
  await selectNode(page, 'producer', 'new_task.py');
  await page.waitForSelector('#producer-inspector #publish-once');
  await acted(page, () => page.click('#publish-once'));
  await addWorker(page, { name: 'picky.py', queue: 'tasks', prefetch: 1, ms: 1000, onDone: 'reject-requeue' });
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
