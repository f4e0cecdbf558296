// The served page mounts the app and its control works.
import { run, check, screenshot } from './browser.mjs';

const url = process.argv[2] || 'http://127.0.0.1:8080/';

await run('smoke: the app mounts and the control changes the page', async ({ page }) => {
  await page.goto(url);
  await page.waitForSelector('h1');
  check((await page.textContent('h1')).includes('Warren'), 'the heading names Warren');
  const before = await page.textContent('#published');
  await page.click('#publish');
  await page.waitForFunction((b) => document.querySelector('#published').textContent !== b, before);
  const after = await page.textContent('#published');
  check(after === 'Published: 1', `the counter moved to 1 (got "${after}")`);
  await screenshot(page, 'smoke');
});
