import pika
def callback(ch, method, properties, body):
    print("消费者接收到了任务:%r" % body)
    # 手动告知消息队列消息已拿走
    ch.basic_ack(delivery_tag=method.deliver_tag)
credentials = pika.PlainCredentials("guest", "guest")
connect_param = pika.ConnectionParameters('127.0.0.1', credentials=credentials)
connection = pika.BlockingConnection(connect_param)
channel = connection.channel()
channel.queue_declare(queue="ja")
# auto_ack默认为False
channel.basic_consume("ja", on_message_callback=callback)
print("waiting for message")
channel.start_consuming()
