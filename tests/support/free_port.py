"""Prints a free TCP port P on 127.0.0.1 whose P+20000 is free too.

The brokers the wire tests start listen on P for AMQP and on P+20000 for
their control side (warren-server's warrenctl port, RabbitMQ's Erlang
distribution port), so both must be free.
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
    port = random.randrange(15000, 45000)
    if free(port) and free(port + 20000):
        print(port)
        break
