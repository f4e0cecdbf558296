#!/usr/bin/env python
import pika
def callback(ch, method, properties, body):
    print("消费者接收到了任务:%r" % body)
credentials = pika.PlainCredentials("guest", "guest")
connect_param = pika.ConnectionParameters('127.0.0.1', credentials=credentials)
connection = pika.BlockingConnection(connect_param)
channel = connection.channel()
channel.exchange_declare(exchange='m2',exchange_type='topic')
result = channel.queue_declare(queue='', exclusive=True)
queue_name = result.method.queue
channel.queue_bind(exchange='m2', queue=queue_name,routing_key="europe.")
print("waiting for message")
channel.basic_consume(queue=queue_name, on_message_callback=callback, auto_ack=True)
channel.start_consuming()
