// The durability lesson's trap: declaring an existing queue again with other
// properties fails with RabbitMQ's 406, closes the channel, and the UI
// explains it; a new name (task_queue) works. Also: exchanges, bindings by
// dragging, the exchange's "try a key" box explaining topic words, and an
// unroutable publish drawn as a consequence.
import { run, check, screenshot } from './browser.mjs';
import {
  declareQueue, declareExchange, acted, openTab, addProducer, publish,
} from './workbench.mjs';

const url = process.argv[2] || 'http://127.0.0.1:8080/';

await run('a redeclare with other properties is a 406, explained', async ({ page }) => {
  await page.goto(url);
  await page.waitForSelector('#ctl-step');
  await declareQueue(page, 'hello');
  await declareQueue(page, 'hello', { durable: true });
  await page.waitForSelector('#notice.error');
  const text = await page.textContent('#notice');
  check(text.includes('406') && text.includes('PRECONDITION_FAILED'), `the notice shows the 406 (got ${text})`);
  check(text.includes("inequivalent arg 'durable' for queue 'hello'"), 'with RabbitMQ\'s reply text');
  check(text.includes('task_queue'), 'and the lesson\'s way out');
  const log = await page.evaluate(() => document.querySelector('#log-list').textContent);
  check(log.includes('queue.declare') && log.includes('406'), 'the log has the failed method and the channel close');
  await screenshot(page, 'redeclare-406');
  // The lesson's fix: a new durable queue.
  await declareQueue(page, 'task_queue', { durable: true });
  await page.waitForSelector('#notice', { state: 'detached' }).catch(() => {});
  check(!(await page.$('#notice.error')), 'the error is gone after a good declare');
  await page.waitForSelector('#node-queue-task_queue');
});

await run('topic exchange: bind by dragging, try a key word by word', async ({ page }) => {
  await page.goto(url);
  await page.waitForSelector('#ctl-step');
  await declareExchange(page, 'topic_logs', 'topic');
  await declareQueue(page, 'Q1');
  // Drag from the exchange's + handle onto the queue: the binding form opens prefilled.
  await page.waitForSelector('#node-exchange-topic_logs .port');
  const port = await page.locator('#node-exchange-topic_logs .port circle').boundingBox();
  const q = await page.locator('#node-queue-Q1').boundingBox();
  await page.mouse.move(port.x + port.width / 2, port.y + port.height / 2);
  await page.mouse.down();
  await page.mouse.move(q.x + q.width / 2, q.y + q.height / 2, { steps: 6 });
  await page.mouse.up();
  await page.waitForFunction(() => document.querySelector('#binding-destination')?.value === 'Q1');
  check((await page.inputValue('#binding-source')) === 'topic_logs', 'the source is the exchange dragged from');
  await page.fill('#binding-key', '*.orange.*');
  await acted(page, () => page.click('#binding-submit'));
  // Try a key on the exchange.
  await page.click('#node-exchange-topic_logs');
  await page.fill('#try-key', 'quick.brown.fox');
  await page.waitForSelector('#try-results .miss');
  const why = await page.textContent('#try-results .miss');
  check(why.includes("word 2: 'brown' is not 'orange'"), `the miss is explained word by word (got ${why})`);
  await page.fill('#try-key', 'quick.orange.rabbit');
  await page.waitForSelector('#try-results .hit');
  await screenshot(page, 'topic-try-key');
  // An unroutable publish is drawn as a consequence and logged.
  await addProducer(page, { name: 'emit_log_topic.py', exchange: 'topic_logs', key: 'lazy.brown.fox', body: 'nobody hears this' });
  await publish(page, 'nobody hears this');
  const log = await page.evaluate(() => document.querySelector('#log-list').textContent);
  check(log.includes('No queue took'), 'the log says no queue took the message');
});
