// The browser half of ./dev.sh bench: wasm engine figures, IndexedDB
// commits, the workbench's render cost, Python ready (cold, warm), pkg/
// size, and the first load of the workbench and of the embed player. Merges them with the
// native figures, prints the table (each row with its goal) and writes JSON.
//
//   node tests/bench/browser.mjs URL native.json out.json
import { openBrowser } from '../e2e/browser.mjs';
import { pythonReady } from './python_ready.mjs';
import { firstLoad } from './first_load.mjs';
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execSync } from 'node:child_process';

const [url, nativePath, outPath] = process.argv.slice(2);
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const native = JSON.parse(readFileSync(nativePath, 'utf8'));

const b = await openBrowser({ width: 1280, height: 860 });
const { page } = b;
await page.goto(`${url}www/docs-demo.html`);
await page.waitForSelector('body[data-ready="true"]');
const wasm = JSON.parse(await page.evaluate(async () => {
  const w = await import('/pkg/warren.js');
  return w.runEngineBenchmarks(1);
}));
const idb = JSON.parse(await page.evaluate(async () => {
  const w = await import('/pkg/warren.js');
  return w.benchIndexedDb(10000);
}));

// The workbench: time to interactive, then one step's render with 10,000
// messages queued (the page exposes window.warrenBench for this).
let ui = null;
{
  const start = Date.now();
  await page.goto(url);
  await page.waitForSelector('[data-ready="true"]', { timeout: 30000 }).catch(() => null);
  const interactive = Date.now() - start;
  ui = await page.evaluate(async () => {
    if (!window.warrenBench) return null;
    return await window.warrenBench.stepRender(10000, 20);
  }).catch(() => null);
  ui = { time_to_interactive_ms: interactive, ...(ui || {}) };
}
await b.close();

// Python (Pyodide + pika) ready after the first click, in a fresh profile
// and then cached (tests/bench/python_ready.mjs).
const python = await pythonReady(url);

// What the workbench and the embed player download before they are
// interactive, cold (tests/bench/first_load.mjs).
const first = await firstLoad(url);

const size = {};
for (const f of ['warren_bg.wasm', 'warren.js']) {
  const data = readFileSync(join(repo, 'pkg', f));
  size[f] = { raw: data.length, gzip: gzipSync(data, { level: 9 }).length };
}
const gz = size['warren_bg.wasm'].gzip + size['warren.js'].gzip;
const raw = size['warren_bg.wasm'].raw + size['warren.js'].raw;

const rows = [];
const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
for (const t of native.native.throughput) {
  const w = wasm.throughput.find((x) => x.workload === t.workload);
  const ratio = t.per_second / w.per_second;
  rows.push([`throughput: ${t.workload}`, `${fmt(t.per_second)} msg/s native, ${fmt(w.per_second)} wasm`, `wasm ≤ 1.5× native (${ratio.toFixed(2)}×)`, ratio <= 1.5]);
}
const r = Object.fromEntries(native.native.routing.map((x) => [x.bindings, x]));
const rw = Object.fromEntries(wasm.routing.map((x) => [x.bindings, x]));
for (const n of [1000, 10000, 100000]) {
  rows.push([`topic route, ${n.toLocaleString('en-US')} bindings`, `trie ${fmt(r[n].trie_ns)} ns (wasm ${fmt(rw[n].trie_ns)}), naive ${fmt(r[n].naive_ns)} ns`, '', null]);
}
rows.push(['topic: trie at 100k vs at 1k', `${(r[100000].trie_ns / r[1000].trie_ns).toFixed(2)}×`, '≤ 2×', r[100000].trie_ns / r[1000].trie_ns <= 2]);
rows.push(['topic: trie vs naive at 100k', `${fmt(r[100000].naive_ns / r[100000].trie_ns)}× faster`, '≥ 20×', r[100000].naive_ns / r[100000].trie_ns >= 20]);
const mem = native.native.memory.bytes_per_message_above_body;
rows.push([`memory at ${native.native.memory.messages.toLocaleString('en-US')} queued`, `${mem.toFixed(1)} B/message above the body`, '≤ 64 B', mem <= 64]);
rows.push([`IndexedDB, ${idb.messages.toLocaleString('en-US')} persistent messages`, `batched ${fmt(idb.batched_ms)} ms, one tx each ${fmt(idb.one_transaction_each_ms)} ms (${idb.ratio.toFixed(0)}×)`, '≥ 20×', idb.ratio >= 20]);
if (ui.step_render_ms !== undefined) {
  rows.push(['UI: one step, 10,000 queued', `${ui.step_render_ms.toFixed(1)} ms/step (median of ${ui.samples}), ${ui.dom_nodes} DOM nodes`, '≤ 16 ms, ≤ 1,400 nodes', ui.step_render_ms <= 16 && ui.dom_nodes <= 1400]);
} else {
  rows.push(['UI: one step, 10,000 queued', 'not measured (the page exposes no window.warrenBench)', '≤ 16 ms, ≤ 1,400 nodes', null]);
}
rows.push(['UI: navigation to interactive workbench', `${fmt(ui.time_to_interactive_ms)} ms`, '', null]);
rows.push(['Python ready after the first click', `cold ${fmt(python.cold_ms)} ms, warm ${fmt(python.warm_ms)} ms`, 'cold ≤ 3,000 ms, warm ≤ 1,000 ms', python.cold_ms <= 3000 && python.warm_ms <= 1000]);
rows.push(['size: warren_bg.wasm + warren.js', `${fmt(raw / 1024)} KB raw, ${fmt(gz / 1024)} KB gzipped`, '', null]);
for (const [what, goal] of [['player', 350], ['workbench', 600]]) {
  const m = first[what];
  rows.push([`first load: ${what === 'player' ? 'embed player' : 'workbench'}`, `${fmt(m.gzip / 1024)} KB gzipped (${fmt(m.raw / 1024)} KB raw, ${m.files} files), interactive after ${fmt(m.interactive_ms)} ms`, `≤ ${goal} KB gzipped`, m.gzip / 1024 <= goal]);
}

const width = [44, 70, 26];
const line = (cells) => cells.map((c, i) => String(c).padEnd(width[i] ?? 0)).join(' ');
console.log(line(['row', 'figure', 'goal', 'met']));
console.log('-'.repeat(150));
for (const [what, figure, goal, met] of rows) {
  console.log(line([what, figure, goal, met === null ? '' : met ? 'yes' : 'NO']));
}
const machine = { ...native.machine, chromium: execSync('chromium --version 2>/dev/null || true').toString().trim() };
console.log(`\nmachine: ${machine.cpu}, ${machine.cores} cores; ${machine.chromium}`);
writeFileSync(outPath, JSON.stringify({ machine, native: native.native, wasm, indexeddb: idb, ui, python, size, first_load: first, rows }, null, 1));
console.log(`wrote ${outPath}`);
