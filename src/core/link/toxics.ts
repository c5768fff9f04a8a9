// Every toxic by its Toxiproxy type name. `down` is not a stage on a link but a state of the
// listener (Toxiproxy's `enabled: false`), so it has a schema here and is handled by the listener.
import { Type, type TSchema } from '@sinclair/typebox';
import { bandwidth } from './bandwidth.ts';
import { latency } from './latency.ts';
import { limitData } from './limit-data.ts';
import { resetPeer } from './reset-peer.ts';
import { slicer } from './slicer.ts';
import { slowClose } from './slow-close.ts';
import { timeout } from './timeout.ts';
import type { ToxicKind } from './toxic.ts';

export const TOXICS: Readonly<Record<string, ToxicKind>> = Object.fromEntries(
  [latency, bandwidth, slicer, limitData, resetPeer, timeout, slowClose].map((kind) => [kind.name, kind as unknown as ToxicKind]),
);

export const DOWN = 'down';

export const downAttributes = Type.Object(
  {},
  { additionalProperties: false, description: 'the port refuses connections and open ones are closed while the rule holds' },
);

/** Action name → attribute schema, for the `connection` fault point. */
export const connectionActions: Record<string, TSchema> = {
  ...Object.fromEntries(Object.values(TOXICS).map((kind) => [kind.name, kind.attributes])),
  [DOWN]: downAttributes,
};
