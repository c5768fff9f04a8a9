// Which twin kinds exist. Adding a kind is one folder under twins/ plus one line in default-kinds.ts.
// A kind is registered either loaded (a TwinKind) or as a descriptor whose module is imported the
// first time an environment uses it: oidc-provider, the Kafka protocol tables, embedded PostgreSQL
// and the Stripe API cost start-up time that a server whose users only want an http twin should not pay.
import type { TSchema } from '@sinclair/typebox';
import type { TwinKind } from '../core/index.ts';

/** A kind known by name, its module loaded on first use. */
export interface KindDescriptor {
  kind: string;
  load(): Promise<TwinKind>;
}

/** What a client needs to know of a kind: its config schema, fault points, actions and expectations. */
export interface KindDescription {
  kind: string;
  description: string;
  config: TSchema;
  points: Array<{ name: string; description: string; match: TSchema; actions: Record<string, TSchema> }>;
  actions: Record<string, { description: string; params: TSchema }>;
  /** Scenario expectations the kind declares (e.g. postgres `sql`): key → description and fields. */
  expectations: Record<string, { description: string; schema: TSchema }>;
}

export function describeKind(kind: TwinKind): KindDescription {
  return {
    kind: kind.kind,
    description: kind.description,
    config: kind.configSchema,
    points: kind.points.map((p) => ({ name: p.name, description: p.description, match: p.match, actions: p.actions })),
    actions: Object.fromEntries(Object.entries(kind.actions ?? {}).map(([verb, a]) => [verb, { description: a.description, params: a.params }])),
    expectations: Object.fromEntries((kind.expectations ?? []).map((e) => [e.name, { description: e.description, schema: e.schema }])),
  };
}

function isLoaded(entry: TwinKind | KindDescriptor): entry is TwinKind {
  return 'start' in entry;
}

export class TwinRegistry {
  private readonly entries = new Map<string, TwinKind | KindDescriptor>();
  /** One import per kind, however many environments ask for it at once. */
  private readonly loading = new Map<string, Promise<TwinKind>>();

  constructor(kinds: ReadonlyArray<TwinKind | KindDescriptor> = []) {
    for (const kind of kinds) this.register(kind);
  }

  register(kind: TwinKind | KindDescriptor): void {
    if (this.entries.has(kind.kind)) throw new Error(`twin kind ${kind.kind} registered twice`);
    this.entries.set(kind.kind, kind);
  }

  /** The kind if its module is loaded (see `load`), else undefined. */
  get(kind: string): TwinKind | undefined {
    const entry = this.entries.get(kind);
    return entry && isLoaded(entry) ? entry : undefined;
  }

  /** The kind, its module imported if it was not yet; undefined for a name no kind has. */
  async load(kind: string): Promise<TwinKind | undefined> {
    const entry = this.entries.get(kind);
    if (!entry || isLoaded(entry)) return entry;
    let loading = this.loading.get(kind);
    if (!loading) {
      loading = entry.load().then((loaded) => {
        if (loaded.kind !== kind) throw new Error(`twin kind ${kind} loaded a module for ${loaded.kind}`);
        this.entries.set(kind, loaded);
        return loaded;
      });
      // A failed import is tried again by the next caller rather than remembered.
      loading.catch(() => this.loading.delete(kind));
      this.loading.set(kind, loading);
    }
    return loading;
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  /** The kinds whose modules are loaded: the only ones that can hold process-wide resources. */
  loaded(): TwinKind[] {
    return [...this.entries.values()].filter(isLoaded);
  }

  /** Every kind described; loads those not yet loaded, since their schemas live in their modules. */
  async describe(): Promise<KindDescription[]> {
    return Promise.all(this.names().map(async (name) => describeKind((await this.load(name)) as TwinKind)));
  }
}
