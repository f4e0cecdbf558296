// Message bodies, names and headers are untrusted text: they are rendered as
// text, never as HTML. Nothing executes and everything shows literally.
import { run, check, screenshot } from './browser.mjs';
import { declareQueue, addProducer, publish, stepUntil, acted, addWorker } from './workbench.mjs';

const url = process.argv[2] || 'http://127.0.0.1:8080/';
const IMG = '<img src=x onerror="window.__xss=1">';
const SCRIPT = '<script>window.__xss=2</script>';
const NAME = 'q<b>bold</b>';

await run('untrusted text is shown literally and never runs', async ({ page }) => {
  await page.goto(url);
  await page.waitForSelector('#ctl-step');
  await declareQueue(page, NAME);
  await addWorker(page, { name: '<svg onload=window.__xss=3>', queue: NAME, onDone: 'forget' });
  await addProducer(page, { name: '<i>evil</i>.py', key: NAME, body: IMG });
  await page.click('#tab-producer');
  await page.click('#producer-inspector #producer-edit');
  await page.waitForFunction(() => document.querySelector('#producer-key').value !== '');
  await page.click('#producer-form details.args summary');
  await page.fill('#producer-headers', `note=${IMG}\nx-evil=${SCRIPT}`);
  await acted(page, () => page.click('#producer-submit'));
  await publish(page, IMG);
  await publish(page, SCRIPT);
  await stepUntil(page, () => document.querySelector('[id^="node-worker-"] .task')?.dataset.body);

  // Nothing executed, no element was made from the text.
  check(await page.evaluate(() => window.__xss === undefined), 'no injected handler or script ran');
  check(await page.evaluate(() => document.querySelectorAll('#app img, #app script, #app b, #app i:not(.keep)').length === 0),
    'no img, script, b or i element came from the text');

  // It all shows literally: the diagram, the log, the inspector.
  const log = await page.evaluate(() => document.querySelector('#log-list').textContent);
  check(log.includes(IMG) || log.includes('<img src=x onerror'), 'the log shows the img body as text');
  check(log.includes(NAME), 'the log shows the queue name literally');
  const diagram = await page.evaluate(() => document.querySelector('#diagram svg.topo-svg').textContent);
  check(diagram.includes('q<b>bold</b>'), 'the queue node shows its name literally');
  check(diagram.includes('<svg onload'), 'the worker node shows its name literally');

  await page.click('#list-queues button');
  await page.waitForSelector('#queue-inspector #queue-messages');
  await page.click('#queue-messages .msg-row button');
  await page.waitForSelector('#message-inspector');
  const body = await page.textContent('#message-body');
  check(body === SCRIPT, `the message body is shown exactly (got ${body})`);
  const headers = await page.textContent('#message-headers');
  check(headers.includes(IMG) && headers.includes(SCRIPT), 'the headers are shown literally');
  check(await page.evaluate(() => window.__xss === undefined), 'still nothing ran');
  await screenshot(page, 'xss-literal');
});
