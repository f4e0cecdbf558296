#!/usr/bin/env python
import pika
credentials = pika.PlainCredentials("guest", "guest")
connect_param=pika.ConnectionParameters('127.0.0.1', credentials=credentials)
connection = pika.BlockingConnection(connect_param)
channel = connection.channel()
channel.queue_declare(queue='ja',durable=True) #申明持久化的新队列
channel.basic_publish(exchange='', routing_key='ja', body=b'hello', properties=pika.BasicProperties(delivery_mode=2,) # 支持数据持久化
)
print("已经发送了消息")
connection.close()
