"""The fraud detector as seed 000 writes it (kafka-python), for measuring Vigil against it on the same cluster.

Reads TRANSACTIONS_TOPIC from the beginning, sends every transaction to FRAUD_TOPIC when amount >= 900 and to
LEGIT_TOPIC otherwise, stops after COUNT transactions and prints: count, seconds (first record to last one
flushed), transactions per second.
"""
import json
import os
import sys
import time

from kafka import KafkaConsumer, KafkaProducer

KAFKA_BROKER_URL = os.environ['KAFKA_BROKER_URL']
TRANSACTIONS_TOPIC = os.environ['TRANSACTIONS_TOPIC']
LEGIT_TOPIC = os.environ['LEGIT_TOPIC']
FRAUD_TOPIC = os.environ['FRAUD_TOPIC']
COUNT = int(sys.argv[1])


def is_suspicious(transaction: dict) -> bool:
    return transaction['amount'] >= 900


if __name__ == '__main__':
    consumer = KafkaConsumer(
        TRANSACTIONS_TOPIC,
        bootstrap_servers=KAFKA_BROKER_URL.split(','),
        auto_offset_reset='earliest',
        value_deserializer=lambda value: json.loads(value),
    )
    producer = KafkaProducer(
        bootstrap_servers=KAFKA_BROKER_URL.split(','),
        value_serializer=lambda value: json.dumps(value).encode(),
    )
    seen = 0
    started = None
    for message in consumer:
        if started is None:
            started = time.monotonic()
        transaction: dict = message.value
        topic = FRAUD_TOPIC if is_suspicious(transaction) else LEGIT_TOPIC
        producer.send(topic, value=transaction)
        seen += 1
        if seen == COUNT:
            break
    producer.flush()
    seconds = time.monotonic() - started
    print(f'{seen} {seconds:.3f} {seen / seconds:.0f}')
