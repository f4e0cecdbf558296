#!/usr/bin/env python
import pika
credentials = pika.PlainCredentials("guest", "guest")
connect_param = pika.ConnectionParameters('127.0.0.1', credentials=credentials)
connection = pika.BlockingConnection(connect_param)
channel = connection.channel()
# 将频道声明为广播模式
channel.exchange_declare(exchange="m2", exchange_type='direct')
# 将消息发送给所有为ja的路由关键字
channel.basic_publish(exchange="m2",routing_key='ja',body=b'hello')
print("已经发送了消息")
connection.close()
