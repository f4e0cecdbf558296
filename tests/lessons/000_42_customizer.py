#!/usr/bin/env python
import pika
def callback(ch, method, properties, body):
    print("消费者接收到了任务:%r" % body)
credentials = pika.PlainCredentials("guest", "guest")
connect_param = pika.ConnectionParameters('127.0.0.1', credentials=credentials)
connection = pika.BlockingConnection(connect_param)
channel = connection.channel()
# 随机生成一个队列
result = channel.queue_declare(queue='', exclusive=True)
# 获取队列名
queue_name = result.method.queue
# 将队列绑定在频道上
channel.queue_bind(exchange='m1', queue=queue_name,routing_key="ja")
# 发送消息
channel.basic_consume(queue=queue_name, on_message_callback=callback, auto_ack=True)
print("waiting for message")
channel.start_consuming()
