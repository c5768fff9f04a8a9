// Typed fault points, in the style of `defineToxic`: a point declares the schema of its `match` and
// the parameter schema of each action it accepts; `definePoint` keeps those types, so a twin that
// asks `ctx.faults.decide(point, event)` gets back a decision whose `params` are typed by the action
// it names (`switch (decision.action) { case 'delay': decision.params.ms … }`) — no casts in twins.
import type { Static, TSchema } from '@sinclair/typebox';
import type { FaultEvent, FaultRule } from './fault-rule.ts';
import type { Rng } from './rng.ts';

/** Action name → schema of its parameters. */
export type ActionSchemas = Record<string, TSchema>;

export interface FaultPoint<M extends TSchema = TSchema, A extends ActionSchemas = ActionSchemas, E extends FaultEvent = FaultEvent> {
  name: string;
  description: string;
  /** Schema of the `match` object for this point. */
  match: M;
  /** Accepted actions, each with the schema of its parameters. */
  actions: A;
  /** How a rule's match applies to an event; defaults to `matchFields`. */
  matches?(match: Static<M>, event: E): boolean;
  /**
   * The same test, built once per rule when the engine accepts it (takes precedence over `matches`):
   * a point whose matches have parts worth preparing (globs, regexes, lower-cased names) does that
   * work once, not on every event, and the engine holds the result beside the rule.
   */
  compile?(match: Static<M>): EventTest<E>;
}

/**
 * A compiled match. Written as a method's type so that, like `matches`, it is checked bivariantly:
 * a point typed by its own event (RequestEvent) still goes in registries of plain FaultPoints.
 */
export type EventTest<E extends FaultEvent> = { test(event: E): boolean }['test'];

/** Keeps the match, action and event types of a point while registries hold points side by side. */
export function definePoint<M extends TSchema, A extends ActionSchemas, E extends FaultEvent = FaultEvent>(
  point: FaultPoint<M, A, E>,
): FaultPoint<M, A, E> {
  return point;
}

/** One fired rule: which action, with which parameters, and the seeded rng for its random choices. */
export interface FaultDecision<K extends string = string, P = Record<string, unknown>> {
  rule: FaultRule;
  /** The action's name and parameters, as in the rule. */
  action: K;
  params: P;
  /** Seeded by (seed, rule id, matching index): use it for every random choice the action makes. */
  rng: Rng;
  /** 0-based index of this event among the events the rule matched. */
  index: number;
}

/** A union of decisions keyed by action name: narrowing on `action` types `params`. */
export type DecisionOf<A extends ActionSchemas> = { [K in keyof A & string]: FaultDecision<K, Static<A[K]>> }[keyof A & string];

/** The decision a point's rules can produce. */
export type PointDecision<P> = P extends FaultPoint<TSchema, infer A, never> ? DecisionOf<A> : never;

/** The event type a point matches against. */
export type PointEvent<P> = P extends FaultPoint<TSchema, ActionSchemas, infer E> ? E : FaultEvent;
