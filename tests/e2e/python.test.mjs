// Python in Chromium: the lessons' pika scripts, unmodified, run by
// `runPythonScripts` (www/python.js) against the wasm engine on its virtual
// clock. Each scenario of tests/python/scenarios.json (hello world, the
// manual-ack typo, the durable redeclare, durability across a restart, work
// queues with a killed worker, fanout/direct/topic, wrong credentials) must
// print what RabbitMQ 3.10.8 printed (`expect`); the transcripts go to
// target/python/browser.json, which `./dev.sh test` compares with CPython +
// pika against warren-server (tests/python/native_run.py, transcripts.py).
import { run, check } from './browser.mjs';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const url = process.argv[2] || 'http://127.0.0.1:8080/';
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { scenarios } = JSON.parse(readFileSync(join(repo, 'tests/python/scenarios.json'), 'utf8'));

/** A program's transcript: stdout lines, the last line of stderr, exit code (as transcripts.py). */
function transcript(r) {
  const err = r.stderr.split('\n').filter((l) => l.trim());
  return { stdout: r.stdout.split('\n').filter((l, i, a) => i < a.length - 1 || l !== ''), stderrLast: err.length ? err[err.length - 1] : null, exitCode: r.exitCode };
}

function problems(scenario, results) {
  const out = [];
  if (results.length !== scenario.expect.length) out.push(`${results.length} programs, expected ${scenario.expect.length}`);
  scenario.expect.forEach((want, i) => {
    const got = transcript(results[i]);
    const who = `#${i + 1} ${results[i].name}`;
    if (JSON.stringify(got.stdout) !== JSON.stringify(want.stdout)) out.push(`${who}: stdout ${JSON.stringify(got.stdout)}, expected ${JSON.stringify(want.stdout)}`);
    const w = want.stderrLast;
    const ok = w && typeof w === 'object' ? got.stderrLast !== null && new RegExp(w.match).test(got.stderrLast) : got.stderrLast === w;
    if (!ok) out.push(`${who}: stderr ends ${JSON.stringify(got.stderrLast)}, expected ${JSON.stringify(w)}\n${results[i].stderr}`);
    if (got.exitCode !== want.exitCode) out.push(`${who}: exit code ${got.exitCode}, expected ${want.exitCode}`);
  });
  return out;
}

const browserResults = {};

await run('runPythonScripts: the lessons\' scripts print what they print against RabbitMQ', async ({ page }) => {
  await page.goto(`${url}www/docs-demo.html`);
  const failures = [];
  for (const s of scenarios) {
    const scripts = s.scripts.map((x) => ({
      name: x.name,
      code: readFileSync(join(repo, x.file), 'utf8'),
      args: x.args || [],
      startAt: x.startAt,
      ...(x.interruptAt !== undefined ? { interruptAt: x.interruptAt } : {}),
      ...(x.killAt !== undefined ? { killAt: x.killAt } : {}),
    }));
    const t0 = Date.now();
    const results = await page.evaluate(async ([scripts, options]) => {
      const { runPythonScripts } = await import('/www/python.js');
      return runPythonScripts(scripts, options);
    }, [scripts, { until: s.until, profile: 'rabbitmq-3', restarts: s.restarts || [] }]);
    browserResults[s.id] = results;
    const p = problems(s, results);
    console.log(`${p.length ? 'FAILED' : 'ok  '} ${s.id} (${Date.now() - t0} ms wall, ${s.until} virtual)`);
    for (const x of p) console.log(`    ${x}`);
    failures.push(...p.map((x) => `${s.id}: ${x}`));
  }
  mkdirSync(join(repo, 'target/python'), { recursive: true });
  writeFileSync(join(repo, 'target/python/browser.json'), JSON.stringify(browserResults, null, 1));
  check(failures.length === 0, `every scenario as RabbitMQ gives it:\n  ${failures.join('\n  ')}`);
});

await run('runPythonScripts: the contract (argv, exit codes, a process running at `until`, virtual time), from a warm start', async ({ page }) => {
  await page.goto(`${url}www/docs-demo.html`);
  // The first start saves a snapshot of CPython with pika imported; after a
  // reload Python starts from it (and must behave the same).
  check(!(await page.evaluate(async () => (await (await import('/www/python.js')).loadPython()).fromSnapshot)), 'a cold start first');
  await page.waitForFunction(async () => (await (await caches.open('warren-python')).keys()).length === 1, null, { timeout: 30000 });
  await page.reload();
  check(await page.evaluate(async () => (await (await import('/www/python.js')).loadPython()).fromSnapshot), 'a warm start from the snapshot');
  const r = await page.evaluate(async () => {
    const { runPythonScripts } = await import('/www/python.js');
    const t0 = performance.now();
    const results = await runPythonScripts([
      { name: 'argv.py', code: 'import sys\nprint(sys.argv)\nsys.exit(3)', args: ['a', 'b c'] },
      // An hour of time.sleep takes an hour of virtual time, not of wall time.
      { name: 'sleeper.py', code: 'import time\nt = time.time()\ntime.sleep(3600)\nprint(round(time.time() - t))', startAt: 10 },
      { name: 'forever.py', code: 'import time\nprint("up", flush=True)\nwhile True:\n    time.sleep(1)' },
      { name: 'broken.py', code: 'print("x"\n' },
      { name: 'late.py', code: 'print("never")', startAt: 7_200_000 },
      { name: 'refused.py', code: 'import pika\npika.BlockingConnection(pika.ConnectionParameters(port=5673))' },
    ], { until: 3_700_000, profile: 'rabbitmq-3' });
    return { results, wallMs: performance.now() - t0 };
  });
  const [argv, sleeper, forever, broken, late, refused] = r.results;
  // Nothing listens on 5673: as CPython + pika say it, with pika's own
  // source lines in the traceback (its files are there after a warm start).
  check(refused.exitCode === 1 && refused.stderr.endsWith('\npika.exceptions.AMQPConnectionError\n')
    && refused.stderr.includes('    self._impl = self._create_connection(parameters, _impl_class)\n')
    && !refused.stderr.includes('warren_io'), `a refused connection: ${JSON.stringify(refused)}`);
  check(argv.stdout === "['argv.py', 'a', 'b c']\n" && argv.exitCode === 3, `argv: ${JSON.stringify(argv)}`);
  check(sleeper.stdout === '3600\n' && sleeper.exitCode === 0, `an hour of virtual sleep: ${JSON.stringify(sleeper)}`);
  check(r.wallMs < 20_000, `an hour of virtual time in ${r.wallMs} ms of wall time`);
  check(forever.stdout === 'up\n' && forever.exitCode === null, `running at until: ${JSON.stringify(forever)}`);
  check(broken.exitCode === 1 && /SyntaxError/.test(broken.stderr), `a syntax error: ${JSON.stringify(broken)}`);
  check(late.stdout === '' && late.exitCode === null, `not started by until: ${JSON.stringify(late)}`);
});

await run('runPythonScripts: heartbeats keep an idle consumer connected for ten virtual minutes', async ({ page }) => {
  await page.goto(`${url}www/docs-demo.html`);
  const r = await page.evaluate(async () => {
    const { runPythonScripts } = await import('/www/python.js');
    const consumer = `import pika
connection = pika.BlockingConnection(pika.ConnectionParameters('localhost', heartbeat=5))
channel = connection.channel()
channel.queue_declare(queue='hb')
def callback(ch, method, properties, body):
    print('got', body)
    ch.stop_consuming()
channel.basic_consume('hb', callback, auto_ack=True)
channel.start_consuming()
connection.close()
print('closed cleanly')`;
    const producer = `import pika
connection = pika.BlockingConnection(pika.ConnectionParameters('localhost'))
connection.channel().basic_publish('', 'hb', b'after ten minutes')
connection.close()`;
    // A process that never yields to pika's I/O loop misses its heartbeats:
    // the broker closes the connection after two intervals (RabbitMQ: 60 s
    // heartbeat, so 10 s here with heartbeat=5 waits > 2 × 5 s).
    const stuck = `import pika, time
connection = pika.BlockingConnection(pika.ConnectionParameters('localhost', heartbeat=5))
channel = connection.channel()
time.sleep(30)
try:
    channel.queue_declare(queue='x')
except Exception as e:
    print(type(e).__name__)`;
    return runPythonScripts([
      { name: 'consumer.py', code: consumer },
      { name: 'producer.py', code: producer, startAt: 600_000 },
      { name: 'stuck.py', code: stuck },
    ], { until: 700_000 });
  });
  check(r[0].stdout === "got b'after ten minutes'\nclosed cleanly\n" && r[0].exitCode === 0, `idle consumer: ${JSON.stringify(r[0])}`);
  check(r[1].exitCode === 0, `producer: ${JSON.stringify(r[1])}`);
  check(r[2].stdout === 'StreamLostError\n', `missed heartbeats: the broker resets the connection, as RabbitMQ does: ${JSON.stringify(r[2])}`);
});

await run('Python is loaded only when asked for; the docs page runs the lesson\'s scripts as text', async ({ page }) => {
  const requested = [];
  page.on('request', (r) => requested.push(r.url()));
  await page.goto(url);
  await page.waitForSelector('[data-ready="true"]', { timeout: 30000 });
  await page.goto(`${url}www/docs-demo.html`);
  await page.waitForSelector('body[data-ready="true"]');
  check(!requested.some((u) => /pyodide|python\.js|\.whl/.test(u)), `nothing of Python is fetched before Run: ${requested.filter((u) => /vendor|python/.test(u))}`);
  // A message body with markup: shown as text, never parsed as HTML.
  await page.fill('#py-worker', (await page.inputValue('#py-worker')).replace('print(" [x] Done")', 'print(" [x] Done <img src=x onerror=alert(1)>")'));
  await page.click('#py-run');
  await page.waitForFunction(() => document.getElementById('py-status').textContent === 'Done.', null, { timeout: 60000 });
  const shown = await page.$$eval('#py-results figure', (fs) => fs.map((f) => [f.querySelector('figcaption').textContent, f.querySelector('pre').textContent]));
  check(shown.length === 3, `three processes: ${JSON.stringify(shown)}`);
  check(shown[0][1] === ' [*] Waiting for messages. To exit press CTRL+C\n [x] Received First message.\n [x] Done <img src=x onerror=alert(1)>\n [x] Received Second message...\n [x] Done <img src=x onerror=alert(1)>\n',
    `the worker's console: ${JSON.stringify(shown[0])}`);
  check(/still running/.test(shown[0][0]) && /exit code 0/.test(shown[1][0]), `captions: ${JSON.stringify(shown)}`);
  check(await page.$$eval('#py-results img', (x) => x.length) === 0, 'no element made from Python output');
  check(requested.some((u) => /pyodide\.asm\.wasm/.test(u)) && !requested.some((u) => !u.startsWith(url) && !u.startsWith('data:')), 'Pyodide came from this site, nothing from elsewhere');
});

await run('runPythonScripts: a broker crash resets connections; what was committed survives', async ({ page }) => {
  await page.goto(`${url}www/docs-demo.html`);
  const r = await page.evaluate(async () => {
    const { runPythonScripts } = await import('/www/python.js');
    const publisher = `import pika
connection = pika.BlockingConnection(pika.ConnectionParameters('localhost'))
channel = connection.channel()
channel.queue_declare(queue='keep', durable=True)
channel.queue_declare(queue='lose')
channel.basic_publish('', 'keep', b'kept', pika.BasicProperties(delivery_mode=2))
channel.basic_publish('', 'lose', b'lost')
connection.close()
print('published')`;
    const waiter = `import pika
connection = pika.BlockingConnection(pika.ConnectionParameters('localhost'))
try:
    connection.sleep(10)
except Exception as e:
    print('%s: %s' % (type(e).__name__, e))`;
    const reader = `import pika
connection = pika.BlockingConnection(pika.ConnectionParameters('localhost'))
channel = connection.channel()
method, properties, body = channel.basic_get('keep', auto_ack=True)
print(body, method.redelivered)
try:
    channel.basic_get('lose')
except pika.exceptions.ChannelClosedByBroker as e:
    print(e)`;
    return runPythonScripts([
      { name: 'publisher.py', code: publisher },
      { name: 'waiter.py', code: waiter, startAt: 100 },
      { name: 'reader.py', code: reader, startAt: 2000 },
    ], { until: 3000, crashes: [1000] });
  });
  check(r[0].stdout === 'published\n', `publisher: ${JSON.stringify(r[0])}`);
  // RabbitMQ killed with -9: the kernel resets its sockets (SO_LINGER 0).
  check(r[1].stdout === "StreamLostError: Stream connection lost: ConnectionResetError(104, 'Connection reset by peer')\n", `waiter: ${JSON.stringify(r[1])}`);
  check(r[2].stdout === "b'kept' False\n(404, \"NOT_FOUND - no queue 'lose' in vhost '/'\")\n", `reader: ${JSON.stringify(r[2])}`);
});
