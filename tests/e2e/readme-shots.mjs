// Regenerates the README's screenshots (www/screenshots/), driving the UI
// the way the tests do. Not a test: run it by hand after a UI change.
//
//   node tests/e2e/readme-shots.mjs http://127.0.0.1:8080/
import { openBrowser } from './browser.mjs';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  declareQueue, addWorker, addProducer, publish, stepUntil, acted, openTab,
} from './workbench.mjs';

const url = process.argv[2] || 'http://127.0.0.1:8080/';
const out = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'www', 'screenshots');
mkdirSync(out, { recursive: true });
const BODIES = ['First message.', 'Second message..', 'Third message...', 'Fourth message....', 'Fifth message.....'];

async function workQueue(lang, file, inspect, phoneFile) {
  const b = await openBrowser();
  const { page } = b;
  await page.goto(url);
  await page.waitForSelector('#ctl-step');
  await page.click(`#lang-${lang}`);
  await declareQueue(page, 'task_queue', { durable: true });
  await addWorker(page, { name: 'worker 1', queue: 'task_queue' });
  await addWorker(page, { name: 'worker 2', queue: 'task_queue' });
  await addProducer(page, { name: 'new_task.py', key: 'task_queue', body: BODIES[0], persistent: true });
  for (const body of BODIES) await publish(page, body);
  await stepUntil(page, () => document.querySelector('#node-worker-1 .task')?.dataset.body === 'Third message...');
  await page.click('#node-worker-2');
  await acted(page, () => page.click('#worker-kill'));
  await stepUntil(page, () => document.querySelector('#node-worker-1 .task')?.dataset.body === 'Second message..');
  await page.click(inspect);
  await openTab(page, 'worker');
  await page.waitForTimeout(1000); // let the step's tokens finish moving
  await page.screenshot({ path: join(out, file) });
  if (phoneFile) {
    // The same moment on a phone (390×844): the diagram pane, running
    // down, zoomed to fit.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.click('#pane-diagram');
    await page.waitForFunction(() => document.querySelector('.topo-svg').getBoundingClientRect().width < 400);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(out, phoneFile) });
  }
  await b.close();
}

await workQueue('en', 'workbench-en.png', '#node-queue-task_queue', 'workbench-phone-en.png');
await workQueue('zh', 'workbench-zh.png', '#node-worker-1');

{
  const b = await openBrowser();
  const { page } = b;
  await page.goto(url);
  await page.waitForSelector('#ctl-step');
  await page.selectOption('#lesson-select', '4');
  await page.waitForSelector('#node-exchange-topic_logs');
  await page.click('#node-exchange-topic_logs');
  await page.fill('#try-key', 'lazy.orange.fox');
  await page.waitForSelector('#try-results .miss');
  await openTab(page, 'binding');
  await page.evaluate(() => document.querySelector('#try-results').scrollIntoView({ block: 'end' }));
  await page.screenshot({ path: join(out, 'topic-try-key.png') });
  await b.close();
}
{
  const b = await openBrowser();
  const { page } = b;
  await page.goto(url);
  await page.waitForSelector('#ctl-step');
  await declareQueue(page, 'hello');
  await addProducer(page, { name: 'send.py', key: 'hello', body: 'Hello World!' });
  await addWorker(page, { name: 'receive.py', queue: 'hello', manual: false, prefetch: 0 });
  await declareQueue(page, 'hello', { durable: true });
  await page.waitForSelector('#notice.error');
  await page.screenshot({ path: join(out, 'redeclare-406.png') });
  await b.close();
}
console.log(`screenshots in ${out}`);
