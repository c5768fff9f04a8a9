// What `standin explore` can try, one thing at a time: a fault at the Nth occurrence of an
// interaction the baseline run had with a twin, a variation of a setup call's params (a forged
// token), or another value of a run.env variable (an upgraded API version). A schedule is one or two
// of them; `variationOf` turns it into what the runner applies.
import type { FaultCandidate, FaultClass, FaultRuleInput, Interaction, SetupVariant } from '../core/index.ts';
import type { RunVariation } from '../scenario/scenario-runner.ts';
import type { Setup } from '../scenario/scenario-schema.ts';

/** A fault aimed at the `occurrence`th event of one interaction of one twin. */
export interface FaultAt {
  type: 'fault';
  twin: string;
  interaction: Interaction;
  /** 1-based: the rule skips `occurrence - 1` matching events and fires once. */
  occurrence: number;
  fault: FaultCandidate;
}

/** Setup item `index` run with a variation of its params. */
export interface SetupAt {
  type: 'setup';
  index: number;
  setup: Setup;
  variant: SetupVariant;
}

/** run.env `name` set to `value`: a production condition, not a fault. */
export interface EnvAt {
  type: 'env';
  name: string;
  value: string;
}

export type Candidate = FaultAt | SetupAt | EnvAt;

/** The interaction's identity within its twin: point and match, independent of key order. */
export function interactionKey(twin: string, interaction: Pick<Interaction, 'point' | 'match'>): string {
  return `${twin}\u0000${interaction.point}\u0000${stableJson(interaction.match)}`;
}

/** A candidate's identity: equal keys are the same thing to try. */
export function candidateKey(c: Candidate): string {
  if (c.type === 'fault') return `fault\u0000${interactionKey(c.twin, c.interaction)}\u0000${c.occurrence}\u0000${stableJson(c.fault.action)}`;
  if (c.type === 'setup') return `setup\u0000${c.index}\u0000${stableJson(c.variant.params)}`;
  return `env\u0000${c.name}\u0000${c.value}`;
}

export function scheduleKey(schedule: readonly Candidate[]): string {
  return schedule.map(candidateKey).sort().join('\u0001');
}

/** In a report: `payments POST /v1/payment_intents #2 → answer lost`. */
export function candidateLabel(c: Candidate): string {
  if (c.type === 'fault') return `${c.twin} ${c.interaction.label} #${c.occurrence} → ${c.fault.label}`;
  if (c.type === 'setup') return `setup[${c.index}] ${c.setup.twin} ${c.setup.verb} → ${c.variant.label}`;
  return `env ${c.name}=${c.value}`;
}

export function scheduleLabel(schedule: readonly Candidate[]): string {
  return schedule.map(candidateLabel).join(' + ');
}

/** The fault classes a schedule injects (an env variation injects none). */
export function classesOf(schedule: readonly Candidate[]): Set<FaultClass> {
  const classes = new Set<FaultClass>();
  for (const c of schedule) {
    if (c.type === 'fault') classes.add(c.fault.class);
    else if (c.type === 'setup') classes.add(c.variant.class);
  }
  return classes;
}

/** The rule that injects a fault candidate, as a scenario's `faults:` writes it. */
export function ruleOf(c: FaultAt, id: string): FaultRuleInput {
  const after = c.occurrence - 1;
  return {
    id,
    twin: c.twin,
    point: c.interaction.point,
    ...(Object.keys(c.interaction.match).length === 0 ? {} : { match: c.interaction.match }),
    action: c.fault.action,
    trigger: after === 0 ? { times: 1 } : { after, times: 1 },
  };
}

/**
 * The runner's variation for a schedule, with the rule ids it uses (`explore-1`…, in the order the
 * rules are added). Rules go in by ascending occurrence: the engine asks the newest rule first, and a
 * rule only counts the events it is asked about, so the rule with the latest occurrence must be the
 * one that sees every event for two rules on one interaction to fire at their own occurrences.
 */
export function variationOf(schedule: readonly Candidate[]): { variation: RunVariation; ruleIds: string[] } {
  const faults = schedule.filter((c): c is FaultAt => c.type === 'fault').sort((a, b) => a.occurrence - b.occurrence);
  const ruleIds = faults.map((_, i) => `explore-${i + 1}`);
  const setupParams = new Map<number, Record<string, unknown>>();
  const env: Record<string, string> = {};
  for (const c of schedule) {
    if (c.type === 'setup') setupParams.set(c.index, c.variant.params);
    else if (c.type === 'env') env[c.name] = c.value;
  }
  return {
    variation: {
      faults: faults.map((c, i) => ruleOf(c, ruleIds[i] as string)),
      ...(setupParams.size > 0 ? { setupParams } : {}),
      ...(Object.keys(env).length > 0 ? { env } : {}),
    },
    ruleIds,
  };
}

/** Two candidates that can be tried together: not two values of one slot (one setup item, one env var, one event). */
export function compatible(a: Candidate, b: Candidate): boolean {
  if (a.type === 'setup' && b.type === 'setup') return a.index !== b.index;
  if (a.type === 'env' && b.type === 'env') return a.name !== b.name;
  if (a.type === 'fault' && b.type === 'fault') {
    return interactionKey(a.twin, a.interaction) !== interactionKey(b.twin, b.interaction) || a.occurrence !== b.occurrence;
  }
  return true;
}

/** JSON with object keys sorted, so equal matches give equal keys. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
