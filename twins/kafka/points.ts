// The kafka twin's fault points: `request` (any API, protocol-native errors, delay, hang,
// disconnect), record-level `produce` and `fetch`, and the link layer's `connection`.
import { Type } from '@sinclair/typebox';
import { CommonActions, connectionPoint, definePoint, matchFields, type FaultEvent, type FaultPointSpec } from '../../src/core/index.ts';

const NameOrNumber = Type.Union([Type.String(), Type.Integer()]);
const OneOrMany = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer> | typeof NameOrNumber>(t: T) =>
  Type.Union([t, Type.Array(t)]);

export const requestPoint = definePoint({
  name: 'request',
  description: 'every Kafka request: match by API (name like Produce or key number), version, topic, partition, group, clientId',
  match: Type.Object(
    {
      api: Type.Optional(OneOrMany(NameOrNumber)),
      version: Type.Optional(OneOrMany(Type.Integer())),
      topic: Type.Optional(OneOrMany(Type.String())),
      partition: Type.Optional(OneOrMany(Type.Integer())),
      group: Type.Optional(OneOrMany(Type.String())),
      clientId: Type.Optional(OneOrMany(Type.String())),
      broker: Type.Optional(OneOrMany(Type.Integer())),
    },
    { additionalProperties: false },
  ),
  actions: {
    error: Type.Object(
      { code: Type.Union([Type.String({ description: 'a Kafka error name, e.g. NOT_LEADER_OR_FOLLOWER' }), Type.Integer()]) },
      { additionalProperties: false },
    ),
    delay: CommonActions.delay,
    hang: CommonActions.hang,
    disconnect: CommonActions.disconnect,
  },
  // The event's `api` holds both the name and the key, so `api: Produce` and `api: 0` both match.
  matches: (match, event: FaultEvent) => matchFields(match, event),
});

const recordMatch = Type.Object(
  {
    topic: Type.Optional(OneOrMany(Type.String())),
    partition: Type.Optional(OneOrMany(Type.Integer())),
    key: Type.Optional(OneOrMany(Type.String())),
    clientId: Type.Optional(OneOrMany(Type.String())),
  },
  { additionalProperties: false },
);

const recordActions = {
  drop: CommonActions.drop,
  duplicate: CommonActions.duplicate,
  corrupt: Type.Object(
    { how: Type.Optional(Type.Union([Type.Literal('crc'), Type.Literal('value')], { description: 'bad CRC on the batch, or a garbled value (default)' })) },
    { additionalProperties: false },
  ),
  delay: CommonActions.delay,
  reorder: Type.Object({ window: Type.Optional(Type.Integer({ minimum: 2, description: 'records within which the record moves (default 2)' })) }, { additionalProperties: false }),
};

export const producePoint: FaultPointSpec = {
  name: 'produce',
  description: 'each record a producer sends: drop (acknowledged, never stored), duplicate (stored twice), corrupt, delay (visible later), reorder',
  match: recordMatch,
  actions: recordActions,
};

export const fetchPoint: FaultPointSpec = {
  name: 'fetch',
  description: 'each record a consumer is sent: drop (not delivered), duplicate (delivered again), corrupt, delay (answer later), reorder',
  match: recordMatch,
  actions: recordActions,
};

export const kafkaPoints: readonly FaultPointSpec[] = [requestPoint, producePoint, fetchPoint, connectionPoint];
