// What `standin explore` may try against a twin kind, declared by the kind itself so a new kind is
// explored for free. The explorer runs a scenario once without faults, reads its journal, asks each
// twin's kind which recorded events are interactions a rule can single out, and which faults are
// worth trying at each; it then injects them one at a time (the Nth occurrence, through the rule's
// trigger `{after: N-1, times: 1}`), then in pairs. A kind without a declaration gets
// `pointVocabulary`: the shared actions of its points, aimed at every event recorded at a point.
import type { FaultPoint } from './fault-point.ts';
import type { JournalEvent } from './journal.ts';

/** One kind of thing the system under test did with a twin, as a rule's `point` and `match` select it. */
export interface Interaction {
  point: string;
  /** The rule match that selects exactly this kind of event (e.g. `{method: POST, path: /v1/charges}`). */
  match: Record<string, unknown>;
  /** In a report: `POST /v1/payment_intents`, `INSERT orders`, `Produce orders`. */
  label: string;
}

/**
 * Words invariants' `when:` may name, so an invariant that holds only under some faults (e.g. "no
 * payment when the token is forged") is checked only in the runs that injected one of them.
 */
export type FaultClass =
  | 'error'
  | 'delay'
  | 'hang'
  | 'disconnect'
  | 'answer-lost'
  | 'corrupt'
  | 'drop'
  | 'duplicate'
  | 'forged-token';

export interface FaultCandidate {
  /** What the fault is, in a few words: `503`, `answer lost`, `40001 serialization_failure`. */
  label: string;
  class: FaultClass;
  /** A rule action, exactly as a scenario writes it: `{error: {status: 503}}`. */
  action: Record<string, Record<string, unknown>>;
  /** Runs where this fault fires cost about this long (a hang lasts until the client gives up):
   * the explorer tries cheap faults first. Default `cheap`. */
  cost?: 'cheap' | 'slow';
}

/** A variation of the params a scenario's setup passes to one of the kind's verbs (e.g. a forged token). */
export interface SetupVariant {
  label: string;
  class: FaultClass;
  /** The setup's params with the variation applied. */
  params: Record<string, unknown>;
}

export interface ExploreVocabulary {
  /** The interaction a journal event of this twin is, or undefined when no rule could target it
   * (state changes, connections, events the kind does not explore). */
  interaction(event: JournalEvent): Interaction | undefined;
  /** The faults worth trying at an interaction, the most telling first. */
  faults(interaction: Interaction): FaultCandidate[];
  /** Verb → variations of a setup call's params, e.g. oidc `mint-token` → expired, alg none, foreign key. */
  setupVariants?: Record<string, (params: Record<string, unknown>) => SetupVariant[]>;
}

/** Faults every protocol shares: used by `pointVocabulary` for the points that accept them. */
const SHARED_CANDIDATES: FaultCandidate[] = [
  { label: 'connection closed before the answer', class: 'disconnect', action: { disconnect: {} } },
  { label: 'connection reset part-way through the answer', class: 'disconnect', action: { disconnect: { after: 'partial-response', reset: true } } },
  { label: 'no answer (the client must time out)', class: 'hang', action: { hang: {} }, cost: 'slow' },
];

/**
 * The vocabulary of a kind that declares none: every journal event recorded at one of its points is
 * an interaction of that point (occurrences counted per point), tried with the shared actions the
 * point accepts.
 */
export function pointVocabulary(points: readonly FaultPoint[]): ExploreVocabulary {
  const byName = new Map(points.map((p) => [p.name, p]));
  return {
    interaction(event) {
      const point = event.point === undefined ? undefined : byName.get(event.point);
      return point && { point: point.name, match: {}, label: `${point.name}` };
    },
    faults(interaction) {
      const point = byName.get(interaction.point);
      if (!point) return [];
      return SHARED_CANDIDATES.filter((c) => Object.keys(c.action).every((name) => name in point.actions));
    },
  };
}
