// Which twin kinds exist. Adding a kind is one folder under twins/ plus one line in default-kinds.ts.
import type { TwinKind } from '../core/index.ts';

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
}
