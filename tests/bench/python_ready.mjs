// Python ready after the first click, cold and warm: the time from asking
// for Python (`loadPython()` in www/python.js: import Pyodide, compile and
// start CPython, unpack pika, install Warren's socket/select/time) until a
// script can run. Cold: a fresh browser profile (nothing cached). Warm: the
// same profile after a reload (HTTP cache and V8's compiled-code cache).
// The page itself loads first and is not counted: Pyodide is fetched only
// when Python is asked for.
//
//   node tests/bench/python_ready.mjs URL     (or imported by browser.mjs)
import { openBrowser } from '../e2e/browser.mjs';
import { fileURLToPath } from 'node:url';

async function readyMs(page) {
  return page.evaluate(async () => {
    const t0 = performance.now();
    const { loadPython, runPythonScripts } = await import('/www/python.js');
    await loadPython();
    const ready = performance.now() - t0;
    const [r] = await runPythonScripts([{ name: 'ready.py', code: 'print("ready")' }], { until: 10 });
    if (r.stdout !== 'ready\n') throw new Error(`Python is not ready: ${JSON.stringify(r)}`);
    return ready;
  });
}

/** { cold_ms, warm_ms } on `url` (the server's root). */
export async function pythonReady(url) {
  const b = await openBrowser();
  try {
    await b.page.goto(`${url}www/docs-demo.html`);
    const cold = await readyMs(b.page);
    const warm = [];
    for (let i = 0; i < 3; i++) {
      await b.page.reload();
      warm.push(await readyMs(b.page));
    }
    warm.sort((x, y) => x - y);
    return { cold_ms: cold, warm_ms: warm[1], warm_samples_ms: warm };
  } finally {
    await b.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await pythonReady(process.argv[2] || 'http://127.0.0.1:8080/');
  console.log(`Python ready: cold ${Math.round(r.cold_ms)} ms, warm ${Math.round(r.warm_ms)} ms (median of ${r.warm_samples_ms.map(Math.round).join(', ')})`);
}
