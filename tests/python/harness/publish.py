# The harness's own publish (a barrier): python publish.py EXCHANGE ROUTING_KEY BODY
import sys
import pika

exchange, key, body = sys.argv[1:4]
connection = pika.BlockingConnection(pika.ConnectionParameters('127.0.0.1'))
connection.channel().basic_publish(exchange=exchange, routing_key=key, body=body.encode())
connection.close()
