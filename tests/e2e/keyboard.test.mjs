// Chapter 2 (work queues) completed with the keyboard alone (issue 18):
// every action is a key press (Tab, Shift+Tab, Enter, arrows, typing); the
// test only reads the page to know where focus is and what it shows.
// At every stop of focus the focused element must show a visible focus
// indicator, and at the end Tab and Shift+Tab must each go round the whole
// page and come back (no keyboard trap). Along the way it selects diagram
// nodes and a message, reads the inspector, and checks that the live
// region announced the steps and the diagram's text alternative lists the
// workers. Screenshots under target/e2e/keyboard-*.png.
import { run, check, screenshot } from './browser.mjs';
import { queueRow } from './workbench.mjs';

const url = process.argv[2] || 'http://127.0.0.1:8080/';

/** Focus stops that showed no focus indicator (must stay empty). */
const invisible = [];

/**
 * Where focus is, and whether it can be seen: an outline or a box-shadow
 * ring on the element, or, for a diagram node (an SVG group, which draws
 * no outline), its shape's thicker accent stroke.
 */
async function focusInfo(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { none: true };
    const s = getComputedStyle(el);
    let visible = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1)
      || (s.boxShadow && s.boxShadow !== 'none');
    if (!visible && el.matches('g.node')) {
      const shape = el.querySelector('.shape');
      visible = !!shape && parseFloat(getComputedStyle(shape).strokeWidth) >= 3;
    }
    const name = el.getAttribute('aria-label') || el.textContent.trim().slice(0, 40);
    return { none: false, id: el.id, tag: el.tagName.toLowerCase(), name, visible };
  });
}

/** Presses Tab (or Shift+Tab) until the focused element matches `selector`. */
async function tabTo(page, selector, { back = false, max = 250 } = {}) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focusInfo(page);
    if (!f.none && !f.visible) invisible.push(`${f.tag}#${f.id} "${f.name}"`);
  }
  throw new Error(`${selector} not reached with ${back ? 'Shift+Tab' : 'Tab'} in ${max} presses`);
}

/** Replaces the focused field's text by typing. */
async function typeInto(page, selector, text) {
  await tabTo(page, selector);
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(text);
}

/** Moves a focused <select> with the arrow keys until it shows `value`. */
async function chooseWithArrows(page, selector, value) {
  await tabTo(page, selector);
  for (const key of ['ArrowDown', 'ArrowUp']) {
    for (let i = 0; i < 8; i++) {
      if ((await page.inputValue(selector)) === value) return;
      await page.keyboard.press(key);
    }
  }
  check((await page.inputValue(selector)) === value, `${selector} reached ${value} with the arrows`);
}

async function pos(page) {
  return Number(await page.getAttribute('#step-counter', 'data-pos'));
}

/** Presses Enter on the focused control and waits for the timeline to move. */
async function enterAndStep(page) {
  const before = await pos(page);
  await page.keyboard.press('Enter');
  await page.waitForFunction((b) => Number(document.querySelector('#step-counter').dataset.pos) > b, before);
}

async function reachTask(page, n) {
  await page.waitForFunction((k) => Number(document.querySelector('#lesson')?.dataset.task) >= k, n, { timeout: 10000 });
}

/** Tabs to a diagram node by its kind and name and selects it with Enter. */
async function selectNode(page, kind, name) {
  await tabTo(page, `g.node.${kind}[data-name="${name}"]`);
  await page.keyboard.press('Enter');
  await page.waitForSelector(`g.node.${kind}.selected[data-name="${name}"]`);
}

/** Opens the worker form from the build panel's tab and fills it by
 * keyboard: `name` on hello, auto-ack, and no prefetch limit (the first
 * worker takes the whole backlog). */
async function fillWorkerForm(page, name) {
  await tabTo(page, '#tab-worker', { back: true });
  await page.keyboard.press('Enter');
  await page.waitForSelector('#worker-form');
  await typeInto(page, '#worker-name', name);
  await typeInto(page, '#worker-queue', 'hello');
  await chooseWithArrows(page, '#worker-ack', 'auto');
  await typeInto(page, '#worker-prefetch', '');
}

async function publish(page, body) {
  await typeInto(page, '#publish-body', body);
  await tabTo(page, '#publish-once');
  await enterAndStep(page);
}

await run('chapter 2 (work queues) with the keyboard alone', async ({ page }) => {
  await page.goto(`${url}?chapter=2&lang=en`);
  await page.waitForSelector('#lesson[data-chapter="02-work-queues"]');
  await page.waitForSelector('g.node.producer');

  // The first Tab reaches the skip link, which jumps to the diagram.
  await page.keyboard.press('Tab');
  check((await focusInfo(page)).name.includes('Skip'), 'the first stop is the skip link');
  await page.keyboard.press('Enter');
  await tabTo(page, 'g.node');
  await screenshot(page, 'keyboard-1-skip-to-diagram');

  // Task 1: five tasks from new_task.py's inspector, before any worker.
  await selectNode(page, 'producer', 'new_task.py');
  await page.waitForSelector('#producer-inspector #publish-body');
  for (const body of ['First message.', 'Second message..', 'Third message...', 'Fourth message....', 'Fifth message.....']) {
    await publish(page, body);
  }
  await reachTask(page, 1);
  check((await queueRow(page, 'hello'))[0] === 5, 'five tasks wait in hello');

  // Task 2: worker 1, auto-ack, one second per dot, from the build panel.
  await fillWorkerForm(page, 'worker 1');
  check((await page.inputValue('#worker-work')) === 'dot', 'one second per dot is the default');
  await tabTo(page, '#worker-submit');
  await enterAndStep(page);
  // One delivery per step: step until worker 1 holds three or more.
  await tabTo(page, '#ctl-step', { back: true });
  for (let i = 0; i < 10 && Number(await page.getAttribute('#lesson', 'data-task')) < 2; i++) {
    await enterAndStep(page);
  }
  await reachTask(page, 2);
  await screenshot(page, 'keyboard-2-worker-1-has-the-backlog');
  const said = await page.textContent('#announce-polite');
  check(/^Step \d+: .*delivered/.test(said), `the live region announced the step's events (${said})`);

  // Reading the inspector: the queue, then worker 1 and the message it works on.
  await selectNode(page, 'queue', 'hello');
  check((await page.textContent('#queue-inspector')).includes('hello'), 'the queue inspector opened');
  await selectNode(page, 'worker', 'worker 1');
  await page.waitForSelector('#worker-inspector #worker-current');
  await tabTo(page, '#worker-current button.linkish');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#message-inspector');
  check(await page.evaluate(() => !!document.activeElement.closest('#inspector')),
    'focus stays in the inspector when the link that had it is replaced');
  const message = await page.textContent('#message-inspector');
  check(message.includes('First message.'), `the message inspector shows the body (${message.slice(0, 80)})`);
  await screenshot(page, 'keyboard-3-message-inspector');

  // Task 3: worker 2 the same way, four more tasks, run until done.
  await fillWorkerForm(page, 'worker 2');
  await tabTo(page, '#worker-submit');
  await enterAndStep(page);
  await selectNode(page, 'producer', 'new_task.py');
  await typeInto(page, '#publish-body', 'Task..');
  await typeInto(page, '#publish-count', '4');
  await tabTo(page, '#publish-n');
  await enterAndStep(page);
  await tabTo(page, '#ctl-step', { back: true });
  for (let i = 0; i < 200; i++) {
    const before = await pos(page);
    await page.keyboard.press('Enter');
    await page.waitForTimeout(20);
    if ((await pos(page)) === before) break;
  }
  await reachTask(page, 3);
  check(await page.getAttribute('#lesson', 'data-finished') === 'true', 'the chapter is finished');
  await screenshot(page, 'keyboard-4-finished');

  // The diagram as a list, for a screen reader to walk.
  const list = await page.textContent('#diagram-text-list');
  check(list.includes('worker 1') && list.includes('worker 2'), 'the diagram\'s text lists both workers');
  check(list.includes('delivers to worker worker 2'), `the text says where hello delivers (${list.slice(0, 200)})`);

  // An error is announced assertively: hello again, but durable, is a 406.
  await tabTo(page, '#tab-queue', { back: true });
  await page.keyboard.press('Enter');
  await page.waitForSelector('#queue-form');
  await typeInto(page, '#queue-name', 'hello');
  await tabTo(page, '#queue-durable');
  await page.keyboard.press('Space');
  check(await page.isChecked('#queue-durable'), 'Space ticks the checkbox');
  await tabTo(page, '#queue-submit');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#announce-alert').textContent.includes('406'));

  // No trap: Tab, then Shift+Tab, each go round the page back to the step button.
  for (const back of [false, true]) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    await tabTo(page, '#ctl-step', { back, max: 400 });
  }
  check(invisible.length === 0, `every focus stop shows where focus is; not:\n  ${[...new Set(invisible)].join('\n  ')}`);
});
