// The workbench's Python terminals (www/terminals.js), through the UI: the
// lessons' pika scripts run in terminals against the workbench's own broker,
// paced by its Step control, their transcripts checked; Ctrl-C and Kill;
// stepping back refused while Python runs and allowed after; nothing of
// Python fetched before a terminal runs. Screenshots of a chapter with two
// terminals running, in English and Chinese, at laptop and phone size.
import { run, check, screenshot } from './browser.mjs';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const url = process.argv[2] || 'http://127.0.0.1:8080/';
// ONLY=words runs only the tests whose names contain them.
const test = (name, body, options) =>
  (!process.env.ONLY || name.includes(process.env.ONLY) ? run(name, body, options) : null);

const term = (page, i) => page.locator(`#py-list .py-term >> nth=${i}`);
const consoleText = (page, i) => term(page, i).locator('.py-console').textContent();

async function waitReady(page) {
  await page.waitForSelector('.wb[data-ready="true"]', { timeout: 30000 });
}

/** Runs terminal i (with `args` typed in, if given). */
async function runTerm(page, i, args) {
  if (args !== undefined) await term(page, i).locator('.py-args').fill(args);
  await term(page, i).locator('.py-run').click();
}

/** Waits until every process waits (no Python executing, no bytes unread). */
async function settled(page) {
  await page.waitForSelector('#py-drawer[data-busy="false"]', { timeout: 60000 });
}

/**
 * Steps the workbench (the Step button) until terminal i's console matches
 * `re`; Python answers between steps. Returns the console text.
 */
async function stepUntil(page, i, re, { maxSteps = 400, step = true } = {}) {
  if (!step) {
    // Only Python's own progress (a cold Pyodide start takes seconds).
    await page.waitForFunction(([i, source]) => {
      const t = document.querySelectorAll('#py-list .py-term')[i];
      return t && new RegExp(source).test(t.querySelector('.py-console').textContent);
    }, [i, re.source], { timeout: 120000 });
    return consoleText(page, i);
  }
  for (let n = 0; n < maxSteps; n++) {
    await settled(page);
    const text = await consoleText(page, i);
    if (re.test(text)) return text;
    await page.click('#ctl-step');
  }
  const text = await consoleText(page, i);
  throw new Error(`terminal ${i}: ${re} not seen after ${maxSteps} steps; console:\n${text}`);
}

async function exitCode(page, i) {
  await page.waitForFunction((i) => {
    const t = document.querySelectorAll('#py-list .py-term')[i];
    return t && t.dataset.state === 'exited';
  }, i, { timeout: 120000 });
  return term(page, i).getAttribute('data-exit');
}

/** Replaces a terminal's code through its editor, as a person would. */
async function setCode(page, i, code) {
  const content = term(page, i).locator('.cm-content');
  await content.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(code);
}

await test('terminals: no Python is fetched before a terminal runs; the editor comes with the drawer', async ({ page }) => {
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`${url}index.html?chapter=1`);
  await waitReady(page);
  await page.waitForTimeout(500);
  const python = (u) => /pyodide|\.whl$|warren_io|terminals\.js|editor\.bundle/.test(u);
  check(!requests.some(python), `the first load fetches nothing of Python: ${requests.filter(python).join(', ')}`);
  await page.click('#lesson-run-code');
  await page.waitForSelector('#py-list .py-term .cm-content');
  check(requests.some((u) => u.endsWith('/www/terminals.js')) && requests.some((u) => u.endsWith('editor.bundle.js')),
    'the terminals and their editor load on the click');
  check(!requests.some((u) => /pyodide/.test(u)), 'Pyodide still not fetched before Run');
  const names = await page.$$eval('#py-list .py-term', (ts) => ts.map((t) => t.dataset.name));
  check(JSON.stringify(names) === JSON.stringify(['comuser.py', 'producer.py', 'receive.py', 'send.py']),
    `chapter 1's scripts, consumers first: ${names}`);
  await runTerm(page, 1);
  check(await exitCode(page, 1) === '0', 'producer.py ran');
  check(requests.some((u) => /pyodide\.asm\.wasm$/.test(u)), 'Pyodide loads on the first Run');
});

await test('terminals: a chapter the lessons have no scripts for opens its own programs, which run (chapter 13)', async ({ page }) => {
  await page.goto(`${url}index.html?chapter=13`);
  await waitReady(page);
  await page.click('#lesson-run-code');
  await page.waitForSelector('#py-list .py-term .cm-content');
  const names = await page.$$eval('#py-list .py-term', (ts) => ts.map((t) => t.dataset.name));
  check(JSON.stringify(names) === JSON.stringify(['setup.py', 'inspector.py', 'picky.py', 'new_task.py']),
    `chapter 13's programs, topology and consumers first: ${names}`);
  await runTerm(page, 0);
  check(await exitCode(page, 0) === '0', 'setup.py declared the quorum queue and its dead-letter exchange');
  await runTerm(page, 1); // inspector.py, on dead
  await stepUntil(page, 1, /Waiting for messages/, { step: false });
  await runTerm(page, 2); // picky.py, on tasks
  await stepUntil(page, 2, /Waiting for messages/, { step: false });
  await runTerm(page, 3);
  check(await exitCode(page, 3) === '0', 'new_task.py published');
  await stepUntil(page, 2, /Received 'poison'/);
  const dead = await stepUntil(page, 1, /Received 'poison'/);
  check(/Received 'poison'/.test(dead), 'picky.py rejected it without requeue; inspector.py got it from dead');
});

await test('terminals: hello world (consumer first, then producer), step back refused while Python runs, Ctrl-C', async ({ page }) => {
  await page.goto(`${url}index.html?chapter=1`);
  await waitReady(page);
  await page.click('#lesson-run-code');
  await page.waitForSelector('#py-list .py-term .cm-content');
  await runTerm(page, 0); // comuser.py
  await settled(page);
  await page.waitForFunction(() => document.querySelector('#py-list .py-term').dataset.state === 'running', null, { timeout: 120000 });
  await runTerm(page, 1); // producer.py
  check(await exitCode(page, 1) === '0', 'the producer exits 0');
  check((await consoleText(page, 1)).includes('已经发送了消息\n'), 'the producer says it sent');
  const got = await stepUntil(page, 0, /消费者接收到了任务:b'hello'/);
  check(got.includes("消费者接收到了任务:b'hello'\n"), `the consumer got it: ${got}`);
  // The broker's side shows it: the event log has the delivery.
  const log = await page.textContent('#event-log, .event-log');
  check(/ja/.test(log || ''), 'the event log shows the queue ja');

  const before = await page.getAttribute('#step-counter', 'data-pos');
  await page.click('#ctl-back');
  await page.waitForSelector('#notice');
  const notice = await page.textContent('#notice');
  check(/Python processes cannot be rewound/.test(notice), `step back is refused: ${notice}`);
  check(await page.getAttribute('#step-counter', 'data-pos') === before, 'the cursor stayed');

  await term(page, 0).locator('.py-interrupt').click();
  check(await exitCode(page, 0) === '130', 'Ctrl-C: exit status 130');
  const out = await consoleText(page, 0);
  check(/Traceback \(most recent call last\):[\s\S]*\nKeyboardInterrupt\n/.test(out), `a KeyboardInterrupt traceback: ${out}`);

  // Every process stopped: the broker's side steps back (replayed).
  await page.waitForSelector('#py-drawer[data-live="0"]');
  const end = Number(await page.getAttribute('#step-counter', 'data-pos'));
  await page.click('#ctl-back');
  await page.waitForFunction((e) => Number(document.querySelector('#step-counter').dataset.pos) === e - 1, end);
  await page.click('#ctl-start');
  await page.waitForFunction(() => document.querySelector('#step-counter').dataset.pos === '0');
});

await test('terminals: Ctrl-C runs the script\'s own except KeyboardInterrupt', async ({ page }) => {
  await page.goto(`${url}index.html?chapter=2`);
  await waitReady(page);
  await page.click('#lesson-run-code');
  await page.waitForSelector('#py-list .py-term .cm-content');
  await runTerm(page, 0); // the lesson's worker.py
  await stepUntil(page, 0, /Waiting for messages/, { step: false });
  await settled(page);
  await term(page, 0).locator('.py-interrupt').click();
  check(await exitCode(page, 0) === '0', 'the handler exits 0');
  const out = await consoleText(page, 0);
  check(out.includes(' [*] Waiting for messages. To exit press CTRL+C\nInterrupted\n') && !out.includes('Traceback'),
    `the handler printed Interrupted: ${out}`);
});

await test('terminals: manual ack with the deliver_tag typo; fixed, the message comes back redelivered', async ({ page }) => {
  await page.goto(`${url}index.html?chapter=3`);
  await waitReady(page);
  await page.click('#lesson-run-code');
  await page.waitForSelector('#py-list .py-term .cm-content');
  await runTerm(page, 0); // customer.py, with the typo
  await stepUntil(page, 0, /waiting for message/, { step: false });
  await runTerm(page, 1); // producer.py
  check(await exitCode(page, 1) === '0', 'the producer exits 0');
  const out = await stepUntil(page, 0, /AttributeError/);
  check(await exitCode(page, 0) === '1', 'the consumer exits 1');
  check(out.includes("消费者接收到了任务:b'hello'\n")
    && /\nAttributeError: 'Deliver' object has no attribute 'deliver_tag'/.test(out), `the typo's traceback: ${out}`);
  // Fix the typo and run again: the unacked message was requeued.
  await setCode(page, 0, [
    'import pika',
    'def callback(ch, method, properties, body):',
    '    print("got %r redelivered=%s" % (body, method.redelivered))',
    '    ch.basic_ack(delivery_tag=method.delivery_tag)',
    "connection = pika.BlockingConnection(pika.ConnectionParameters('127.0.0.1'))",
    'channel = connection.channel()',
    "channel.queue_declare(queue='ja')",
    "channel.basic_consume('ja', on_message_callback=callback)",
    'channel.start_consuming()',
    '',
  ].join('\n'));
  await runTerm(page, 0);
  const again = await stepUntil(page, 0, /redelivered=True/);
  check(again.includes("got b'hello' redelivered=True\n"), `redelivered to the next consumer: ${again}`);
  await term(page, 0).locator('.py-kill').click();
  await exitCode(page, 0);
});

await test('terminals: work queues, two workers with prefetch 1, one killed mid-task', async ({ page }) => {
  // The plain workbench (chapter 5's own simulated workers would compete):
  // three terminals with RabbitMQ's tutorial scripts, typed in.
  await page.goto(`${url}index.html`);
  await waitReady(page);
  await page.click('#python-open');
  await page.waitForSelector('#py-list .py-term .cm-content');
  await page.click('#py-new');
  await page.click('#py-new');
  await page.waitForSelector('#py-list .py-term >> nth=2');
  await page.waitForFunction(() => document.querySelectorAll('#py-list .cm-content').length === 3);
  for (const [i, file] of [[0, 'worker.py'], [1, 'worker.py'], [2, 'new_task.py']]) {
    await term(page, i).locator('.py-name').fill(file);
    await setCode(page, i, readFileSync(join(repo, 'tests/tutorials', file), 'utf8'));
  }
  await runTerm(page, 0); // worker.py
  await stepUntil(page, 0, /Waiting for messages/, { step: false });
  await runTerm(page, 1); // worker.py
  await stepUntil(page, 1, /Waiting for messages/, { step: false });
  await runTerm(page, 2, 'First.....');
  check(await exitCode(page, 2) === '0', 'new_task.py exits 0');
  await runTerm(page, 2, 'Second.');
  await stepUntil(page, 2, /Sent Second\./, { step: false });
  const first = await stepUntil(page, 0, /Received First/);
  check(!first.includes('Done'), 'worker 1 is mid-task');
  const second = await stepUntil(page, 1, /Received Second\.\n \[x\] Done/);
  check(second.includes(' [x] Received Second.\n [x] Done\n'), `worker 2 did Second: ${second}`);
  await term(page, 0).locator('.py-kill').click();
  check(await exitCode(page, 0) === '137', 'worker 1 killed');
  check(!(await consoleText(page, 0)).includes('Done'), 'worker 1 never finished');
  const redelivered = await stepUntil(page, 1, /Received First\.\.\.\.\.\n \[x\] Done/);
  check(redelivered.endsWith(' [x] Received First.....\n [x] Done\n'), `worker 2 got the killed worker's task: ${redelivered}`);
  await term(page, 1).locator('.py-interrupt').click();
  await exitCode(page, 1);
});

const EXCHANGES = [
  [6, 'fanout', null, ' [x] info: Hello World!'],
  [7, 'direct', 'info Ignored.', ' [x] error:Run. Run. Or it will explode.'],
  [8, 'topic', 'quick.orange.rabbit Ignored.', ' [x] kern.critical:A critical kernel error'],
];
for (const [chapter, type, missed, line] of EXCHANGES) {
  await test(`terminals: ${type} (chapter ${chapter}), RabbitMQ's tutorial scripts with the chapter's arguments`, async ({ page }) => {
    await page.goto(`${url}index.html?chapter=${chapter}`);
    await waitReady(page);
    await page.click('#lesson-run-code');
    await page.waitForSelector('#py-list .py-term >> nth=3');
    await runTerm(page, 2); // receive_logs*.py
    await stepUntil(page, 2, /Waiting for logs/, { step: false });
    await settled(page);
    const args = await term(page, 3).locator('.py-args').inputValue();
    if (missed) {
      await runTerm(page, 3, missed); // a key nobody bound
      check(await exitCode(page, 3) === '0', 'the first emit exits 0');
    }
    await runTerm(page, 3, args);
    const quote = (text) => new RegExp(text.replace(/[.[\]*]/g, (c) => `\\${c}`));
    await stepUntil(page, 3, quote(`Sent ${line.slice(' [x] '.length)}`), { step: false });
    await page.waitForFunction(() => document.querySelectorAll('#py-list .py-term')[3].dataset.state === 'exited');
    await stepUntil(page, 2, quote(line));
    await term(page, 2).locator('.py-interrupt').click();
    check(await exitCode(page, 2) === '0', 'the receiver\'s handler exits 0');
    const name = await term(page, 2).getAttribute('data-name');
    const want = `$ python ${name} ${await term(page, 2).locator('.py-args').inputValue()}`.trim()
      + `\n [*] Waiting for logs. To exit press CTRL+C\n${line}\nInterrupted`;
    const got = (await consoleText(page, 2)).split('\n[')[0];
    check(got === want, `the receiver's transcript:\n${got}\nexpected:\n${want}`);
  });
}

await test('terminals: durability (chapter 4): a persistent message survives a broker restart and reaches the lesson\'s consumer', async ({ page }) => {
  await page.goto(`${url}index.html?chapter=4`);
  await waitReady(page);
  await page.click('#lesson-run-code');
  await page.waitForSelector('#py-list .py-term >> nth=1');
  // The chapter starts with §3.1's ja, not durable: the lesson's 406.
  await runTerm(page, 1); // producer.py: durable ja, delivery_mode=2
  check(await exitCode(page, 1) === '1', 'the redeclare fails');
  check((await consoleText(page, 1)).includes(
    `pika.exceptions.ChannelClosedByBroker: (406, "PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'ja' in vhost '/': received 'true' but current is 'false'")`),
  `the lesson's 406: ${await consoleText(page, 1)}`);
  // Delete ja in the workbench (the inspector), and run the producer again.
  // With the terminals open the diagram's box is short and ja may lie
  // outside it: focusing a node pans it into view, as Tab does.
  await page.focus('g[id^="node-queue"][data-name="ja"]');
  await page.click('g[id^="node-queue"][data-name="ja"]');
  await page.click('#queue-delete');
  await page.waitForSelector('g[id^="node-queue"][data-name="ja"]', { state: 'detached' });
  await runTerm(page, 1);
  await page.waitForFunction(() => /已经发送了消息/.test(document.querySelectorAll('#py-list .py-term')[1].textContent), null, { timeout: 60000 });
  check(await exitCode(page, 1) === '0', 'the producer exits 0');
  check((await consoleText(page, 1)).includes('已经发送了消息\n'), 'the producer says it sent');
  // Committed to the store (the broker panel says so), then a restart.
  for (let n = 0; n < 50 && !/on disk|已写入/.test(await page.textContent('#broker-unsaved')); n++) {
    await page.click('#ctl-step');
  }
  await page.click('#broker-restart');
  await runTerm(page, 0); // customize.py, with the lessons' deliver_tag typo
  const out = await stepUntil(page, 0, /AttributeError/);
  check(await exitCode(page, 0) === '1', 'the consumer exits 1 on the typo');
  check(out.includes("waiting for message\n消费者接收到了任务:b'hello'\n")
    && /\nAttributeError: 'Deliver' object has no attribute 'deliver_tag'\. Did you mean: 'delivery_tag'\?\n/.test(out),
  `the message survived the restart: ${out}`);
});

await test('terminals: a task\'s "Run it" loads its pika line, wrapped so it runs', async ({ page }) => {
  await page.goto(`${url}index.html?chapter=1`);
  await waitReady(page);
  const line = await page.textContent('#lesson-pika');
  await page.click('#lesson-pika-run');
  await page.waitForSelector('#py-list .py-term .cm-content');
  check(await term(page, 0).getAttribute('data-name') === 'task.py', 'a task.py terminal');
  const code = await term(page, 0).locator('.cm-content').textContent();
  check(code.includes(line.trim()) && code.includes('pika.BlockingConnection'), `the line with its connection: ${code}`);
  await runTerm(page, 0);
  check(await exitCode(page, 0) === '0', `the wrapped line runs: ${await consoleText(page, 0)}`);
  // The checkpoint reads the broker: the queue pika declared counts.
  await page.waitForFunction(() => document.querySelector('#lesson').dataset.task !== '0');
});

// Checkpoints that name a workbench actor pass when a terminal did the
// task: send.py's and receive.py's connections carry their names.
await test("terminals: chapter 1's actor-named checkpoints pass for send.py and receive.py", async ({ page }) => {
  await page.goto(`${url}index.html?chapter=1&lang=en`);
  await waitReady(page);
  const task = () => page.getAttribute('#lesson', 'data-task').then(Number);
  check(await task() === 0, 'chapter 1 starts at its first task');
  await page.click('#lesson-run-code');
  await page.waitForSelector('#py-list .py-term .cm-content');
  await runTerm(page, 3); // send.py: declares hello, publishes
  check(await exitCode(page, 3) === '0', 'send.py exits 0');
  await settled(page);
  // "The queue hello exists", then "send.py published a message".
  await page.waitForFunction(() => Number(document.querySelector('#lesson')?.dataset.task) >= 2, null, { timeout: 30000 });
  await runTerm(page, 2); // receive.py: auto-ack consumer
  await stepUntil(page, 2, /Received/);
  // "receive.py received the message" (a worker_finished for a workbench worker).
  await page.waitForFunction(() => Number(document.querySelector('#lesson')?.dataset.task) >= 3, null, { timeout: 30000 });
  check(await task() >= 3, 'the chapter moved past the task receive.py did');
});

for (const [lang, w, h, device] of [['en', 1280, 800, 'laptop'], ['zh', 1280, 800, 'laptop'], ['en', 390, 844, 'phone'], ['zh', 390, 844, 'phone']]) {
  await test(`terminals: screenshot, a chapter with two terminals running (${lang}, ${device})`, async ({ page }) => {
    await page.goto(`${url}index.html?chapter=1&lang=${lang}`);
    await waitReady(page);
    // On a phone the panels take turns, the diagram first: the lesson's.
    if (device === 'phone') await page.click('#pane-lesson');
    await page.click('#lesson-run-code');
    await page.waitForSelector('#py-list .py-term .cm-content');
    await runTerm(page, 0); // comuser.py, the lesson's consumer
    await stepUntil(page, 0, /python comuser/, { step: false });
    await runTerm(page, 2); // receive.py, the tutorial's
    await stepUntil(page, 2, /Waiting for messages/, { step: false });
    await runTerm(page, 1); // producer.py
    await exitCode(page, 1);
    await runTerm(page, 3); // send.py
    await exitCode(page, 3);
    await stepUntil(page, 0, /消费者接收到了任务/);
    await stepUntil(page, 2, /Received/);
    // The running ones side by side: close the two that exited.
    await term(page, 3).locator('.py-remove').click();
    await term(page, 1).locator('.py-remove').click();
    await settled(page);
    await screenshot(page, `terminals-${device}-${lang}`);
    // Stepping back is refused, in the page's language.
    await page.click('#ctl-back');
    const notice = await page.textContent('#notice');
    const refused = lang === 'zh' ? /Python 进程无法回退/ : /Python processes cannot be rewound/;
    check(refused.test(notice), `the refusal in ${lang}: ${notice}`);
  }, { width: w, height: h });
}
