#!/usr/bin/env python3
"""Runs the official RabbitMQ Python tutorials 1-6 (vendored unmodified, see
NOTICE) and Warren's pika port of tutorial 7 against a real broker, and checks
what each program prints (and `ctl list_queues` where the tutorial shows it).

    python3 tests/tutorials/run_tutorials.py [--broker-sh SCRIPT] [--port N] [SCENARIO ...]

SCRIPT is a broker-control script with broker.sh's verbs (default
../shared/conformance/broker.sh, env ORACLE_BROKER_SH); N the AMQP port (env
ORACLE_AMQP_PORT). The programs connect to localhost:5672 in their text; the
harness points them at N through tests/wire_clients/pika_port/sitecustomize.py.
Every scenario starts on a fresh vhost /. Exit status 1 if any check fails.
About 15 s against RabbitMQ 3.10.8 (the workers sleep one second per dot).
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "wire_clients"))
from wirelib import run_main, say  # noqa: E402

WAITING = r"^ \[\*\] Waiting for (messages|logs)\. To exit press CTRL\+C$"
CONFIRM_COUNT = int(os.environ.get("TUTORIAL7_MESSAGES", "2000"))


def stop(c, proc):
    """Ctrl-C: the tutorials' consumers print Interrupted and exit 0."""
    rc = proc.interrupt()
    c.ok(rc == 0 and proc.lines()[-1:] == ["Interrupted"], "%s: SIGINT -> Interrupted, exit 0" % proc.name, proc)


def hello_world(broker, progs, c, folder=""):
    p = progs.run("send.py", folder + "send.py")
    c.equal((p.rc, p.lines()), (0, [" [x] Sent 'Hello World!'"]), "send.py: [x] Sent 'Hello World!'", p)
    _, text = broker.wait_queue("hello", messages_ready=1)
    say(text.rstrip())
    c.ok(True, "list_queues: hello 1")
    r = progs.start("receive.py", folder + "receive.py")
    r.wait_for(r"Received")
    broker.wait_consumers("hello", 1)
    p = progs.run("send.py", folder + "send.py")
    r.wait_for(r"Received", count=2)
    c.equal(r.lines(), [" [*] Waiting for messages. To exit press CTRL+C",
                        " [x] Received Hello World!", " [x] Received Hello World!"],
            "receive.py gets the queued message, then the one sent while it runs", r)
    stop(c, r)


def work_queues(broker, progs, c, folder=""):
    # Fair dispatch (prefetch_count=1): while worker A works on the two-second
    # task, worker B takes both one-second tasks (round robin would give A the third).
    a = progs.start("worker A", folder + "worker.py")
    a.wait_for(WAITING)
    broker.wait_consumers("task_queue", 1)
    b = progs.start("worker B", folder + "worker.py")
    broker.wait_consumers("task_queue", 2)
    tasks = ["A very hard task which takes two seconds..", "Quick task.", "Another quick task."]
    for t in tasks:
        p = progs.run("new_task.py", folder + "new_task.py", t)
        c.equal((p.rc, p.lines()), (0, [" [x] Sent " + t]), "new_task.py %r" % t, p)
    a.wait_for(r"^ \[x\] Done$", timeout=20)
    b.wait_for(r"^ \[x\] Done$", count=2, timeout=20)
    got = [[l[len(" [x] Received "):] for l in w.matching(r"^ \[x\] Received ")] for w in (a, b)]
    c.equal(got, [tasks[:1], tasks[1:]], "prefetch 1: A does the long task, B both quick ones", a, b)
    _, text = broker.wait_queue("task_queue", messages_ready=0, messages_unacknowledged=0)
    say(text.rstrip())
    c.ok(True, "list_queues name messages_ready messages_unacknowledged: task_queue 0 0")
    for w in (a, b):
        w.interrupt()  # worker.py has no KeyboardInterrupt handler: a traceback, exit != 0
    c.ok(a.matching("KeyboardInterrupt", "err") != [], "workers stopped with SIGINT", a)


def publish_subscribe(broker, progs, c):
    rs = [progs.start("receive_logs.py #%d" % i, "receive_logs.py") for i in (1, 2)]
    for r in rs:
        r.wait_for(WAITING)
    p = progs.run("emit_log.py", "emit_log.py")
    c.equal(p.lines(), [" [x] Sent info: Hello World!"], "emit_log.py (default message)", p)
    p = progs.run("emit_log.py", "emit_log.py", "info: This is the log message")
    c.equal(p.lines(), [" [x] Sent info: This is the log message"], "emit_log.py 'info: This is the log message'", p)
    for r in rs:
        r.wait_for(r"^ \[x\] ", count=2)
    for r in rs:
        c.equal(r.lines()[1:], [" [x] info: Hello World!", " [x] info: This is the log message"],
                "%s gets both (fanout)" % r.name, r)
    for r in rs:
        stop(c, r)


def routing(broker, progs, c):
    p = progs.run("receive_logs_direct.py", "receive_logs_direct.py")
    c.equal((p.rc, p.lines("err")), (1, ["Usage: receive_logs_direct.py [info] [warning] [error]"]),
            "without severities: usage on stderr, exit 1", p)
    r1 = progs.start("receive_logs_direct.py warning error", "receive_logs_direct.py", "warning", "error")
    r2 = progs.start("receive_logs_direct.py info warning error", "receive_logs_direct.py", "info", "warning", "error")
    for r in (r1, r2):
        r.wait_for(WAITING)
    sends = [("error", "Run. Run. Or it will explode."), ("info", "The message"),
             ("debug", "nobody listens"), ("warning", "barrier")]
    for sev, msg in sends:
        p = progs.run("emit_log_direct.py", "emit_log_direct.py", sev, msg)
        c.equal(p.lines(), [" [x] Sent %s:%s" % (sev, msg)], "emit_log_direct.py %s %r" % (sev, msg), p)
    for r in (r1, r2):
        r.wait_for("barrier")
    c.equal(r1.lines()[1:], [" [x] error:Run. Run. Or it will explode.", " [x] warning:barrier"],
            "warning+error receiver: error and warning only", r1)
    c.equal(r2.lines()[1:], [" [x] error:Run. Run. Or it will explode.", " [x] info:The message",
                             " [x] warning:barrier"], "info+warning+error receiver: not debug", r2)
    for r in (r1, r2):
        stop(c, r)


def topics(broker, progs, c):
    keys = {"all": ["#"], "kern": ["kern.*"], "critical": ["*.critical"], "both": ["kern.*", "*.critical"]}
    rs = {k: progs.start("receive_logs_topic.py " + " ".join(v), "receive_logs_topic.py", *v)
          for k, v in keys.items()}
    for r in rs.values():
        r.wait_for(WAITING)
    sends = [("kern.critical", "A critical kernel error"), ("kern.info", "kernel info"),
             ("cron.critical", "cron is critical"), (None, None),
             ("kern.critical", "barrier")]
    for key, msg in sends:
        args = [key, msg] if key else []   # no arguments: anonymous.info:Hello World!
        p = progs.run("emit_log_topic.py", "emit_log_topic.py", *args)
        c.equal(p.lines(), [" [x] Sent %s:%s" % (key or "anonymous.info", msg or "Hello World!")],
                "emit_log_topic.py %s" % (" ".join(repr(a) for a in args) or "(no arguments)"), p)
    for r in rs.values():
        r.wait_for("barrier")
    want = {
        "all": ["kern.critical:A critical kernel error", "kern.info:kernel info",
                "cron.critical:cron is critical", "anonymous.info:Hello World!"],
        "kern": ["kern.critical:A critical kernel error", "kern.info:kernel info"],
        "critical": ["kern.critical:A critical kernel error", "cron.critical:cron is critical"],
        "both": ["kern.critical:A critical kernel error", "kern.info:kernel info",
                 "cron.critical:cron is critical"],
    }
    for k, r in rs.items():
        c.equal(r.lines()[1:], [" [x] " + x for x in want[k] + ["kern.critical:barrier"]],
                "binding %s" % " ".join(keys[k]) + (" (one copy when two bindings match)" if k == "both" else ""), r)
    for r in rs.values():
        stop(c, r)


def rpc(broker, progs, c, folder=""):
    s = progs.start("rpc_server.py", folder + "rpc_server.py")
    s.wait_for(r"^ \[x\] Awaiting RPC requests$")
    for i in (1, 2):
        p = progs.run("rpc_client.py", "rpc_client.py", timeout=60)
        c.equal((p.rc, p.lines()), (0, [" [x] Requesting fib(30)", " [.] Got 832040"]),
                "rpc_client.py #%d: fib(30) = 832040" % i, p)
    s.wait_for(r"^ \[\.\] fib\(30\)$", count=2)
    broker.wait_queue("rpc_queue", messages_ready=0, messages_unacknowledged=0, consumers=1)
    c.ok(True, "rpc_queue: 0 ready, 0 unacked, 1 consumer; the server answered twice")
    s.interrupt()


def publisher_confirms(broker, progs, c):
    p = progs.run("publisher_confirms.py", "publisher_confirms.py", str(CONFIRM_COUNT), timeout=180)
    n = "{:,}".format(CONFIRM_COUNT)
    shapes = [r"^Published %s messages individually in [\d,]+ ms$" % n,
              r"^Published %s messages in batch in [\d,]+ ms$" % n,
              r"^Published %s messages and handled confirms asynchronously in [\d,]+ ms$" % n]
    lines = p.lines()
    c.ok(p.rc == 0 and len(lines) == 3 and all(re.match(rx, l) for rx, l in zip(shapes, lines))
         and not p.lines("err"), "three timing lines of the right shape", p)
    for l in lines:
        say("     " + l)
    # Each strategy left its auto-delete (never consumed) queue with every message in it.
    rows, text = broker.list_queues("name", "messages_ready")
    full = [r for r in rows.values() if r["messages_ready"] == str(CONFIRM_COUNT)]
    c.equal(len(full), 3, "list_queues: three queues of %s messages (all confirmed ones arrived)" % n)


SCENARIOS = [
    ("tutorial 1: hello world", hello_world),
    ("tutorial 2: work queues, fair dispatch", work_queues),
    ("tutorial 3: publish/subscribe", publish_subscribe),
    ("tutorial 4: routing", routing),
    ("tutorial 5: topics", topics),
    ("tutorial 6: RPC", rpc),
    ("tutorial 7: publisher confirms (Warren's pika port)", publisher_confirms),
    ("upstream main (quorum queues): tutorial 1", lambda b, p, c: hello_world(b, p, c, "quorum/")),
    ("upstream main (quorum queues): tutorial 2", lambda b, p, c: work_queues(b, p, c, "quorum/")),
    ("upstream main (quorum queues): tutorial 6", lambda b, p, c: rpc(b, p, c, "quorum/")),
]


if __name__ == "__main__":
    sys.exit(run_main(__doc__, "tutorials", SCENARIOS, HERE))
