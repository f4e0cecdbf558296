#!/usr/bin/env python3
"""Wire benchmark with pika's BlockingConnection (the tutorials' client) against
a running broker. Figures only, never pass/fail. Prints one JSON line.

    python3 tests/bench/wire_bench.py [AMQP_URL]

AMQP_URL defaults to $WIRE_AMQP_URL, else amqp://guest:guest@127.0.0.1:$ORACLE_AMQP_PORT.
BENCH_MESSAGES (20,000), BENCH_PREFETCH (100), BENCH_BODY_BYTES (100),
BENCH_CONFIRM_MESSAGES (5,000), BENCH_CONNECTIONS (50).

  throughput   a publisher thread (own connection) publishes BENCH_MESSAGES transient
               messages to a fresh queue while the main thread consumes them
               (prefetch BENCH_PREFETCH, one basic.ack per message): msg/s from the
               first publish to the last delivery
  confirms     confirm_delivery() on a BlockingChannel, BENCH_CONFIRM_MESSAGES
               persistent messages to a durable queue. pika's blocking channel waits
               for each confirm before the next publish, so this is one round trip
               (and, for a persistent message, one disk commit) per message
  connection   BlockingConnection open + close, repeated: median and 90th percentile in ms
"""
import json
import os
import sys
import threading
import time

import pika

URL = (sys.argv[1] if len(sys.argv) > 1 else None) or os.environ.get("WIRE_AMQP_URL") or \
    "amqp://guest:guest@127.0.0.1:%s/%%2F" % os.environ.get("ORACLE_AMQP_PORT", "5672")
N = int(os.environ.get("BENCH_MESSAGES", "20000"))
NC = int(os.environ.get("BENCH_CONFIRM_MESSAGES", "5000"))
PREFETCH = int(os.environ.get("BENCH_PREFETCH", "100"))
BODY = b"x" * int(os.environ.get("BENCH_BODY_BYTES", "100"))
CONNS = int(os.environ.get("BENCH_CONNECTIONS", "50"))


def params():
    p = pika.URLParameters(URL)
    p.heartbeat = 0
    return p


def quantile(xs, q):
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))]


def throughput():
    cons = pika.BlockingConnection(params())
    ch = cons.channel()
    queue = ch.queue_declare(queue="", auto_delete=False).method.queue
    ch.basic_qos(prefetch_count=PREFETCH)
    state = {"got": 0, "t_end": None, "error": None}

    def on_message(c, method, _props, _body):
        c.basic_ack(method.delivery_tag)
        state["got"] += 1
        if state["got"] == N:
            state["t_end"] = time.perf_counter()
            c.stop_consuming()

    ch.basic_consume(queue=queue, on_message_callback=on_message)

    def publish():
        try:
            pub = pika.BlockingConnection(params())
            pch = pub.channel()
            for _ in range(N):
                pch.basic_publish(exchange="", routing_key=queue, body=BODY)
            pub.close()
        except Exception as e:  # reported, and the consumer gives up below
            state["error"] = e

    t0 = time.perf_counter()
    th = threading.Thread(target=publish)
    th.start()
    deadline = time.monotonic() + 300
    while state["t_end"] is None:
        cons.process_data_events(time_limit=1)
        if state["error"] or time.monotonic() > deadline:
            raise RuntimeError("throughput: got %d of %d (%s)" % (state["got"], N, state["error"] or "timeout"))
    th.join()
    ch.queue_delete(queue)
    cons.close()
    return N / (state["t_end"] - t0)


def confirms():
    conn = pika.BlockingConnection(params())
    ch = conn.channel()
    queue = "wire_bench.confirms.%d" % os.getpid()
    ch.queue_declare(queue=queue, durable=True)
    ch.queue_purge(queue)
    ch.confirm_delivery()
    props = pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent)
    t0 = time.perf_counter()
    for _ in range(NC):
        ch.basic_publish(exchange="", routing_key=queue, body=BODY, properties=props)  # raises on a nack
    t = time.perf_counter() - t0
    ch.queue_delete(queue)
    conn.close()
    return NC / t


def connection_setup():
    times = []
    for _ in range(CONNS):
        t0 = time.perf_counter()
        pika.BlockingConnection(params()).close()
        times.append((time.perf_counter() - t0) * 1000)
    return quantile(times, 0.5), quantile(times, 0.9)


def main():
    out = {"client": "pika %s BlockingConnection" % pika.__version__,
           "url": URL.split("@")[-1], "messages": N, "confirm_messages": NC,
           "prefetch": PREFETCH, "body_bytes": len(BODY)}
    try:
        out["publish_consume_ack_msgs_per_s"] = round(throughput())
        out["confirms_persistent_msgs_per_s"] = round(confirms())
        med, p90 = connection_setup()
        out["connection_open_close_ms_median"] = round(med, 2)
        out["connection_open_close_ms_p90"] = round(p90, 2)
        out["connections"] = CONNS
    except Exception as e:
        out["error"] = "%s: %s" % (type(e).__name__, e)
        print(json.dumps(out), flush=True)
        return 1
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
