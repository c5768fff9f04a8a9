"""A service written for an old Kafka: kafka-python pinned to api_version=(0, 10), so it sends
Produce v2 with message format v1 (magic 1) and never asks the broker which versions it serves.
Sends three order events to KAFKA_BROKERS and waits for each acknowledgement; exits 1 when one is
refused, as the service would crash."""
import os
import sys

from kafka import KafkaProducer

producer = KafkaProducer(bootstrap_servers=os.environ["KAFKA_BROKERS"].split(","), api_version=(0, 10), acks=1, retries=0)
try:
    for order in (41, 42, 43):
        producer.send("orders", key=str(order).encode(), value=f'{{"orderId": {order}}}'.encode()).get(timeout=15)
except Exception as e:  # what a service's error handler would log
    print(f"produce failed: {type(e).__name__}: {e}", file=sys.stderr)
    sys.exit(1)
finally:
    producer.close(timeout=5)
print("3 orders sent")
