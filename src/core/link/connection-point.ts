// The `connection` fault point every twin has: its rules are Toxiproxy's toxics on the TCP link of
// each client connection, per direction (see link-listener.ts, which applies them).
import { Type } from '@sinclair/typebox';
import { definePoint } from '../fault-point.ts';
import { connectionActions } from './toxics.ts';

export const connectionPoint = definePoint({
  name: 'connection',
  description: 'TCP link of each client connection: Toxiproxy toxics per direction',
  match: Type.Object(
    {
      direction: Type.Optional(
        Type.Union([Type.Literal('upstream'), Type.Literal('downstream')], {
          description: 'upstream = client → twin, downstream = twin → client (default, as Toxiproxy)',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  actions: connectionActions,
  // An absent direction means downstream, not "both": Toxiproxy's default stream.
  matches: (match, event) => (match.direction ?? 'downstream') === event.direction,
});
