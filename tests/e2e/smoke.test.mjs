// The served page mounts the workbench; the language is remembered; the
// keyboard shortcuts work; a lesson loads and plays.
import { run, check, screenshot } from './browser.mjs';
import { pos } from './workbench.mjs';

const url = process.argv[2] || 'http://127.0.0.1:8080/';

await run('smoke: mounts, remembers the language, plays a lesson', async ({ page }) => {
  await page.goto(url);
  await page.waitForSelector('#app h1');
  check((await page.textContent('#app h1')) === 'Warren', 'the heading names Warren');
  check((await page.textContent('#profile-badge')).includes('rabbitmq-3'), 'the profile in force is shown');
  check((await page.textContent('#store-badge')).length > 0, 'the store in use is shown');
  // Every button has an accessible name.
  const unnamed = await page.evaluate(() => [...document.querySelectorAll('button, select, input, textarea')]
    .filter((e) => !(e.getAttribute('aria-label') || e.textContent.trim() || e.labels?.length || e.title))
    .map((e) => e.outerHTML.slice(0, 80)));
  check(unnamed.length === 0, `every control has a name: ${unnamed.join(', ')}`);

  await page.click('#lang-zh');
  await page.waitForFunction(() => document.querySelector('#ctl-step').textContent.includes('单步'));
  await page.reload();
  await page.waitForSelector('#ctl-step');
  check((await page.textContent('#ctl-step')).includes('单步'), 'Chinese is remembered across a reload');
  await page.click('#lang-en');
  await page.waitForFunction(() => document.querySelector('#ctl-step').textContent.includes('Step'));

  await page.selectOption('#lesson-select', '4');
  await page.waitForSelector('#node-exchange-topic_logs');
  // Keyboard: a focused node moves with Alt+arrows, Enter selects it.
  const before = await page.getAttribute('#node-queue-Q1', 'transform');
  await page.focus('#node-queue-Q1');
  await page.keyboard.press('Alt+ArrowDown');
  await page.waitForFunction((b) => document.querySelector('#node-queue-Q1').getAttribute('transform') !== b, before);
  check(!(await page.isDisabled('#layout-reset')), 'the layout can be reset after a move');
  await page.focus('#node-queue-Q1');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#queue-inspector[data-name="Q1"]');
  await page.click('[id^="node-producer-"]');
  await page.click('#publish-once');
  const p0 = await pos(page);
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('p');
  await page.waitForFunction(() => document.querySelector('#ctl-play').getAttribute('aria-pressed') === 'true');
  await page.waitForFunction((p) => Number(document.querySelector('#step-counter').dataset.pos) >= p + 2, p0);
  await page.keyboard.press('P');
  await page.waitForFunction(() => document.querySelector('#ctl-play').getAttribute('aria-pressed') === 'false');
  const p1 = await pos(page);
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction((p) => Number(document.querySelector('#step-counter').dataset.pos) === p - 1, p1);
  await page.click('#ctl-start');
  await page.waitForFunction(() => document.querySelector('#step-counter').dataset.pos === '0');
  check(await page.$('#diagram .empty-state') !== null, 'back at the start the topology is empty again');
  await screenshot(page, 'smoke');
});
