// The docs demo's JS-API block: a broker in this page, no iframe.
import init, { Broker } from '../pkg/warren.js';

await init();
const log = document.getElementById('api-log');
function say(text) {
  const li = document.createElement('li');
  li.textContent = text; // message bodies are untrusted text
  log.appendChild(li);
}

const broker = await Broker.create({ name: 'docs', store: 'memory' });
const ch = broker.connect('docs page').channel();
ch.queueDeclare('hello');
ch.basicConsume('hello', (m) => say(`received ${JSON.stringify(m.body)} (delivery tag ${m.deliveryTag})`), { autoAck: true });

document.getElementById('api-publish').addEventListener('click', async () => {
  const body = document.getElementById('api-body').value;
  ch.basicPublish('', 'hello', body);
  say(`published ${JSON.stringify(body)}`);
  await broker.runUntilIdle();
});
document.body.dataset.ready = 'true';

// Python: loaded on the first Run only (www/python.js fetches Pyodide then).
const runButton = document.getElementById('py-run');
const status = document.getElementById('py-status');
const results = document.getElementById('py-results');
runButton.addEventListener('click', async () => {
  runButton.disabled = true;
  status.textContent = 'Loading Python…';
  results.replaceChildren();
  try {
    const { runPythonScripts, loadPython } = await import('./python.js');
    await loadPython();
    status.textContent = 'Running (6 virtual seconds)…';
    const worker = document.getElementById('py-worker').value;
    const newTask = document.getElementById('py-task').value;
    const out = await runPythonScripts([
      { name: 'worker.py', code: worker },
      { name: 'new_task.py', code: newTask, args: ['First', 'message.'], startAt: 500 },
      { name: 'new_task.py', code: newTask, args: ['Second', 'message...'], startAt: 600 },
    ], { until: 6000, profile: 'rabbitmq-3' });
    for (const r of out) {
      const box = document.createElement('figure');
      const title = document.createElement('figcaption');
      title.textContent = `$ python ${r.name} — ${r.exitCode === null ? 'still running at 6 s (then stopped)' : `exit code ${r.exitCode}`}`;
      const pre = document.createElement('pre');
      pre.className = 'console';
      pre.textContent = r.stdout + r.stderr; // Python output is untrusted text
      box.append(title, pre);
      results.append(box);
    }
    status.textContent = 'Done.';
  } catch (e) {
    status.textContent = String(e && e.message ? e.message : e);
  } finally {
    runButton.disabled = false;
  }
});
