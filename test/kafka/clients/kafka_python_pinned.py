"""kafka-python pinned to an old broker API version (api_version=...), as a client written for an old
Kafka runs: 0.9 sends Produce v1 / Fetch v1 (message format v0), 0.10 Produce v2 / Fetch v2 (v1).
Used by test/kafka/kafka-version.test.ts.

  kafka_python_pinned.py BOOTSTRAP TOPIC GROUP API_VERSION COUNT
      produce COUNT keyed records, consume them in GROUP, commit, print one JSON line
"""
import json
import sys

from kafka import KafkaConsumer, KafkaProducer

bootstrap, topic, group, version, count = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
api_version = tuple(int(p) for p in version.split("."))

producer = KafkaProducer(bootstrap_servers=bootstrap.split(","), api_version=api_version, acks=1, retries=0)
for i in range(count):
    producer.send(topic, key=f"k{i}".encode(), value=f"old-{i}".encode(), timestamp_ms=1_700_000_000_000 + i)
producer.flush()
producer.close()

consumer = KafkaConsumer(
    topic,
    bootstrap_servers=bootstrap.split(","),
    api_version=api_version,
    group_id=group,
    auto_offset_reset="earliest",
    enable_auto_commit=False,
    consumer_timeout_ms=5000,
)
seen = []
for message in consumer:
    seen.append({"offset": message.offset, "key": message.key.decode(), "value": message.value.decode(), "timestamp": message.timestamp})
    if len(seen) == count:
        break
consumer.commit()
consumer.close()
print(json.dumps({"seen": seen}))
