// The core contract: what twins, environments and the API share. Twins import from here only.
export * from './errors.ts';
export * from './files.ts';
export * from './limits.ts';
export * from './fault-engine.ts';
export * from './fault-rule.ts';
export * from './fault-point.ts';
export * from './journal.ts';
export * from './pattern.ts';
export * from './listen.ts';
export * from './port-range.ts';
export * from './rng.ts';
export * from './timers.ts';
export * from './progress.ts';
export * from './twin.ts';
export * from './validate.ts';
export * from './link/index.ts';
export * from './twin-context.ts';
