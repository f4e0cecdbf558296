// Python processes in the browser: CPython (Pyodide) running pika,
// unmodified, against Warren's wasm engine. Nothing here is loaded until
// `loadPython` or `runPythonScripts` is called.
//
//   import { runPythonScripts } from './www/python.js';
//   const results = await runPythonScripts(
//     [{ name: 'worker.py', code, startAt: 0 },
//      { name: 'new_task.py', code, args: ['First', 'message.'], startAt: 500 }],
//     { until: 30000, profile: 'rabbitmq-3' });
//   // → [{ name, stdout, stderr, exitCode }]  (exitCode null: still running at `until`, then killed)
//
// How it fits together (ARCHITECTURE.md, "Python in the browser"):
// - one Pyodide runtime per page, pika's wheel unpacked into it, and
//   `python/warren_io.py` under pika (sockets, select and time);
// - a *hub* joins processes to one broker (a *host*): a headless
//   `PythonHost` for `runPythonScripts`, or the workbench's own timeline
//   for its terminals (`terminals.js`: the same open/bytes/close, recorded
//   as `Command::Wire`);
// - a process waits (JSPI: `pyodide.ffi.run_sync`) until its socket has
//   bytes, its deadline comes on the virtual clock, Ctrl-C, or kill;
// - virtual time moves only when every process of the hub is waiting.
//
// Python output and message bodies are untrusted text: whoever shows them
// (the docs demo, a test) renders them as text nodes, never as HTML.

const here = new URL('.', import.meta.url);
const PYODIDE = new URL('vendor/node_modules/pyodide/', here).href;
const PIKA_WHEEL = new URL('vendor/pika-1.4.4-py3-none-any.whl', here).href;
const IO_MODULE = new URL('python/warren_io.py', here).href;
const WARREN = new URL('../pkg/warren.js', here).href;

/** Thrown when this browser cannot suspend Python (no JSPI). */
export class PythonUnsupported extends Error {}

/** Whether this browser can run Python processes (JavaScript Promise Integration). */
export function pythonSupported() {
  return typeof WebAssembly === 'object' && typeof WebAssembly.Suspending === 'function'
    && typeof WebAssembly.promising === 'function';
}

let runtime = null;

/** Loads Pyodide and pika once; resolves to the runtime. */
export function loadPython() {
  if (!runtime) {
    runtime = boot();
    runtime.catch(() => { runtime = null; });
  }
  return runtime;
}

async function fetchOk(url, what) {
  const r = await fetch(url);
  if (!r.ok) {
    throw new Error(`${what} is missing (${url}: HTTP ${r.status}); run ./dev.sh setup`);
  }
  return r;
}

// A warm start restores a memory snapshot of CPython taken right after the
// first start, with pika's modules already imported: no interpreter start-up
// and no imports, which is most of the time to ready. It is kept in the
// browser's Cache Storage under a key naming the versions it was made from.
// Cold starts (and browsers or origins without Cache Storage) start CPython
// normally. Snapshot options are Pyodide's (`_makeSnapshot`, `_loadSnapshot`).
const SNAPSHOT_CACHE = 'warren-python';
const SNAPSHOT_PRELOAD = [
  'import pika, pika.adapters.blocking_connection, pika.adapters.select_connection',
  'import pika.adapters.utils.connection_workflow, pika.adapters.utils.selector_ioloop_adapter',
  'import traceback, linecache, io, types, errno, itertools',
].join('\n');

function snapshotKey(pyodideVersion) {
  return new URL(`python-snapshot/pyodide-${pyodideVersion}-pika-1.4.4-v1`, here).href;
}

async function readSnapshot(key) {
  try {
    if (!globalThis.caches) return null;
    const hit = await (await caches.open(SNAPSHOT_CACHE)).match(key);
    return hit ? new Uint8Array(await hit.arrayBuffer()) : null;
  } catch {
    return null;
  }
}

function saveSnapshot(key, bytes) {
  caches.open(SNAPSHOT_CACHE)
    .then((c) => c.put(key, new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } })))
    .catch(() => { /* no room: the next start is a cold one */ });
}

async function boot() {
  if (!pythonSupported()) {
    throw new PythonUnsupported(
      'This browser cannot run Python here: it needs JavaScript Promise Integration '
      + '(WebAssembly.Suspending), which Chromium 137 and later have. Everything else in Warren works.');
  }
  const t0 = performance.now();
  const [pyodideModule, wheel, io] = await Promise.all([
    import(`${PYODIDE}pyodide.mjs`),
    fetchOk(PIKA_WHEEL, 'pika').then((r) => r.arrayBuffer()),
    fetchOk(IO_MODULE, 'warren_io.py').then((r) => r.text()),
  ]);
  const key = snapshotKey(pyodideModule.version);
  const options = {
    indexURL: PYODIDE,
    // Output outside any process (there should be none) goes to the console.
    stdout: (s) => console.log(s),
    stderr: (s) => console.warn(s),
  };
  let py = null;
  const snapshot = await readSnapshot(key);
  if (snapshot) {
    try {
      py = await pyodideModule.loadPyodide({ ...options, _loadSnapshot: snapshot });
    } catch (e) {
      console.warn(`Python: the saved snapshot did not load (${e}); starting afresh`);
      caches.open(SNAPSHOT_CACHE).then((c) => c.delete(key)).catch(() => {});
    }
  }
  const fresh = !py;
  if (fresh) {
    py = await pyodideModule.loadPyodide({ ...options, _makeSnapshot: Boolean(globalThis.caches) });
  }
  // pika's files (a snapshot holds memory, not files: tracebacks read them).
  const site = py.runPython('import site; site.getsitepackages()[0]');
  py.unpackArchive(wheel, 'wheel', { extractDir: site });
  if (fresh && globalThis.caches) {
    // Taken before Python holds anything of JavaScript's (the bridge).
    py.runPython(SNAPSHOT_PRELOAD);
    saveSnapshot(key, py.makeMemorySnapshot());
  }
  py.setStdin({ error: true });
  py.FS.writeFile(`${site}/warren_io.py`, io);
  const rt = new Runtime(py);
  py.pyimport('warren_io').install(rt.bridge);
  rt.readyMs = performance.now() - t0;
  rt.fromSnapshot = !fresh;
  return rt;
}

/** The Pyodide runtime, its processes and sockets, and the bridge Python calls. */
class Runtime {
  constructor(py) {
    this.py = py;
    this.procs = new Map(); // pid → Proc
    this.socks = new Map(); // socket id → Sock
    this.nextPid = 1;
    const rt = this;
    // What warren_io.py calls. Every call names its process or socket.
    this.bridge = {
      now(pid) {
        const p = rt.procs.get(pid);
        return p ? p.hub.now() : 0;
      },
      output(pid, fd, text) {
        rt.procs.get(pid)?.write(fd, text);
      },
      wait(pid, deadline, ids) {
        const p = rt.procs.get(pid);
        if (!p) return Promise.resolve('kill');
        return p.hub.wait(p, deadline, Array.from(ids));
      },
      connect(pid, id, host, port) {
        const p = rt.procs.get(pid);
        if (!p || p.killed) return false;
        const s = { id, proc: p, inbound: [], eof: false, reset: false, dropped: false };
        if (!p.hub.host.open(id, p.connectionName)) return false;
        rt.socks.set(id, s);
        p.socks.add(s);
        p.hub.socks.set(id, s);
        return true;
      },
      // 1: sent; -1: this end is closed (EPIPE).
      send(id, bytes) {
        const s = rt.socks.get(id);
        if (!s || s.dropped) return -1;
        // The broker closed its end: the bytes go nowhere (the reset, if
        // any, is reported by the next recv).
        if (s.eof) return 1;
        s.proc.hub.host.write(id, bytes.slice());
        s.proc.hub.touched();
        return 1;
      },
      // Bytes; 0: nothing yet (EAGAIN); -1: end of stream; -2: reset by
      // the broker (ECONNRESET, reported once, then end of stream).
      recv(id, n) {
        const s = rt.socks.get(id);
        if (!s || s.dropped) return -1;
        if (!s.inbound.length) {
          if (s.reset) {
            s.reset = false;
            return -2;
          }
          return s.eof ? -1 : 0;
        }
        let chunk = s.inbound[0];
        if (chunk.length > n) {
          s.inbound[0] = chunk.subarray(n);
          chunk = chunk.subarray(0, n);
        } else {
          s.inbound.shift();
        }
        return chunk;
      },
      readable(id) {
        const s = rt.socks.get(id);
        return !s || s.dropped || s.eof || s.reset || s.inbound.length > 0;
      },
      close(id) {
        const s = rt.socks.get(id);
        if (!s) return;
        rt.socks.delete(id);
        s.proc.socks.delete(s);
        s.proc.hub.socks.delete(id);
        if (!s.dropped) {
          s.dropped = true;
          s.proc.hub.host.close(id);
          s.proc.hub.touched();
        }
      },
    };
  }
}

/** One process: `python NAME ARGS…`, its output and its state. */
class Proc {
  constructor(hub, pid, spec) {
    this.hub = hub;
    this.pid = pid;
    this.name = spec.name;
    // What its connections are called unless the script names them
    // (pika's `connection_name`): the script's name, or what the caller
    // chose (the workbench's terminals number copies: `worker.py (2)`).
    this.connectionName = spec.connectionName || spec.name;
    this.args = (spec.args || []).map(String);
    this.code = spec.code;
    this.stdout = '';
    this.stderr = '';
    this.exitCode = null;
    this.running = true;
    this.killed = false;
    this.interruptPending = false;
    this.waiter = null; // { resolve, deadline, ids } while suspended
    this.socks = new Set();
    this.listeners = new Set();
  }

  write(fd, text) {
    if (this.killed) return;
    if (fd === 2) this.stderr += text; else this.stdout += text;
    for (const l of this.listeners) l({ kind: 'output', fd, text });
  }

  /** Calls `f(event)` on output (`{kind:'output', fd, text}`) and exit (`{kind:'exit', code}`). */
  listen(f) {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  /** Ctrl-C: KeyboardInterrupt inside the script, at its next (or current) wait. */
  interrupt() {
    if (!this.running || this.killed) return;
    this.interruptPending = true;
    this.hub.check();
  }

  /** kill -9: its connections drop at once, without a close; the script stops. */
  kill() {
    if (!this.running || this.killed) return;
    this.killed = true;
    for (const s of this.socks) {
      if (!s.dropped) {
        s.dropped = true;
        this.hub.host.close(s.id);
      }
    }
    this.hub.touched();
    this.hub.check();
  }
}

/**
 * Processes sharing one broker (`host`):
 *   host.now() → virtual ms
 *   host.open(id, processName) → bool (the process's `connectionName`: the connection's default name), host.write(id, Uint8Array), host.close(id)
 *   host.take(id) → Uint8Array (what the broker wrote), host.isClosed(id) → bool
 * `onChange()` is called when processes start, wait, wake or end.
 */
export class Hub {
  constructor(rt, host, { onChange = () => {} } = {}) {
    this.rt = rt;
    this.host = host;
    this.onChange = onChange;
    this.procs = [];
    this.socks = new Map();
    this.running = new Set(); // pids executing Python (not waiting)
    this.dirty = false; // bytes went to the host since the last pump
    this.idleWaiters = [];
  }

  now() {
    return this.host.now();
  }

  /** Starts `python name args…`; returns the process (see Proc). */
  start(spec) {
    const rt = this.rt;
    const p = new Proc(this, rt.nextPid++, spec);
    rt.procs.set(p.pid, p);
    this.procs.push(p);
    this.running.add(p.pid);
    const globals = rt.py.toPy({ pid: p.pid, name: p.name, code: p.code, args: p.args });
    p.done = rt.py.runPythonAsync('import warren_io\nwarren_io.run(pid, name, code, args)', { globals })
      .then((status) => status, (e) => {
        p.write(2, `${e && e.message ? e.message : e}\n`);
        return 1;
      })
      .then((status) => {
        globals.destroy();
        p.running = false;
        p.exitCode = p.killed ? 137 : status;
        p.waiter = null;
        this.running.delete(p.pid);
        rt.procs.delete(p.pid);
        for (const s of p.socks) rt.bridge.close(s.id);
        for (const l of p.listeners) l({ kind: 'exit', code: p.exitCode });
        this.changed();
        return p.exitCode;
      });
    this.changed();
    return p;
  }

  /** Processes still running. */
  live() {
    return this.procs.filter((p) => p.running);
  }

  /** Whether some Python is executing, or has written bytes the broker has not answered yet. */
  busy() {
    return this.running.size > 0 || this.dirty;
  }

  /** The earliest deadline of a waiting process (virtual ms), or null. */
  nextDeadline() {
    let d = null;
    for (const p of this.procs) {
      if (p.waiter && p.waiter.deadline >= 0 && (d === null || p.waiter.deadline < d)) d = p.waiter.deadline;
    }
    return d === null ? null : Math.ceil(d);
  }

  touched() {
    this.dirty = true;
  }

  wait(p, deadline, ids) {
    this.running.delete(p.pid);
    return new Promise((resolve) => {
      p.waiter = { resolve, deadline, ids };
      this.check();
      this.changed();
    });
  }

  /** Reads what the broker wrote for every socket, then wakes whoever can go on. */
  pump() {
    this.dirty = false;
    for (const s of this.socks.values()) {
      if (s.dropped) continue;
      const bytes = this.host.take(s.id);
      if (bytes && bytes.length) s.inbound.push(bytes);
      if (this.host.isClosed(s.id) && !s.eof) {
        // RabbitMQ closes a socket with SO_LINGER 0: a reset, which throws
        // away what the client has not read yet. A process waiting on this
        // socket reads at once, so it gets what the broker sent last (the
        // 320 of a restart) before the reset; one that is asleep or busy
        // finds only the reset (pika: StreamLostError), as against RabbitMQ.
        s.eof = true;
        s.reset = true;
        const w = s.proc.waiter;
        if (!(w && w.ids.includes(s.id))) s.inbound = [];
      }
    }
    this.check();
  }

  /** Wakes every waiting process whose wait is over. */
  check() {
    const now = this.now();
    let woke = false;
    for (const p of this.procs) {
      const w = p.waiter;
      if (!w) continue;
      let reason = null;
      if (p.killed) reason = 'kill';
      else if (p.interruptPending) { p.interruptPending = false; reason = 'interrupt'; }
      else if (w.ids.some((id) => this.rt.bridge.readable(id))) reason = 'io';
      else if (w.deadline >= 0 && w.deadline <= now) reason = 'time';
      if (reason) {
        p.waiter = null;
        this.running.add(p.pid);
        w.resolve(reason);
        woke = true;
      }
    }
    if (woke) this.changed();
  }

  changed() {
    if (this.running.size === 0) {
      const ws = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of ws) w();
    }
    this.onChange();
  }

  /** Resolves once no Python of this hub is executing. */
  whenIdle() {
    if (this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Kills every process still running. */
  killAll() {
    for (const p of this.live()) p.kill();
  }
}

let warren = null;
/** The wasm engine's module (initialised once; shared with the workbench). */
export function loadWarren() {
  if (!warren) {
    warren = import(WARREN).then(async (m) => {
      await m.default();
      return m;
    });
  }
  return warren;
}

/**
 * Runs Python scripts against a fresh simulated broker on a virtual clock.
 *
 * scripts: [{ name, code, args?: [..] (sys.argv[1:]), startAt?: virtual ms,
 *             interruptAt?: virtual ms (Ctrl-C), killAt?: virtual ms (kill -9) }]
 * options: { until: virtual ms to run (30000), profile: 'rabbitmq-3' | 'rabbitmq-4.3',
 *            restarts?: [virtual ms] (graceful broker restarts, as `rabbitmqctl stop_app; start_app`),
 *            crashes?: [virtual ms] (broker crashes) }
 * Resolves to [{ name, stdout, stderr, exitCode }] in the order of `scripts`;
 * exitCode is null for a process still running at `until` (which is then killed).
 */
export async function runPythonScripts(scripts, options = {}) {
  if (!Array.isArray(scripts)) throw new TypeError('runPythonScripts: scripts must be an array');
  scripts.forEach((s, i) => {
    if (!s || typeof s !== 'object') throw new TypeError(`runPythonScripts: scripts[${i}] must be an object`);
    if (s.args !== undefined && !Array.isArray(s.args)) {
      throw new TypeError(`runPythonScripts: scripts[${i}].args must be an array (sys.argv[1:])`);
    }
  });
  const until = Number.isFinite(options.until) ? Math.max(0, options.until) : 30000;
  const profile = options.profile || 'rabbitmq-3';
  const [rt, wasm] = await Promise.all([loadPython(), loadWarren()]);
  const engine = new wasm.PythonHost(profile);
  const host = {
    now: () => engine.now(),
    open: (id, processName) => engine.open(id, processName ?? ''),
    write: (id, bytes) => engine.write(id, bytes),
    close: (id) => engine.close(id),
    take: (id) => engine.take(id),
    isClosed: (id) => engine.isClosed(id),
  };
  const hub = new Hub(rt, host);
  const todo = scripts.map((s, i) => ({
    i,
    spec: { name: String(s.name ?? `script${i}.py`), code: String(s.code ?? ''), args: s.args || [] },
    at: Number.isFinite(s.startAt) ? Math.max(0, s.startAt) : 0,
  })).sort((a, b) => a.at - b.at || a.i - b.i);
  const signals = [];
  scripts.forEach((s, i) => {
    if (Number.isFinite(s.interruptAt)) signals.push({ at: s.interruptAt, i, what: 'interrupt' });
    if (Number.isFinite(s.killAt)) signals.push({ at: s.killAt, i, what: 'kill' });
  });
  const lifecycle = [
    ...(options.restarts || []).map((at) => ({ at, what: 'restart' })),
    ...(options.crashes || []).map((at) => ({ at, what: 'crash' })),
    ...signals,
  ].sort((a, b) => a.at - b.at);
  const started = new Array(scripts.length);
  let spins = 0;
  let lastNow = -1;
  try {
    for (;;) {
      await hub.whenIdle();
      hub.pump();
      if (hub.running.size) continue;
      const now = engine.now();
      while (todo.length && todo[0].at <= now) {
        const t = todo.shift();
        started[t.i] = hub.start(t.spec);
      }
      while (lifecycle.length && lifecycle[0].at <= now) {
        const l = lifecycle.shift();
        if (l.what === 'restart') engine.restart();
        else if (l.what === 'crash') engine.crash();
        else if (l.what === 'interrupt') started[l.i]?.interrupt();
        else if (l.what === 'kill') started[l.i]?.kill();
        hub.pump();
      }
      if (hub.running.size) continue;
      // Everyone waits: time moves to the earliest thing due.
      const due = [todo[0]?.at, lifecycle[0]?.at, hub.nextDeadline(), engine.nextWakeup()]
        .filter((t) => t !== undefined && t !== null && t >= 0);
      const next = due.length ? Math.min(...due) : null;
      if (next === null || next > until) {
        engine.advanceTo(until);
        hub.pump();
        if (hub.running.size) continue;
        break;
      }
      if (next <= now) {
        // Something due now that woke nobody: guard against a busy wait.
        spins = now === lastNow ? spins + 1 : 0;
        lastNow = now;
        if (spins > 10000) throw new Error(`runPythonScripts: no progress at t=${now} ms`);
      }
      engine.advanceTo(Math.max(next, now));
      hub.pump();
    }
  } finally {
    hub.killAll();
    hub.pump();
  }
  // Killed at `until`: still running, so no exit code.
  const atUntil = new Set(hub.live());
  await Promise.all(started.filter(Boolean).map((p) => p.done));
  engine.free();
  return scripts.map((s, i) => {
    const p = started[i];
    if (!p) return { name: String(s.name), stdout: '', stderr: '', exitCode: null };
    return { name: p.name, stdout: p.stdout, stderr: p.stderr, exitCode: atUntil.has(p) ? null : p.exitCode };
  });
}
