#!/usr/bin/env python
import pika
# 创建凭证,使用rabbitmq用户密码登录
credentials = pika.PlainCredentials("guest", "guest")
connect_param=pika.ConnectionParameters('127.0.0.1', credentials=credentials)
# 新建连接,这里localhost可以更换为服务器ip
connection = pika.BlockingConnection(connect_param)
# 创建频道
channel = connection.channel()
# 新建一个ja队列,用于接收消息
channel.queue_declare(queue='ja')
# exchange三种模式:fanout,direct,topic
# exchange=''表示精确指定发送给哪个队列
channel.basic_publish(exchange='', routing_key='ja', body=b'hello')
print("已经发送了消息")
# 程序退出前,确保刷新网络缓冲以及消息发送给rabbitmq,需要关闭本次连接
connection.close()
