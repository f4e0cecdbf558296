# Looks at the head of a queue without taking it: python get_head.py QUEUE
import sys
import pika

connection = pika.BlockingConnection(pika.ConnectionParameters('127.0.0.1'))
channel = connection.channel()
method, properties, body = channel.basic_get(queue=sys.argv[1], auto_ack=False)
if method is None:
    print('empty')
else:
    print('%r redelivered=%s' % (body, method.redelivered))
    channel.basic_nack(method.delivery_tag, requeue=True)
connection.close()
