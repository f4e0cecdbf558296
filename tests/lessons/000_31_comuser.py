#!/usr/bin/env python
import pika
def callback(ch, method, properties, body):
    print("消费者接收到了任务:%r" % body)
# 建立与rabbitmq的连接
credentials = pika.PlainCredentials("guest", "guest")
connect_param = pika.ConnectionParameters('127.0.0.1', credentials=credentials)
connection = pika.BlockingConnection(connect_param)
channel = connection.channel()
channel.queue_declare(queue="ja")
# 指定监听的消息队列名称,以及是否自动应答,和相应的回调函数
channel.basic_consume("ja", auto_ack=True, on_message_callback=callback)
# 启动监听队列,有消息则执行callback,没消息则挂起
channel.start_consuming()
