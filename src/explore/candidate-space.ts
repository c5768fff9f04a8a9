// The candidates of an exploration, in the order they are tried. The baseline run's journal says
// which interactions the system under test had with each twin and how often; each twin's kind says
// which faults are worth trying at each (explore-vocabulary.ts). The order depends only on the
// scenario and that journal, never on timing: units (an interaction's Nth occurrence, a setup item,
// an env variable) are sorted, and tried round-robin — every unit's first candidate before any
// unit's second — cheap candidates before slow ones (a hang lasts as long as the client's timeout).
import { pointVocabulary, type ExploreVocabulary, type Interaction, type JournalEvent, type TwinKind } from '../core/index.ts';
import type { ScenarioFile } from '../scenario/scenario-file.ts';
import { interactionKey, stableJson, type Candidate } from './candidate.ts';

/** The vocabulary of a twin's kind: its own declaration, or the shared actions of its points. */
export function vocabularyOf(kind: TwinKind): ExploreVocabulary {
  return kind.explore ?? pointVocabulary(kind.points);
}

export interface ObservedInteraction {
  twin: string;
  interaction: Interaction;
  count: number;
}

/**
 * The interactions in a run's journal by interactionKey, in the order first seen, with how often
 * each happened. The fault engine's own events are not the system's doing and are left out.
 */
export function observeInteractions(
  events: readonly JournalEvent[],
  vocabularyOfTwin: (twin: string) => ExploreVocabulary | undefined,
): Map<string, ObservedInteraction> {
  const seen = new Map<string, ObservedInteraction>();
  for (const event of events) {
    if (event.type === 'fault') continue;
    const interaction = vocabularyOfTwin(event.twin)?.interaction(event);
    if (!interaction) continue;
    const key = interactionKey(event.twin, interaction);
    const known = seen.get(key);
    if (known) known.count++;
    else seen.set(key, { twin: event.twin, interaction, count: 1 });
  }
  return seen;
}

/** Candidates tried together as one unit of the round-robin, and where the unit sorts. */
interface Unit {
  sortKey: string[];
  candidates: Candidate[];
}

/**
 * Every single candidate, in the order to try them: env variations, then setup variants, then
 * faults at each occurrence of each observed interaction (twins and points in `skip` left out).
 */
export function candidateSpace(
  file: ScenarioFile,
  observed: Iterable<ObservedInteraction>,
  vocabularyOfTwin: (twin: string) => ExploreVocabulary | undefined,
): Candidate[] {
  const { scenario } = file;
  const units: Unit[] = [];
  for (const [name, values] of Object.entries(scenario.explore?.vary?.env ?? {})) {
    const current = scenario.run?.env?.[name];
    const candidates = values.filter((v) => v !== current).map((value): Candidate => ({ type: 'env', name, value }));
    units.push({ sortKey: ['0', name], candidates });
  }
  for (const [index, setup] of (scenario.setup ?? []).entries()) {
    const variants = vocabularyOfTwin(setup.twin)?.setupVariants;
    const vary = variants && Object.hasOwn(variants, setup.verb) ? variants[setup.verb] : undefined;
    if (!vary) continue;
    const candidates = vary(setup.params ?? {}).map((variant): Candidate => ({ type: 'setup', index, setup, variant }));
    units.push({ sortKey: ['1', pad(index)], candidates });
  }
  const skip = new Set(scenario.explore?.skip ?? []);
  for (const { twin, interaction, count } of observed) {
    if (skip.has(twin) || skip.has(`${twin}.${interaction.point}`)) continue;
    const faults = vocabularyOfTwin(twin)?.faults(interaction) ?? [];
    for (let occurrence = 1; occurrence <= count; occurrence++) {
      units.push({
        sortKey: ['2', twin, interaction.point, stableJson(interaction.match), pad(occurrence)],
        candidates: faults.map((fault): Candidate => ({ type: 'fault', twin, interaction, occurrence, fault })),
      });
    }
  }
  units.sort((a, b) => compareKeys(a.sortKey, b.sortKey));
  return [...roundRobin(units, 'cheap'), ...roundRobin(units, 'slow')];
}

function costOf(c: Candidate): 'cheap' | 'slow' {
  return c.type === 'fault' ? (c.fault.cost ?? 'cheap') : 'cheap';
}

function roundRobin(units: readonly Unit[], cost: 'cheap' | 'slow'): Candidate[] {
  const lists = units.map((u) => u.candidates.filter((c) => costOf(c) === cost));
  const out: Candidate[] = [];
  const rounds = Math.max(0, ...lists.map((l) => l.length));
  for (let round = 0; round < rounds; round++) {
    for (const list of lists) {
      const candidate = list[round];
      if (candidate) out.push(candidate);
    }
  }
  return out;
}

/** Code-unit order, element by element: the same on every machine and locale. */
function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const [x, y] = [a[i] as string, b[i] as string];
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

function pad(n: number): string {
  return String(n).padStart(9, '0');
}
