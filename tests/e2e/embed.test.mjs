// Embedding and sharing: the docs demo's embedded players load in iframes
// with no console errors; a share link reopens the same setup in a fresh
// browser profile; malformed, truncated and hostile links show an error
// (never a blank page, never running a script); a definitions.json with
// several vhosts asks which one; the last setup reopens on reload.
// Screenshots under target/e2e/embed-*.png.
import { deflateRawSync } from 'node:zlib';
import { run, check, screenshot, openBrowser } from './browser.mjs';
import { declareQueue, addWorker, addProducer, openDocsDemo } from './workbench.mjs';

const url = process.argv[2] || 'http://127.0.0.1:8080/';

/** A share fragment for a document, made the way Warren makes them. */
function fragmentOf(json) {
  return 'doc=' + deflateRawSync(Buffer.from(json)).toString('base64url');
}

async function names(page, kind) {
  return page.$$eval(`g.node.${kind}`, (gs) => gs.map((g) => g.dataset.name).sort());
}

await run('the docs demo embeds two players and an API block, with no console errors', async ({ page }) => {
  await openDocsDemo(page, url);
  const fanout = await (await page.$('#fanout-frame')).contentFrame();
  check((await fanout.textContent('#embed-title')).includes('fanout'), 'the fanout player shows its title');
  check(!(await fanout.$('#chapter-select')), 'the player is compact (no workbench header)');
  // Autoplay: both subscribers receive the messages the script publishes.
  await fanout.waitForFunction(() => [...document.querySelectorAll('g.node.worker')]
    .every((g) => /[1-9]\d* (done|已完成)/.test(g.textContent)), null, { timeout: 20000 });
  const topic = await (await page.$('#topic-frame')).contentFrame();
  check(await topic.$('g.node.queue[data-name="Q1"]'), 'the puzzle shows Q1');
  // Stepping the puzzle: the first step publishes quick.orange.rabbit to both queues.
  await topic.click('#ctl-step');
  await topic.waitForFunction(() => document.querySelectorAll('#list-queues tr[data-queue]').length === 2);
  await page.$eval('#topic-frame', (f) => f.scrollIntoView());
  await screenshot(page, 'embed-docs-demo');
  // The API block still works alongside.
  await page.$eval('#api-example', (s) => s.scrollIntoView());
  await page.click('#api-publish');
  await page.waitForFunction(() => document.querySelectorAll('#api-log li').length >= 2);
});

await run('<warren-player> elements: one module, a broker each, styles isolated, keys scoped', async ({ page, errors }) => {
  await page.goto(new URL('www/docs-demo.html', url).href);
  await page.waitForSelector('body[data-ready="true"]');
  // Playwright's CSS selectors reach into open shadow roots.
  await page.$eval('#element-example', (s) => s.scrollIntoView());
  await page.waitForSelector('#fanout-player [data-ready="true"]');
  await page.waitForSelector('#work-player g.node.queue[data-name="task_queue"]');
  await page.waitForSelector('#fanout-player g.node.exchange');
  const inShadow = await page.$eval('#work-player', (el) => !!el.shadowRoot.querySelector('.wb.embed'));
  check(inShadow, 'the player lives in the element\'s shadow root');
  check(!(await page.$eval('#fanout-player', (el) => el.shadowRoot.querySelector('g.node.queue[data-name="task_queue"]'))),
    'each player has its own broker (no task_queue in the fanout player)');
  // lang="zh": the fanout player speaks Chinese, the page stays English.
  check(await page.$eval('#fanout-player', (el) => el.shadowRoot.querySelector('.wb').lang) === 'zh-CN',
    'the zh player says its language');
  check(await page.evaluate(() => document.documentElement.lang) === 'en', 'the page keeps its language');
  check(await page.title() === 'Warren in a docs page', `the page keeps its title (${await page.title()})`);
  check(await page.evaluate(() => localStorage.getItem('warren.lang')) === null,
    'a player does not change the workbench\'s remembered language');
  // autoplay speed="2": both subscribers receive what the script publishes.
  await page.waitForFunction(() => {
    const gs = [...document.querySelector('#fanout-player').shadowRoot.querySelectorAll('g.node.worker')];
    return gs.length === 2 && gs.every((g) => /[1-9]\d* (done|已完成)/.test(g.textContent));
  }, null, { timeout: 20000 });
  // Its script narrates in Chinese (scenarios/fanout.json's `say.zh`).
  await page.waitForFunction(() => /^第三条消息/.test(document.querySelector('#fanout-player').shadowRoot
    .querySelector('.caption')?.textContent), null, { timeout: 20000 });
  // Styles: the page's button style stops at the shadow root, and the
  // workbench's stylesheet doesn't reach the page.
  const stepBg = await page.$eval('#work-player', (el) => getComputedStyle(el.shadowRoot.querySelector('#ctl-step')).backgroundColor);
  const pageBg = await page.$eval('#api-publish', (b) => getComputedStyle(b).backgroundColor);
  check(stepBg !== pageBg, `the page's button colour does not reach the player (${stepBg} vs ${pageBg})`);
  const leaked = await page.evaluate(() => {
    const probe = document.createElement('div');
    probe.className = 'wb embed';
    document.body.appendChild(probe);
    const display = getComputedStyle(probe).display;
    probe.remove();
    return display;
  });
  check(leaked === 'block', `the workbench's styles stay in the shadow root (.wb is ${leaked} on the page)`);
  // Keys act on the player that has the focus, and only on it.
  const pos = (id) => page.$eval(id, (el) => Number(el.shadowRoot.querySelector('.wb').dataset.pos));
  await page.click('#work-player #ctl-step');
  await page.waitForFunction(() => document.querySelector('#work-player').shadowRoot
    .querySelector('#list-queues tr[data-queue]'));
  const stepped = await pos('#work-player');
  check(stepped > 0, 'the work-queue player stepped');
  await page.focus('#work-player #ctl-step');
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction((before) => Number(document.querySelector('#work-player').shadowRoot
    .querySelector('.wb').dataset.pos) < before, stepped).catch(async () => {
    throw new Error(`ArrowLeft in the player did not step back (at ${await pos('#work-player')}, was ${stepped})`);
  });
  const workNow = await pos('#work-player');
  await page.focus('#api-publish');
  await page.keyboard.press('ArrowLeft');
  await page.waitForTimeout(200);
  check(await pos('#work-player') === workNow, 'a key pressed elsewhere in the page does not reach the player');
  // The compact layout follows the element's size (container queries), not
  // the page's: an 800×450 player shows its pane switch in a wide page.
  const size = await page.$eval('#work-player', (el) => [el.clientWidth, el.clientHeight]);
  check(size[1] <= 520, `the player is a small box (${size})`);
  check(await page.$eval('#work-player', (el) => getComputedStyle(el.shadowRoot.querySelector('.pane-switch')).display !== 'none'),
    `the ${size.join('×')} player shows its pane switch`);
  await page.$eval('#fanout-player', (el) => el.scrollIntoView());
  await screenshot(page, 'embed-warren-player');
  // Removed and put back: the element unmounts and mounts again.
  await page.evaluate(() => {
    const el = document.querySelector('#work-player');
    const parent = el.parentNode;
    el.remove();
    parent.appendChild(el);
  });
  await page.waitForSelector('#work-player g.node.worker[data-name="worker 2"]');
  // A player whose src is missing says so inside the player; the page is fine.
  await page.evaluate(() => {
    const el = document.createElement('warren-player');
    el.id = 'missing-player';
    el.setAttribute('src', 'scenarios/no-such-file.json');
    document.querySelector('.players').appendChild(el);
  });
  await page.waitForSelector('#missing-player #notice.error');
  check((await page.textContent('#missing-player #notice')).includes('404'), 'the missing file is named with its HTTP status');
  // That fetch's 404 is the one console error this test expects.
  const notFound = errors.filter((e) => /404/.test(e));
  check(notFound.length === 1, `one 404 logged, got ${notFound.length}`);
  errors.splice(0, errors.length, ...errors.filter((e) => !/404/.test(e)));
});

let shared = null;
await run('a share link reopens the same setup in a fresh browser profile', async ({ page }) => {
  await page.goto(url);
  await page.waitForSelector('[data-ready="true"]');
  await declareQueue(page, 'tasks', { durable: true });
  await addWorker(page, { name: 'worker A', queue: 'tasks' });
  await addProducer(page, { name: 'sender', key: 'tasks', body: '<b>bold?</b> …' });
  await page.click('#share-open');
  await page.waitForSelector('#share-link');
  shared = await page.inputValue('#share-link');
  check(shared.includes('#doc='), `the link carries the setup (${shared.slice(0, 60)}…)`);
  check((await page.inputValue('#export-json')).includes('"worker A"'), 'the JSON export names the worker');
  check((await page.inputValue('#export-definitions')).includes('"tasks"'), 'definitions.json has the queue');
  await screenshot(page, 'embed-share-dialog');

  const other = await openBrowser();
  try {
    await other.page.goto(shared);
    await other.page.waitForSelector('g.node.worker[data-name="worker A"]');
    check(JSON.stringify(await names(other.page, 'queue')) === '["tasks"]', 'the queue came back');
    check(JSON.stringify(await names(other.page, 'producer')) === '["sender"]', 'the producer came back');
    await other.page.click('g.node.producer[data-name="sender"]');
    await other.page.waitForSelector('#publish-body');
    check((await other.page.inputValue('#publish-body')) === '<b>bold?</b> …', 'the body is kept literally');
    await screenshot(other.page, 'embed-shared-reopened');
    check(other.errors.length === 0, `no errors in the second profile: ${other.errors}`);
  } finally {
    await other.close();
  }
});

await run('malformed, truncated and hostile links show an error, never a blank page or a script', async ({ page }) => {
  const nested = '{"warren":1,"title":' + '['.repeat(5000) + ']'.repeat(5000) + '}';
  const bad = {
    'not base64': '#doc=!!!***',
    'truncated': shared ? '#' + shared.split('#')[1].slice(0, 40) : '#doc=eJzLSM3JyQcABiwCFQ',
    'huge': '#doc=' + 'A'.repeat(200000),
    'deeply nested': '#' + fragmentOf(nested),
    'not a document': '#' + fragmentOf('[1,2,3]'),
    'wrong version': '#' + fragmentOf('{"warren":99}'),
    'zip bomb': '#' + fragmentOf(' '.repeat(3 << 20)),
  };
  for (const [what, hash] of Object.entries(bad)) {
    await page.goto('about:blank');
    await page.goto(url + hash);
    await page.waitForSelector('#app h1');
    await page.waitForSelector('#notice.error', { timeout: 5000 }).catch(() => {
      throw new Error(`${what}: no error notice`);
    });
    const text = await page.textContent('#notice');
    check(text.length > 10, `${what}: the notice says why (${text})`);
    check(await page.$('#ctl-step'), `${what}: the workbench still works`);
  }
  await screenshot(page, 'embed-bad-link');
  // Script in names: a valid document whose names are markup. It opens,
  // and the names are text.
  const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
  const doc = JSON.stringify({ warren: 1, title: evil, queues: [{ name: evil }],
    actors: [{ kind: 'producer', name: evil, routing_key: evil, body: evil }] });
  await page.goto('about:blank');
  await page.goto(url + '#' + fragmentOf(doc));
  await page.waitForSelector('g.node.queue');
  check(await page.evaluate(() => window.__pwned === undefined), 'nothing ran');
  check((await page.$$eval('g.node.queue', (gs) => gs[0].dataset.name)) === evil, 'the name is kept literally');
  check(!(await page.$('img[src="x"]')), 'no element was made from the name');
});

await run('a definitions.json with two vhosts asks which one, then opens it', async ({ page }) => {
  await page.goto(url);
  await page.waitForSelector('[data-ready="true"]');
  const defs = {
    rabbit_version: '3.12.0',
    vhosts: [{ name: '/' }, { name: 'shop' }],
    exchanges: [{ name: 'orders', vhost: 'shop', type: 'topic', durable: true, auto_delete: false, internal: false, arguments: {} }],
    queues: [
      { name: 'billing', vhost: 'shop', durable: true, auto_delete: false, arguments: { 'x-max-length': 100 } },
      { name: 'other', vhost: '/', durable: true, auto_delete: false, arguments: {} },
    ],
    bindings: [{ source: 'orders', vhost: 'shop', destination: 'billing', destination_type: 'queue', routing_key: 'order.#', arguments: {} }],
  };
  await page.click('#share-open');
  await page.fill('#import-text', JSON.stringify(defs));
  await page.click('#import-open');
  await page.waitForSelector('#import-vhost');
  await page.selectOption('#import-vhost', 'shop');
  await page.click('#import-open');
  await page.waitForSelector('#scenario-dialog', { state: 'detached' });
  await page.waitForSelector('g.node.queue[data-name="billing"]');
  check(!(await page.$('g.node.queue[data-name="other"]')), 'only the chosen vhost');
  check(await page.$('g.node.exchange[data-name="orders"]'), 'the exchange came');
  // A broken file: the dialog says why and the broker stays.
  await page.click('#share-open');
  await page.fill('#import-text', '{"warren": 1, "queues": [{"name": "q", "durabel": true}]}');
  await page.click('#import-open');
  await page.waitForSelector('#import-error');
  check((await page.textContent('#import-error')).includes('queues[0].durabel'), 'the error names the path');
  await page.click('#dialog-close');
  check(await page.$('g.node.queue[data-name="billing"]'), 'the broker on screen stayed');
});

await run('the last setup reopens on reload', async ({ page }) => {
  await page.goto(url);
  await page.waitForSelector('[data-ready="true"]');
  await page.waitForSelector('html[data-store-idle="true"]');
  await declareQueue(page, 'transient-q');
  await addWorker(page, { name: 'keeper', queue: 'transient-q' });
  await page.waitForTimeout(200);
  await page.reload();
  await page.waitForSelector('g.node.worker[data-name="keeper"]');
  check(await page.$('g.node.queue[data-name="transient-q"]'), 'the transient queue is declared again');
});
