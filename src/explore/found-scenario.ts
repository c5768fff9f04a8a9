// A finding as a ready scenario file: the explored file with the schedule written in — its rules
// after the file's own faults (in the order the explorer added them, so their ids, triggers and
// seeded decisions are the same), its setup variant and env value in place — and the checks the
// run broke turned into `expect:` items. Running it fails until the bug is fixed.
import { dirname, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { ExpectationReport } from '../scenario/scenario-runner.ts';
import { scenarioRoot, type ScenarioFile } from '../scenario/scenario-file.ts';
import { scheduleLabel, variationOf, type Candidate } from './candidate.ts';
import { checksFor } from './schedule-run.ts';

export interface FoundScenarioOptions {
  seed: number;
  /** Where the file will be written: its `root:` points back at the explored file's folder. */
  path?: string;
  /** How the finding was made, for the header (e.g. the explore command line). */
  foundBy: string;
  violations: readonly ExpectationReport[];
}

export function foundScenario(file: ScenarioFile, schedule: readonly Candidate[], options: FoundScenarioOptions): string {
  const { scenario } = file;
  const { variation } = variationOf(schedule);
  const setup = scenario.setup?.map((item, index) => {
    const params = variation.setupParams?.get(index);
    return params === undefined ? item : { ...item, params };
  });
  const run = scenario.run && { ...scenario.run, ...(variation.env ? { env: { ...scenario.run.env, ...variation.env } } : {}) };
  const root = options.path === undefined ? scenario.root : relative(dirname(resolve(options.path)), scenarioRoot(file)) || '.';
  const label = scheduleLabel(schedule);
  const out: Record<string, unknown> = {
    name: `${scenario.name} — explore found: ${label}`,
    ...(scenario.description === undefined ? {} : { description: scenario.description }),
    ...(root === undefined ? {} : { root }),
    seed: options.seed,
    ...(scenario.journalCapacity === undefined ? {} : { journalCapacity: scenario.journalCapacity }),
    twins: scenario.twins,
    faults: [...(scenario.faults ?? []), ...(variation.faults ?? [])],
    ...(setup === undefined ? {} : { setup }),
    ...(scenario.steps === undefined ? {} : { steps: scenario.steps }),
    ...(run === undefined ? {} : { run }),
    expect: checksFor(file, schedule).map((c) => c.item),
  };
  const replay = `npx standin run ${options.path ?? '<this file>'} --seed ${options.seed}`;
  const header = [
    `Found by ${options.foundBy}:`,
    `  ${label}`,
    'broke:',
    ...options.violations.map((v) => `  ${v.invariant ? 'invariant ' : ''}${v.name}: expected ${v.expected}; observed ${oneLine(v.observed)}`),
    `Replay: ${replay}`,
    'It fails until the bug is fixed.',
  ];
  return `${header.map((l) => `# ${l}`).join('\n')}\n${stringify(out, { lineWidth: 0 })}`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}
