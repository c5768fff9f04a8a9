// `delay {ms, jitterMs?}` and `hang`: the two waits of a request point. Both wait on the twin's
// FaultTimers, so stopping the twin ends them instead of leaving timers and parked requests behind.
import { Type, type Static } from '@sinclair/typebox';
import type { FaultTimers, Wait } from '../fault-timers.ts';
import type { Rng } from '../rng.ts';

export const DelaySchema = Type.Object(
  {
    ms: Type.Number({ minimum: 0, description: 'answer this much later' }),
    jitterMs: Type.Optional(Type.Number({ minimum: 0, description: 'plus a seeded random 0..jitterMs' })),
  },
  { additionalProperties: false },
);
export type DelayParams = Static<typeof DelaySchema>;

export const HangSchema = Type.Object(
  {},
  { additionalProperties: false, description: 'send nothing and keep the connection open: the client’s own timeout must fire' },
);

/** The delay's length: `ms`, plus a jitter drawn from the decision's rng when it has one. */
export function delayLength(params: DelayParams, rng: Rng): number {
  const jitter = params.jitterMs ?? 0;
  return jitter > 0 ? params.ms + rng.next() * jitter : params.ms;
}

/** Resolves true once the delay has passed, false if the twin stopped first. */
export function faultDelay(timers: FaultTimers, params: DelayParams, rng: Rng): Wait {
  return timers.delay(delayLength(params, rng));
}
