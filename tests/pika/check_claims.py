#!/usr/bin/env python3
"""Checks, against a real RabbitMQ, the claims the chapters make that
`run_chapters.py` does not play: the corrections of issue 19.

Not part of CI (it needs a RabbitMQ node and about 90 s of real time, most of
it waiting for the consumer timeout). Run it against the conformance kit's
private node:

    export ORACLE_AMQP_PORT=5682 ORACLE_BROKER_DIR=$PWD/target/claims-rabbit ORACLE_NODENAME=rabbit-claims@localhost
    sh ../shared/conformance/broker.sh start
    python3 tests/pika/check_claims.py --port 5682 --ctl "sh ../shared/conformance/broker.sh ctl"
    sh ../shared/conformance/broker.sh stop

Each check prints what the broker did and `ok` or `FAIL`; exit status 1 if
any failed. On RabbitMQ 3.10.8 (Debian's package) every check passes.

The corrections of issue 19 and where each was checked:
- chapter 3, the acknowledgement timeout: `consumer_timeout` below, and
  https://www.rabbitmq.com/docs/consumers#acknowledgement-timeout (checked
  about once a minute; 406 PRECONDITION_FAILED; requeued); the default
  came in 3.8.15 (15 min, rabbitmq/rabbitmq-server#2990) and became 30 min
  in 3.8.17 (rabbitmq/rabbitmq-server#3033).
- chapter 10, BlockingConnection waits for each confirm, SelectConnection
  gets multiple=true acks: `blocking_confirms`, `select_confirms`; confirms
  as a RabbitMQ extension: https://www.rabbitmq.com/docs/confirms.
- chapter 4, what confirms tell a publisher (persistent messages in durable
  queues are confirmed once written): https://www.rabbitmq.com/docs/confirms
  ("when will messages be confirmed"), and chapter 4's crash task.
- chapter 2, prefetch and auto-ack: `auto_ack_ignores_prefetch`.
- chapter 7, binding to a missing m1 is 404, and a fanout ignores the key:
  `bind_to_missing_exchange`, `fanout_ignores_key`.
- the blog's mistakes: `worker_declares_non_durable`,
  `producer_qos_does_nothing`; the `deliver_tag` typo and redeclaring `ja`
  durable are played by `tests/lessons/run_lessons.py` and
  `run_chapters.py`.
- chapter 11, how a headers exchange matches: `headers_exchange_rules`.
- chapter 12, alternate exchanges and mandatory: `alternate_exchange_and_mandatory`.
- chapter 13, a quorum queue's delivery limit and dead-lettering:
  `quorum_delivery_limit`.
- chapter 14, what a stream asks of its consumers and x-stream-offset:
  `stream_rules`.
- the bridge's guest-from-localhost-only: `guest_loopback_only`, and
  https://www.rabbitmq.com/docs/access-control#loopback-users. The consumer-timeout check lowers the node's `consumer_timeout`
to 5 s for the run (`application:set_env`, read by channels opened after it)
and puts the default back at the end.
"""

import argparse
import shlex
import subprocess
import sys
import time

import pika
from pika.exceptions import ChannelClosedByBroker

PORT = 5672
CTL = ["rabbitmqctl"]


def params():
    return pika.ConnectionParameters(
        host="127.0.0.1", port=PORT, credentials=pika.PlainCredentials("guest", "guest"))


def connect():
    conn = pika.BlockingConnection(params())
    return conn, conn.channel()


def ctl(*args):
    out = subprocess.run(CTL + list(args), capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError("rabbitmqctl %s: %s" % (" ".join(args), out.stderr.strip()))
    return out.stdout


def fresh(*queues, exchanges=()):
    conn, ch = connect()
    for q in queues:
        ch.queue_delete(queue=q)
    for x in exchanges:
        ch.exchange_delete(exchange=x)
    conn.close()


def ready_unacked(queue):
    for line in ctl("list_queues", "-q", "--no-table-headers", "name", "messages_ready",
                    "messages_unacknowledged").splitlines():
        parts = line.split("\t")
        if parts[0] == queue:
            return int(parts[1]), int(parts[2])
    return None


# -- the checks ---------------------------------------------------------------

def consumer_timeout():
    """Chapter 3: an unacked delivery past consumer_timeout closes the
    channel with 406 PRECONDITION_FAILED and requeues the message."""
    default = ctl("eval", "application:get_env(rabbit, consumer_timeout).").strip()
    yield "node default: %s" % default, "1800000" in default
    ctl("eval", "application:set_env(rabbit, consumer_timeout, 5000).")
    try:
        fresh("slow")
        conn, ch = connect()
        ch.queue_declare(queue="slow")
        ch.basic_publish(exchange="", routing_key="slow", body=b"a task that takes an hour")
        got = []
        ch.basic_consume("slow", lambda c, m, p, b: got.append(m.delivery_tag))  # never acks
        # BlockingConnection raises ChannelClosedByBroker only on the next
        # use of the channel: watch the close itself.
        reasons = []
        ch._impl.add_on_close_callback(lambda _ch, reason: reasons.append(reason))
        start = time.monotonic()
        while not reasons and time.monotonic() - start < 150:
            conn.process_data_events(time_limit=1)
        waited = time.monotonic() - start
        closed = reasons[0] if reasons and isinstance(reasons[0], ChannelClosedByBroker) else None
        yield "one delivery, never acked", got == [1]
        text = closed.reply_text if closed else None
        yield "after %.0f s the broker closed the channel: %s %s" % (
            waited, closed.reply_code if closed else None, text), (
            closed is not None and closed.reply_code == 406
            and text.startswith("PRECONDITION_FAILED - delivery acknowledgement on channel 1 timed out"))
        yield "the check runs about once a minute, not at 5 s (%.0f s)" % waited, waited > 5
        yield "the connection stays open", conn.is_open
        counts = ready_unacked("slow")
        yield "the message is back in the queue, ready %s" % (counts,), counts == (1, 0)
        ch2 = conn.channel()
        m, _, _ = ch2.basic_get("slow", auto_ack=True)
        yield "and comes back redelivered=%s" % m.redelivered, m.redelivered
        conn.close()
    finally:
        ctl("eval", "application:set_env(rabbit, consumer_timeout, 1800000).")


def blocking_confirms():
    """Chapter 10: BlockingChannel.basic_publish in confirm mode waits for
    each confirm, so no basic.ack ever covers several publishes."""
    fresh("confirms")
    conn, ch = connect()
    ch.queue_declare(queue="confirms", durable=True)
    ch.confirm_delivery()
    # A second listener for the broker's basic.ack frames on this channel,
    # next to the one confirm_delivery() registered.
    seen = []
    ch._impl.callbacks.add(
        ch._impl.channel_number, pika.spec.Basic.Ack,
        lambda frame: seen.append((frame.method.delivery_tag, frame.method.multiple)), False)
    for i in range(50):
        ch.basic_publish(exchange="", routing_key="confirms", body=b"message %d" % i,
                         properties=pika.BasicProperties(delivery_mode=2))
    conn.close()
    multiple = [s for s in seen if s[1]]
    yield "50 publishes, %d basic.ack frames" % len(seen), len(seen) == 50
    yield "none with multiple=true (%d)" % len(multiple), not multiple


def select_confirms():
    """Chapter 10: with SelectConnection and a confirm callback, publishes
    overlap and one basic.ack with multiple=true covers several."""
    fresh("confirms")
    acks = []
    state = {"sent": 0}

    def on_open(conn):
        conn.channel(on_open_callback=on_channel)

    def on_channel(ch):
        state["ch"] = ch
        ch.queue_declare("confirms", durable=True, callback=lambda _f: ch.confirm_delivery(
            ack_nack_callback=on_confirm, callback=lambda _f: publish(ch)))

    def publish(ch):
        for i in range(50):
            ch.basic_publish("", "confirms", b"message %d" % i,
                             pika.BasicProperties(delivery_mode=2))
            state["sent"] += 1

    def on_confirm(frame):
        acks.append((frame.method.NAME, frame.method.delivery_tag, frame.method.multiple))
        if acks[-1][1] == 50:
            conn.close()

    conn = pika.SelectConnection(params(), on_open_callback=on_open,
                                 on_close_callback=lambda c, e: c.ioloop.stop())
    conn.ioloop.call_later(30, conn.ioloop.stop)
    conn.ioloop.start()
    multiple = [a for a in acks if a[2]]
    yield "50 publishes, %d basic.ack frames, last tag %s" % (
        len(acks), acks[-1][1] if acks else None), acks and acks[-1][1] == 50 and len(acks) < 50
    yield "%d of them with multiple=true" % len(multiple), len(multiple) >= 1


def auto_ack_ignores_prefetch():
    """Chapter 2: basic_qos(prefetch_count=1) does not limit an auto-ack
    consumer: it gets the whole backlog at once."""
    fresh("hello")
    conn, ch = connect()
    ch.queue_declare(queue="hello")
    for i in range(5):
        ch.basic_publish(exchange="", routing_key="hello", body=b"task %d." % i)
    ch.basic_qos(prefetch_count=1)
    got = []
    ch.basic_consume("hello", lambda c, m, p, b: got.append(b), auto_ack=True)
    conn.process_data_events(time_limit=1)
    counts = ready_unacked("hello")
    conn.close()
    yield "prefetch 1 and auto_ack: %d of 5 delivered at once, queue %s" % (len(got), counts), (
        len(got) == 5 and counts == (0, 0))


def fanout_ignores_key():
    """Chapter 7: a queue bound to the fanout m1 with key ja gets every
    message published to m1, whatever its routing key."""
    fresh(exchanges=("m1",))
    conn, ch = connect()
    ch.exchange_declare(exchange="m1", exchange_type="fanout")
    q = ch.queue_declare(queue="", exclusive=True).method.queue
    ch.queue_bind(exchange="m1", queue=q, routing_key="ja")
    for key in ("ja", "", "something.else"):
        ch.basic_publish(exchange="m1", routing_key=key, body=key.encode() or b"(empty)")
    got = []
    ch.basic_consume(q, lambda c, m, p, b: got.append(m.routing_key), auto_ack=True)
    conn.process_data_events(time_limit=1)
    conn.close()
    yield "bound with ja, received keys %s" % got, got == ["ja", "", "something.else"]


def bind_to_missing_exchange():
    """Chapter 7: queue_bind to an exchange that does not exist is 404."""
    fresh(exchanges=("m1",))
    conn, ch = connect()
    q = ch.queue_declare(queue="", exclusive=True).method.queue
    try:
        ch.queue_bind(exchange="m1", queue=q, routing_key="ja")
        err = None
    except ChannelClosedByBroker as e:
        err = e
    conn.close()
    yield "queue_bind to a missing m1: %s %s" % (err.reply_code if err else None,
                                                 err.reply_text if err else "no error"), (
        err is not None and err.reply_code == 404
        and err.reply_text == "NOT_FOUND - no exchange 'm1' in vhost '/'")


def worker_declares_non_durable():
    """The blog's worker mistake: task_queue exists durable; a worker that
    declares it without durable=True is refused with 406."""
    fresh("task_queue")
    conn, ch = connect()
    ch.queue_declare(queue="task_queue", durable=True)
    ch.basic_publish(exchange="", routing_key="task_queue", body=b"A task...",
                     properties=pika.BasicProperties(delivery_mode=2))
    try:
        ch2 = conn.channel()
        ch2.queue_declare(queue="task_queue")
        err = None
    except ChannelClosedByBroker as e:
        err = e
    counts = ready_unacked("task_queue")
    conn.close()
    yield "queue_declare(queue='task_queue'): %s %s" % (err.reply_code if err else None,
                                                       err.reply_text if err else "no error"), (
        err is not None and err.reply_code == 406
        and "inequivalent arg 'durable' for queue 'task_queue'" in err.reply_text
        and "received 'false' but current is 'true'" in err.reply_text)
    yield "task_queue is untouched %s" % (counts,), counts == (1, 0)


def producer_qos_does_nothing():
    """The blog's §3.4: basic_qos on the producer's channel is accepted and
    limits nothing (it limits deliveries on *that* channel, which consumes
    nothing); a consumer on another channel still gets the whole backlog."""
    fresh("ja")
    conn, ch = connect()
    ch.basic_qos(prefetch_count=1)
    ch.queue_declare(queue="ja", durable=True)
    for i in range(3):
        ch.basic_publish(exchange="", routing_key="ja", body=b"hello",
                         properties=pika.BasicProperties(delivery_mode=2))
    conn.close()
    conn, ch = connect()
    got = []
    ch.basic_consume("ja", lambda c, m, p, b: got.append(m.delivery_tag))  # manual ack, never acks
    conn.process_data_events(time_limit=1)
    counts = ready_unacked("ja")
    conn.close()
    yield "the producer's basic_qos was accepted; a consumer with no qos holds %d of 3 unacked %s" % (
        len(got), counts), len(got) == 3 and counts == (0, 3)


def guest_loopback_only():
    """Chapter 0's bridge: guest may log in from localhost only."""
    local = ctl("eval", "rabbit_access_control:check_user_loopback(<<\"guest\">>, {127,0,0,1}).").strip()
    remote = ctl("eval", "rabbit_access_control:check_user_loopback(<<\"guest\">>, {192,168,1,20}).").strip()
    yield "guest from 127.0.0.1: %s, from 192.168.1.20: %s" % (local, remote), (
        local == "ok" and remote == "not_allowed")


def drain(ch, queue):
    """The bodies waiting in `queue`, taken with basic.get."""
    got = []
    while True:
        method, _props, body = ch.basic_get(queue, auto_ack=True)
        if method is None:
            return got
        got.append(body.decode())


def headers_exchange_rules():
    """Chapter 11: x-match all and any, all by default, headers named x-*
    left out unless any-with-x, values compared as they are, and 406 for
    any other x-match."""
    bindings = {
        "all_pdf_sales": {"x-match": "all", "format": "pdf", "team": "sales"},
        "any_pdf_sales": {"x-match": "any", "format": "pdf", "team": "sales"},
        "no_x_match": {"format": "pdf"},
        "number_2026": {"x-match": "all", "year": 2026},
        "any_x_team": {"x-match": "any", "x-team": "sales"},
        "any_with_x_team": {"x-match": "any-with-x", "x-team": "sales"},
    }
    fresh(*bindings, exchanges=("reports",))
    conn, ch = connect()
    ch.exchange_declare(exchange="reports", exchange_type="headers")
    for queue, arguments in bindings.items():
        ch.queue_declare(queue=queue)
        ch.queue_bind(queue=queue, exchange="reports", routing_key="ignored", arguments=arguments)
    messages = [("both", {"format": "pdf", "team": "sales"}), ("pdf", {"format": "pdf"}),
                ("upper", {"format": "PDF", "team": "sales"}), ("text", {"year": "2026"}),
                ("number", {"year": 2026}), ("x", {"x-team": "sales"})]
    for body, headers in messages:
        ch.basic_publish(exchange="reports", routing_key="some.key", body=body,
                         properties=pika.BasicProperties(headers=headers))
    time.sleep(0.5)
    got = {queue: drain(ch, queue) for queue in bindings}
    try:
        ch.queue_bind(queue="no_x_match", exchange="reports", arguments={"x-match": "some"})
        err = None
    except ChannelClosedByBroker as e:
        err = e
    conn.close()
    yield "all: %s" % got["all_pdf_sales"], got["all_pdf_sales"] == ["both"]
    yield "any: %s" % got["any_pdf_sales"], got["any_pdf_sales"] == ["both", "pdf", "upper"]
    yield "no x-match is all: %s" % got["no_x_match"], got["no_x_match"] == ["both", "pdf"]
    yield "year=2026 (a number): %s" % got["number_2026"], got["number_2026"] == ["number"]
    yield "x-team with any: %s, with any-with-x: %s" % (got["any_x_team"], got["any_with_x_team"]), (
        got["any_x_team"] == [] and got["any_with_x_team"] == ["x"])
    yield "x-match=some: %s" % (err.reply_code if err else "no error"), err is not None and err.reply_code == 406


def alternate_exchange_and_mandatory():
    """Chapter 12: a mandatory message no binding matches is returned (312);
    one an alternate exchange routes is not; one whose alternate exchange
    does not exist is; an alternate exchange cannot be added by declaring
    again (406), a policy adds one."""
    fresh("eu", "unrouted", exchanges=("orders", "unrouted", "ghost", "shop"))
    conn, ch = connect()
    returned = []
    ch.add_on_return_callback(lambda _ch, m, _p, body: returned.append((m.reply_code, body.decode())))

    def publish(exchange, key, body):
        ch.basic_publish(exchange=exchange, routing_key=key, body=body, mandatory=True)
        conn.process_data_events(time_limit=0.5)

    ch.exchange_declare(exchange="orders", exchange_type="direct")
    ch.queue_declare(queue="eu")
    ch.queue_bind(queue="eu", exchange="orders", routing_key="eu")
    ch.exchange_declare(exchange="unrouted", exchange_type="fanout")
    ch.queue_declare(queue="unrouted")
    ch.queue_bind(queue="unrouted", exchange="unrouted")
    publish("orders", "mars", "no alternate")
    try:
        ch.exchange_declare(exchange="orders", exchange_type="direct",
                            arguments={"alternate-exchange": "unrouted"})
        err = None
    except ChannelClosedByBroker as e:
        err = e
        ch = conn.channel()
        ch.add_on_return_callback(lambda _ch, m, _p, body: returned.append((m.reply_code, body.decode())))
    ch.exchange_delete(exchange="orders")
    ch.exchange_declare(exchange="orders", exchange_type="direct",
                        arguments={"alternate-exchange": "unrouted"})
    ch.queue_bind(queue="eu", exchange="orders", routing_key="eu")
    publish("orders", "mars", "alternate")
    publish("orders", "eu", "bound")
    ch.exchange_declare(exchange="ghost", exchange_type="direct",
                        arguments={"alternate-exchange": "nowhere"})
    publish("ghost", "mars", "missing alternate")
    ch.exchange_declare(exchange="shop", exchange_type="direct")
    ctl("set_policy", "AE", "^shop$", '{"alternate-exchange":"unrouted"}', "--apply-to", "exchanges")
    time.sleep(0.5)
    publish("shop", "mars", "by policy")
    ctl("clear_policy", "AE")
    conn.process_data_events(time_limit=0.5)
    eu, unrouted = drain(ch, "eu"), drain(ch, "unrouted")
    conn.close()
    yield "returned: %s" % returned, returned == [(312, "no alternate"), (312, "missing alternate")]
    yield "redeclaring orders with an alternate exchange: %s" % (err.reply_text if err else "no error"), (
        err is not None and err.reply_code == 406 and "inequivalent arg 'alternate-exchange'" in err.reply_text)
    yield "eu got %s, unrouted got %s" % (eu, unrouted), eu == ["bound"] and unrouted == ["alternate", "by policy"]


def quorum_delivery_limit():
    """Chapter 13: a quorum queue with x-delivery-limit 3 delivers a message
    rejected with requeue four times (x-delivery-count 1, 2, 3 on the
    redeliveries), then dead-letters it with the reason delivery_limit; a
    consumer that goes away counts as a return too; requeue=False
    dead-letters at once (rejected); quorum queues must be durable, and a
    classic queue refuses x-delivery-limit."""
    fresh("tasks", "dead", "not_durable", "classic_tasks", exchanges=("dlx",))
    conn, ch = connect()
    errors = []
    for queue, durable, arguments in (("not_durable", False, {"x-queue-type": "quorum"}),
                                      ("classic_tasks", False, {"x-delivery-limit": 3})):
        try:
            ch.queue_declare(queue=queue, durable=durable, arguments=arguments)
        except ChannelClosedByBroker as e:
            errors.append(e.reply_code)
            ch = conn.channel()
    ch.exchange_declare(exchange="dlx", exchange_type="fanout")
    ch.queue_declare(queue="dead")
    ch.queue_bind(queue="dead", exchange="dlx")
    ch.queue_declare(queue="tasks", durable=True, arguments={
        "x-queue-type": "quorum", "x-delivery-limit": 3, "x-dead-letter-exchange": "dlx"})
    ch.basic_publish(exchange="", routing_key="tasks", body="poison")
    seen = []

    def reject(c, method, props, body):
        seen.append((method.redelivered, (props.headers or {}).get("x-delivery-count")))
        c.basic_reject(delivery_tag=method.delivery_tag, requeue=True)

    ch.basic_qos(prefetch_count=1)
    tag = ch.basic_consume("tasks", reject)
    deadline = time.time() + 2
    while time.time() < deadline:
        conn.process_data_events(time_limit=0.2)
    ch.basic_cancel(tag)
    _m, props, body = ch.basic_get("dead", auto_ack=True)
    reason = props.headers.get("x-first-death-reason") if props else None
    ch.basic_publish(exchange="", routing_key="tasks", body="crash")
    time.sleep(0.5)
    gets = 0
    for _ in range(5):
        c2, ch2 = connect()
        method, _p, _b = ch2.basic_get("tasks", auto_ack=False)
        gets += method is not None
        c2.close()  # unacked: the message goes back, and counts
        time.sleep(0.3)
    _m, props2, body2 = ch.basic_get("dead", auto_ack=True)
    ch.basic_publish(exchange="", routing_key="tasks", body="hopeless")
    time.sleep(0.5)
    method, _p, _b = ch.basic_get("tasks", auto_ack=False)
    ch.basic_reject(delivery_tag=method.delivery_tag, requeue=False)
    time.sleep(0.5)
    _m, props3, body3 = ch.basic_get("dead", auto_ack=True)
    conn.close()
    yield "non-durable quorum queue, x-delivery-limit on a classic queue: %s" % errors, errors == [406, 406]
    yield "deliveries (redelivered, x-delivery-count): %s" % seen, seen == [(False, None), (True, 1), (True, 2), (True, 3)]
    yield "then dead: %s, reason %s" % (body, reason), body == b"poison" and reason == "delivery_limit"
    yield "a consumer going away counts: %d gets, then dead with %s" % (
        gets, props2.headers.get("x-first-death-reason") if props2 else None), (
        gets == 4 and body2 == b"crash" and props2.headers.get("x-first-death-reason") == "delivery_limit")
    yield "requeue=False: dead at once, reason %s" % (props3.headers.get("x-first-death-reason") if props3 else None), (
        body3 == b"hopeless" and props3.headers.get("x-first-death-reason") == "rejected")


def stream_rules():
    """Chapter 14: a stream must be durable; its consumers need a prefetch
    (406) and manual acks (auto-ack, basic.get, reject: 540, closing the
    connection); x-stream-offset first, next (the default) and a number;
    each delivery's x-stream-offset header; acked messages stay."""
    fresh("events", "not_durable_stream")
    conn, ch = connect()
    try:
        ch.queue_declare(queue="not_durable_stream", arguments={"x-queue-type": "stream"})
        not_durable = None
    except ChannelClosedByBroker as e:
        not_durable = e.reply_code
        ch = conn.channel()
    ch.queue_declare(queue="events", durable=True, arguments={"x-queue-type": "stream"})
    for i in range(1, 6):
        ch.basic_publish(exchange="", routing_key="events", body="event %d" % i)
    conn.close()
    time.sleep(0.5)

    def read(arguments, prefetch=1, auto_ack=False, reject=False):
        c, channel = connect()
        got = []

        def on_message(chan, method, props, body):
            got.append((body.decode(), (props.headers or {}).get("x-stream-offset")))
            if reject:
                chan.basic_reject(delivery_tag=method.delivery_tag, requeue=True)
            elif not auto_ack:
                chan.basic_ack(delivery_tag=method.delivery_tag)

        try:
            if prefetch:
                channel.basic_qos(prefetch_count=prefetch)
            channel.basic_consume("events", on_message, auto_ack=auto_ack, arguments=arguments)
            deadline = time.time() + 1
            while time.time() < deadline:
                c.process_data_events(time_limit=0.2)
        except pika.exceptions.AMQPError as e:
            got.append(getattr(e, "reply_code", repr(e)))
        if c.is_open:
            c.close()
        return got

    no_qos = read({"x-stream-offset": "first"}, prefetch=0)
    auto = read({"x-stream-offset": "first"}, auto_ack=True)
    first = read({"x-stream-offset": "first"})
    default = read({})
    three = read({"x-stream-offset": 3})
    rejected = read({"x-stream-offset": "first"}, reject=True)
    c, channel = connect()
    try:
        channel.basic_get("events")
        get = None
    except pika.exceptions.AMQPError as e:
        get = getattr(e, "reply_code", repr(e))
    c, channel = connect()
    kept = channel.queue_declare(queue="events", passive=True).method.message_count
    c.close()
    yield "a non-durable stream: %s" % not_durable, not_durable == 406
    yield "no basic_qos: %s; auto-ack: %s; basic.get: %s" % (no_qos, auto, get), (
        no_qos == [406] and auto == [540] and get == 540)
    yield "reject on a stream: %s" % rejected[-1], rejected[-1] == 540
    yield "first: %s" % first, first == [("event %d" % (i + 1), i) for i in range(5)]
    yield "no x-stream-offset reads from next: %s" % default, default == []
    yield "offset 3: %s" % three, three == [("event 4", 3), ("event 5", 4)]
    yield "acked, all five are still there (%d)" % kept, kept == 5


CHECKS = [consumer_timeout, blocking_confirms, select_confirms, auto_ack_ignores_prefetch,
          fanout_ignores_key, bind_to_missing_exchange, worker_declares_non_durable,
          producer_qos_does_nothing, guest_loopback_only, headers_exchange_rules,
          alternate_exchange_and_mandatory, quorum_delivery_limit, stream_rules]


def main():
    global PORT, CTL
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=5672)
    ap.add_argument("--ctl", default="rabbitmqctl", help="how to run rabbitmqctl against the node")
    ap.add_argument("only", nargs="*", help="names of checks to run (default: all)")
    args = ap.parse_args()
    PORT, CTL = args.port, shlex.split(args.ctl)
    print("RabbitMQ %s" % ctl("eval", "rabbit_misc:version().").strip().strip('"'))
    failed = 0
    for check in CHECKS:
        if args.only and check.__name__ not in args.only:
            continue
        print("== %s: %s" % (check.__name__, check.__doc__.split("\n")[0]), flush=True)
        try:
            results = list(check())
        except Exception as e:  # a crash in a check is a failure
            results = [("ran (%r)" % e, False)]
        for text, ok in results:
            print("  %s %s" % ("ok  " if ok else "FAIL", text), flush=True)
            failed += 0 if ok else 1
    print("%d checks failed" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
