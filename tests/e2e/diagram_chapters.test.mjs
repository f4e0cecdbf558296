// Every chapter's solved diagram as Chromium draws it (issue 16, "Done
// when"): tests/diagram_layout.rs proves the layout's geometry natively;
// this test reads what the page actually drew, at the four workbench sizes
// (phone 390×844, tablet 768×1024, laptop 1280×720, desktop 1920×1080) and
// in the embed player at 640×360. For every chapter in
// www/tutorials/index.json, in its solved state:
//   - no two node boxes (a node's `.shape`) overlap;
//   - no two edge labels overlap, and no edge label overlaps a node box;
//   - the diagram is zoomed to fit, every node within its drawing's width;
//   - the page does not scroll sideways, and the Step button is on screen.
// The solved state is reached as a learner reaches it: on the phone, from
// a fresh profile, each chapter is solved with its "Show me" button task
// after task, which records the progress in localStorage. The other sizes
// and the player start from that progress (seeded from the index's task
// counts, and checked equal to what the phone run recorded): a chapter
// opens replaying the solutions of the tasks done, so it opens solved.
// The player must draw the same nodes as the workbench did.
// One page per size; chapters are switched with the chapter picker (the
// player, which has none, is navigated). Screenshots of each chapter at
// each size under target/e2e/chapter-diagram-<size>-<NN>.png.
import { run, check, screenshot, SCREENS as SIZES } from './browser.mjs';

const url = process.argv[2] || 'http://127.0.0.1:8080/';

const PLAYER = { name: 'embed', width: 640, height: 360 };

const PROGRESS_KEY = 'warren.tutorial.progress';

/** Overlaps smaller than this many CSS pixels are rounding, not overlap. */
const SLACK = 0.5;

const index = await (await fetch(new URL('www/tutorials/index.json', url))).json();
/** The progress of a learner who finished every chapter: tasks done per chapter id. */
const allDone = Object.fromEntries(index.map((c) => [c.id, c.tasks]));
/** The node ids each chapter's solved diagram had in the workbench, by chapter id. */
const solvedNodes = new Map();

const pad = (n) => String(n).padStart(2, '0');

/** Whether the pane switch is on screen (narrow layouts). */
function switchShown(page) {
  return page.evaluate(() => !!document.querySelector('#pane-switch')?.checkVisibility());
}

async function showPane(page, pane) {
  if (await switchShown(page)) await page.click(`#pane-${pane}`);
}

/**
 * Waits until the diagram has stopped changing: a chapter's nodes and a
 * refit after the pane shows arrive over a few frames on a loaded machine,
 * so the drawing must stay the same (view box and node count) for a
 * quarter of a second (at most ten seconds).
 */
async function settled(page) {
  await page.waitForSelector('#diagram .topo-svg g.node');
  let last = null;
  for (let i = 0; ; i++) {
    if (i === 40) throw new Error(`the diagram never settled (${last})`);
    const now = await page.$eval('#diagram .topo-svg', (svg) =>
      `${svg.getAttribute('viewBox')} ${svg.querySelectorAll('g.node').length} ${svg.querySelectorAll('g.edge-label').length}`);
    if (now === last) break;
    last = now;
    await page.waitForTimeout(250);
  }
  // The last step's message tokens travel for about a second, then fade:
  // the screenshot shows the diagram after they have gone.
  await page.waitForFunction(() => [...document.querySelectorAll('#diagram .token')]
    .every((t) => t.getAnimations().every((a) => a.playState === 'finished')), null, { timeout: 10000 });
}

/**
 * What the page drew, measured on screen: node boxes, edge labels, the
 * drawing's box, whether it is fitted, the page's widths and the Step
 * button's place.
 */
function drawn(page) {
  return page.evaluate(() => {
    const box = (el) => {
      const r = el.getBoundingClientRect();
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    };
    const svg = document.querySelector('#diagram .topo-svg');
    const nodes = [...svg.querySelectorAll('g.node')].map((g) => ({ what: g.id, ...box(g.querySelector('.shape')) }));
    const labels = [...svg.querySelectorAll('g.edge-label')]
      .map((g) => ({ what: `label "${g.querySelector('text').textContent}"`, ...box(g.querySelector('rect')) }))
      .filter((r) => r.right > r.left && r.bottom > r.top);
    const step = document.querySelector('#ctl-step');
    return {
      nodes, labels, frame: box(svg), fit: svg.dataset.fit === 'true',
      scroll: document.scrollingElement.scrollWidth, inner: innerWidth, innerH: innerHeight,
      step: step && step.checkVisibility() ? box(step) : null,
    };
  });
}

/** Whether two boxes share more than rounding. */
function overlap(a, b) {
  const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
  const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
  return w > SLACK && h > SLACK;
}

const px = (r) => `${Math.round(r.left)},${Math.round(r.top)}..${Math.round(r.right)},${Math.round(r.bottom)}`;

/** Every problem with one drawn diagram, one line each, prefixed by `where`. */
function problems(d, where) {
  const out = [];
  const pairs = (list, other, same) => {
    for (let i = 0; i < list.length; i++) {
      for (let j = same ? i + 1 : 0; j < other.length; j++) {
        if (overlap(list[i], other[j])) {
          out.push(`${where}: ${list[i].what} (${px(list[i])}) overlaps ${other[j].what} (${px(other[j])})`);
        }
      }
    }
  };
  pairs(d.nodes, d.nodes, true);
  pairs(d.labels, d.labels, true);
  pairs(d.labels, d.nodes, false);
  if (!d.fit) out.push(`${where}: the diagram is not zoomed to fit`);
  const f = d.frame;
  // Fitting takes the whole width, and the height only while names stay
  // 12 px or more (the rest is a pan away): so only sideways is checked.
  for (const n of d.nodes) {
    if (n.left < f.left - 1 || n.right > f.right + 1) {
      out.push(`${where}: ${n.what} (${px(n)}) is outside the drawing's width (${px(f)})`);
    }
  }
  if (d.scroll > d.inner) out.push(`${where}: the page scrolls sideways (${d.scroll}px wide in ${d.inner}px)`);
  if (!d.step) {
    out.push(`${where}: the Step button is not shown`);
  } else if (d.step.left < -1 || d.step.right > d.inner + 1 || d.step.top < -1 || d.step.bottom > d.innerH + 1) {
    out.push(`${where}: the Step button (${px(d.step)}) is off screen`);
  }
  return out;
}

/** Measures the settled diagram, keeps a screenshot, and returns its problems and node ids. */
async function inspect(page, size, chapter) {
  // The lesson's buttons may have scrolled the page; the bar with Step is at its top.
  await page.evaluate(() => window.scrollTo(0, 0));
  await settled(page);
  const d = await drawn(page);
  const where = `${size.name} ${size.width}×${size.height}, chapter ${chapter.number}`;
  await screenshot(page, `chapter-diagram-${size.name}-${pad(chapter.number)}`);
  return { found: problems(d, where), ids: d.nodes.map((n) => n.what).sort(), labels: d.labels.length };
}

/** Clicks "Show me" until the open chapter says it is finished. */
async function solve(page, chapter) {
  for (let k = 0; k <= chapter.tasks; k++) {
    if (await page.getAttribute('#lesson', 'data-finished') === 'true') return;
    const before = Number(await page.getAttribute('#lesson', 'data-task'));
    await page.click('#lesson-show-me');
    await page.waitForFunction((b) => Number(document.querySelector('#lesson').dataset.task) > b
      || document.querySelector('#lesson').dataset.finished === 'true', before, { timeout: 15000 });
  }
  check(await page.getAttribute('#lesson', 'data-finished') === 'true',
    `chapter ${chapter.number} is finished after ${chapter.tasks} uses of "Show me"`);
}

for (const [i, size] of SIZES.entries()) {
  const learner = i === 0;
  await run(`chapter diagrams: every chapter solved, drawn without overlaps, ${size.name} ${size.width}×${size.height}`, async ({ context, page }) => {
    if (!learner) {
      await context.addInitScript(([key, value]) => localStorage.setItem(key, value), [PROGRESS_KEY, JSON.stringify(allDone)]);
    }
    // Opened on the first chapter: narrow screens offer the lesson pane,
    // with the chapter picker, only while a chapter is open.
    await page.goto(`${url}?chapter=0&lang=en`);
    await page.waitForSelector('#lesson[data-chapter]', { state: 'attached' });
    const found = [];
    let labels = 0;
    for (const [n, chapter] of index.entries()) {
      await showPane(page, 'lesson');
      await page.selectOption('#chapter-select', String(n));
      await page.waitForSelector(`#lesson[data-chapter="${chapter.id}"]`, { state: 'attached' });
      if (learner) {
        await solve(page, chapter);
      } else {
        check(await page.getAttribute('#lesson', 'data-finished') === 'true',
          `${size.name}: chapter ${chapter.number} opens solved from the saved progress`);
      }
      await showPane(page, 'diagram');
      const r = await inspect(page, size, chapter);
      found.push(...r.found);
      labels += r.labels;
      if (learner) {
        solvedNodes.set(chapter.id, r.ids);
      } else if (solvedNodes.has(chapter.id)) {
        check(JSON.stringify(r.ids) === JSON.stringify(solvedNodes.get(chapter.id)),
          `${size.name}: chapter ${chapter.number} draws the nodes the phone drew when solved`);
      }
    }
    if (learner) {
      const saved = JSON.parse(await page.evaluate((k) => localStorage.getItem(k), PROGRESS_KEY));
      check(JSON.stringify(saved) === JSON.stringify(allDone),
        `"Show me" recorded every chapter as done (${JSON.stringify(saved)})`);
    }
    console.log(`     ${size.name}: ${index.length} chapters, ${labels} edge labels measured`);
    check(found.length === 0, `${found.length} problems:\n  ${found.join('\n  ')}`);
  }, { width: size.width, height: size.height });
}

await run(`chapter diagrams: every chapter solved in the embed player at ${PLAYER.width}×${PLAYER.height}`, async ({ context, page }) => {
  await context.addInitScript(([key, value]) => localStorage.setItem(key, value), [PROGRESS_KEY, JSON.stringify(allDone)]);
  const found = [];
  for (const [n, chapter] of index.entries()) {
    await page.goto(`${url}?embed&chapter=${n}&lang=en`);
    await page.waitForSelector('.wb.embed[data-ready="true"]');
    await showPane(page, 'diagram');
    // The chapter's file arrives after the player is ready: wait for its nodes.
    const want = solvedNodes.get(chapter.id);
    if (want) {
      await page.waitForFunction((w) => JSON.stringify([...document.querySelectorAll('#diagram g.node')].map((g) => g.id).sort()) === w,
        JSON.stringify(want), { timeout: 15000 }).catch(() => {});
    }
    const r = await inspect(page, PLAYER, chapter);
    found.push(...r.found);
    if (solvedNodes.has(chapter.id)) {
      check(JSON.stringify(r.ids) === JSON.stringify(solvedNodes.get(chapter.id)),
        `embed: chapter ${chapter.number} draws the nodes of its solved state (${r.ids.length} drawn)`);
    }
  }
  check(found.length === 0, `${found.length} problems:\n  ${found.join('\n  ')}`);
}, { width: PLAYER.width, height: PLAYER.height });
