#!/usr/bin/env python3
"""Plays Warren's tutorial chapters against a real RabbitMQ with the pika code
Warren shows, and checks that the broker does what each chapter claims.

Not part of CI (it needs a RabbitMQ node and takes a few minutes of real
time: the workers really sleep one second per dot). Run it with Debian's
rabbitmq-server and the conformance kit's private node:

    apt-get install -y rabbitmq-server python3-pika     # or: pip install pika
    sh ../shared/conformance/broker.sh start
    python3 tests/pika/run_chapters.py --ctl "sh ../shared/conformance/broker.sh ctl"
    sh ../shared/conformance/broker.sh stop

For each chapter, `cargo run --bin tutorial -- script N` turns the chapter's
solution into steps: pika code to run (declares, binds), worker programs to
start and kill, producer programs to run, waits. This script plays them — the
programs are exactly the ones Warren's code panel shows — watching what the
workers print and what `rabbitmqctl list_queues` reports, then checks the
chapter's claims. The broker is reset (stop_app, reset, start_app) before each
chapter. Exit status 1 if any claim fails.
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

import pika

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


class Run:
    """One chapter being played: processes, their output, errors, counts."""

    def __init__(self, ctl, workdir):
        self.ctl = ctl
        self.workdir = workdir
        self.procs = {}  # worker name -> (Popen, log path)
        self.logs = {}  # worker name -> list of log paths (one per start)
        self.errors = []  # (reply_code, reply_text) of refused pika calls
        self.snapshots = {}  # task id -> list_queues rows after the task
        self.failed_starts = {}  # worker name -> its output, when it exited before consuming

    # -- broker -----------------------------------------------------------
    def rabbitmqctl(self, *args):
        out = subprocess.run(self.ctl + list(args), capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError("rabbitmqctl %s: %s" % (" ".join(args), out.stderr.strip()))
        return out.stdout

    def reset(self):
        self.rabbitmqctl("stop_app")
        self.rabbitmqctl("reset")
        self.rabbitmqctl("start_app")

    def queues(self):
        """name -> (ready, unacked, exclusive)"""
        out = self.rabbitmqctl(
            "list_queues", "-q", "--no-table-headers", "name", "messages_ready",
            "messages_unacknowledged", "exclusive")
        rows = {}
        for line in out.splitlines():
            parts = line.split("\t")
            if len(parts) == 4 and parts[1].isdigit():
                rows[parts[0]] = (int(parts[1]), int(parts[2]), parts[3] == "true")
        return rows

    # -- steps ------------------------------------------------------------
    def exec_code(self, code):
        if code.lstrip().startswith("#!"):
            self.run_program(code, "setup")
            return
        conn = pika.BlockingConnection(pika.ConnectionParameters(host="localhost"))
        channel = conn.channel()
        try:
            exec(code, {"pika": pika, "channel": channel, "connection": conn})
        except pika.exceptions.ChannelClosedByBroker as e:
            self.errors.append((e.reply_code, e.reply_text))
        finally:
            if conn.is_open:
                conn.close()

    def write(self, name, code):
        fd, path = tempfile.mkstemp(prefix=name.replace(" ", "_") + "-", suffix=".py", dir=self.workdir)
        with os.fdopen(fd, "w") as f:
            f.write(code)
        return path

    def run_program(self, code, name):
        path = self.write(name, code)
        out = subprocess.run([sys.executable, "-u", path], capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError("%s failed:\n%s" % (name, out.stderr))
        return out.stdout

    def start(self, name, code):
        path = self.write(name, code)
        log = path + ".log"
        proc = subprocess.Popen([sys.executable, "-u", path], stdout=open(log, "w"), stderr=subprocess.STDOUT)
        self.procs[name] = (proc, log)
        self.logs.setdefault(name, []).append(log)
        deadline = time.time() + 20
        while "Waiting for messages" not in open(log).read():
            if proc.poll() is not None:
                # A chapter may show a consumer the broker refuses; main()
                # fails the chapter unless it expects this one.
                self.failed_starts[name] = open(log).read()
                del self.procs[name]
                return
            if time.time() > deadline:
                raise RuntimeError("%s did not start:\n%s" % (name, open(log).read()))
            time.sleep(0.05)

    def kill(self, name):
        entry = self.procs.pop(name, None)
        if entry:
            entry[0].kill()
            entry[0].wait()
            time.sleep(0.5)  # the broker notices the closed socket

    def output(self, name):
        return "".join(open(p).read() for p in self.logs.get(name, []))

    def received(self, name):
        return [l for l in self.output(name).splitlines() if "[x] Received" in l]

    def busy(self, name):
        """A running worker that printed Received more often than Done."""
        if name not in self.procs or self.procs[name][0].poll() is not None:
            return False
        out = open(self.procs[name][1]).read()
        return out.count("[x] Received") > out.count("[x] Done")

    def idle(self, timeout=300):
        """Waits until no worker is mid-task and counts stop changing."""
        last, stable_since, deadline = None, time.time(), time.time() + timeout
        while time.time() < deadline:
            now = (self.queues(), {n: len(self.output(n)) for n in self.logs})
            if now != last or any(self.busy(n) for n in self.procs):
                last, stable_since = now, time.time()
            elif time.time() - stable_since > 1.5:
                return
            time.sleep(0.5)
        raise RuntimeError("never idle")

    def play(self, step):
        kind = step["do"]
        if kind == "exec":
            self.exec_code(step["code"])
        elif kind == "start":
            self.start(step["name"], step["code"])
        elif kind == "kill":
            self.kill(step["name"])
        elif kind == "publish":
            self.run_program(step["code"], step["name"])
        elif kind == "wait":
            time.sleep(max(step["ms"], 200) / 1000)
        elif kind == "step":
            time.sleep(0.5 * step.get("count", 1))
        elif kind == "idle":
            self.idle()
        else:
            raise RuntimeError("step %s is not played against a real broker" % kind)

    def stop_all(self):
        for name in list(self.procs):
            self.kill(name)


# -- what each chapter claims ---------------------------------------------

def claims_1(r):
    q = r.snapshots["publish"]
    yield "the message waits in hello with no consumer", q["hello"][0] == 1
    yield "receive.py printed Hello World!", any("Hello World!" in l for l in r.received("receive.py"))
    yield "hello is empty afterwards", r.snapshots["consume"]["hello"][:2] == (0, 0)
    yield "declaring hello again raised nothing", not r.errors


def claims_2(r):
    q = r.snapshots["backlog"]
    yield "five tasks wait before any worker", q["hello"][0] == 5
    w1, w2 = r.received("worker 1"), r.received("worker 2")
    backlog = [l for l in w1 if "message" in l]
    yield "worker 1 got the whole backlog (5)", len(backlog) == 5
    yield "worker 2 got none of the backlog", not any("message" in l for l in w2)
    new1 = [l for l in w1 if "Task" in l]
    new2 = [l for l in w2 if "Task" in l]
    yield "the four new tasks went round-robin (2 and 2)", (len(new1), len(new2)) == (2, 2)


def claims_3(r):
    w1, w2 = r.received("worker 1"), r.received("worker 2")
    yield "worker 1 received the long task first", any("A long task" in l for l in w1)
    yield "worker 2 received it again, redelivered", any("A long task" in l and "(redelivered)" in l for l in w2)
    q = r.snapshots["forget-ack"]["hello"]
    yield "forgotten acks: 3 messages unacknowledged in list_queues (%s)" % (q,), q[1] >= 3 and q[0] == 0
    q = r.snapshots["release"]["hello"]
    yield "after killing worker 2 they are ready again (%s)" % (q,), q[0] >= 3 and q[1] == 0
    typo = "AttributeError: 'Deliver' object has no attribute 'deliver_tag'"
    yield "customer.py (the lesson's deliver_tag) died with AttributeError", typo in r.output("customer.py")
    yield "customer 2 took the message again and died the same way", (
        typo in r.output("customer 2") and any("(redelivered)" in l for l in r.received("customer 2")))
    q = r.snapshots["poison"]["hello"]
    yield "the messages are still in hello, none unacked (%s)" % (q,), q[0] >= 3 and q[1] == 0


def claims_5(r):
    slow, fast = r.received("slow worker"), r.received("fast worker")
    # Each worker's output is split by its restarts: the first log is
    # without prefetch, the later one with prefetch 1.
    slow_before = [l for l in open(r.logs["slow worker"][0]).read().splitlines() if "Received" in l]
    fast_before = [l for l in open(r.logs["fast worker"][0]).read().splitlines() if "Received" in l]
    yield "basic_qos on a channel that only publishes raised nothing (%s)" % (r.errors,), not r.errors
    yield "without prefetch: five tasks each (%d/%d)" % (len(slow_before), len(fast_before)), (len(slow_before), len(fast_before)) == (5, 5)
    fast_after = len(fast) - len(fast_before)
    yield "with prefetch 1: the fast worker took most of ten (%d)" % fast_after, fast_after >= 7


def claims_6(r):
    c1, c2 = r.received("customer 1"), r.received("customer 2")
    yield "each subscriber got exactly one copy (the first publish was lost)", (len(c1), len(c2)) == (1, 1)
    excl = [n for n, row in r.snapshots["gone-with-its-subscriber"].items() if row[2]]
    yield "one exclusive queue left after customer 1 stopped", len(excl) == 1
    yield "subscriber queues were server-named", all(n.startswith("amq.gen-") for n in excl)


def claims_7(r):
    log = r.logs["customizer.py"]
    first = [l for l in open(log[0]).read().splitlines() if "Received" in l]
    yield "bound to m1, customizer.py received nothing from m2", not any("'hello'" in l for l in first)
    yield "bound to m1 with ja, it received m1's nihao (published with an empty key)", any("'nihao'" in l for l in first)
    later = r.received("customizer.py")
    yield "bound to m2 with ja, it received hello", any("'hello'" in l for l in later)
    yield "customizer 2 received disk full", any("disk full" in l for l in r.received("customizer 2"))
    yield "customizer.py did not receive disk full", not any("disk full" in l for l in later)


def claims_8(r):
    yield "declaring m2 as topic was refused with 406", any(code == 406 and "inequivalent arg 'type'" in text for code, text in r.errors)
    log = r.logs["customer.py"]
    first = [l for l in open(log[0]).read().splitlines() if "Received" in l]
    yield "europe. matched neither message", not first
    later = [l for l in open(log[-1]).read().splitlines() if "Received" in l]
    yield "europe.# matched both", len(later) == 2
    c2 = r.received("customer 2")
    yield "europe.* matched only europe.weather", len(c2) == 1 and "'1'" in c2[0]


def claims_11(r):
    s = r.snapshots
    yield "x-match all, both headers present: the report is in pdf_sales", s["match-all"]["pdf_sales"][0] == 1
    yield "the draft (format only) missed the all binding", s["all-means-every"]["pdf_sales"][0] == 1
    yield "with x-match any the draft reached pdf_or_sales, not pdf_sales", (
        s["match-any"]["pdf_or_sales"][0], s["match-any"]["pdf_sales"][0]) == (1, 1)
    yield "the text '2026' did not match the number 2026", s["text-is-not-a-number"]["year_2026"][0] == 0
    yield "the number 2026 did", s["send-the-number"]["year_2026"][0] == 1


def claims_12(r):
    # basic.return and mandatory with an alternate exchange are checked by a
    # pika client that listens for returns (the programs here do not).
    s = r.snapshots
    yield "the unroutable order for mars stayed out of eu", s["returned"]["eu"][0] == 0
    yield "declaring orders again with an alternate exchange was refused with 406 (%s)" % (r.errors,), any(
        code == 406 and "inequivalent arg 'alternate-exchange'" in text for code, text in r.errors)
    yield "with the alternate exchange the order for mars reached unrouted", (
        s["recreate"]["unrouted"][0], s["recreate"]["eu"][0]) == (1, 0)
    yield "the order for eu went to eu alone", (
        s["bindings-first"]["eu"][0], s["bindings-first"]["unrouted"][0]) == (1, 1)


def claims_13(r):
    s = r.snapshots
    picky = [open(log).read().splitlines() for log in r.logs["picky.py"]]
    looped = [l for l in picky[0] if "[x] Received" in l]
    yield "picky.py got poison four times, three of them redelivered (%d, %d)" % (
        len(looped), sum("(redelivered)" in l for l in looped)), (
        len(looped), sum("(redelivered)" in l for l in looped)) == (4, 3)
    yield "then it was in dead and tasks was empty", (s["poison-loop"]["dead"][0], s["poison-loop"]["tasks"][:2]) == (1, (0, 0))
    yield "inspector.py received it from dead", any("'poison'" in l for l in r.received("inspector.py"))
    once = [l for l in picky[-1] if "[x] Received" in l]
    yield "rejected without requeue, poison came once (%d)" % len(once), len(once) == 1
    yield "and went to dead, read by inspector.py", len(r.received("inspector.py")) == 2


def claims_14(r):
    refused = r.failed_starts.get("reader.py", "")
    yield "reader.py without basic_qos was refused: 406, consumer prefetch count is not set", (
        "406" in refused and "consumer prefetch count is not set" in refused)
    bodies = lambda name: [l.split("'")[1] for l in r.received(name)]
    reader = bodies("reader.py")
    yield "from first, reader.py read the five events, then the two late ones (%s)" % reader, reader == [
        "event 1", "event 2", "event 3", "event 4", "event 5", "late event", "late event"]
    yield "from next, tail.py got only the late events (%s)" % bodies("tail.py"), bodies("tail.py") == ["late event"] * 2
    yield "from offset 3, audit.py got offsets 3 to 6 (%s)" % bodies("audit.py"), bodies("audit.py") == [
        "event 4", "event 5", "late event", "late event"]


# Workers a chapter starts on purpose for the broker to refuse.
REFUSED_STARTS = {14: {"reader.py"}}

CLAIMS = {1: claims_1, 2: claims_2, 3: claims_3, 5: claims_5, 6: claims_6, 7: claims_7, 8: claims_8,
          11: claims_11, 12: claims_12, 13: claims_13, 14: claims_14}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chapters", default="1,2,3,5,6,7,8,11,12,13,14")
    ap.add_argument("--ctl", default="rabbitmqctl", help="how to run rabbitmqctl against the node")
    args = ap.parse_args()
    ctl = shlex.split(args.ctl)
    failed = 0
    for n in [int(x) for x in args.chapters.split(",")]:
        script = json.loads(subprocess.run(
            ["cargo", "run", "-q", "--bin", "tutorial", "--", "script", str(n)],
            cwd=ROOT, capture_output=True, text=True, check=True).stdout)
        print("== chapter %d: %s" % (n, script["id"]), flush=True)
        with tempfile.TemporaryDirectory(prefix="warren-pika-") as tmp:
            r = Run(ctl, tmp)
            r.reset()
            try:
                for step in script["setup"]:
                    r.play(step)
                for task in script["tasks"]:
                    for step in task["steps"]:
                        r.play(step)
                    time.sleep(0.5)
                    r.snapshots[task["id"]] = r.queues()
                results = list(CLAIMS[n](r))
                for name, output in r.failed_starts.items():
                    if name not in REFUSED_STARTS.get(n, ()):
                        results.append(("%s did not start:\n%s" % (name, output), False))
            except Exception as e:  # a crash in the harness is a failure
                results = [("played the chapter (%s)" % e, False)]
            finally:
                r.stop_all()
        for text, ok in results:
            print("  %s %s" % ("ok  " if ok else "FAIL", text), flush=True)
            failed += 0 if ok else 1
    print("%d claims failed" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
