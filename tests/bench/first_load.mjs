// First load, for issue 16's goals: what a page downloads before it is
// interactive, and how long that takes, for the full workbench
// (`index.html`) and for the embed player (`index.html?embed&src=…`, what
// every docs frame pays). Each is measured in a fresh browser profile
// (nothing cached): every response the page received until it said
// `data-ready`, counted raw and gzipped at level 9 (what a server
// compressing its responses would send; the test server sends them raw),
// and the time from navigation to ready.
//
// Nearly all of either is the one wasm both pages load; what it is made
// of, by crate and by function, is `./dev.sh wasm-size`
// (tests/bench/wasm_size.sh), and README.md ("Where a goal is missed") has
// the latest figures: workbench 835 KB, player 836 KB (1,066 and 1,067 KB
// before dev.sh ran wasm-opt and built the wasm with opt-level "z").
//
//   node tests/bench/first_load.mjs URL     (or imported by browser.mjs)
import { openBrowser } from '../e2e/browser.mjs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

/** { raw, gzip, files, interactive_ms } for one page, cold. */
async function measure(pageUrl, ready) {
  const b = await openBrowser({ width: 1280, height: 720 });
  try {
    const bodies = [];
    b.page.on('response', (r) => {
      bodies.push(r.body().then((body) => ({ url: r.url(), body })).catch(() => null));
    });
    const start = Date.now();
    await b.page.goto(pageUrl);
    await b.page.waitForSelector(ready, { timeout: 60000 });
    const interactive_ms = Date.now() - start;
    const files = (await Promise.all(bodies)).filter(Boolean);
    let raw = 0;
    let gzip = 0;
    for (const f of files) {
      raw += f.body.length;
      gzip += gzipSync(f.body, { level: 9 }).length;
    }
    return { raw, gzip, files: files.length, interactive_ms };
  } finally {
    await b.close();
  }
}

/** { workbench, player }, each { raw, gzip, files, interactive_ms }. */
export async function firstLoad(url) {
  const workbench = await measure(url, '.wb[data-ready="true"] g.node, .wb[data-ready="true"]');
  const player = await measure(`${url}index.html?embed&src=www/scenarios/fanout.json`,
    '.wb.embed[data-ready="true"] g.node.exchange');
  return { workbench, player };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await firstLoad(process.argv[2] || 'http://127.0.0.1:8080/');
  for (const [what, m] of Object.entries(r)) {
    console.log(`${what}: ${Math.round(m.gzip / 1024)} KB gzipped (${Math.round(m.raw / 1024)} KB raw, ${m.files} files), interactive after ${m.interactive_ms} ms`);
  }
}
