"""kafka-python (Debian python3-kafka) looking offsets up, for test/kafka/kafka-answers.test.ts.

  kafka_python_offsets.py times BOOTSTRAP TOPIC PARTITION TIMESTAMP
      offsets_for_times (ListOffsets v1): prints {"offset": N, "timestamp": T} or null
  kafka_python_offsets.py v0 BOOTSTRAP TOPIC PARTITION
      beginning_offsets and end_offsets as a 0.10.0 client asks them (ListOffsets v0):
      prints {"beginning": N, "end": M}
"""
import json
import sys

from kafka import KafkaConsumer, TopicPartition

mode, bootstrap, topic, partition = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
tp = TopicPartition(topic, partition)

if mode == "times":
    consumer = KafkaConsumer(bootstrap_servers=bootstrap.split(","), request_timeout_ms=10000)
    found = consumer.offsets_for_times({tp: int(sys.argv[5])})[tp]
    print(json.dumps(None if found is None else {"offset": found.offset, "timestamp": found.timestamp}))
elif mode == "v0":
    consumer = KafkaConsumer(bootstrap_servers=bootstrap.split(","), api_version=(0, 10, 0), request_timeout_ms=10000)
    print(json.dumps({"beginning": consumer.beginning_offsets([tp])[tp], "end": consumer.end_offsets([tp])[tp]}))
consumer.close()
