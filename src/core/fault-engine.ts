// The fault engine of one environment: holds its rules and answers "what happens at point P for
// event E?". Rules are evaluated newest first; a rule that matches but whose trigger does not hold
// falls through to older ones. Every decision draws from an Rng seeded by (environment seed, rule
// id, index of the matching event), and every fired rule is journaled with its id and action.
//
// Rules live in one list per (twin, point), newest first, linked so that adding or removing a rule
// is O(1) however many there are. Each rule's match test is built once, when the rule is added
// (a point's `compile`), so deciding that a rule does not match prepares nothing per event. A
// decision walking a list never waits for a change: a rule added meanwhile goes in front of where
// the walk started (unseen, as in a snapshot), a removed one keeps its link to older rules and is
// skipped. Rules per environment are capped (rulesPerEnvironment).
import { Type } from '@sinclair/typebox';
import { StandinError } from './errors.ts';
import {
  FaultRuleInputSchema,
  matchFields,
  type FaultEvent,
  type FaultPointSpec,
  type FaultRule,
  type FaultRuleInput,
  type FaultRuleView,
} from './fault-rule.ts';
import type { FaultDecision } from './fault-point.ts';
import type { Journal } from './journal.ts';
import { DEFAULT_LIMITS, type Limits } from './limits.ts';
import { patternProblem } from './pattern.ts';
import { createRng } from './rng.ts';
import { checkSchema, joinField } from './validate.ts';


/** What the engine needs to know of an environment's twins to validate rules. */
export interface TwinDirectory {
  kindOf(twin: string): { kind: string; points: readonly FaultPointSpec[] } | undefined;
  names(): string[];
}

interface RuleState {
  rule: FaultRule;
  /** The rule's match, ready to test an event (see FaultPoint.compile). */
  test: (event: FaultEvent) => boolean;
  matched: number;
  fired: number;
  /** Toward older rules at the same point; kept when removed, so a walk in progress goes on. */
  older: RuleState | undefined;
  newer: RuleState | undefined;
  removed: boolean;
}

/** The rules at one (twin, point), newest first. */
interface PointRules {
  newest: RuleState | undefined;
  count: number;
}

export type RuleChange = { type: 'added' | 'removed'; rule: FaultRule };

export interface FaultEngineOptions {
  seed: number;
  journal: Journal;
  twins: TwinDirectory;
  now?: () => number;
  /** rulesPerEnvironment and patternLength are read; defaults when absent. */
  limits?: Limits;
}

export class FaultEngine {
  private readonly seed: number;
  private readonly journal: Journal;
  private readonly twins: TwinDirectory;
  private readonly now: () => number;
  private readonly limits: Limits;
  private readonly byId = new Map<string, RuleState>();
  /** twin → point → its rules; two lookups of the names the twin holds, no key built per event. */
  private readonly byPoint = new Map<string, Map<string, PointRules>>();
  private readonly listeners = new Set<(change: RuleChange) => void>();
  private generated = 0;

  constructor(options: FaultEngineOptions) {
    this.seed = options.seed;
    this.journal = options.journal;
    this.twins = options.twins;
    this.now = options.now ?? Date.now;
    this.limits = options.limits ?? DEFAULT_LIMITS;
  }

  /** Validates and adds a rule. `field` prefixes the names in error messages (e.g. `faults[2]`). */
  add(input: unknown, field = ''): FaultRule {
    const rule = this.validate(input, field);
    if (this.byId.has(rule.id)) throw new StandinError('STANDIN_ERR_FAULT_ID_TAKEN', { id: rule.id });
    if (this.byId.size >= this.limits.rulesPerEnvironment) {
      throw new StandinError('STANDIN_ERR_LIMIT_RULES', { field: field || 'rule', limit: this.limits.rulesPerEnvironment });
    }
    let points = this.byPoint.get(rule.twin);
    if (points === undefined) this.byPoint.set(rule.twin, (points = new Map()));
    let rules = points.get(rule.point);
    if (rules === undefined) points.set(rule.point, (rules = { newest: undefined, count: 0 }));
    const test = compileMatch(this.specOf(rule.twin, rule.point), rule.match);
    const state: RuleState = { rule, test, matched: 0, fired: 0, older: rules.newest, newer: undefined, removed: false };
    if (rules.newest) rules.newest.newer = state;
    rules.newest = state;
    rules.count++;
    this.byId.set(rule.id, state);
    this.emit({ type: 'added', rule });
    return rule;
  }

  remove(id: string): boolean {
    const state = this.byId.get(id);
    if (!state) return false;
    this.byId.delete(id);
    const points = this.byPoint.get(state.rule.twin) as Map<string, PointRules>;
    const rules = points.get(state.rule.point) as PointRules;
    state.removed = true;
    if (state.newer) state.newer.older = state.older;
    else rules.newest = state.older;
    if (state.older) state.older.newer = state.newer;
    // `state.older` stays: a decision standing on this rule right now walks on to the older ones.
    state.newer = undefined;
    if (--rules.count === 0) {
      points.delete(state.rule.point);
      if (points.size === 0) this.byPoint.delete(state.rule.twin);
    }
    this.emit({ type: 'removed', rule: state.rule });
    return true;
  }

  /** Checks a rule without adding it; throws what `add` would. */
  check(input: unknown, field = ''): void {
    this.validate(input, field, 'unchecked');
  }

  /** Removes every rule (of one twin, when given). With none left, generated ids restart at r1. */
  clear(twin?: string): void {
    for (const state of [...this.byId.values()]) {
      if (twin === undefined || state.rule.twin === twin) this.remove(state.rule.id);
    }
    if (this.byId.size === 0) this.generated = 0;
  }

  get(id: string): FaultRuleView | undefined {
    const state = this.byId.get(id);
    return state && view(state);
  }

  list(twin?: string): FaultRuleView[] {
    return [...this.byId.values()].filter((s) => twin === undefined || s.rule.twin === twin).map(view);
  }

  /** The rules currently set at a point, newest first. */
  rulesAt(twin: string, point: string): FaultRule[] {
    const rules: FaultRule[] = [];
    for (let s = this.byPoint.get(twin)?.get(point)?.newest; s; s = s.older) if (!s.removed) rules.push(s.rule);
    return rules;
  }

  /** The first rule (newest first) that matches the event and whose trigger holds, or undefined. */
  decide(twin: string, point: string, event: FaultEvent, summary = ''): FaultDecision | undefined {
    for (let s = this.byPoint.get(twin)?.get(point)?.newest; s; s = s.older) {
      const decision = s.removed ? undefined : this.evaluate(s, event, summary);
      if (decision) return decision;
    }
    return undefined;
  }

  /** Every rule that fires for the event (e.g. toxics, which stack), newest first. */
  decideAll(twin: string, point: string, event: FaultEvent, summary = ''): FaultDecision[] {
    const out: FaultDecision[] = [];
    for (let s = this.byPoint.get(twin)?.get(point)?.newest; s; s = s.older) {
      const decision = s.removed ? undefined : this.evaluate(s, event, summary);
      if (decision) out.push(decision);
    }
    return out;
  }

  /** Evaluates one rule against an event, e.g. a rule added while a connection is open. */
  decideRule(id: string, event: FaultEvent, summary = ''): FaultDecision | undefined {
    const state = this.byId.get(id);
    return state && this.evaluate(state, event, summary);
  }

  /** Calls `listener` on every rule added or removed; returns the unsubscribe function. */
  onChange(listener: (change: RuleChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private evaluate(state: RuleState, event: FaultEvent, summary: string): FaultDecision | undefined {
    if (!state.test(event)) return undefined;
    const { rule } = state;
    const index = state.matched++;
    const rng = createRng(this.seed, rule.id, index);
    const { trigger } = rule;
    const elapsed = this.now() - rule.createdAt;
    if (trigger.from !== undefined && elapsed < trigger.from) return undefined;
    if (trigger.until !== undefined && elapsed >= trigger.until) return undefined;
    const after = trigger.after ?? 0;
    if (index < after) return undefined;
    if (trigger.every !== undefined && (index - after + 1) % trigger.every !== 0) return undefined;
    if (trigger.times !== undefined && state.fired >= trigger.times) return undefined;
    if (trigger.probability !== undefined && !(rng.next() < trigger.probability)) return undefined;
    state.fired++;
    const decision: FaultDecision = { rule, action: rule.action.type, params: rule.action.params, rng, index };
    this.journal.append({
      twin: rule.twin,
      point: rule.point,
      type: 'fault',
      summary: `${rule.id} → ${rule.action.type}${summary ? ` on ${summary}` : ''}`,
      data: { index, params: rule.action.params },
      fault: { rule: rule.id, action: rule.action.type },
    });
    return decision;
  }

  private validate(input: unknown, field: string, id?: string): FaultRule {
    const problem = checkSchema(FaultRuleInputSchema, input, field)[0];
    if (problem) throw new StandinError('STANDIN_ERR_FAULT_INVALID', problem);
    const raw = input as FaultRuleInput;
    const twin = this.twins.kindOf(raw.twin);
    if (!twin) {
      throw new StandinError('STANDIN_ERR_FAULT_UNKNOWN_TWIN', {
        field: joinField(field, 'twin'),
        twin: raw.twin,
        known: this.twins.names(),
      });
    }
    const spec = twin.points.find((p) => p.name === raw.point);
    if (!spec) {
      throw new StandinError('STANDIN_ERR_FAULT_UNKNOWN_POINT', {
        field: joinField(field, 'point'),
        twin: raw.twin,
        kind: twin.kind,
        point: raw.point,
        known: twin.points.map((p) => p.name),
      });
    }
    const [type, params] = Object.entries(raw.action)[0] as [string, unknown];
    const actionSchema = spec.actions[type];
    if (!actionSchema) {
      throw new StandinError('STANDIN_ERR_FAULT_UNKNOWN_ACTION', {
        field: joinField(field, 'action'),
        point: spec.name,
        kind: twin.kind,
        action: type,
        known: Object.keys(spec.actions),
      });
    }
    // `{hang: {}}`, `{hang: true}` and `{hang: null}` all mean "hang with no parameters".
    const actionParams = params === true || params === null ? {} : params;
    const actionProblem = checkSchema(actionSchema, actionParams, joinField(field, `action.${type}`))[0];
    if (actionProblem) throw new StandinError('STANDIN_ERR_FAULT_INVALID', actionProblem);
    const match = raw.match ?? {};
    // Patterns first: their problem (syntax, size) says more than the schema's "format" does.
    const matchProblem =
      patternProblem(spec.match, match, joinField(field, 'match'), this.limits.patternLength) ??
      checkSchema(spec.match, match, joinField(field, 'match'))[0];
    if (matchProblem) throw new StandinError('STANDIN_ERR_FAULT_INVALID', matchProblem);
    const trigger = raw.trigger ?? {};
    if (trigger.from !== undefined && trigger.until !== undefined && trigger.until <= trigger.from) {
      throw new StandinError('STANDIN_ERR_FAULT_INVALID', {
        field: joinField(field, 'trigger.until'),
        detail: 'must be greater than trigger.from',
      });
    }
    return {
      id: raw.id ?? id ?? this.nextId(),
      twin: raw.twin,
      point: raw.point,
      match,
      action: { type, params: actionParams as Record<string, unknown> },
      trigger,
      createdAt: this.now(),
    };
  }

  private specOf(twin: string, point: string): FaultPointSpec {
    return this.twins.kindOf(twin)?.points.find((p) => p.name === point) as FaultPointSpec;
  }

  /** Ids r1, r2, … in order of creation, skipping ids taken by hand, so replays get the same ids. */
  private nextId(): string {
    let id: string;
    do id = `r${++this.generated}`;
    while (this.byId.has(id));
    return id;
  }

  private emit(change: RuleChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

/** The point's compiled test when it has one, else its `matches` (or `matchFields`) bound to the match. */
function compileMatch(spec: FaultPointSpec, match: Record<string, unknown>): (event: FaultEvent) => boolean {
  if (spec.compile) return spec.compile(match);
  const matches = spec.matches ?? matchFields;
  return (event) => matches(match, event);
}

function view(state: RuleState): FaultRuleView {
  const { rule } = state;
  return {
    id: rule.id,
    twin: rule.twin,
    point: rule.point,
    match: rule.match,
    action: { [rule.action.type]: rule.action.params },
    trigger: rule.trigger,
    createdAt: rule.createdAt,
    matched: state.matched,
    fired: state.fired,
  };
}

/** Schema of a rule as the API returns it. */
export const FaultRuleViewSchema = Type.Object({
  id: Type.String(),
  twin: Type.String(),
  point: Type.String(),
  match: Type.Record(Type.String(), Type.Unknown()),
  action: Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown()), { description: 'one action: its name → its parameters' }),
  trigger: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.Number(),
  matched: Type.Integer(),
  fired: Type.Integer(),
});
