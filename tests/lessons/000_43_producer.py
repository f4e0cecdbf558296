#!/usr/bin/env python
import pika
credentials = pika.PlainCredentials("guest", "guest")
connect_param = pika.ConnectionParameters('127.0.0.1', credentials=credentials)
with pika.BlockingConnection(connect_param) as connection:
    channel = connection.channel()
    # 将频道声明为统配符模式
    channel.exchange_declare(exchange="m2", exchange_type='topic')
    message1=b"1"
    message2=b"2"
    channel.basic_publish(exchange="m2",routing_key="europe.weather",body=message1)
    channel.basic_publish(exchange="m2", routing_key="europe.weather.bad", body=message2)
    print(f"Send {message1}")
    print(f"Send {message2}")
