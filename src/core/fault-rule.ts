// The fault rule: one shape for every twin kind. `{id, twin, point, match, action, trigger}`.
// A twin kind declares its fault points; each point says what `match` may contain and which actions
// it accepts, with a schema for each action's parameters (see fault-point.ts and the README's fault section).
import { Type, type Static } from '@sinclair/typebox';
import type { FaultPoint } from './fault-point.ts';

export const TriggerSchema = Type.Object(
  {
    probability: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'chance that a matching event fires the rule' })),
    times: Type.Optional(Type.Integer({ minimum: 1, description: 'fire at most this many times' })),
    after: Type.Optional(Type.Integer({ minimum: 0, description: 'skip the first N matching events' })),
    every: Type.Optional(Type.Integer({ minimum: 1, description: 'fire on every Nth matching event (after the skipped ones)' })),
    from: Type.Optional(Type.Number({ minimum: 0, description: 'ms after the rule was added before it may fire' })),
    until: Type.Optional(Type.Number({ minimum: 0, description: 'ms after the rule was added when it stops firing' })),
  },
  { additionalProperties: false },
);
export type Trigger = Static<typeof TriggerSchema>;

export const RULE_ID_PATTERN = '^[A-Za-z0-9_.:-]{1,100}$';

export const FaultRuleInputSchema = Type.Object(
  {
    id: Type.Optional(Type.String({ pattern: RULE_ID_PATTERN, description: 'generated (r1, r2, …) when absent' })),
    twin: Type.String({ minLength: 1, description: "the twin's name in its environment" }),
    point: Type.String({ minLength: 1, description: "a fault point of the twin's kind" }),
    match: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'point-specific; absent = every event' })),
    action: Type.Record(Type.String(), Type.Unknown(), {
      minProperties: 1,
      maxProperties: 1,
      description: 'exactly one action, e.g. {"delay": {"ms": 200}}',
    }),
    trigger: Type.Optional(TriggerSchema),
  },
  { additionalProperties: false },
);
export type FaultRuleInput = Static<typeof FaultRuleInputSchema>;

export interface FaultRule {
  id: string;
  twin: string;
  point: string;
  match: Record<string, unknown>;
  /** The action's name, e.g. `delay`, and its parameters. */
  action: { type: string; params: Record<string, unknown> };
  trigger: Trigger;
  /** Milliseconds since the epoch. */
  createdAt: number;
}

/** What the API shows of a rule: its input shape plus counters. */
export interface FaultRuleView {
  id: string;
  twin: string;
  point: string;
  match: Record<string, unknown>;
  action: Record<string, Record<string, unknown>>;
  trigger: Trigger;
  createdAt: number;
  matched: number;
  fired: number;
}

/** An event at a fault point: the attributes rules match against (method, path, sql, topic…). */
export type FaultEvent = Record<string, unknown>;

/** @deprecated name of FaultPoint (src/core/fault-point.ts). */
export type FaultPointSpec = FaultPoint;

/**
 * The default matcher: every key of `match` must agree with the event. Strings and numbers compare
 * by value, an array in the match means "any of these", an array in the event means "any element",
 * nested objects match as subsets (so `headers: {x-a: 1}` ignores other headers).
 */
export function matchFields(match: Record<string, unknown>, event: FaultEvent): boolean {
  for (const key of Object.keys(match)) {
    if (!matchValue(match[key], event[key])) return false;
  }
  return true;
}

function matchValue(expected: unknown, actual: unknown): boolean {
  if (expected === undefined) return true;
  if (actual === undefined || actual === null) return expected === null;
  if (Array.isArray(expected)) return expected.some((e) => matchValue(e, actual));
  if (Array.isArray(actual)) return actual.some((a) => matchValue(expected, a));
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object') return false;
    const actualObject = actual as Record<string, unknown>;
    return Object.entries(expected).every(([k, v]) => matchValue(v, actualObject[k] ?? actualObject[k.toLowerCase()]));
  }
  if (typeof expected === 'string' && typeof actual === 'string') return expected === actual;
  return String(expected) === String(actual);
}

/** Parameter schemas of the actions every protocol shares; twins reuse these in their points. */
export const CommonActions = {
  delay: Type.Object(
    {
      ms: Type.Number({ minimum: 0, description: 'added delay' }),
      jitterMs: Type.Optional(Type.Number({ minimum: 0, description: 'plus a seeded random 0..jitterMs' })),
    },
    { additionalProperties: false },
  ),
  hang: Type.Object({}, { additionalProperties: false, description: 'never answer; the client’s own timeout must fire' }),
  disconnect: Type.Object(
    {
      after: Type.Optional(
        Type.Union([Type.Literal('request'), Type.Literal('partial-response')], {
          description: 'close before answering (default) or part-way through the answer',
        }),
      ),
      bytes: Type.Optional(Type.Integer({ minimum: 0, description: 'with partial-response: bytes of the answer sent first' })),
      reset: Type.Optional(Type.Boolean({ description: 'send a TCP RST instead of a clean close' })),
    },
    { additionalProperties: false },
  ),
  drop: Type.Object({}, { additionalProperties: false }),
  duplicate: Type.Object({ count: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }),
} as const;

/** Delay in ms for a `delay` action, with its jitter drawn from the decision's rng. */
export function delayMs(params: Record<string, unknown>, draw: () => number): number {
  const ms = Number(params.ms ?? 0);
  const jitter = Number(params.jitterMs ?? 0);
  return jitter > 0 ? ms + draw() * jitter : ms;
}
