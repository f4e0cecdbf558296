# The lesson's connection with a wrong password: python wrong_password.py
import pika

credentials = pika.PlainCredentials("guest", "wrong")
connect_param = pika.ConnectionParameters('127.0.0.1', credentials=credentials)
connection = pika.BlockingConnection(connect_param)
print("connected")
