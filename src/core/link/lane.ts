// One direction of a link: source → toxics (in rule order) → sink. With no toxic a chunk goes
// straight to the sink, one branch and no copy, so an unfaulted link costs what a pipe costs;
// rules added or removed while the link is open are spliced into or out of the chain at once.
import type { Direction, Toxic, ToxicOutlet } from './toxic.ts';

/** Where the lane delivers: a socket's write side or a Duplex's readable side. */
export interface LaneSink {
  /** false = congested: the lane pauses its source until `drained()` is called. */
  write(chunk: Buffer): boolean;
  end(): void;
}

export interface LaneSource {
  pause(): void;
  resume(): void;
}

interface Stage {
  ruleId: string;
  toxic: Toxic;
}

/** Above this many bytes held in toxics the source is paused (a bandwidth toxic holds a lot). */
const HIGH_WATER = 1 << 20;

export class Lane {
  private stages: Stage[] = [];
  private paused = false;
  private congested = false;
  private inputEnded = false;
  private outputEnded = false;
  private destroyed = false;

  constructor(
    readonly direction: Direction,
    public sink: LaneSink,
    public source: LaneSource,
    private readonly onClose: ToxicOutlet['close'],
  ) {}

  /** Bytes from the source. */
  write(chunk: Buffer): void {
    const first = this.stages[0];
    if (first === undefined) this.deliver(chunk);
    else {
      first.toxic.push(chunk);
      if (!this.paused && this.held() > HIGH_WATER) this.pause();
    }
  }

  /** The source ended. */
  end(): void {
    if (this.inputEnded) return;
    this.inputEnded = true;
    const first = this.stages[0];
    if (first === undefined) this.endSink();
    else first.toxic.end();
  }

  /** The sink can take more. */
  drained(): void {
    this.congested = false;
    this.maybeResume();
  }

  get ended(): boolean {
    return this.outputEnded;
  }

  /** Whether any toxic acts on this direction. */
  get faulted(): boolean {
    return this.stages.length > 0;
  }

  get toxics(): string[] {
    return this.stages.map((s) => s.ruleId);
  }

  has(ruleId: string): boolean {
    return this.stages.some((s) => s.ruleId === ruleId);
  }

  /** Appends a toxic at the sink end of the chain: rules stack in the order they were added. */
  add(ruleId: string, create: (out: ToxicOutlet) => Toxic): void {
    if (this.outputEnded || this.destroyed || this.has(ruleId)) return;
    const stage = { ruleId } as Stage;
    stage.toxic = create({
      push: (chunk) => this.forward(stage, chunk),
      end: () => this.endFrom(stage),
      close: (how) => this.onClose(how),
    });
    this.stages = [...this.stages, stage];
  }

  /** Flushes the toxic's held bytes onward, then takes it out of the chain. */
  remove(ruleId: string): void {
    const stage = this.stages.find((s) => s.ruleId === ruleId);
    if (!stage) return;
    stage.toxic.flush();
    this.stages = this.stages.filter((s) => s !== stage);
    stage.toxic.destroy();
    this.maybeResume();
  }

  destroy(): void {
    this.destroyed = true;
    for (const stage of this.stages) stage.toxic.destroy();
    this.stages = [];
  }

  private forward(from: Stage, chunk: Buffer): void {
    if (this.destroyed) return;
    const index = this.stages.indexOf(from);
    // A stage no longer in the chain (flushing as it leaves) hands straight to what follows it.
    const next = index >= 0 ? this.stages[index + 1] : undefined;
    if (next) next.toxic.push(chunk);
    else this.deliver(chunk);
    if (this.paused) this.maybeResume();
  }

  private endFrom(from: Stage): void {
    if (this.destroyed) return;
    const index = this.stages.indexOf(from);
    const next = index >= 0 ? this.stages[index + 1] : undefined;
    if (next) next.toxic.end();
    else this.endSink();
  }

  private deliver(chunk: Buffer): void {
    if (this.outputEnded) return;
    if (!this.sink.write(chunk)) {
      this.congested = true;
      if (!this.paused) this.pause();
    }
  }

  private endSink(): void {
    if (this.outputEnded) return;
    this.outputEnded = true;
    this.sink.end();
  }

  private held(): number {
    let bytes = 0;
    for (const stage of this.stages) bytes += stage.toxic.held;
    return bytes;
  }

  private pause(): void {
    this.paused = true;
    this.source.pause();
  }

  private maybeResume(): void {
    if (!this.paused || this.congested || this.destroyed) return;
    if (this.stages.length > 0 && this.held() > HIGH_WATER / 2) return;
    this.paused = false;
    this.source.resume();
  }
}
