#!/usr/bin/env python
# Tutorial seven, "Publisher Confirms", with pika.
#
# rabbitmq-tutorials has no Python version of this tutorial (python/ stops at
# tutorial six), so this is Warren's port of the first three strategies of
# java/PublisherConfirms.java from github.com/rabbitmq/rabbitmq-tutorials
# (Apache License 2.0, see NOTICE): same queues, same bodies, same output lines.
# Strategy 1 uses BlockingConnection (each publish waits for its confirm, like
# waitForConfirmsOrDie after every message); strategies 2 and 3 need
# publishes and confirms to overlap, which in pika means SelectConnection.
#
#   python publisher_confirms.py [MESSAGE_COUNT]      (default 50,000, as in Java)
import sys
import time
import uuid

import pika

MESSAGE_COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
BATCH_SIZE = 100
CONFIRM_TIMEOUT_S = 60


def connection_parameters():
    return pika.ConnectionParameters(
        host="localhost",
        credentials=pika.PlainCredentials("guest", "guest"),
    )


def publish_messages_individually():
    connection = pika.BlockingConnection(connection_parameters())
    ch = connection.channel()

    queue = str(uuid.uuid4())
    ch.queue_declare(queue=queue, durable=False, exclusive=False, auto_delete=True)

    ch.confirm_delivery()
    start = time.monotonic()
    for i in range(MESSAGE_COUNT):
        body = str(i)
        ch.basic_publish(exchange="", routing_key=queue, body=body)  # waits for the ack
    end = time.monotonic()
    print(f"Published {MESSAGE_COUNT:,} messages individually in {int((end - start) * 1000):,} ms")
    connection.close()


class AsyncPublisher:
    """Publishes MESSAGE_COUNT messages on a confirm channel of a SelectConnection.

    batch_size=None publishes everything and handles confirms as they come
    (strategy 3); batch_size=N publishes N, waits until all N are confirmed,
    then publishes the next N (strategy 2)."""

    def __init__(self, batch_size):
        self.batch_size = batch_size
        self.outstanding = {}  # delivery tag (publish sequence number) -> body
        self.next_seq = 1
        self.sent = 0
        self.start = None
        self.elapsed = None
        self.error = None
        self.channel = None
        self.queue = str(uuid.uuid4())
        self.connection = pika.SelectConnection(
            connection_parameters(),
            on_open_callback=self.on_connection_open,
            on_open_error_callback=self.on_connection_error,
            on_close_callback=self.on_connection_closed,
        )

    def run(self):
        self.connection.ioloop.call_later(CONFIRM_TIMEOUT_S, self.on_timeout)
        self.connection.ioloop.start()
        if self.error:
            raise RuntimeError(self.error)
        return self.elapsed

    def on_connection_error(self, _connection, error):
        self.error = f"connection failed: {error}"
        self.connection.ioloop.stop()

    def on_connection_closed(self, _connection, reason):
        if self.elapsed is None and self.error is None:
            self.error = f"connection closed: {reason}"
        self.connection.ioloop.stop()

    def on_connection_open(self, connection):
        connection.channel(on_open_callback=self.on_channel_open)

    def on_channel_open(self, channel):
        self.channel = channel
        channel.queue_declare(queue=self.queue, durable=False, exclusive=False,
                              auto_delete=True, callback=self.on_queue_declared)

    def on_queue_declared(self, _frame):
        self.channel.confirm_delivery(ack_nack_callback=self.on_confirm,
                                      callback=self.on_confirm_selected)

    def on_confirm_selected(self, _frame):
        self.start = time.monotonic()
        self.publish_some()

    def publish_some(self):
        # A batch, or (asynchronous strategy) a slice of 1,000 so the ioloop
        # can read confirms in between.
        n = self.batch_size or 1000
        for _ in range(min(n, MESSAGE_COUNT - self.sent)):
            body = str(self.sent)
            self.outstanding[self.next_seq] = body
            self.next_seq += 1
            self.sent += 1
            self.channel.basic_publish(exchange="", routing_key=self.queue, body=body)
        if self.batch_size is None and self.sent < MESSAGE_COUNT:
            self.connection.ioloop.add_callback_threadsafe(self.publish_some)
        self.maybe_done()

    def on_confirm(self, frame):
        method = frame.method
        tag = method.delivery_tag
        if isinstance(method, pika.spec.Basic.Nack):
            print(f"Message with body {self.outstanding.get(tag)} has been nack-ed. "
                  f"Sequence number: {tag}, multiple: {method.multiple}", file=sys.stderr)
        if method.multiple:
            for seq in [s for s in self.outstanding if s <= tag]:
                del self.outstanding[seq]
        else:
            self.outstanding.pop(tag, None)
        if self.batch_size is not None and not self.outstanding and self.sent < MESSAGE_COUNT:
            self.publish_some()
        else:
            self.maybe_done()

    def maybe_done(self):
        if self.sent == MESSAGE_COUNT and not self.outstanding and self.elapsed is None:
            self.elapsed = time.monotonic() - self.start
            self.connection.close()  # on_connection_closed stops the ioloop

    def on_timeout(self):
        if self.elapsed is None:
            self.error = f"All messages could not be confirmed in {CONFIRM_TIMEOUT_S} seconds"
            self.connection.ioloop.stop()


def publish_messages_in_batch():
    elapsed = AsyncPublisher(batch_size=BATCH_SIZE).run()
    print(f"Published {MESSAGE_COUNT:,} messages in batch in {int(elapsed * 1000):,} ms")


def handle_publish_confirms_asynchronously():
    elapsed = AsyncPublisher(batch_size=None).run()
    print(f"Published {MESSAGE_COUNT:,} messages and handled confirms asynchronously in "
          f"{int(elapsed * 1000):,} ms")


if __name__ == "__main__":
    publish_messages_individually()
    publish_messages_in_batch()
    handle_publish_confirms_asynchronously()
