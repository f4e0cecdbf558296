// Shared helpers for the end-to-end tests: launch Debian's Chromium through
// playwright-core (which downloads no browser), collect console errors, and
// save screenshots under target/e2e/.
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const shotDir = join(repo, 'target', 'e2e');

/** The screens the workbench is designed for (issue 16): a phone, a tablet, a laptop, a desktop. */
export const SCREENS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'tablet', width: 768, height: 1024 },
  { name: 'laptop', width: 1280, height: 720 },
  { name: 'desktop', width: 1920, height: 1080 },
];

const FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync',
];

/** Opens a fresh browser profile; returns { context, page, errors, close }. */
export async function openBrowser({ width = 1280, height = 860, locale = 'en-US', hasTouch = false } = {}) {
  // The profile, and Chromium's own temporary files (its "scoped_dir"s, kept
  // there through TMPDIR), live in one folder removed on close: left behind,
  // one full test run filled gigabytes of /tmp.
  const profile = mkdtempSync(join(tmpdir(), 'warren-e2e-'));
  const scratch = join(profile, 'tmp');
  mkdirSync(scratch);
  const context = await chromium.launchPersistentContext(join(profile, 'profile'), {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: FLAGS,
    env: { ...process.env, TMPDIR: scratch },
    viewport: { width, height },
    locale,
    hasTouch,
  });
  const page = context.pages()[0] || await context.newPage();
  const errors = [];
  watch(page, errors);
  const close = async () => {
    try { await context.close(); } finally { rmSync(profile, { recursive: true, force: true }); }
  };
  return { context, page, errors, close };
}

/** Records console errors and uncaught exceptions of a page into `errors`. */
export function watch(page, errors) {
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
}

export async function screenshot(page, name) {
  mkdirSync(shotDir, { recursive: true });
  const path = join(shotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** Throws with a message when `cond` is false. */
export function check(cond, message) {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}

/** Runs one test body with a browser, printing ok/FAILED and setting the exit code. */
export async function run(name, body, options, attempt = 1) {
  const b = await openBrowser(options);
  let crashed = false;
  try {
    await body(b);
    check(b.errors.length === 0, `no console errors, got:\n  ${b.errors.join('\n  ')}`);
    console.log(`ok   ${name}${attempt > 1 ? ' (second attempt)' : ''}`);
  } catch (e) {
    // Chromium's renderer has crashed ("Target crashed") a few times on this
    // 2-core machine under load while Pyodide ran (2 in about 10 runs of the
    // Python tests; never reproduced alone). A crashed renderer tells nothing
    // about Warren's behaviour, so the test runs once more in a fresh browser,
    // and says so; every assertion must still pass. Anything else fails at once.
    crashed = /Target crashed/.test(String(e && e.message));
    if (crashed && attempt === 1) {
      console.error(`RETRY ${name}: the browser's renderer crashed (${e.message.split('\n')[0]})`);
    } else {
      console.error(`FAILED ${name}: ${e.stack || e}`);
      try { await screenshot(b.page, `FAILED-${name.replace(/\W+/g, '_')}`); } catch { /* ignore */ }
      process.exitCode = 1;
      crashed = false;
    }
  } finally {
    await b.close();
  }
  if (crashed) await run(name, body, options, attempt + 1);
}
