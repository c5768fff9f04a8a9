// Builds the TwinContext a twin is started with, from its environment's journal and fault engine.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { FaultEngine } from './fault-engine.ts';
import { noFiles, type FileAccess } from './files.ts';
import { DEFAULT_LIMITS, type Limits } from './limits.ts';
import type { PortRange } from './port-range.ts';
import { twinJournal, type Journal } from './journal.ts';
import { createRng } from './rng.ts';
import type { PointDecision } from './fault-point.ts';
import type { Logger, TwinContext, TwinFaults } from './twin.ts';

export interface TwinContextOptions {
  envId: string;
  name: string;
  seed: number;
  host: string;
  /** Default: `host`. */
  advertisedHost?: string;
  twinPorts?: PortRange;
  journal: Journal;
  faults: FaultEngine;
  log: Logger;
  now?: () => number;
  cacheDir?: string;
  files?: FileAccess;
  limits?: Limits;
}

export function defaultCacheDir(): string {
  return process.env.STANDIN_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'standin');
}

export function createTwinContext(options: TwinContextOptions): TwinContext {
  const { name, faults } = options;
  return {
    envId: options.envId,
    name,
    seed: options.seed,
    host: options.host,
    advertisedHost: options.advertisedHost ?? options.host,
    ...(options.twinPorts ? { twinPorts: options.twinPorts } : {}),
    journal: twinJournal(options.journal, name),
    faults: twinFaults(faults, name),
    rng: (...label) => createRng(options.seed, 'twin', name, ...label),
    now: options.now ?? Date.now,
    log: options.log,
    cacheDir: options.cacheDir ?? defaultCacheDir(),
    files: options.files ?? noFiles,
    limits: options.limits ?? DEFAULT_LIMITS,
  };
}

/** The engine bound to one twin. A typed point's decision is the engine's, narrowed by the point's
 * actions: the engine validated the rule's parameters against the same schemas when it was added. */
function twinFaults(faults: FaultEngine, name: string): TwinFaults {
  return {
    decide: (point, event, summary) => faults.decide(name, point.name, event, summary) as PointDecision<typeof point> | undefined,
    decideAll: (point, event, summary) => faults.decideAll(name, point.name, event, summary) as Array<PointDecision<typeof point>>,
    decideRule: (point, id, event, summary) => {
      const decision = faults.decideRule(id, event, summary);
      return decision?.rule.point === point.name ? (decision as PointDecision<typeof point>) : undefined;
    },
    rulesAt: (point) => faults.rulesAt(name, point.name),
    onChange: (listener) =>
      faults.onChange((change) => {
        if (change.rule.twin === name) listener(change);
      }),
  };
}
