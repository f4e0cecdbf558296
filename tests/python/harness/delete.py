# What a reader has to do between two lessons: python delete.py queue|exchange NAME
import sys
import pika

kind, name = sys.argv[1:3]
connection = pika.BlockingConnection(pika.ConnectionParameters('127.0.0.1'))
channel = connection.channel()
if kind == 'queue':
    channel.queue_delete(queue=name)
else:
    channel.exchange_delete(exchange=name)
print('deleted %s %s' % (kind, name))
connection.close()
