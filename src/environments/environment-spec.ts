// What a client sends to create an environment (POST /environments, a scenario's `twins:`).
// Declared once: the API route, the scenario schema and the SDK all use these.
import { Type, type Static } from '@sinclair/typebox';
import { FaultRuleInputSchema, LIMITS, StandinError, type Limits } from '../core/index.ts';

export const TWIN_NAME_PATTERN = '^[A-Za-z][A-Za-z0-9_-]{0,62}$';

/** One twin: `kind` plus the kind's own config, checked against the kind's schema. */
export const TwinSpecSchema = Type.Object(
  { kind: Type.String({ minLength: 1, description: 'postgres, kafka, oidc, stripe, http, tcp' }) },
  { additionalProperties: true },
);

export const EnvironmentSpecSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$', description: 'unique among live environments' })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295, description: 'drives every random choice; random when absent' })),
    ttlSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 24 * 3600, description: 'destroyed this long after creation' })),
    // No schema maximum: the bound is the server's --limit-journal-events (checkJournalCapacity),
    // whose answer names the flag that raises it.
    journalCapacity: Type.Optional(
      Type.Integer({ minimum: 100, description: `events kept before the oldest are dropped; at most the server's journalEvents limit (${LIMITS.journalEvents.default} by default)` }),
    ),
    twins: Type.Record(Type.String(), TwinSpecSchema, { description: 'twins by name (letters, digits, _ and -)' }),
    faults: Type.Optional(Type.Array(FaultRuleInputSchema, { description: 'rules applied at start and restored by reset' })),
  },
  { additionalProperties: false },
);
/** A twin: its kind and the kind's own config fields (checked against the kind's schema at start). */
export type TwinSpec = Static<typeof TwinSpecSchema> & Record<string, unknown>;
export type EnvironmentSpec = Omit<Static<typeof EnvironmentSpecSchema>, 'twins'> & { twins: Record<string, TwinSpec> };

/** A journalCapacity over the server's limit is refused before anything is started. */
export function checkJournalCapacity(spec: { journalCapacity?: number }, limits: Pick<Limits, 'journalEvents'>): void {
  if (spec.journalCapacity !== undefined && spec.journalCapacity > limits.journalEvents) {
    throw new StandinError('STANDIN_ERR_LIMIT_JOURNAL', { value: spec.journalCapacity, limit: limits.journalEvents });
  }
}
