#!/usr/bin/env python3
"""Plays the lessons' own pika programs (tests/lessons/*.py, unmodified: see
README.md) against a real broker and checks what each program prints and what
`ctl list_queues` shows, including what the lessons' mistakes lead to.

    python3 tests/lessons/run_lessons.py [--broker-sh SCRIPT] [--port N] [SCENARIO ...]

SCRIPT is a broker-control script with broker.sh's verbs (default
../shared/conformance/broker.sh, env ORACLE_BROKER_SH); N the AMQP port (env
ORACLE_AMQP_PORT). The broker is started if needed (`start` is idempotent) and
left running. Every scenario starts on a fresh vhost / (delete_vhost, add_vhost,
set_permissions). Blocking consumers are stopped with SIGINT once the expected
lines have appeared. Exit status 1 if any check fails.

About 45 s against RabbitMQ 3.10.8 (two broker restarts; the work-queue workers
really sleep one second per dot).
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "wire_clients"))
from wirelib import HarnessError, pika_connection, run_main, say  # noqa: E402

GOT = "消费者接收到了任务:%s"          # what every consumer of lesson 000 prints per message
SENT = "已经发送了消息"                  # what the producers of lesson 000 print
TRACE = "Traceback (most recent call last):"


def basic_get_redelivered(port, queue):
    """The harness's own look at the head of `queue` (no ack: the message stays)."""
    conn = pika_connection(port)
    try:
        ch = conn.channel()
        method, _props, body = ch.basic_get(queue=queue, auto_ack=False)
        if method is None:
            return None
        ch.basic_nack(method.delivery_tag, requeue=True)
        return body, bool(method.redelivered)
    finally:
        conn.close()


def harness_amqp(port, fn):
    conn = pika_connection(port)
    try:
        fn(conn.channel())
    finally:
        conn.close()


# ---------------------------------------------------------------------------
# lesson 000: hello world, manual ack, durability, fair dispatch, fanout,
# direct, topic, played in order on one vhost as a reader following the post
# would (so a later section meets what an earlier one declared).
# ---------------------------------------------------------------------------
def lesson_000(broker, progs, c):
    port = broker.port

    c.step("§3.1 producer.py, then comuser.py (auto ack)")
    p = progs.run("producer", "000_31_producer.py")
    c.equal((p.rc, p.lines()), (0, [SENT]), "producer.py prints %s and exits 0" % SENT, p)
    row, text = broker.wait_queue("ja", messages_ready=1, messages_unacknowledged=0)
    say(text.rstrip())
    c.ok(True, "list_queues: ja 1 ready")
    cons = progs.start("comuser", "000_31_comuser.py")
    cons.wait_for("b'hello'")
    broker.wait_queue("ja", messages_ready=0, messages_unacknowledged=0, consumers=1)
    cons.interrupt()
    c.equal(cons.lines(), [GOT % "b'hello'"], "comuser.py received b'hello' (and the queue is empty)", cons)

    c.step("§3.2 several consumers: round robin (two comuser.py, producer.py twice)")
    a = progs.start("comuser A", "000_31_comuser.py")
    broker.wait_consumers("ja", 1)
    b = progs.start("comuser B", "000_31_comuser.py")
    broker.wait_consumers("ja", 2)
    for i in range(2):
        progs.run("producer #%d" % (i + 1), "000_31_producer.py")
    deadline = time.monotonic() + 15
    while len(a.lines()) + len(b.lines()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    a.interrupt()
    b.interrupt()
    c.equal((a.lines(), b.lines()), ([GOT % "b'hello'"], [GOT % "b'hello'"]),
            "one message each (round robin)", a, b)

    c.step("§3.2 customer.py (manual ack) with the lesson's typo method.deliver_tag")
    cust = progs.start("customer", "000_32_customer.py")
    cust.wait_for("^waiting for message$")
    progs.run("producer", "000_31_producer.py")
    rc = cust.finish(20)
    c.ok(rc != 0 and cust.lines() == ["waiting for message", GOT % "b'hello'"]
         and any("AttributeError" in l and "deliver_tag" in l for l in cust.lines("err")),
         "customer.py prints the message, then dies: AttributeError ... 'deliver_tag' (exit %s)" % rc, cust)
    _, text = broker.wait_queue("ja", messages_ready=1, messages_unacknowledged=0, consumers=0)
    say(text.rstrip())
    c.ok(True, "list_queues: the unacked message went back to ja (1 ready, 0 unacked)")
    c.equal(basic_get_redelivered(port, "ja"), (b"hello", True),
            "the harness's basic.get sees it redelivered=True")
    again = progs.start("customer again", "000_32_customer.py")
    rc = again.finish(20)
    c.ok(rc != 0 and GOT % "b'hello'" in again.lines() and again.matching("AttributeError", "err"),
         "run again: it gets the same message and dies again (a poison message)", again)
    broker.wait_queue("ja", messages_ready=1, messages_unacknowledged=0, consumers=0)

    c.step("§3.3 producer.py declares ja durable=True, but ja exists and is not durable")
    p = progs.run("producer 3.3", "000_33_producer.py")
    err = "\n".join(p.lines("err"))
    c.ok(p.rc != 0 and SENT not in p.lines() and "406" in err and "PRECONDITION_FAILED" in err
         and "inequivalent arg 'durable' for queue 'ja'" in err,
         "406 PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'ja' (nothing sent)", p)
    c.step("(harness) deletes queue ja, as the reader has to before 3.3 can work")
    harness_amqp(port, lambda ch: ch.queue_delete("ja"))
    p = progs.run("producer 3.3", "000_33_producer.py")
    c.equal((p.rc, p.lines()), (0, [SENT]), "producer.py (durable queue, delivery_mode=2) sends", p)
    broker.wait_queue("ja", messages_ready=1)
    c.step("broker restart between producer and consumer")
    t = time.monotonic()
    broker.restart()
    say("   restarted in %.1f s" % (time.monotonic() - t))
    _, text = broker.wait_queue("ja", messages_ready=1, messages_unacknowledged=0)
    say(text.rstrip())
    c.ok(True, "after the restart: durable ja still holds the persistent message")
    cust = progs.start("customize", "000_33_customize.py")
    rc = cust.finish(20)
    c.ok(rc != 0 and cust.lines() == ["waiting for message", GOT % "b'hello'"]
         and cust.matching("AttributeError.*deliver_tag", "err"),
         "customize.py gets b'hello' after the restart, then dies on the same deliver_tag typo", cust)
    broker.wait_queue("ja", messages_ready=1, messages_unacknowledged=0, consumers=0)
    c.equal(basic_get_redelivered(port, "ja"), (b"hello", True),
            "the message is back in ja, redelivered=True")

    c.step("§3.4 producer.py sets basic_qos(prefetch_count=1) on the producer's own channel")
    p = progs.run("producer 3.4", "000_34_producer.py")
    c.equal((p.rc, p.lines()), (0, [SENT]), "accepted (qos only affects consumers on that channel: none)", p)
    _, text = broker.wait_queue("ja", messages_ready=2, messages_unacknowledged=0)
    say(text.rstrip())
    c.ok(True, "list_queues: ja 2 ready")

    c.step("§4.1 fanout: customer.py binds to exchange m1, which nobody has declared yet")
    cust = progs.start("customer 4.1 (too early)", "000_41_customer.py")
    rc = cust.finish(20)
    err = "\n".join(cust.lines("err"))
    c.ok(rc != 0 and "404" in err and "NOT_FOUND - no exchange 'm1' in vhost '/'" in err,
         "customer.py dies: 404 NOT_FOUND - no exchange 'm1' in vhost '/'", cust)
    p = progs.run("producer 4.1", "000_41_producer.py")
    c.equal((p.rc, p.lines()), (0, [SENT]), "producer.py declares m1 (fanout) and publishes b'nihao' (no queue yet: dropped)", p)
    subs = [progs.start("customer 4.1 #%d" % i, "000_41_customer.py") for i in (1, 2)]
    for s in subs:
        s.wait_for("^waiting for message$")
    p = progs.run("producer 4.1", "000_41_producer.py")
    for s in subs:
        s.wait_for("b'nihao'")
    for s in subs:
        s.interrupt()
    c.equal([s.lines() for s in subs], [["waiting for message", GOT % "b'nihao'"]] * 2,
            "both running customers get b'nihao' (the first one was dropped)", *subs)

    c.step("§4.2 direct: customizer.py binds to m1 (the fanout), not to the producer's m2")
    cz = progs.start("customizer 4.2", "000_42_customizer.py")
    cz.wait_for("^waiting for message$")
    p = progs.run("producer 4.2", "000_42_producer.py")
    c.equal((p.rc, p.lines()), (0, [SENT]), "producer.py declares m2 (direct) and publishes b'hello' with key ja", p)
    c.step("barrier: §4.1's producer.py publishes b'nihao' on m1")
    progs.run("producer 4.1", "000_41_producer.py")
    cz.wait_for("b'nihao'")
    cz.interrupt()
    c.equal(cz.lines(), ["waiting for message", GOT % "b'nihao'"],
            "customizer.py never gets b'hello' from m2, only m1's b'nihao'", cz)

    c.step("§4.3 topic: both programs declare m2 as topic, but m2 is §4.2's direct exchange")
    cust = progs.start("customer 4.3", "000_43_customer.py")
    rc = cust.finish(20)
    want = "inequivalent arg 'type' for exchange 'm2' in vhost '/': received 'topic' but current is 'direct'"
    c.ok(rc != 0 and want in "\n".join(cust.lines("err")) and "406" in "\n".join(cust.lines("err")),
         "customer.py dies: 406 PRECONDITION_FAILED - " + want, cust)
    p = progs.run("producer 4.3", "000_43_producer.py")
    c.ok(p.rc != 0 and p.lines() == [] and want in "\n".join(p.lines("err")),
         "producer.py dies with the same 406, nothing sent", p)
    c.step("(harness) deletes exchange m2, as the reader has to")
    harness_amqp(port, lambda ch: ch.exchange_delete("m2"))
    cust = progs.start("customer 4.3", "000_43_customer.py")
    cust.wait_for("^waiting for message$")
    p = progs.run("producer 4.3", "000_43_producer.py")
    c.equal((p.rc, p.lines()), (0, ["Send b'1'", "Send b'2'"]), "producer.py sends europe.weather and europe.weather.bad", p)
    c.step("barrier: the harness publishes b'barrier' on m2 with key 'europe.' (the lesson's binding key)")
    harness_amqp(port, lambda ch: ch.basic_publish("m2", "europe.", b"barrier"))
    cust.wait_for("b'barrier'")
    cust.interrupt()
    c.equal(cust.lines(), ["waiting for message", GOT % "b'barrier'"],
            "binding key 'europe.' matches neither europe.weather nor europe.weather.bad", cust)


def lesson_001(broker, progs, c):
    c.ok(True, "skipped: the text breaks off in its first program ('connection =<'); nothing to run")


# ---------------------------------------------------------------------------
# lesson 002: work queues (the durable new_task.py / worker.py at its end)
# ---------------------------------------------------------------------------
TASKS = ["First message.", "Second message..", "Third message...", "Fourth message....",
         "Fifth message....."]


def lesson_002_work_queue(broker, progs, c):
    c.step("two worker.py, then the lesson's five new_task.py commands")
    w = [progs.start("worker A", "002_worker.py"), None]
    w[0].wait_for(r"^ \[\*\] Waiting for messages")
    w[1] = progs.start("worker B", "002_worker.py")
    w[1].wait_for(r"^ \[\*\] Waiting for messages")
    for t in TASKS:
        p = progs.run("new_task", "002_new_task.py", *t.split(" "))
        c.equal((p.rc, p.lines()), (0, [" [x] Sent %s" % t]), "new_task.py %s" % t, p)
    w[0].wait_for(r"^ \[x\] Done$", count=3, timeout=30)
    w[1].wait_for(r"^ \[x\] Done$", count=2, timeout=30)
    got = [[l[len(" [x] Received "):] for l in x.matching(r"^ \[x\] Received ")] for x in w]
    c.equal(got, [TASKS[0::2], TASKS[1::2]],
            "round robin: worker A (first to subscribe) gets 1, 3, 5; worker B gets 2, 4", *w)
    _, text = broker.wait_queue("task_queue", messages_ready=0, messages_unacknowledged=0)
    say(text.rstrip())
    c.ok(True, "list_queues name messages_ready messages_unacknowledged: task_queue 0 0")

    c.step("manual ack: a ten-second task; kill (SIGKILL) the worker that took it before it is done")
    long_task = "A ten-second task.........."
    p = progs.run("new_task", "002_new_task.py", *long_task.split(" "))
    pat = r"^ \[x\] Received " + long_task.replace(".", r"\.") + "$"
    deadline = time.monotonic() + 15
    taker = None
    while taker is None:
        taker = next((x for x in w if x.matching(pat)), None)
        if time.monotonic() > deadline:
            raise HarnessError("no worker received the long task" + w[0].dump() + w[1].dump())
        time.sleep(0.05)
    other = w[1] if taker is w[0] else w[0]
    taker.kill()
    say("   %s took it and was killed" % taker.name)
    other.wait_for(pat, timeout=15)
    c.ok(True, "%s gets the same task (the killed worker had not acked it)" % other.name)
    broker.wait_queue("task_queue", messages_ready=0, messages_unacknowledged=1)
    c.ok(True, "list_queues: task_queue 0 ready, 1 unacked (being worked on)")
    rc = other.interrupt()
    c.ok(rc == 0 and other.lines()[-1] == "Interrupted", "Ctrl-C (SIGINT) on %s: prints Interrupted, exit 0" % other.name, other)
    _, text = broker.wait_queue("task_queue", messages_ready=1, messages_unacknowledged=0)
    say(text.rstrip())
    c.ok(True, "list_queues: the unfinished task is back (1 ready, 0 unacked)")


def lesson_002_durability(broker, progs, c):
    c.step("worker.py takes a persistent task; the broker restarts before the worker is done")
    task = "A durable task....."
    w = progs.start("worker", "002_worker.py")
    w.wait_for(r"^ \[\*\] Waiting for messages")
    p = progs.run("new_task", "002_new_task.py", *task.split(" "))
    c.equal((p.rc, p.lines()), (0, [" [x] Sent " + task]), "new_task.py sends it", p)
    w.wait_for(r"^ \[x\] Received " + task.replace(".", r"\.") + "$")
    t = time.monotonic()
    broker.restart()
    say("   restarted in %.1f s" % (time.monotonic() - t))
    rc = w.finish(30)
    c.ok(rc != 0 and w.matching(r"^pika\.exceptions\.\w+", "err"),
         "the running worker fails with a pika exception (exit %s): %s" % (
             rc, (w.matching(r"^pika\.exceptions\.\w+", "err") or ["?"])[-1][:110]), w)
    _, text = broker.wait_queue("task_queue", messages_ready=1, messages_unacknowledged=0)
    say(text.rstrip())
    c.ok(True, "after the restart: task_queue still exists with 1 message ready")
    w2 = progs.start("worker (restarted)", "002_worker.py")
    w2.wait_for(r"^ \[x\] Done$", timeout=30)
    c.ok(w2.matching(r"^ \[x\] Received " + task.replace(".", r"\.") + "$") != [],
         "a new worker.py receives it and finishes it", w2)
    broker.wait_queue("task_queue", messages_ready=0, messages_unacknowledged=0)
    c.ok(True, "list_queues: task_queue 0 0 (acked)")
    rc = w2.interrupt()
    c.ok(rc == 0 and w2.lines()[-1] == "Interrupted", "SIGINT: Interrupted, exit 0", w2)


SCENARIOS = [
    ("000 hello world / manual ack / durability / fair dispatch / fanout / direct / topic", lesson_000),
    ("001 pika intro (truncated text)", lesson_001),
    ("002 work queues: round robin, then manual ack with a killed worker", lesson_002_work_queue),
    ("002 work queues: durability across a broker restart", lesson_002_durability),
]


if __name__ == "__main__":
    sys.exit(run_main(__doc__, "lessons", SCENARIOS, HERE))
