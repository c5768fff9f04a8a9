// The kafka twin's fault points: `request` (any API, protocol-native errors, delay, hang,
// disconnect), record-level `produce` and `fetch`, and the link layer's `connection`.
import { Type } from '@sinclair/typebox';
import { CommonActions, connectionPoint, definePoint, matchFields, type FaultPoint } from '../../src/core/index.ts';

const NameOrNumber = Type.Union([Type.String(), Type.Integer()]);
const OneOrMany = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer> | typeof NameOrNumber>(t: T) =>
  Type.Union([t, Type.Array(t)]);

/** What a `request` rule matches against: the API as both name and key, and what the request touches. */
export type RequestEvent = {
  api: [string, number];
  version: number;
  topic: string[];
  partition: number[];
  group?: string;
  clientId?: string;
  broker: number;
};

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
    disconnect: Type.Object(
      {
        after: CommonActions.disconnect.properties.after,
        bytes: Type.Optional(
          Type.Integer({ minimum: 0, description: 'with partial-response: bytes of the response frame (size prefix included) sent before the cut; default half, never the whole frame' }),
        ),
        reset: CommonActions.disconnect.properties.reset,
      },
      { additionalProperties: false },
    ),
  },
  // The event's `api` holds both the name and the key, so `api: Produce` and `api: 0` both match.
  matches: (match, event: RequestEvent) => matchFields(match, event),
});

/** What a `produce` or `fetch` rule matches against: one record. */
export type RecordEvent = {
  topic: string;
  partition: number;
  key?: string;
  clientId?: string;
};

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

/** `produce` and `fetch` share their match and actions; only where they act differs. */
function recordPoint(name: 'produce' | 'fetch', description: string) {
  return definePoint({ name, description, match: recordMatch, actions: recordActions, matches: (match, event: RecordEvent) => matchFields(match, event) });
}
export type RecordPoint = ReturnType<typeof recordPoint>;

export const producePoint: RecordPoint = recordPoint(
  'produce',
  'each record a producer sends: drop (acknowledged, never stored), duplicate (stored twice), corrupt, delay (visible later), reorder',
);

export const fetchPoint: RecordPoint = recordPoint(
  'fetch',
  'each record a consumer is sent: drop (not delivered), duplicate (delivered again), corrupt, delay (answer later), reorder',
);

export const kafkaPoints: readonly FaultPoint[] = [requestPoint, producePoint, fetchPoint, connectionPoint];
