// Publishing what happened to an order on the `orders` topic, with kafkajs.
import { Kafka, logLevel } from 'kafkajs';

export async function publishOrderEvent(brokers: string, event: { orderId: number; status: string; paymentIntent: string | null }): Promise<void> {
  const kafka = new Kafka({ clientId: 'checkout', brokers: brokers.split(','), logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 } });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  try {
    await producer.send({ topic: 'orders', acks: -1, messages: [{ key: String(event.orderId), value: JSON.stringify(event) }] });
  } finally {
    await producer.disconnect();
  }
}
