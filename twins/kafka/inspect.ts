// What `inspect` shows: topics with their partitions and records (keys and values as utf8 when
// printable, base64 otherwise), groups with members and committed offsets, and each broker's
// incremental fetch sessions.
import { ATTR, CRC_FIELD_OFFSET, decodeRecords, readBatchHeader } from './protocol/record-batch.ts';
import { crc32c } from './protocol/crc32c.ts';
import type { Cluster } from './cluster/cluster.ts';
import type { FetchSessionCache } from './cluster/fetch-sessions.ts';

export interface InspectedRecord {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  encoding?: { key?: 'base64'; value?: 'base64' };
  headers: Record<string, string | null>;
  /** Stored with a bad CRC (a `corrupt` fault). */
  corrupt?: true;
  transactional?: true;
}

const PRINTABLE = /^[\p{L}\p{N}\p{P}\p{S}\p{Zs}\t\r\n]*$/u;

function show(b: Buffer | null): { text: string | null; base64: boolean } {
  if (b === null) return { text: null, base64: false };
  const s = b.toString('utf8');
  if (Buffer.byteLength(s) === b.length && PRINTABLE.test(s)) return { text: s, base64: false };
  return { text: b.toString('base64'), base64: true };
}

/** `fetchSessions[nodeId]` is the broker's session cache. */
export function inspectCluster(cluster: Cluster, fetchSessions: ReadonlyArray<FetchSessionCache>, query: { topic?: string; group?: string; limit?: number } = {}): unknown {
  const limit = query.limit ?? 1000;
  const topics = [...cluster.topics.values()]
    .filter((t) => query.topic === undefined || t.name === query.topic)
    .map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const records: InspectedRecord[] = [];
        for (const b of p.log.batches) {
          // Stop opening batches once `limit` records are shown: each may need decompressing.
          if (records.length >= limit) break;
          if (b.header.attributes & ATTR.control) continue;
          const header = readBatchHeader(b.bytes);
          const corrupt = crc32c(b.bytes, 21) !== b.bytes.readUInt32BE(CRC_FIELD_OFFSET);
          let decoded: ReturnType<typeof decodeRecords>;
          try {
            decoded = decodeRecords({ header, bytes: b.bytes }, cluster.options.limits.kafkaBatchBytes);
          } catch {
            records.push({ offset: b.baseOffset, timestamp: header.baseTimestamp, key: null, value: null, headers: {}, corrupt: true });
            continue;
          }
          for (const r of decoded) {
            if (records.length >= limit) break;
            const key = show(r.key);
            const value = show(r.value);
            const rec: InspectedRecord = {
              offset: b.baseOffset + r.offsetDelta,
              // Under LogAppendTime every record has the time the broker stamped on its batch.
              timestamp: header.attributes & ATTR.timestampType ? header.maxTimestamp : header.baseTimestamp + r.timestampDelta,
              key: key.text,
              value: value.text,
              headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value?.toString('utf8') ?? null])),
            };
            if (key.base64 || value.base64) rec.encoding = { ...(key.base64 ? { key: 'base64' } : {}), ...(value.base64 ? { value: 'base64' } : {}) };
            if (corrupt) rec.corrupt = true;
            if (header.attributes & ATTR.transactional) rec.transactional = true;
            records.push(rec);
          }
        }
        return {
          partition: p.index,
          leader: p.leader,
          leaderEpoch: p.leaderEpoch,
          logStartOffset: p.log.logStartOffset,
          highWatermark: p.log.highWatermark,
          lastStableOffset: p.log.lastStableOffset,
          records,
        };
      }),
    }));
  const groups = [...cluster.groups.groups.values()]
    .filter((g) => query.group === undefined || g.id === query.group)
    .map((g) => {
      // A consumer-protocol group (KIP-848): its group epoch for the generation, its assignor for the protocol.
      const c = g.consumer;
      return {
        id: g.id,
        type: c ? 'consumer' : 'classic',
        state: c ? c.state : g.state,
        generation: c ? c.groupEpoch : g.generationId,
        protocolType: c ? 'consumer' : g.protocolType,
        protocol: c ? c.assignor : g.protocolName,
        leader: g.leaderId || null,
        coordinator: cluster.coordinatorFor(g.id)?.nodeId ?? null,
        members: c
          ? [...c.members.values()].map((m) => ({
              memberId: m.memberId,
              clientId: m.clientId,
              clientHost: m.clientHost,
              memberEpoch: m.memberEpoch,
              assignment: Object.fromEntries([...m.assigned].map(([topic, ps]) => [topic, [...ps].sort((a, b) => a - b)])),
            }))
          : [...g.members.values()].map((m) => ({ memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost })),
        offsets: [...g.offsets].flatMap(([topic, parts]) => [...parts].map(([partition, o]) => ({ topic, partition, offset: o.offset, metadata: o.metadata }))),
      };
    });
  return {
    clusterId: cluster.clusterId,
    brokers: cluster.brokers.map((b) => ({
      nodeId: b.nodeId,
      host: b.host,
      port: b.port,
      up: b.up,
      // Least recently used first; `epoch` is the one the session's next incremental fetch must carry.
      fetchSessions: [...(fetchSessions[b.nodeId]?.all() ?? [])].map((s) => ({ id: s.id, epoch: s.epoch, partitions: s.partitions.size })),
    })),
    topics,
    groups,
  };
}
