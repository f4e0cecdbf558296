// The workbench and the embed player on every screen (issue 16): a phone
// (390×844), a tablet (768×1024), a laptop (1280×720), a desktop
// (1920×1080), and the embed player at 640×360 and 800×450. At each:
//   - the page never scrolls sideways (scrollWidth <= innerWidth);
//   - every main panel (lesson, build, diagram, inspector, broker, event
//     log, list_queues, pika code) can be reached, and is on screen after
//     using the control that shows it (on narrow screens the pane switch
//     under the playback bar; on wide ones they are all there at once);
//   - the diagram's drawing area has a fair share of the screen (see
//     DIAGRAM_SHARE), it opens zoomed to fit (every node in view), and its
//     node names are drawn at 12 px or more: on the phone as it opens (the
//     diagram runs down there, its layers in rows), elsewhere if need be
//     after pressing its zoom-in button once or twice;
//   - text outside the diagram is at least 12 px, and on touch-sized
//     screens every control is at least 24×24 px (WCAG 2.2's 2.5.8), the
//     pane switch's buttons at least 44 px tall;
//   - on the phone, the pane switch works from the keyboard and the Python
//     terminals' drawer opens within the screen with the workbench above it.
// Screenshots under target/e2e/responsive-*.png.
import { run, check, screenshot, SCREENS as SIZES } from './browser.mjs';

const url = process.argv[2] || 'http://127.0.0.1:8080/';

/**
 * The least share of the viewport's area the diagram's drawing area must
 * cover. Where panes switch (narrow screens, the embed player) the diagram
 * is the pane shown first and only the header, the playback bar and the
 * pane switch stay above it: it should have at least half of the screen.
 * Where the lesson or build forms, the inspector and the event log are on
 * screen beside it (1000 px wide and more), they need about half of the
 * width and a log of a few lines; a third of the screen for the diagram
 * keeps it the largest panel without squeezing them.
 */
const DIAGRAM_SHARE = { panes: 0.5, wide: 0.25 };

/** The main panels: the pane switch's button and the element it shows. */
const PANELS = [
  { pane: 'lesson', selector: '#lesson' },
  { pane: 'build', selector: '#build-panel' },
  { pane: 'inspector', selector: '#inspector' },
  { pane: 'log', selector: '#event-log' },
  { pane: 'tools', selector: '#list-queues' },
  { pane: 'diagram', selector: '#diagram' },
];

async function noSidewaysScroll(page, where) {
  const { scroll, inner } = await page.evaluate(() => ({
    scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth,
  }));
  check(scroll <= inner, `${where}: the page does not scroll sideways (${scroll}px wide in a ${inner}px viewport)`);
}

/** Whether the pane switch is on screen (narrow layouts and short embeds). */
function switchShown(page) {
  return page.evaluate(() => {
    const s = document.querySelector('#pane-switch');
    return !!s && s.checkVisibility();
  });
}

/** Shows a pane with its switch button, if the switch is on screen. */
async function show(page, pane) {
  if (await switchShown(page)) {
    await page.click(`#pane-${pane}`);
    check(await page.getAttribute(`#pane-${pane}`, 'aria-pressed') === 'true', `#pane-${pane} is pressed once clicked`);
  }
}

/**
 * Where an element is: shown at all, the part of it inside the viewport,
 * and whether it stays within the viewport's width.
 */
function placement(page, selector) {
  return page.$eval(selector, (el) => {
    const r = el.getBoundingClientRect();
    const seenH = Math.min(r.bottom, innerHeight) - Math.max(r.top, 0);
    return {
      shown: el.checkVisibility() && r.width > 0 && r.height > 0,
      seenH, height: r.height, left: r.left, right: r.right, top: r.top,
      inWidth: r.left >= -1 && r.right <= innerWidth + 1,
    };
  });
}

/** On screen: shown, within the width, and its first 100 px (or all of it) in view. */
async function onScreen(page, selector, where) {
  const p = await placement(page, selector);
  check(p.shown, `${where}: ${selector} is shown`);
  check(p.inWidth, `${where}: ${selector} is within the screen's width (${Math.round(p.left)}..${Math.round(p.right)})`);
  check(p.seenH >= Math.min(p.height, 100) - 1,
    `${where}: ${selector} is in view (${Math.round(p.seenH)}px of ${Math.round(p.height)}px seen, top at ${Math.round(p.top)})`);
}

/** The share of the viewport the diagram's drawing area covers. */
function diagramShare(page) {
  return page.$eval('#diagram .diagram-scroll', (el) => {
    const r = el.getBoundingClientRect();
    const w = Math.max(0, Math.min(r.right, innerWidth) - Math.max(r.left, 0));
    const h = Math.max(0, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0));
    return { share: (w * h) / (innerWidth * innerHeight), w: Math.round(w), h: Math.round(h) };
  });
}

/** The smallest size a node's name is drawn at, in CSS pixels. */
function smallestNodeName(page) {
  return page.$$eval('g.node .name', (names) => Math.min(...names.map((t) => {
    const m = t.getScreenCTM();
    return m ? m.a * parseFloat(getComputedStyle(t).fontSize) : Infinity;
  })));
}

/** Text outside the diagram drawn under 12 px, as `selector (size)`. */
function smallText(page) {
  return page.evaluate(() => {
    const small = new Set();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!n.textContent.trim() || !el || el.closest('svg, .sr-only, .skip-link, #py-drawer')) continue;
      if (!el.checkVisibility()) continue;
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (size < 12) small.add(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} (${size}px)`);
    }
    return [...small];
  });
}

/** Controls on screen smaller than 24×24 px (WCAG 2.2, 2.5.8). */
function smallTargets(page) {
  return page.evaluate(() => {
    const small = [];
    const sel = 'button, select, summary, a.btn, [role=tab], input:not([type=checkbox]):not([type=radio]):not([type=hidden])';
    for (const el of document.querySelectorAll(sel)) {
      if (el.closest('#py-drawer, .skip-link') || !el.checkVisibility()) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      if (r.width < 24 - 0.5 || r.height < 24 - 0.5) {
        small.push(`${el.tagName.toLowerCase()}#${el.id || el.className || el.textContent.trim().slice(0, 20)} ${Math.round(r.width)}×${Math.round(r.height)}`);
      }
    }
    return small;
  });
}

async function ready(page, what = 'g.node.queue') {
  await page.waitForSelector('[data-ready="true"]');
  await page.waitForSelector(what, { state: 'attached' });
}

for (const size of SIZES) {
  const where = `${size.name} ${size.width}×${size.height}`;
  await run(`responsive: the workbench on a ${where}`, async ({ page }) => {
    // Chapter 2 (work queues): a lesson, a producer and a queue on the diagram.
    await page.goto(`${url}?chapter=2&lang=en`);
    await ready(page);
    await noSidewaysScroll(page, where);
    const panes = await switchShown(page);
    check(panes === (size.width < 1000), `${where}: the pane switch is shown only on narrow screens (shown: ${panes})`);

    // The diagram first: its share, and its names readable.
    await show(page, 'diagram');
    await onScreen(page, '#diagram', where);
    const d = await diagramShare(page);
    const least = panes ? DIAGRAM_SHARE.panes : DIAGRAM_SHARE.wide;
    console.log(`     ${where}: the diagram's drawing area is ${d.w}×${d.h} px, ${(d.share * 100).toFixed(0)}% of the screen`);
    check(d.share >= least, `${where}: the diagram covers at least ${least * 100}% of the screen (${(d.share * 100).toFixed(1)}%)`);
    // It opens zoomed to fit: every node in view (on a phone, a wide
    // diagram fits the width, and its names may be small) ...
    const outside = await page.$eval('#diagram .topo-svg', (svg) => {
      const b = svg.getBoundingClientRect();
      return [...svg.querySelectorAll('g.node .shape')].map((s) => s.getBoundingClientRect())
        .filter((r) => r.left < b.left - 1 || r.right > b.right + 1 || r.top < b.top - 1 || r.bottom > b.bottom + 1).length;
    });
    check(outside === 0, `${where}: the diagram opens zoomed to fit (${outside} nodes out of view)`);
    // ... and its names are drawn at 12 px or more: on the phone (running
    // down) as it opens, elsewhere perhaps after zooming in with its + button.
    const flow = await page.getAttribute('#diagram .topo-svg', 'data-flow');
    check(flow === (size.name === 'phone' ? 'down' : 'across'), `${where}: the diagram runs ${flow}`);
    let name = await smallestNodeName(page);
    const fitted = name;
    const presses = size.name === 'phone' ? 0 : 3;
    for (let press = 0; press < presses && name < 12 - 0.01; press++) {
      await page.click('#zoom-in');
      await page.waitForFunction((n) => Number(document.querySelector('.topo-svg').dataset.scale) * 15 > n, name);
      name = await smallestNodeName(page);
    }
    console.log(`     ${where}: node names at ${fitted.toFixed(1)} px fitted, ${name.toFixed(1)} px to read`);
    check(name >= 12 - 0.01, `${where}: node names are drawn at 12 px or more, if need be after zooming in (${name.toFixed(1)} px)`);
    await page.click('#zoom-fit');
    await page.waitForFunction(() => document.querySelector('.topo-svg').dataset.fit === 'true');
    await page.click('g.node.queue');
    await page.waitForSelector('#queue-inspector', { state: 'attached' });
    await screenshot(page, `responsive-${size.name}`);

    // Every panel, through the control that shows it.
    for (const { pane, selector } of PANELS) {
      await show(page, pane);
      // Side by side, a panel low in its column is reached by scrolling the column.
      if (!panes) await page.locator(selector).scrollIntoViewIfNeeded();
      await onScreen(page, selector, `${where}, ${pane}`);
      await noSidewaysScroll(page, `${where}, ${pane}`);
      if (pane === 'log') {
        // The log's rows fill its viewport, however tall CSS made it (a
        // list measured while hidden once drew a single row in a blank).
        const rows = await page.$eval('#log-list', (list) => {
          const box = list.getBoundingClientRect();
          const seen = [...list.querySelectorAll('.log-row')].filter((r) => {
            const b = r.getBoundingClientRect();
            return b.top >= box.top - 1 && b.bottom <= box.bottom + 1;
          }).length;
          return { seen, count: Number(list.dataset.count), fit: Math.floor(list.clientHeight / 26) };
        });
        check(rows.seen >= Math.min(rows.count, rows.fit), `${where}: the log shows ${Math.min(rows.count, rows.fit)} rows (${JSON.stringify(rows)})`);
      }
      const small = await smallText(page);
      check(small.length === 0, `${where}, ${pane}: text is at least 12 px, but:\n  ${small.join('\n  ')}`);
      if (panes) {
        const targets = await smallTargets(page);
        check(targets.length === 0, `${where}, ${pane}: controls are at least 24×24 px, but:\n  ${targets.join('\n  ')}`);
        await screenshot(page, `responsive-${size.name}-${pane}`);
      }
    }
    // The broker panel sits under the inspector; list_queues shares its
    // slot with the pika code.
    await show(page, 'inspector');
    await page.locator('#broker-panel').scrollIntoViewIfNeeded();
    await onScreen(page, '#broker-panel', `${where}, broker`);
    await show(page, 'tools');
    await page.click('#tab-code');
    await onScreen(page, '#code-panel', `${where}, code`);
    await noSidewaysScroll(page, `${where}, code`);

    if (panes) {
      const heights = await page.$$eval('#pane-switch button', (bs) => bs.map((b) => b.getBoundingClientRect().height));
      check(heights.every((h) => h >= 44 - 0.5), `${where}: the pane switch's buttons are at least 44 px tall (${heights.map(Math.round)})`);
      // From the keyboard: Tab to a pane's button, Enter shows it.
      await page.focus('#pane-log');
      await page.keyboard.press('Enter');
      await onScreen(page, '#event-log', `${where}, log by keyboard`);
    }
  }, { width: size.width, height: size.height });
}

await run('responsive: the Python terminals open on a phone, the workbench above them', async ({ page }) => {
  await page.goto(`${url}?chapter=1&lang=en`);
  await ready(page, '#lesson');
  // The diagram first; the lesson, with its "Run" button, one tap away.
  check(await page.getAttribute('#pane-diagram', 'aria-pressed') === 'true', 'phone: the diagram is the pane shown first');
  await show(page, 'lesson');
  await onScreen(page, '#lesson-run-code', 'phone, chapter 1');
  await page.click('#lesson-run-code');
  await page.waitForSelector('#py-list .py-term .cm-content');
  await onScreen(page, '#py-drawer', 'phone, terminals');
  // The terminals sit side by side, one screen wide each: the one in view.
  const term = await page.$$eval('#py-list .py-term', (ts) => ts.findIndex((t) => {
    const r = t.getBoundingClientRect();
    return r.left >= -1 && r.right <= innerWidth + 1;
  }));
  check(term >= 0, 'phone, terminals: one terminal is wholly in view');
  await onScreen(page, `#py-list .py-term:nth-child(${term + 1})`, 'phone, a terminal');
  await noSidewaysScroll(page, 'phone, terminals');
  await show(page, 'diagram');
  await screenshot(page, 'responsive-phone-terminals');
  // Scrolled to (the page scrolls above the drawer), the diagram shows at
  // least 200 px of itself above the drawer.
  await page.evaluate(() => window.scrollBy(0, document.querySelector('#diagram').getBoundingClientRect().top));
  const d = await page.evaluate(() => {
    const r = document.querySelector('#diagram').getBoundingClientRect();
    const drawer = document.querySelector('#py-drawer').getBoundingClientRect();
    return Math.min(r.bottom, drawer.top) - Math.max(r.top, 0);
  });
  check(d >= 200, `phone, terminals open: the diagram can be seen above them (${Math.round(d)} px)`);
  await screenshot(page, 'responsive-phone-terminals-diagram');
  // Step is reached again by scrolling back up.
  await page.click('#ctl-step');
  await page.click('#py-close');
  await page.waitForSelector('#py-drawer', { state: 'hidden' });
}, { width: 390, height: 844 });

for (const [width, height] of [[640, 360], [800, 450]]) {
  const where = `embed ${width}×${height}`;
  await run(`responsive: the embed player at ${width}×${height}`, async ({ page }) => {
    await page.goto(`${url}?embed&src=www/scenarios/topic-puzzle.json&panels=diagram,controls,log,queues&lang=en`);
    await ready(page);
    await noSidewaysScroll(page, where);
    await onScreen(page, '#ctl-step', where);
    await page.click('#ctl-step');
    await page.waitForFunction(() => document.querySelectorAll('#list-queues tr[data-queue]').length > 0
      || !!document.querySelector('#event-log .log-row'));
    await show(page, 'diagram');
    const d = await diagramShare(page);
    console.log(`     ${where}: the diagram's drawing area is ${d.w}×${d.h} px, ${(d.share * 100).toFixed(0)}% of the frame`);
    check(d.share >= DIAGRAM_SHARE.panes, `${where}: the diagram covers at least ${DIAGRAM_SHARE.panes * 100}% of the frame (${(d.share * 100).toFixed(1)}%)`);
    // The playback bar and the caption float over the diagram's bottom
    // edge in one compact band, and zoom to fit keeps every node above it.
    const o = await page.evaluate(() => {
      const bar = document.querySelector('.embed-overlay').getBoundingClientRect();
      const scroll = document.querySelector('#diagram .diagram-scroll').getBoundingClientRect();
      const lowest = Math.max(...[...document.querySelectorAll('#diagram g.node .shape')]
        .map((n) => n.getBoundingClientRect().bottom));
      const svg = document.querySelector('#diagram .topo-svg');
      return { top: bar.top, height: bar.height, scrollBottom: scroll.bottom, lowest,
        fit: svg.dataset.fit === 'true', scale: Number(svg.dataset.scale) };
    });
    check(o.top < o.scrollBottom && o.top > o.scrollBottom - 100,
      `${where}: the playback bar floats over the diagram's bottom edge (its top at ${Math.round(o.top)}, the drawing's bottom at ${Math.round(o.scrollBottom)})`);
    check(o.height <= 72, `${where}: the floating bar is one row of controls and one of caption (${Math.round(o.height)} px tall)`);
    // Unless the drawing is too tall to fit readably (view::viewport's
    // READABLE_SCALE): then it starts at its top and the rest is a pan away.
    check(o.fit && (o.lowest <= o.top + 0.5 || o.scale <= 0.8),
      `${where}: zoom to fit keeps every node above the floating bar (lowest node at ${Math.round(o.lowest)}, bar at ${Math.round(o.top)}, scale ${o.scale})`);
    const targets = await smallTargets(page);
    check(targets.length === 0, `${where}: controls are at least 24×24 px, but:\n  ${targets.join('\n  ')}`);
    await screenshot(page, `responsive-embed-${width}x${height}`);
    for (const [pane, selector] of [['log', '#event-log'], ['tools', '#list-queues'], ['diagram', '#diagram']]) {
      await show(page, pane);
      await onScreen(page, selector, `${where}, ${pane}`);
      await noSidewaysScroll(page, `${where}, ${pane}`);
      if (pane !== 'diagram') await screenshot(page, `responsive-embed-${width}x${height}-${pane}`);
    }
    const small = await smallText(page);
    check(small.length === 0, `${where}: text is at least 12 px, but:\n  ${small.join('\n  ')}`);
  }, { width, height });
}
