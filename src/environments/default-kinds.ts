// The twin kinds this build of Standin ships, one registration line each.
import type { TwinKind } from '../core/index.ts';
import { TwinRegistry } from './twin-registry.ts';

export const defaultKinds: readonly TwinKind[] = [];

export function defaultRegistry(): TwinRegistry {
  return new TwinRegistry(defaultKinds);
}
