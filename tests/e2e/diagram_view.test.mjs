// The diagram's view and arrangement (issue 16, "a readable diagram"):
//   - it opens zoomed to fit: every node inside the drawing's box, on a
//     laptop (1280×720) and a phone (390×844, where it runs down, names readable);
//   - Ctrl+wheel zooms about the cursor (the point under it stays), the
//     plain wheel pans the workbench's diagram, dragging the background pans;
//   - with the focus in the diagram, + and − zoom, the arrows pan (and
//     ArrowLeft no longer steps back there), 0 fits; the −/+/Fit buttons too;
//   - dragging a node moves it, a reload shows it where it was put, "Reset
//     layout" puts it back (and the reload after that too); a saved
//     arrangement that is garbage or names nodes that are gone is ignored;
//   - touch: a two-finger pinch zooms, one finger on the background pans,
//     a tap selects a node, a drag moves it, the Step button steps;
//   - in an embedded player the plain wheel is left to the page.
// Screenshots under target/e2e/diagram-view-*.png.
import { run, check, screenshot } from './browser.mjs';
import { pos } from './workbench.mjs';

const url = process.argv[2] || 'http://127.0.0.1:8080/';

async function ready(page) {
  await page.waitForSelector('[data-ready="true"]');
  await page.waitForSelector('g.node.queue', { state: 'attached' });
}

/** The SVG's view: its viewBox, scale, whether it is fitted, its box. */
function view(page) {
  return page.$eval('.topo-svg', (svg) => {
    const r = svg.getBoundingClientRect();
    const [x, y, w, h] = svg.getAttribute('viewBox').split(' ').map(Number);
    return {
      x, y, w, h, scale: Number(svg.dataset.scale), fit: svg.dataset.fit === 'true',
      box: { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height },
    };
  });
}

/** A node's box on screen. */
function nodeBox(page, selector) {
  return page.$eval(selector, (g) => {
    const r = g.querySelector('.shape').getBoundingClientRect();
    return { x: r.x, y: r.y, w: r.width, h: r.height, cx: r.x + r.width / 2, cy: r.y + r.height / 2 };
  });
}

/** Waits until the view's scale (or fit) differs from `before`. */
async function viewChanged(page, before) {
  await page.waitForFunction((b) => {
    const s = document.querySelector('.topo-svg');
    return s.getAttribute('viewBox') !== b;
  }, `${before.x.toFixed(1)} ${before.y.toFixed(1)} ${before.w.toFixed(1)} ${before.h.toFixed(1)}`);
  return settledView(page);
}

/**
 * The view once it has stopped changing: a gesture's events may still be
 * drawing when the first change shows (on a loaded machine the first
 * frames of a pinch arrive alone), so wait until the view box stays the
 * same for a quarter of a second (at most ten seconds).
 */
async function settledView(page) {
  let last = null;
  for (let i = 0; i < 40; i++) {
    const now = await page.getAttribute('.topo-svg', 'viewBox');
    if (now === last) break;
    last = now;
    await page.waitForTimeout(250);
  }
  return view(page);
}

/** Every node of the diagram is wholly inside the SVG's box. */
async function allNodesInView(page, where) {
  const out = await page.$eval('.topo-svg', (svg) => {
    const b = svg.getBoundingClientRect();
    return [...svg.querySelectorAll('g.node .shape')].filter((s) => {
      const r = s.getBoundingClientRect();
      return r.left < b.left - 1 || r.right > b.right + 1 || r.top < b.top - 1 || r.bottom > b.bottom + 1;
    }).map((s) => s.closest('g.node').id);
  });
  check(out.length === 0, `${where}: every node is in view, but not ${out.join(', ')}`);
}

/** A point of the drawing's box with no node, label or control under it. */
function emptySpot(page) {
  return page.$eval('.topo-svg', (svg) => {
    const b = svg.getBoundingClientRect();
    for (let fy = 0.9; fy > 0.1; fy -= 0.05) {
      for (let fx = 0.1; fx < 0.9; fx += 0.05) {
        const x = b.left + b.width * fx;
        const y = b.top + b.height * fy;
        const el = document.elementFromPoint(x, y);
        if (el === svg) return { x, y };
      }
    }
    return null;
  });
}

const near = (a, b, tolerance = 1.5) => Math.abs(a - b) <= tolerance;

await run('diagram view: fit, wheel, drag to pan, keys and buttons, a node moved and kept across a reload (1280×720)', async ({ page }) => {
  await page.goto(`${url}?chapter=2&lang=en`);
  await ready(page);
  let v = await view(page);
  check(v.fit, 'the diagram opens zoomed to fit');
  check(await page.getAttribute('#zoom-fit', 'aria-pressed') === 'true', 'Fit says it is on');
  await allNodesInView(page, 'laptop, fitted');
  await screenshot(page, 'diagram-view-laptop-fit');

  // Ctrl+wheel over the queue zooms in about the cursor: the queue stays under it.
  const q0 = await nodeBox(page, '#node-queue-hello');
  await page.mouse.move(q0.cx, q0.cy);
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -200);
  await page.keyboard.up('Control');
  let w = await viewChanged(page, v);
  check(w.scale > v.scale * 1.3, `Ctrl+wheel zooms in (${v.scale} → ${w.scale})`);
  check(!w.fit && await page.getAttribute('#zoom-fit', 'aria-pressed') === 'false', 'a zoomed view is no longer fitted');
  const q1 = await nodeBox(page, '#node-queue-hello');
  check(near(q1.cx, q0.cx) && near(q1.cy, q0.cy), `the point under the cursor stays (${q0.cx},${q0.cy} → ${q1.cx},${q1.cy})`);
  check(q1.w > q0.w * 1.3, 'the queue is drawn larger');

  // The plain wheel pans (in the workbench).
  v = w;
  await page.mouse.wheel(0, 60);
  w = await viewChanged(page, v);
  const q2 = await nodeBox(page, '#node-queue-hello');
  check(w.scale === v.scale && near(q2.cy, q1.cy - 60, 2), `the wheel pans up by 60 px (${q1.cy} → ${q2.cy})`);

  // Dragging the background pans: the drawing follows the pointer.
  const spot = await emptySpot(page);
  check(spot !== null, 'the drawing has an empty spot to grab');
  await page.mouse.move(spot.x, spot.y);
  await page.mouse.down();
  await page.mouse.move(spot.x - 70, spot.y + 30, { steps: 5 });
  await page.mouse.up();
  const q3 = await nodeBox(page, '#node-queue-hello');
  check(near(q3.cx, q2.cx - 70, 2) && near(q3.cy, q2.cy + 30, 2), `a background drag pans (${q2.cx},${q2.cy} → ${q3.cx},${q3.cy})`);
  check(await page.$('#queue-inspector') === null, 'panning selects nothing');

  // Keys, with the focus in the diagram. ArrowLeft pans there instead of stepping back.
  // (+1 s records a tick even when there is nothing to deliver.)
  await page.click('#ctl-advance');
  await page.waitForFunction(() => Number(document.querySelector('#step-counter').dataset.pos) === 1);
  await page.focus('.topo-svg');
  v = await view(page);
  await page.keyboard.press('+');
  w = await viewChanged(page, v);
  check(near(w.scale / v.scale, 1.25, 0.01), `+ zooms in by 1.25 (${v.scale} → ${w.scale})`);
  await page.keyboard.press('-');
  w = await viewChanged(page, w);
  check(near(w.scale, v.scale, 0.002), `− zooms back out (${w.scale})`);
  const a0 = await nodeBox(page, '#node-queue-hello');
  await page.keyboard.press('ArrowLeft');
  w = await viewChanged(page, w);
  const a1 = await nodeBox(page, '#node-queue-hello');
  check(near(a1.cx, a0.cx + 48, 1), `ArrowLeft pans (the drawing moves right by 48 px: ${a0.cx} → ${a1.cx})`);
  check(await pos(page) === 1, 'ArrowLeft in the diagram does not step back');
  await page.keyboard.press('ArrowDown');
  w = await viewChanged(page, w);
  check(near((await nodeBox(page, '#node-queue-hello')).cy, a1.cy - 48, 1), 'ArrowDown pans');
  await page.keyboard.press('0');
  w = await viewChanged(page, w);
  check(w.fit, '0 zooms to fit');
  await allNodesInView(page, 'laptop, 0');

  // The buttons.
  await page.click('#zoom-in');
  v = await viewChanged(page, w);
  check(near(v.scale / w.scale, 1.25, 0.01) && !v.fit, `the + button zooms in (${w.scale} → ${v.scale})`);
  await page.click('#zoom-out');
  await page.click('#zoom-out');
  w = await view(page);
  check(w.scale < v.scale, 'the − button zooms out');
  await page.click('#zoom-fit');
  w = await viewChanged(page, w);
  check(w.fit, 'the Fit button zooms to fit');

  // Dragging a node moves it; the arrangement comes back after a reload.
  check(await page.isDisabled('#layout-reset'), 'nothing to reset before a node is moved');
  const start = await page.getAttribute('#node-queue-hello', 'transform');
  const n0 = await nodeBox(page, '#node-queue-hello');
  await page.mouse.move(n0.cx, n0.cy);
  await page.mouse.down();
  await page.mouse.move(n0.cx - 20, n0.cy + 90, { steps: 6 });
  await page.mouse.up();
  await page.waitForFunction((s) => document.querySelector('#node-queue-hello').getAttribute('transform') !== s, start);
  const moved = await page.getAttribute('#node-queue-hello', 'transform');
  check(await page.$('#queue-inspector') === null, 'a drag is not a click: nothing selected');
  check(!(await page.isDisabled('#layout-reset')), 'the layout can be reset after a move');
  const saved = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('warren.layout.')));
  check(saved.length === 1 && saved[0].includes('chapter'), `the arrangement is saved for the chapter (${saved})`);
  await screenshot(page, 'diagram-view-laptop-moved');

  // A press without a move selects.
  await page.click('#node-queue-hello');
  await page.waitForSelector('#queue-inspector[data-name="hello"]');

  await page.reload();
  await ready(page);
  await page.waitForFunction((m) => document.querySelector('#node-queue-hello').getAttribute('transform') === m, moved)
    .catch(async () => {
      throw new Error(`after a reload the queue is at ${await page.getAttribute('#node-queue-hello', 'transform')}, not ${moved}`);
    });
  check((await view(page)).fit, 'a reload opens zoomed to fit again');
  await allNodesInView(page, 'laptop, reloaded');

  // Reset layout: back where the layout puts it, and it stays so.
  await page.click('#layout-reset');
  await page.waitForFunction((s) => document.querySelector('#node-queue-hello').getAttribute('transform') === s, start);
  check(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('warren.layout.')).length) === 0,
    'a reset layout is forgotten');
  await page.reload();
  await ready(page);
  check(await page.getAttribute('#node-queue-hello', 'transform') === start, 'after the reset a reload shows the automatic layout');

  // A saved arrangement that is garbage, or names what is gone, is ignored.
  for (const text of ['{not json', '{"version":1,"nodes":[{"kind":"worker","name":"gone","x":5,"y":5},{"kind":"queue","name":"hello","x":"NaN","y":1}]}']) {
    await page.evaluate(([k, t]) => localStorage.setItem(k, t), [saved[0], text]);
    await page.reload();
    await ready(page);
    check(await page.getAttribute('#node-queue-hello', 'transform') === start, `a saved ${text.slice(0, 12)}… changes nothing`);
  }
}, { width: 1280, height: 720 });

/**
 * One touch gesture through the DevTools protocol: each step is a list of
 * points (fingers), the last an empty list (lifted). The fingers rest a
 * moment before they lift, as a deliberate drag does: lifted while moving,
 * the browser starts a fling, and a tap during a fling only stops it.
 */
async function touch(cdp, steps) {
  let prev = [];
  for (const points of steps) {
    if (points.length === 0 && prev.length > 0) await new Promise((r) => setTimeout(r, 150));
    const type = prev.length === 0 ? 'touchStart' : (points.length === 0 ? 'touchEnd'
      : (points.length > prev.length ? 'touchStart' : 'touchMove'));
    await cdp.send('Input.dispatchTouchEvent', {
      type,
      touchPoints: points.map(([x, y], id) => ({ x, y, id, radiusX: 4, radiusY: 4, force: 1 })),
    });
    prev = points;
  }
}

await run('diagram view on a phone: runs down and fits, pinch, one-finger pan, tap and drag a node, step (390×844)', async ({ page }) => {
  const cdp = await page.context().newCDPSession(page);
  await page.goto(`${url}?chapter=2&lang=en`);
  await ready(page);
  const sideways = await page.evaluate(() => document.scrollingElement.scrollWidth - innerWidth);
  check(sideways <= 0, `the page does not scroll sideways (${sideways}px)`);
  let v = await view(page);
  check(v.fit, 'the diagram opens zoomed to fit');
  await allNodesInView(page, 'phone, fitted');
  // The box is narrow and tall: the diagram runs down, its layers in rows
  // (producer above exchange above queue above worker), its names readable.
  check(await page.getAttribute('.topo-svg', 'data-flow') === 'down', 'on a phone the diagram runs down');
  const tops = await page.$eval('.topo-svg', (svg) => ['producer', 'exchange', 'queue', 'worker'].map((kind) =>
    Math.min(...[...svg.querySelectorAll(`g.node.${kind} .shape`)].map((s) => s.getBoundingClientRect().top))));
  const present = tops.filter((t) => Number.isFinite(t));
  check(present.length >= 3 && present.every((t, i) => i === 0 || present[i - 1] < t), `its layers are rows, top to bottom (${present.map(Math.round)})`);
  const smallest = await page.$$eval('g.node .name', (names) => Math.min(...names.map((t) => t.getScreenCTM().a * parseFloat(getComputedStyle(t).fontSize))));
  check(smallest >= 12 - 0.01, `its names are drawn at 12 px or more, fitted (${smallest.toFixed(1)} px)`);
  await screenshot(page, 'diagram-view-phone-fit');

  // Two fingers spread from 80 px apart to 160 px: twice as big, about their middle.
  const q0 = await nodeBox(page, '#node-queue-hello');
  const cx = v.box.left + v.box.width / 2;
  const cy = v.box.top + v.box.height / 2;
  const spread = [];
  for (let i = 0; i <= 8; i++) {
    const half = 40 + i * 5;
    spread.push([[cx - half, cy], [cx + half, cy]]);
  }
  await touch(cdp, [[[cx - 40, cy]], ...spread, []]);
  let w = await viewChanged(page, v);
  check(near(w.scale / v.scale, 2, 0.05), `a pinch zooms by how far the fingers spread (${v.scale} → ${w.scale})`);
  check(!w.fit, 'a pinched view is no longer fitted');
  const q1 = await nodeBox(page, '#node-queue-hello');
  check(near(q1.w / q0.w, 2, 0.05), 'the queue is drawn twice as wide');
  await screenshot(page, 'diagram-view-phone-pinched');
  check(await pos(page) === 0, 'a pinch steps nothing');

  // One finger on the background pans.
  const spot = await emptySpot(page);
  check(spot !== null, 'the drawing has an empty spot to touch');
  await touch(cdp, [[[spot.x, spot.y]], [[spot.x + 20, spot.y - 10]], [[spot.x + 50, spot.y - 40]], []]);
  await page.waitForFunction((x) => {
    const r = document.querySelector('#node-queue-hello .shape').getBoundingClientRect();
    return Math.abs(r.x - x) > 10;
  }, q1.x);
  const q2 = await nodeBox(page, '#node-queue-hello');
  check(near(q2.x, q1.x + 50, 2) && near(q2.y, q1.y - 40, 2), `one finger pans (${q1.x},${q1.y} → ${q2.x},${q2.y})`);

  // Zoom to fit, then a tap on the queue selects it, and a touch drag moves it.
  await page.click('#zoom-fit');
  await page.waitForFunction(() => document.querySelector('.topo-svg').dataset.fit === 'true');
  let q = await nodeBox(page, '#node-queue-hello');
  await page.touchscreen.tap(q.cx, q.cy);
  await page.waitForFunction(() => document.querySelector('#node-queue-hello').getAttribute('aria-pressed') === 'true');
  const before = await page.getAttribute('#node-queue-hello', 'transform');
  await touch(cdp, [[[q.cx, q.cy]], [[q.cx, q.cy + 20]], [[q.cx, q.cy + 60]], [[q.cx, q.cy + 90]], []]);
  await page.waitForFunction((b) => document.querySelector('#node-queue-hello').getAttribute('transform') !== b, before);
  q = await nodeBox(page, '#node-queue-hello');
  await screenshot(page, 'diagram-view-phone-dragged');

  // Stepping by touch (+1 s: a tick even with nothing to deliver).
  const b = await page.$eval('#ctl-advance', (e) => { const r = e.getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; });
  await page.touchscreen.tap(b.x, b.y);
  await page.waitForFunction(() => Number(document.querySelector('#step-counter').dataset.pos) === 1);
}, { width: 390, height: 844, hasTouch: true });

await run('diagram view in an embedded player: the plain wheel is the page\'s, Ctrl+wheel zooms', async ({ page }) => {
  await page.goto(`${url}?embed&src=www/scenarios/topic-puzzle.json&panels=diagram,controls,log,queues&lang=en`);
  await ready(page);
  const v = await view(page);
  const spot = await emptySpot(page);
  await page.mouse.move(spot.x, spot.y);
  await page.mouse.wheel(0, 120);
  await page.waitForTimeout(150);
  const same = await view(page);
  check(same.x === v.x && same.y === v.y && same.scale === v.scale, 'the plain wheel leaves the player\'s view alone');
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -120);
  await page.keyboard.up('Control');
  const w = await viewChanged(page, v);
  check(w.scale > v.scale, `Ctrl+wheel zooms the player's diagram (${v.scale} → ${w.scale})`);
  check(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('warren.layout.')).length) === 0,
    'the player saves no arrangement');
}, { width: 800, height: 450 });
