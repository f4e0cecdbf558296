import pika
def callback(ch, method, properties, body):
    print("消费者接收到了任务:%r" % body)
    ch.basic_ack(delivery_tag=method.deliver_tag)
credentials = pika.PlainCredentials("guest", "guest")
connect_param = pika.ConnectionParameters('127.0.0.1', credentials=credentials)
connection = pika.BlockingConnection(connect_param)
channel = connection.channel()
#声明可持久化的队列
channel.queue_declare(queue="ja",durable=True)
channel.basic_consume("ja", on_message_callback=callback)
print("waiting for message")
channel.start_consuming()
