"""Shared plumbing of the real-client harnesses (run_lessons.py, run_tutorials.py).

* `Broker` drives a broker-control script with the verbs of
  ../shared/conformance/broker.sh (start, stop, restart, ctl ARGS, version; and
  `kill` for warren_broker.sh / rabbit_broker.sh). The AMQP port is passed to the
  script as both ORACLE_AMQP_PORT (broker.sh) and WARREN_AMQP_PORT
  (warren_broker.sh).
* `Proc` runs one client program (a lesson's or a tutorial's script, unmodified)
  with its stdout and stderr captured line by line, so the harness can wait for
  a line with a timeout instead of sleeping.
* `Checks` prints each check as it happens and counts failures.

Client programs get PYTHONPATH=tests/wire_clients/pika_port (its sitecustomize
points pika's default port at WIRE_AMQP_PORT) and PYTHONUNBUFFERED=1 (so their
prints arrive line by line through the pipe).
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time

# A harness started in the background by a shell without job control inherits
# SIGINT ignored, and so would every program it starts: CPython then never
# raises KeyboardInterrupt, and every Ctrl-C the scenarios send is lost. The
# programs must get Ctrl-C as a learner's terminal delivers it.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
DEFAULT_BROKER_SH = os.path.join(SHARED, "conformance", "broker.sh")
PIKA_PORT_DIR = os.path.join(HERE, "pika_port")


class HarnessError(Exception):
    """A step could not go on (timeout, a program that should run did not)."""


def add_common_args(ap):
    ap.add_argument("--broker-sh", default=os.environ.get("ORACLE_BROKER_SH") or DEFAULT_BROKER_SH,
                    help="broker-control script (env ORACLE_BROKER_SH; default: %(default)s)")
    ap.add_argument("--port", type=int, default=int(os.environ.get("ORACLE_AMQP_PORT", "5672")),
                    help="AMQP port on 127.0.0.1 (env ORACLE_AMQP_PORT; default: %(default)s)")
    ap.add_argument("--python", default=os.environ.get("WIRE_PYTHON") or sys.executable,
                    help="interpreter (with pika) for the client programs (env WIRE_PYTHON)")
    ap.add_argument("--no-start", action="store_true",
                    help="do not call the broker script's `start` first (it is idempotent anyway)")
    return ap


def say(msg=""):
    print(msg, flush=True)


# --------------------------------------------------------------------------
# the broker, through its control script
# --------------------------------------------------------------------------
class Broker:
    def __init__(self, script, port):
        self.script = os.path.abspath(script)
        self.port = port
        self.env = dict(os.environ, ORACLE_AMQP_PORT=str(port), WARREN_AMQP_PORT=str(port))

    def sh(self, *args, check=True, timeout=300):
        try:
            p = subprocess.run(["sh", self.script, *args], capture_output=True, text=True,
                               env=self.env, timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise HarnessError("%s %s: no answer in %ds" % (os.path.basename(self.script),
                                                            " ".join(args), timeout))
        if check and p.returncode != 0:
            raise HarnessError("%s %s failed (exit %d): %s%s" % (
                os.path.basename(self.script), " ".join(args), p.returncode, p.stdout, p.stderr))
        return p.stdout

    def start(self):
        return self.sh("start").strip()

    def stop(self):
        return self.sh("stop").strip()

    def restart(self):
        return self.sh("restart").strip()

    def kill(self):
        return self.sh("kill").strip()

    def version(self):
        return self.sh("version").strip()

    def ctl(self, *args):
        return self.sh("ctl", *args, timeout=120)

    def reset_vhost(self):
        """Delete and re-create vhost / (as oracle.py does with ORACLE_RESET=vhost)."""
        self.sh("ctl", "delete_vhost", "/", check=False, timeout=120)
        self.ctl("add_vhost", "/")
        self.ctl("set_permissions", "-p", "/", "guest", ".*", ".*", ".*")

    def list_queues(self, *cols):
        """`ctl -q list_queues COLS...` (the plain table a lesson shows) -> (rows, text).
        rows: {queue name: {column: value as printed}}."""
        cols = cols or ("name", "messages_ready", "messages_unacknowledged")
        text = self.ctl("-q", "list_queues", *cols)
        lines = [l for l in text.splitlines() if l.strip()]
        if lines and lines[0].split("\t") == list(cols):
            lines = lines[1:]
        rows = {}
        for line in lines:
            parts = line.split("\t")
            if len(parts) != len(cols):
                raise HarnessError("unexpected list_queues line %r in:\n%s" % (line, text))
            rows[parts[0]] = dict(zip(cols, parts))
        return rows, text

    def wait_queue(self, name, timeout=30, **want):
        """Poll list_queues until queue `name` shows the wanted column values
        (e.g. messages_ready=1; None = the queue must not exist)."""
        cols = ["name"] + sorted(k for k in want if k != "absent")
        deadline = time.monotonic() + timeout
        while True:
            rows, text = self.list_queues(*cols)
            row = rows.get(name)
            if want.get("absent"):
                if row is None:
                    return None, text
            elif row is not None and all(str(v) == row[k] for k, v in want.items()):
                return row, text
            if time.monotonic() > deadline:
                raise HarnessError("queue %r never showed %s within %ds; last list_queues:\n%s"
                                   % (name, want, timeout, text))
            time.sleep(0.2)

    def wait_consumers(self, queue, n, timeout=30):
        """Poll queue.declare(passive) over AMQP until the queue has `n` consumers
        (quicker than list_queues, and exact at once for quorum queues too)."""
        import pika.exceptions
        conn = pika_connection(self.port)
        deadline = time.monotonic() + timeout
        last = "no such queue"
        try:
            while True:
                ch = conn.channel()
                try:
                    r = ch.queue_declare(queue, passive=True)
                    last = "%d consumer(s)" % r.method.consumer_count
                    if r.method.consumer_count == n:
                        return
                    ch.close()
                except pika.exceptions.ChannelClosedByBroker:
                    pass
                if time.monotonic() > deadline:
                    raise HarnessError("queue %r never had %d consumer(s) within %ds (last: %s)"
                                       % (queue, n, timeout, last))
                time.sleep(0.05)
        finally:
            conn.close()


def pika_connection(port):
    import pika
    return pika.BlockingConnection(pika.ConnectionParameters(
        "127.0.0.1", port, credentials=pika.PlainCredentials("guest", "guest"),
        heartbeat=0, blocked_connection_timeout=30, socket_timeout=10))


# --------------------------------------------------------------------------
# client programs
# --------------------------------------------------------------------------
class Proc:
    """One client program; stdout and stderr are collected line by line."""

    def __init__(self, name, argv, cwd, port, extra_env=None):
        self.name = name
        self.argv = argv
        env = dict(os.environ)
        env["PYTHONPATH"] = PIKA_PORT_DIR + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        env["WIRE_AMQP_PORT"] = str(port)
        env["PYTHONUNBUFFERED"] = "1"
        env["PYTHONDONTWRITEBYTECODE"] = "1"  # no __pycache__ in pika_port/
        env["PYTHONIOENCODING"] = "utf-8"
        env.update(extra_env or {})
        self.out, self.err = [], []
        self.cond = threading.Condition()
        self.p = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  start_new_session=True)
        self.threads = [threading.Thread(target=self._pump, args=(self.p.stdout, self.out), daemon=True),
                        threading.Thread(target=self._pump, args=(self.p.stderr, self.err), daemon=True)]
        for t in self.threads:
            t.start()

    def _pump(self, stream, sink):
        for raw in iter(stream.readline, b""):
            with self.cond:
                sink.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def lines(self, stream="out"):
        with self.cond:
            return list(self.out if stream == "out" else self.err)

    def matching(self, pattern, stream="out"):
        rx = re.compile(pattern)
        return [l for l in self.lines(stream) if rx.search(l)]

    def wait_for(self, pattern, stream="out", timeout=20, count=1):
        """Wait until `count` lines of `stream` match the regex `pattern`."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                sink = self.out if stream == "out" else self.err
                hits = [l for l in sink if rx.search(l)]
                if len(hits) >= count:
                    return hits
                if self.p.poll() is not None and all(not t.is_alive() for t in self.threads):
                    raise HarnessError("%s exited (%s) before printing %r%s" % (
                        self.name, self.p.returncode, pattern, self.dump()))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise HarnessError("%s: no %d line(s) matching %r on %s within %ds%s" % (
                        self.name, count, pattern, stream, timeout, self.dump()))
                self.cond.wait(min(left, 0.2))

    def finish(self, timeout=30):
        """Wait for the program to exit by itself; return its exit status."""
        try:
            rc = self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise HarnessError("%s did not exit within %ds%s" % (self.name, timeout, self.dump()))
        for t in self.threads:
            t.join(5)
        return rc

    def signal(self, sig, timeout=15):
        """Send `sig`, wait for the exit (SIGKILL after `timeout`); return the status."""
        if self.p.poll() is None:
            try:
                self.p.send_signal(sig)
            except ProcessLookupError:
                pass
        try:
            rc = self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = self.p.wait(timeout=10)
        for t in self.threads:
            t.join(5)
        return rc

    def interrupt(self, timeout=15):
        return self.signal(signal.SIGINT, timeout)

    def kill(self):
        return self.signal(signal.SIGKILL, 10)

    def alive(self):
        return self.p.poll() is None

    def dump(self):
        out = "\n      | ".join(self.lines("out")) or "(nothing)"
        err = "\n      | ".join(self.lines("err")) or "(nothing)"
        return "\n    [%s] %s\n    stdout:\n      | %s\n    stderr:\n      | %s" % (
            self.name, " ".join(os.path.basename(a) for a in self.argv[1:]), out, err)


class Programs:
    """Starts client programs from one folder and remembers them for clean-up."""

    def __init__(self, folder, python, port):
        self.folder = folder
        self.python = python
        self.port = port
        self.procs = []

    def start(self, name, script, *args):
        p = Proc(name, [self.python, script, *args], self.folder, self.port)
        self.procs.append(p)
        return p

    def run(self, name, script, *args, timeout=30):
        """Run a program to completion; returns the Proc (exit status in .rc)."""
        p = self.start(name, script, *args)
        p.rc = p.finish(timeout)
        return p

    def cleanup(self):
        for p in self.procs:
            if p.alive():
                p.kill()
        self.procs = []


# --------------------------------------------------------------------------
# checks
# --------------------------------------------------------------------------
class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = []
        self.section = ""
        self.t0 = time.monotonic()

    def begin(self, title):
        self.section = title
        self.t0 = time.monotonic()
        say("\n== %s" % title)

    def _t(self):
        return "%5.1fs" % (time.monotonic() - self.t0)

    def step(self, text):
        say("   %s . %s" % (self._t(), text))

    def ok(self, cond, what, *procs, detail=""):
        if cond:
            self.passed += 1
            say("   %s ok   %s" % (self._t(), what))
        else:
            self.failed.append("%s: %s" % (self.section, what))
            say("   %s FAIL %s%s" % (self._t(), what, ("\n    " + detail) if detail else ""))
            for p in procs:
                say(p.dump())
        return cond

    def equal(self, got, want, what, *procs):
        return self.ok(got == want, what, *procs,
                       detail="" if got == want else "expected %r\n    got      %r" % (want, got))

    def error(self, exc):
        self.failed.append("%s: %s" % (self.section, str(exc).splitlines()[0]))
        say("   FAIL (aborted) %s" % exc)

    def summary(self, label, t0):
        say("\n%s: %d checks passed, %d failed (%.1f s)" % (label, self.passed, len(self.failed),
                                                           time.monotonic() - t0))
        for f in self.failed:
            say("   failed: %s" % f)
        return 1 if self.failed else 0


def run_scenarios(label, scenarios, broker, programs, checks, only=None):
    """Run each (name, fn) scenario on a fresh vhost; a scenario that raises is a failure."""
    # A SIGTERM (e.g. from `timeout`) unwinds like Ctrl-C, so the finally below
    # still stops the client programs (they run in their own sessions).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    t0 = time.monotonic()
    for name, fn in scenarios:
        if only and not any(o in name for o in only):
            continue
        checks.begin(name)
        t1 = time.monotonic()
        try:
            broker.reset_vhost()
            fn(broker, programs, checks)
        except HarnessError as e:
            checks.error(e)
        finally:
            programs.cleanup()
        say("   (%.1f s)" % (time.monotonic() - t1))
    return checks.summary(label, t0)


def run_main(description, label, scenarios, programs_dir):
    """A runner's main: read the command line, start the broker (unless
    --no-start), run the scenarios with the programs in `programs_dir`;
    the exit status."""
    args = main_args(description)
    broker = Broker(args.broker_sh, args.port)
    if not args.no_start:
        say(broker.start())
    say("broker: %s via %s, AMQP 127.0.0.1:%d" % (broker.version(), args.broker_sh, args.port))
    progs = Programs(programs_dir, args.python, args.port)
    return run_scenarios(label, scenarios, broker, progs, Checks(), args.only)


def main_args(description):
    ap = argparse.ArgumentParser(description=description,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(ap)
    ap.add_argument("only", nargs="*", help="run only the scenarios whose name contains one of these")
    return ap.parse_args()
