"""Prints a free TCP port P on 127.0.0.1 whose P+20000 is free too.

The brokers the wire tests start listen on P for AMQP and on P+20000 for
their control side (warren-server's warrenctl port, RabbitMQ's Erlang
distribution port), so both must be free. Both stay below Linux's
ephemeral range (32768-60999): a port in it can become the local port of
the very connection that polls it while the broker starts, and TCP then
connects that socket to itself (no broker listening, but the poll passes).
"""
import random
import socket


def free(port):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


while True:
    port = random.randrange(10000, 12700)
    if free(port) and free(port + 20000):
        print(port)
        break
