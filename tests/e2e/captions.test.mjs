// Scenario captions (`"say"` on a script action): the embed player shows
// the caption of the script action played last, in its language (English,
// or Chinese with lang=zh); stepping back shows the caption current at that
// step; a caption is text, never HTML; the workbench shows it too.
// Screenshot under target/e2e/captions-fanout.png.
import { deflateRawSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { run, check, screenshot } from './browser.mjs';

const url = process.argv[2] || 'http://127.0.0.1:8080/';
const fanout = JSON.parse(readFileSync(new URL('../../www/scenarios/fanout.json', import.meta.url), 'utf8'));
const [first, second] = fanout.script.map((a) => a.say);

function fragmentOf(json) {
  return 'doc=' + deflateRawSync(Buffer.from(json)).toString('base64url');
}

const caption = (page) => page.$eval('.caption', (p) => p.textContent);

/** Steps until the caption reads `text` (each step may or may not play an action). */
async function stepUntil(page, button, text) {
  for (let i = 0; i < 40; i++) {
    if ((await caption(page)) === text) return;
    await page.click(button);
  }
  throw new Error(`the caption never read "${text}" (last: "${await caption(page)}")`);
}

await run('the fanout player narrates each step, and stepping back shows the caption of that step', async ({ page }) => {
  await page.goto(new URL('?embed&src=www/scenarios/fanout.json&autoplay=0', url).href);
  await page.waitForSelector('[data-ready="true"]');
  await page.waitForSelector('g.node.exchange');
  check(await page.$eval('.caption', (p) => p.getAttribute('aria-live')) === 'polite', 'the caption is a polite live region');
  check((await caption(page)) === '', 'nothing is narrated before the first action plays');
  await stepUntil(page, '#ctl-step', first.en);
  await stepUntil(page, '#ctl-step', second.en);
  await screenshot(page, 'captions-fanout');
  await stepUntil(page, '#ctl-back', first.en);
  await page.click('#ctl-start');
  await page.waitForFunction(() => document.querySelector('.caption').textContent === '');
});

await run('autoplay in English, and in Chinese with lang=zh', async ({ page }) => {
  await page.goto(new URL('?embed&src=www/scenarios/fanout.json', url).href);
  await page.waitForFunction((en) => document.querySelector('.caption')?.textContent === en, fanout.script[2].say.en, { timeout: 20000 });
  await page.goto('about:blank');
  await page.goto(new URL('?embed&src=www/scenarios/fanout.json&lang=zh', url).href);
  await page.waitForFunction((zh) => document.querySelector('.caption')?.textContent === zh, fanout.script[2].say.zh, { timeout: 20000 });
  check(await page.$eval('.caption', (p) => p.lang) === 'zh-CN', 'the Chinese caption says its language');
});

await run('a caption is text: markup in it shows literally, in the player and the workbench', async ({ page }) => {
  const hostile = '<b>bold</b><img src=x onerror="window.pwned=1">';
  const doc = JSON.stringify({
    warren: 1,
    queues: [{ name: 'q' }],
    actors: [{ kind: 'producer', name: 'p', routing_key: 'q' }],
    // Only English: a Chinese player falls back to it.
    script: [{ at_ms: 0, do: 'publish', actor: 'p', say: { en: hostile } }],
    view: { autoplay: false },
  });
  for (const page_url of [url + '?embed&lang=zh#' + fragmentOf(doc), url + '#' + fragmentOf(doc)]) {
    await page.goto('about:blank');
    await page.goto(page_url);
    await page.waitForSelector('[data-ready="true"]');
    await page.waitForSelector('g.node.queue[data-name="q"]');
    await page.click('#ctl-step');
    await page.waitForFunction((text) => document.querySelector('.caption')?.textContent === text, hostile);
    check(!(await page.$('.caption b, .caption img')), 'no element was made from the caption');
    check(await page.evaluate(() => window.pwned === undefined), 'no script ran');
    check(await page.$eval('.caption', (p) => p.lang) === 'en', 'the fallback caption says it is English');
  }
});
