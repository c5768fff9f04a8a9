// Kafka's default partitioner for keyed records: murmur2 of the key, positive, modulo the
// partition count — so records produced through the `produce` action land where Java clients and
// kafkajs (DefaultPartitioner) would put them.
// @see org.apache.kafka.common.utils.Utils#murmur2
export function murmur2(data: Buffer): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = (0x9747b28c ^ length) | 0;
  const length4 = length >> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = (data[i4] as number) | ((data[i4 + 1] as number) << 8) | ((data[i4 + 2] as number) << 16) | ((data[i4 + 3] as number) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = length & 3;
  const at = length & ~3;
  if (rest === 3) h ^= (data[at + 2] as number) << 16;
  if (rest >= 2) h ^= (data[at + 1] as number) << 8;
  if (rest >= 1) {
    h ^= data[at] as number;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

export function partitionForKey(key: Buffer, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}
