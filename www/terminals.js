// The workbench's Python terminals: a drawer of processes (`python NAME
// ARGS…`), each with a code editor, its own console and the controls a
// shell gives (Run, Ctrl-C, Kill, Run again), all running pika in Pyodide
// (./python.js) against the workbench's own broker — the simulation the
// diagram, event log and inspectors show.
//
// Loaded only when a person opens the terminals (src/ui/python.rs imports
// this module on the first click); Pyodide itself loads on the first Run,
// and the editor (CodeMirror 6, ./vendor/editor.bundle.js) with the drawer.
//
// How it joins the workbench (ARCHITECTURE.md, "Python in the browser"):
// - the processes share one Hub (python.js) whose host is the workbench's
//   timeline, through the wasm functions `workbenchWire*` (every open, write
//   and close is a recorded `Command::Wire`);
// - after every render the page calls `changed()`: the broker's bytes go to
//   the sockets, and the processes' pacing (alive, executing, earliest
//   deadline) goes back with `workbenchPythonPacing`, so Step and Play move
//   virtual time only when every process waits;
// - a broker replaced under live processes (`brokerReplaced()`) kills them.
//
// Every label comes from the page (src/describe/i18n/text.rs, English and
// Chinese). Program output and code are untrusted text: they are only ever
// set as textContent or an input's value, never as HTML.

import { Hub, loadPython, loadWarren, PythonUnsupported } from './python.js';

const here = new URL('.', import.meta.url);
const EDITOR = new URL('vendor/editor.bundle.js', here).href;

let labels = {};
let lang = 'en';
let drawer = null; // { root, list, status }
const terms = []; // every terminal, in order
let nextTerm = 1;
let hub = null;
let hubGeneration = 0;
let wasm = null;
let editorModule = null;

// ------------------------------------------------------------ labels

function label(key, vars = {}) {
  let text = labels[key] ?? key;
  for (const [k, v] of Object.entries(vars)) text = text.split(`{${k}}`).join(String(v));
  return text;
}

function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== undefined && v !== null) e.setAttribute(k, v);
  }
  if (text !== undefined) e.textContent = text;
  return e;
}

// ------------------------------------------------------------ the page's calls

/** Opens the drawer (with one empty terminal the first time). */
export async function open(arg = {}) {
  setLabels(arg);
  await ensureDrawer();
  if (!terms.length) addTerminal({ name: 'main.py', code: STARTER });
  focusDrawer();
}

/**
 * Opens terminals with chapter `arg.chapter`'s scripts (consumers first):
 * the lessons' own when there are some, else the chapter's programs as
 * Warren writes them (`arg.scripts`: setup.py, workers, producers).
 */
export async function openChapter(arg = {}) {
  setLabels(arg);
  await ensureDrawer();
  const listed = CHAPTER_SCRIPTS[arg.chapter];
  const loaded = listed ? await Promise.all(listed.map(async (s) => {
    const r = await fetch(new URL(s.file, here));
    const code = r.ok ? await r.text() : `# ${s.file}: HTTP ${r.status}\n`;
    return { name: s.name, args: s.args || [], code };
  })) : (arg.scripts || []).map((s) => ({ name: String(s.name), args: [], code: String(s.code) }));
  for (const s of loaded) addTerminal(s);
  focusDrawer();
}

/** Opens a terminal with a task's pika line, wrapped so it runs. */
export async function openLine(arg = {}) {
  setLabels(arg);
  await ensureDrawer();
  addTerminal({ name: 'task.py', code: wrapPikaLine(String(arg.code || ''), arg.chapter) });
  focusDrawer();
}

/** The page's language changed. */
export function setLabels(arg = {}) {
  if (arg.labels) labels = arg.labels;
  if (arg.lang) lang = arg.lang;
  if (drawer) relabel();
}

/** After every render of the workbench: bytes to the sockets, pacing back. */
export function changed() {
  if (!hub) return;
  if (wasm && wasm.workbenchPythonGeneration() !== hubGeneration) {
    brokerReplaced();
    return;
  }
  hub.pump();
  report();
}

/** The workbench's broker was replaced: its processes' sockets are gone. */
export function brokerReplaced() {
  if (!hub) return;
  const old = hub;
  hub = null;
  for (const t of terms) {
    if (t.proc && t.proc.running) append(t, 'note', `${label('brokerReplaced')}\n`);
  }
  old.killAll();
  refreshAll();
}

// ------------------------------------------------------------ the hub

function workbenchHost(w, generation) {
  return {
    now: () => w.workbenchWireNow(generation),
    open: (id, processName) => w.workbenchWireOpen(generation, id, processName ?? ''),
    write: (id, bytes) => w.workbenchWireWrite(generation, id, bytes),
    close: (id) => w.workbenchWireClose(generation, id),
    take: (id) => w.workbenchWireTake(generation, id),
    isClosed: (id) => w.workbenchWireIsClosed(generation, id),
  };
}

/** Loads Python (first Run) and joins the broker on screen. */
async function ensureHub() {
  const [rt, w] = await Promise.all([loadPython(), loadWarren()]);
  wasm = w;
  const generation = w.workbenchPythonGeneration();
  if (!hub || hubGeneration !== generation) {
    if (hub) hub.killAll();
    hubGeneration = generation;
    hub = new Hub(rt, workbenchHost(w, generation), { onChange: report });
    setStatus(label('ready', { ms: Math.round(rt.readyMs) }));
  }
  return hub;
}

/** Tells the timeline how the processes stand, and refreshes the terminals. */
function report() {
  if (drawer) {
    // For people (a busy cursor) and tests: whether some Python executes.
    drawer.root.dataset.busy = String(Boolean(hub && hub.busy()));
    drawer.root.dataset.live = String(hub ? hub.live().length : 0);
  }
  if (hub && wasm) {
    const deadline = hub.nextDeadline();
    wasm.workbenchPythonPacing(hubGeneration, hub.live().length > 0, hub.busy(),
      deadline === null ? -1 : deadline);
  }
  refreshAll();
}

// ------------------------------------------------------------ the drawer

async function ensureDrawer() {
  if (drawer) return;
  if (!document.getElementById('py-terminals-css')) {
    document.head.append(el('link', { id: 'py-terminals-css', rel: 'stylesheet', href: new URL('terminals.css', here).href }));
  }
  editorModule = import(EDITOR).catch((e) => {
    console.warn(`Python terminals: no code editor (${e}); plain text areas instead. Run ./dev.sh setup.`);
    return null;
  });
  const root = el('aside', { id: 'py-drawer', class: 'py-drawer', 'data-busy': 'false', 'data-live': '0' });
  const head = el('div', { class: 'py-head' });
  const title = el('h2', { id: 'py-title' });
  const add = el('button', { type: 'button', class: 'btn small', id: 'py-new' });
  add.addEventListener('click', () => addTerminal({ name: `script${nextTerm}.py`, code: STARTER }));
  const close = el('button', { type: 'button', class: 'btn ghost small', id: 'py-close' });
  close.addEventListener('click', () => {
    root.hidden = true;
    document.body.classList.remove('py-open');
  });
  const pacing = el('p', { class: 'py-pacing', id: 'py-pacing' });
  const status = el('p', { class: 'py-status-line', id: 'py-status', role: 'status' });
  head.append(title, pacing, status, add, close);
  const list = el('div', { class: 'py-list', id: 'py-list' });
  root.append(head, list);
  document.body.append(root);
  drawer = { root, list, status, title, add, close, pacing };
  relabel();
  await editorModule;
}

function focusDrawer() {
  drawer.root.hidden = false;
  document.body.classList.add('py-open');
}

function setStatus(text) {
  if (drawer) drawer.status.textContent = text;
}

function relabel() {
  drawer.root.setAttribute('aria-label', label('panelTitle'));
  drawer.root.setAttribute('lang', lang === 'zh' ? 'zh-CN' : 'en');
  drawer.title.textContent = label('panelTitle');
  drawer.add.textContent = `+ ${label('newTerminal')}`;
  drawer.close.textContent = label('close');
  drawer.pacing.textContent = label('pacing');
  drawer.pacing.title = label('pacing');
  refreshAll();
}

// ------------------------------------------------------------ terminals

const STARTER = `import pika

connection = pika.BlockingConnection(pika.ConnectionParameters('localhost'))
channel = connection.channel()
channel.queue_declare(queue='hello')
channel.basic_publish(exchange='', routing_key='hello', body='Hello World!')
print(" [x] Sent 'Hello World!'")
connection.close()
`;

function addTerminal({ name, code, args = [] }) {
  const n = nextTerm++;
  const t = { n, proc: null, editor: null, textarea: null, stopped: null };
  const root = el('section', { class: 'py-term', id: `py-term-${n}`, 'data-state': 'idle' });
  const bar = el('div', { class: 'py-bar' });
  const prompt = el('span', { class: 'py-prompt', 'aria-hidden': 'true' }, '$ python');
  const nameInput = el('input', { class: 'py-name', type: 'text', spellcheck: 'false', size: '12' });
  nameInput.value = name;
  const argsInput = el('input', { class: 'py-args', type: 'text', spellcheck: 'false' });
  argsInput.value = args.join(' ');
  const state = el('span', { class: 'py-state' });
  const buttons = el('div', { class: 'py-buttons' });
  const run = el('button', { type: 'button', class: 'btn small primary py-run' });
  const interrupt = el('button', { type: 'button', class: 'btn small py-interrupt' });
  const kill = el('button', { type: 'button', class: 'btn small danger py-kill' });
  const remove = el('button', { type: 'button', class: 'btn ghost small py-remove' }, '×');
  buttons.append(run, interrupt, kill, remove);
  bar.append(prompt, nameInput, argsInput, state, buttons);
  const editorBox = el('div', { class: 'py-editor' });
  const consoleBox = el('pre', { class: 'py-console', role: 'log', 'aria-live': 'polite', tabindex: '0' });
  root.append(bar, editorBox, consoleBox);
  drawer.list.append(root);
  Object.assign(t, { root, nameInput, argsInput, state, run, interrupt, kill, remove, editorBox, consoleBox });
  terms.push(t);

  run.addEventListener('click', () => start(t));
  interrupt.addEventListener('click', () => t.proc?.interrupt());
  kill.addEventListener('click', () => t.proc?.kill());
  remove.addEventListener('click', () => {
    t.proc?.kill();
    const i = terms.indexOf(t);
    root.remove();
    terms.splice(i, 1);
    const neighbour = terms[Math.max(0, i - 1)];
    if (neighbour) showTerminal(neighbour.root);
  });
  nameInput.addEventListener('input', () => refresh(t));
  mountEditor(t, code);
  refresh(t);
  showTerminal(root);
  return t;
}

/** Scrolls the drawer sideways to a terminal, its left edge first. */
function showTerminal(root) {
  drawer.list.scrollLeft = Math.max(0, root.offsetLeft - drawer.list.offsetLeft - 8);
}

async function mountEditor(t, code) {
  const m = await editorModule;
  if (m) {
    t.editor = m.createEditor(t.editorBox, code, () => {}, label('code', { name: t.nameInput.value }));
    t.editorText = () => m.editorText(t.editor);
  } else {
    t.textarea = el('textarea', { class: 'py-textarea', spellcheck: 'false', rows: '12' });
    t.textarea.value = code;
    t.editorBox.append(t.textarea);
    t.editorText = () => t.textarea.value;
  }
}

function code(t) {
  return t.editorText ? t.editorText() : '';
}

function append(t, kind, text) {
  const span = el('span', { class: `py-out py-${kind}` }, text);
  t.consoleBox.append(span);
  t.consoleBox.scrollTop = t.consoleBox.scrollHeight;
}

async function start(t) {
  if (t.proc && t.proc.running) return;
  const name = t.nameInput.value.trim() || 'main.py';
  const args = t.argsInput.value.split(/\s+/).filter(Boolean);
  t.root.dataset.state = 'loading';
  t.run.disabled = true;
  if (!hub) setStatus(label('loading'));
  let h;
  try {
    h = await ensureHub();
  } catch (e) {
    const why = e instanceof PythonUnsupported ? label('unsupported') : label('loadFailed', { why: e?.message || e });
    setStatus(why);
    append(t, 'err', `${why}\n`);
    t.root.dataset.state = 'idle';
    refresh(t);
    return;
  }
  append(t, 'cmd', `$ python ${[name, ...args].join(' ')}\n`);
  t.stopped = null;
  const p = h.start({ name, code: code(t), args, connectionName: connectionName(t, name) });
  t.proc = p;
  if (p.stdout) append(t, 'out', p.stdout);
  if (p.stderr) append(t, 'err', p.stderr);
  p.listen((ev) => {
    if (ev.kind === 'output') append(t, ev.fd === 2 ? 'err' : 'out', ev.text);
    else if (ev.kind === 'exit') {
      t.stopped = p.killed ? 'killed' : ev.code;
      append(t, 'note', `[${p.killed ? label('statusKilled') : label('statusExit', { code: ev.code })}]\n`);
      refresh(t);
    }
  });
  refresh(t);
}

/**
 * What the broker calls terminal `t`'s connections: its script's name, and
 * for the second terminal running a script of that name `NAME (2)`, and so
 * on, in the terminals' order. Two terminals running worker.py are
 * `worker.py` and `worker.py (2)` — the tutorial's `worker 1` and
 * `worker 2` (src/tutorial/check/process.rs) — and a terminal run again
 * keeps its name.
 */
function connectionName(t, name) {
  const same = terms.filter((o) => (o.nameInput.value.trim() || 'main.py') === name);
  const k = same.indexOf(t) + 1;
  return k > 1 ? `${name} (${k})` : name;
}

function refreshAll() {
  for (const t of terms) refresh(t);
}

function refresh(t) {
  const name = t.nameInput.value.trim() || 'main.py';
  const running = Boolean(t.proc && t.proc.running);
  const loading = t.root.dataset.state === 'loading' && !t.proc;
  t.root.dataset.state = running ? 'running' : t.proc ? 'exited' : loading ? 'loading' : 'idle';
  t.root.dataset.name = name;
  if (t.proc && !running) t.root.dataset.exit = String(t.proc.exitCode);
  else delete t.root.dataset.exit;
  t.root.setAttribute('aria-label', name);
  t.nameInput.setAttribute('aria-label', label('name'));
  t.argsInput.setAttribute('aria-label', label('args'));
  t.argsInput.placeholder = label('args');
  t.argsInput.title = label('argsHelp');
  t.consoleBox.setAttribute('aria-label', label('console', { name }));
  t.run.textContent = t.proc && !running ? label('runAgain') : label('run');
  t.run.disabled = running || loading;
  t.interrupt.textContent = label('interrupt');
  t.interrupt.title = label('interruptHelp');
  t.interrupt.disabled = !running;
  t.kill.textContent = label('kill');
  t.kill.title = label('killHelp');
  t.kill.disabled = !running;
  t.remove.title = label('remove', { name });
  t.remove.setAttribute('aria-label', label('remove', { name }));
  t.state.textContent = running ? label('statusRunning')
    : loading ? label('loading')
      : t.proc ? (t.proc.killed ? label('statusKilled') : label('statusExit', { code: t.proc.exitCode }))
        : label('statusIdle');
}

// ------------------------------------------------------------ chapters

const L = '../tests/lessons/';
const T = '../tests/tutorials/';

/**
 * Each chapter's scripts: the blog lessons' own (tests/lessons/, as the
 * lessons wrote them) and RabbitMQ's Python tutorials (tests/tutorials/),
 * consumers first.
 */
const CHAPTER_SCRIPTS = {
  0: [{ name: 'receive.py', file: `${T}receive.py` }, { name: 'send.py', file: `${T}send.py` }],
  1: [
    { name: 'comuser.py', file: `${L}000_31_comuser.py` },
    { name: 'producer.py', file: `${L}000_31_producer.py` },
    { name: 'receive.py', file: `${T}receive.py` },
    { name: 'send.py', file: `${T}send.py` },
  ],
  2: [
    { name: 'worker.py', file: `${L}002_worker.py` },
    { name: 'worker.py', file: `${L}002_worker.py` },
    { name: 'new_task.py', file: `${L}002_new_task.py`, args: ['First', 'message.'] },
  ],
  3: [
    { name: 'customer.py', file: `${L}000_32_customer.py` },
    { name: 'producer.py', file: `${L}000_31_producer.py` },
  ],
  4: [
    { name: 'customize.py', file: `${L}000_33_customize.py` },
    { name: 'producer.py', file: `${L}000_33_producer.py` },
  ],
  5: [
    { name: 'worker.py', file: `${T}worker.py` },
    { name: 'worker.py', file: `${T}worker.py` },
    { name: 'new_task.py', file: `${T}new_task.py`, args: ['A', 'long', 'task....'] },
  ],
  6: [
    { name: 'customer.py', file: `${L}000_41_customer.py` },
    { name: 'producer.py', file: `${L}000_41_producer.py` },
    { name: 'receive_logs.py', file: `${T}receive_logs.py` },
    { name: 'emit_log.py', file: `${T}emit_log.py` },
  ],
  7: [
    { name: 'customizer.py', file: `${L}000_42_customizer.py` },
    { name: 'producer.py', file: `${L}000_42_producer.py` },
    { name: 'receive_logs_direct.py', file: `${T}receive_logs_direct.py`, args: ['warning', 'error'] },
    { name: 'emit_log_direct.py', file: `${T}emit_log_direct.py`, args: ['error', 'Run.', 'Run.', 'Or', 'it', 'will', 'explode.'] },
  ],
  8: [
    { name: 'customer.py', file: `${L}000_43_customer.py` },
    { name: 'producer.py', file: `${L}000_43_producer.py` },
    { name: 'receive_logs_topic.py', file: `${T}receive_logs_topic.py`, args: ['kern.*', '*.critical'] },
    { name: 'emit_log_topic.py', file: `${T}emit_log_topic.py`, args: ['kern.critical', 'A', 'critical', 'kernel', 'error'] },
  ],
  9: [{ name: 'rpc_server.py', file: `${T}rpc_server.py` }, { name: 'rpc_client.py', file: `${T}rpc_client.py` }],
  10: [{ name: 'publisher_confirms.py', file: `${T}publisher_confirms.py` }],
};

/** The queue a chapter's consumers read, for lines that belong in a callback. */
const CHAPTER_QUEUE = { 4: 'task_queue', 5: 'task_queue', 9: 'rpc_queue', 10: 'confirms', 13: 'tasks', 14: 'events' };

/**
 * A task's pika line as a whole script, set up as the chapter's scripts
 * are: connection and channel first; lines that use the callback's
 * arguments (`ch`, `method`, `body`) inside a callback that consumes; a
 * consumer runs until Ctrl-C, anything else closes its connection.
 */
export function wrapPikaLine(line, chapter) {
  const lines = line.split('\n');
  const inCallback = (l) => /\bch\.|\bmethod\.|\bbody\.|%\s*body|\bbody\.decode/.test(l);
  const body = lines.filter(inCallback);
  const top = lines.filter((l) => !inCallback(l));
  const text = lines.join('\n');
  const consumes = body.length > 0 || /basic_consume/.test(text);
  const out = ['import time', 'import pika', '',
    "connection = pika.BlockingConnection(pika.ConnectionParameters('localhost'))",
    'channel = connection.channel()', 'n = 1'];
  if (/\bqueue_name\b/.test(text) && !/queue_name\s*=/.test(text)) {
    out.push("queue_name = channel.queue_declare(queue='', exclusive=True).method.queue");
  }
  if (/\bcallback_queue\b/.test(text)) {
    out.push("callback_queue = channel.queue_declare(queue='', exclusive=True).method.queue", "corr_id = '1'");
  }
  out.push('', '', 'def callback(ch, method, properties, body):');
  if (!body.some((l) => /print\(/.test(l))) out.push('    print(" [x] Received %r" % body)');
  for (const l of body) out.push(`    ${l}`);
  out.push('', '');
  out.push(...top);
  if (consumes) {
    if (!/basic_consume/.test(text)) {
      const queue = CHAPTER_QUEUE[chapter] || 'hello';
      out.push(`channel.basic_consume(queue='${queue}', on_message_callback=callback)`);
    }
    out.push("print(' [*] Waiting for messages. To exit press CTRL+C')", 'try:',
      '    channel.start_consuming()', 'except KeyboardInterrupt:', "    print('Interrupted')");
  } else {
    out.push('connection.close()');
  }
  return `${out.join('\n')}\n`;
}
