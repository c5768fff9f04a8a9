"""kafka-python (Debian python3-kafka) against the kafka twin. Used by test/kafka/kafka-python.test.ts.

  kafka_python_client.py BOOTSTRAP TOPIC GROUP COUNT   produce COUNT records, consume them in GROUP,
                                                       commit, print one JSON line with what it saw
  kafka_python_client.py BOOTSTRAP TOPIC GROUP member  stay in GROUP, print {"assigned": [...]} on
                                                       every assignment, until killed
"""
import json
import sys

from kafka import KafkaConsumer, KafkaProducer

bootstrap, topic, group, count = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]

if count == "member":
    member = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap.split(","),
        group_id=group,
        session_timeout_ms=2000,
        heartbeat_interval_ms=300,
        max_poll_interval_ms=5000,
    )
    last = None
    while True:
        member.poll(timeout_ms=100)
        assigned = sorted(tp.partition for tp in member.assignment())
        if assigned != last:
            last = assigned
            print(json.dumps({"assigned": assigned}), flush=True)

count = int(count)

producer = KafkaProducer(bootstrap_servers=bootstrap.split(","), acks="all")
for i in range(count):
    producer.send(topic, key=f"k{i % 3}".encode(), value=f"py-{i}".encode())
producer.flush()
producer.close()

consumer = KafkaConsumer(
    topic,
    bootstrap_servers=bootstrap.split(","),
    group_id=group,
    auto_offset_reset="earliest",
    enable_auto_commit=False,
    consumer_timeout_ms=5000,
)
seen = []
for message in consumer:
    seen.append({"partition": message.partition, "offset": message.offset, "value": message.value.decode()})
    if len(seen) == count:
        break
consumer.commit()
consumer.close()
print(json.dumps({"seen": seen}))
