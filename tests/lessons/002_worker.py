import pika, sys, os, time
def main():
    # 创建连接和频道
    connection = pika.BlockingConnection(pika.ConnectionParameters(host='localhost'))
    channel = connection.channel()
    # 创建队列(重复创建队列是幂等的)
    channel.queue_declare(queue='task_queue', durable=True)
    def callback(ch, method, properties, body):
        print(f" [x] Received {body.decode()}")
        time.sleep(body.count(b'.'))
        print(" [x] Done")
        # 确认消息
        ch.basic_ack(delivery_tag=method.delivery_tag)
    channel.basic_consume(queue='task_queue',
                          # auto_ack=True,
                          on_message_callback=callback)
    print(' [*] Waiting for messages. To exit press CTRL+C')
    channel.start_consuming()
if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        print('Interrupted')
        try:
            sys.exit(0)
        except SystemExit:
            os._exit(0)
