// The work-queue lesson (../shared/lessons), built through the UI only, in
// English and in Chinese: a durable task_queue, two manual-ack workers with
// prefetch 1, a producer sending "First message." … "Fifth message....." as
// persistent messages; the backlog is worked; one worker is killed mid-task
// and its message reaches the other worker marked redelivered; the broker
// restarts and the persistent messages are still there; stepping back across
// the restart is refused (the durable state is in IndexedDB) and says so.
// Screenshots under target/e2e/.
import { run, check, screenshot } from './browser.mjs';
import {
  declareQueue, addWorker, addProducer, publish, stepKey, stepUntil, queueRow,
  workerTask, acted, pos,
} from './workbench.mjs';

const url = process.argv[2] || 'http://127.0.0.1:8080/';
const BODIES = ['First message.', 'Second message..', 'Third message...', 'Fourth message....', 'Fifth message.....'];

for (const lang of ['en', 'zh']) {
  await run(`work queues lesson (${lang})`, async ({ page }) => {
    await page.goto(url);
    await page.waitForSelector('#app h1');
    check((await page.textContent('#app h1')) === 'Warren', 'the heading is Warren');
    await page.waitForSelector('html[data-store-idle]');
    check((await page.textContent('#store-badge')).includes('IndexedDB'), 'the broker keeps its durable state in IndexedDB');
    await page.click(`#lang-${lang}`);
    await page.waitForFunction((l) => document.querySelector('.wb').dataset.lang === l, lang);
    if (lang === 'zh') {
      check((await page.textContent('#ctl-step')).includes('单步'), 'the step button speaks Chinese');
      check((await page.getAttribute('html', 'lang')) === 'zh-CN', 'the page says it is Chinese');
    }

    // Build the lesson's programs.
    await declareQueue(page, 'task_queue', { durable: true });
    await page.waitForSelector('#node-queue-task_queue');
    await addWorker(page, { name: 'worker 1', queue: 'task_queue' });
    await addWorker(page, { name: 'worker 2', queue: 'task_queue' });
    await page.waitForSelector('#node-worker-2');
    await addProducer(page, { name: 'new_task.py', key: 'task_queue', body: BODIES[0], persistent: true });
    for (const body of BODIES) await publish(page, body);
    check(JSON.stringify(await queueRow(page, 'task_queue')) === '[5,0,2]',
      `five ready messages and two consumers (got ${await queueRow(page, 'task_queue')})`);
    await screenshot(page, `workqueue-${lang}-1-built`);

    // Step until the backlog is being worked: both workers busy, prefetch 1 each.
    await stepUntil(page, () => ['1', '2'].every((i) => document.querySelector(`#node-worker-${i} .task`)?.dataset.body));
    check(JSON.stringify(await queueRow(page, 'task_queue')) === '[3,2,2]', 'three ready, two unacked (fair dispatch)');
    check((await workerTask(page, 1)).body === 'First message.', 'worker 1 works on the first message');
    check((await workerTask(page, 2)).body === 'Second message..', 'worker 2 works on the second message');
    await screenshot(page, `workqueue-${lang}-2-working`);

    // Worker 1 finishes its one-second task and takes the third; worker 2 is mid-task.
    await stepUntil(page, () => document.querySelector('#node-worker-1 .task')?.dataset.body === 'Third message...');
    check((await workerTask(page, 2)).body === 'Second message..', 'worker 2 is still on its two-second task');
    // Kill worker 2: its connection dies and its unacked message goes back.
    await page.click('#node-worker-2');
    await page.waitForSelector('#worker-inspector #worker-kill');
    await acted(page, () => page.click('#worker-kill'));
    await page.waitForSelector('#node-worker-2 .state.killed');
    const afterKill = await queueRow(page, 'task_queue');
    check(afterKill[0] === 3 && afterKill[1] === 1 && afterKill[2] === 1,
      `the message is back in the queue (ready 3, unacked 1, consumers 1; got ${afterKill})`);
    await screenshot(page, `workqueue-${lang}-3-killed`);

    // Step until worker 1 receives "Second message.." again, marked redelivered.
    await stepUntil(page, () => {
      const t = document.querySelector('#node-worker-1 .task');
      return t?.dataset.body === 'Second message..';
    });
    const t = await workerTask(page, 1);
    check(t.redelivered, 'worker 1 got the second message marked redelivered');
    await page.click('#node-worker-1');
    await page.waitForSelector('#worker-current[data-redelivered="true"]');
    const sentence = lang === 'en' ? 'redelivered' : '重新投递';
    const log = await page.evaluate(() => [...document.querySelectorAll('#log-list .log-row .text')].map((e) => e.textContent).join('\n'));
    check(log.includes(sentence), `the log says it was redelivered (${sentence})`);
    await screenshot(page, `workqueue-${lang}-4-redelivered`);

    // A graceful restart: the durable queue keeps its persistent messages.
    const [ready, unacked] = await queueRow(page, 'task_queue');
    check(ready + unacked > 0, 'messages are left before the restart');
    const beforeRestart = await pos(page);
    await acted(page, () => page.click('#broker-restart'));
    const after = await queueRow(page, 'task_queue');
    check(after !== null, 'the durable queue survived the restart');
    check(after[0] === ready + unacked && after[1] === 0 && after[2] === 0,
      `every persistent message is still there, ready (expected ${ready + unacked}; got ${after})`);
    await page.waitForSelector('#node-worker-1 .state.disconnected');
    await screenshot(page, `workqueue-${lang}-5-restarted`);

    // Step back across the restart: the durable state lives in IndexedDB,
    // which already holds what came after, so the workbench says it cannot
    // show the earlier state truthfully instead of showing a false one.
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await page.keyboard.press('ArrowLeft');
    await page.waitForSelector('#notice.warn');
    check((await pos(page)) === beforeRestart + 1, 'the cursor did not move');
    check(JSON.stringify(await queueRow(page, 'task_queue')) === JSON.stringify(after), 'the state shown is still the real one');
    await screenshot(page, `workqueue-${lang}-6-rewind-refused`);
    // Reconnecting the worker: the persistent messages come back redelivered.
    await page.click('#node-worker-1');
    await acted(page, () => page.click('#worker-reconnect'));
    await stepUntil(page, () => document.querySelector('#node-worker-1 .task')?.dataset.body);
    check((await workerTask(page, 1)).redelivered, 'after the restart the messages come back redelivered');
  });
}
