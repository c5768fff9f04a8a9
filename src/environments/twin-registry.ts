// Which twin kinds exist. Adding a kind is one folder under twins/ plus one line in default-kinds.ts.
import type { TSchema } from '@sinclair/typebox';
import type { TwinKind } from '../core/index.ts';

/** What a client needs to know of a kind: its config schema, fault points and actions. */
export interface KindDescription {
  kind: string;
  description: string;
  config: TSchema;
  points: Array<{ name: string; description: string; match: TSchema; actions: Record<string, TSchema> }>;
  actions: Record<string, { description: string; params: TSchema }>;
}

export function describeKind(kind: TwinKind): KindDescription {
  return {
    kind: kind.kind,
    description: kind.description,
    config: kind.configSchema,
    points: kind.points.map((p) => ({ name: p.name, description: p.description, match: p.match, actions: p.actions })),
    actions: Object.fromEntries(Object.entries(kind.actions ?? {}).map(([verb, a]) => [verb, { description: a.description, params: a.params }])),
  };
}

export class TwinRegistry {
  private readonly kinds = new Map<string, TwinKind>();

  constructor(kinds: readonly TwinKind[] = []) {
    for (const kind of kinds) this.register(kind);
  }

  register(kind: TwinKind): void {
    if (this.kinds.has(kind.kind)) throw new Error(`twin kind ${kind.kind} registered twice`);
    this.kinds.set(kind.kind, kind);
  }

  get(kind: string): TwinKind | undefined {
    return this.kinds.get(kind);
  }

  names(): string[] {
    return [...this.kinds.keys()];
  }

  all(): TwinKind[] {
    return [...this.kinds.values()];
  }

  describe(): KindDescription[] {
    return this.all().map(describeKind);
  }
}
