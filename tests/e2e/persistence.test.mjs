// Durability across page loads: the broker's committed durable state is kept
// in IndexedDB; after a reload the broker boots from it (and the last setup
// is declared again on top). A crash loses what
// was not committed yet (the lessons' "short window"), and a rewind across
// the crash is refused because the store already holds what came after.
import { run, check, screenshot } from './browser.mjs';
import { declareQueue, addProducer, publish, acted, queueRow, pos } from './workbench.mjs';

const url = process.argv[2] || 'http://127.0.0.1:8080/';

async function storeIdle(page) {
  await page.waitForSelector('html[data-store-idle="true"]');
}

await run('persistent messages survive a reload; a crash loses the uncommitted', async ({ page }) => {
  await page.goto(url);
  await page.waitForSelector('html[data-store-idle]');
  check((await page.textContent('#store-badge')).includes('IndexedDB'), 'IndexedDB is in use');
  await declareQueue(page, 'task_queue', { durable: true });
  await declareQueue(page, 'scratch');
  await addProducer(page, { name: 'new_task.py', key: 'task_queue', body: 'Task .', persistent: true });
  for (const body of ['One.', 'Two..', 'Three...']) await publish(page, body);
  // The batch commits 200 virtual ms after the first durable change.
  await acted(page, () => page.click('#ctl-advance'));
  check((await page.textContent('#broker-unsaved')).includes('on disk'), 'everything durable is on disk');
  await storeIdle(page);

  await page.reload();
  await page.waitForSelector('#notice.info');
  check((await page.textContent('#notice')).includes('IndexedDB'), 'the notice says the broker resumed from IndexedDB');
  check(JSON.stringify(await queueRow(page, 'task_queue')) === '[3,0,0]', `three persistent messages came back (${await queueRow(page, 'task_queue')})`);
  // The setup itself (queues, producers, workers) is declared again from
  // what the page kept; only durable state comes back with its messages.
  check(JSON.stringify(await queueRow(page, 'scratch')) === '[0,0,0]', `the transient queue is declared again, empty (${await queueRow(page, 'scratch')})`);
  await screenshot(page, 'persistence-1-resumed');

  // Two more, then a crash before their batch commits: they are lost.
  await addProducer(page, { name: 'late.py', key: 'task_queue', body: 'Late.', persistent: true });
  await publish(page, 'Four.');
  await publish(page, 'Five.');
  check((await page.textContent('#broker-unsaved')).includes('not on disk'), 'the broker says what a crash would lose');
  const beforeCrash = await pos(page);
  await acted(page, () => page.click('#broker-crash'));
  check(JSON.stringify(await queueRow(page, 'task_queue')) === '[3,0,0]', 'the uncommitted messages were lost in the crash');
  await screenshot(page, 'persistence-2-crashed');
  // Rewinding across the crash is refused, and says why.
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.keyboard.press('ArrowLeft');
  await page.waitForSelector('#notice.warn');
  check((await pos(page)) === beforeCrash + 1, 'the cursor stayed after the crash');
  // Reset clears the store: a reload then starts empty.
  await page.click('#broker-reset');
  await page.waitForFunction(() => document.querySelector('#step-counter').dataset.pos === '0');
  await storeIdle(page);
  await page.reload();
  await page.waitForSelector('html[data-store-idle="true"]');
  check(await page.$('#diagram .empty-state') !== null, 'after a reset and a reload the broker is empty');
});
