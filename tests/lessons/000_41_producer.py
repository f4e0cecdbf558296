#!/usr/bin/env python
import pika
credentials = pika.PlainCredentials("guest", "guest")
connect_param = pika.ConnectionParameters('127.0.0.1', credentials=credentials)
connection = pika.BlockingConnection(connect_param)
channel = connection.channel()
# 将频道声明为广播模式
channel.exchange_declare(exchange="m1", exchange_type='fanout')
# 指定发送给什么频道
channel.basic_publish(exchange="m1",routing_key='',body=b'nihao')
print("已经发送了消息")
connection.close()
