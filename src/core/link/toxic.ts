// The contract of one toxic: a stage on one direction of a link. Bytes enter with `push`, leave
// through the outlet, possibly later, sliced, or never. Shared settings (direction, toxicity,
// trigger) live in the fault rule; a toxic only knows its own attributes (Toxiproxy's names).
import type { Static, TSchema } from '@sinclair/typebox';
import type { Rng } from '../rng.ts';

export const DIRECTIONS = ['upstream', 'downstream'] as const;
/** upstream = client → twin bytes, downstream = twin → client (Toxiproxy's `stream`). */
export type Direction = (typeof DIRECTIONS)[number];

export type CloseHow = 'close' | 'reset';

/** Where a stage sends what it lets through. */
export interface ToxicOutlet {
  push(chunk: Buffer): void;
  /** This direction is finished (the FIN travels on). */
  end(): void;
  /** Ends the whole connection: `close` with FINs, `reset` with an RST. */
  close(how: CloseHow): void;
}

export interface Toxic {
  push(chunk: Buffer): void;
  /** The direction ended upstream of this stage; hand the end on once what is held has left. */
  end(): void;
  /**
   * The rule was removed while the connection is open: hand on everything held, synchronously and
   * in order (the end too, if it came), so traffic never waits on a toxic that is gone.
   */
  flush(): void;
  /** The connection is gone: cancel timers, drop what is held. */
  destroy(): void;
  /** Bytes held right now, for backpressure on the source. */
  readonly held: number;
}

export interface ToxicKind<S extends TSchema = TSchema> {
  name: string;
  description: string;
  /** Toxiproxy's attributes; absent ones default to 0 like Toxiproxy's zero values. */
  attributes: S;
  create(attributes: Static<S>, rng: Rng, out: ToxicOutlet): Toxic;
}

/** Keeps the attribute type of each toxic module while the registry holds them side by side. */
export function defineToxic<S extends TSchema>(kind: ToxicKind<S>): ToxicKind<S> {
  return kind;
}

/** A toxic that lets everything through untouched; others extend it and override what they change. */
export class PassThrough implements Toxic {
  constructor(protected readonly out: ToxicOutlet) {}
  get held(): number {
    return 0;
  }
  push(chunk: Buffer): void {
    this.out.push(chunk);
  }
  end(): void {
    this.out.end();
  }
  flush(): void {}
  destroy(): void {}
}
