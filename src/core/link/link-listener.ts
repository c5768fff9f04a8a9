// The listener in front of a twin's port. It hands each client's own socket to the twin and turns
// the twin's `connection` rules into toxics on each link: decided per connection when it opens
// (every firing rule stacks, oldest first), and spliced into or out of open links as rules are
// added or removed, so faults never wait for a reconnect and removing one never waits for traffic.
// A link no toxic acts on is the bare socket (see link.ts). `down` (and `enabled: false`) close the port.
import net from 'node:net';
import type { RuleChange } from '../fault-engine.ts';
import type { PointDecision } from '../fault-point.ts';
import type { FaultEvent, FaultRule } from '../fault-rule.ts';
import { listen } from '../listen.ts';
import { longTimeout, type LongTimer } from '../timers.ts';
import type { TwinContext } from '../twin.ts';
import { Link, type LinkStats } from './link.ts';
import { DIRECTIONS, type Direction } from './toxic.ts';
import { connectionPoint } from './connection-point.ts';
import { DOWN, TOXICS } from './toxics.ts';


export interface LinkInfo {
  /** Sequential per twin, from 1. */
  id: number;
  remoteAddress: string;
  remotePort: number;
}

export type LinkHandler = (socket: net.Socket, info: LinkInfo) => void;

type ConnectionDecision = PointDecision<typeof connectionPoint>;

/** How long to keep trying to listen again on the same port after `down` is lifted. */
const RELISTEN_ATTEMPTS = 50;
const RELISTEN_PAUSE_MS = 100;

export function directionOf(rule: FaultRule): Direction {
  return rule.match.direction === 'upstream' ? 'upstream' : 'downstream';
}

export class LinkListener {
  port: number;
  private server: net.Server | undefined;
  private readonly links = new Map<number, Link>();
  private readonly downRules = new Set<string>();
  private readonly timers = new Map<string, LongTimer[]>();
  private reopening: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private nextId = 1;
  private isEnabled = true;
  private stopped = false;
  private accepted = 0;
  private closedBytesIn = 0;
  private closedBytesOut = 0;

  constructor(
    private readonly ctx: TwinContext,
    readonly host: string,
    port: number,
    private readonly handler: LinkHandler,
  ) {
    this.port = port;
  }

  async start(): Promise<void> {
    const server = this.createServer();
    this.port = await listen(server, this.host, this.port, this.ctx.name, this.ctx.twinPorts);
    this.server = server;
    this.unsubscribe = this.ctx.faults.onChange((change) => this.onRuleChange(change));
    // Rules set before the twin started (a scenario's faults) apply from the first connection.
    for (const rule of this.ctx.faults.rulesAt(connectionPoint).reverse()) this.watch(rule);
  }

  get enabled(): boolean {
    return this.isEnabled;
  }

  /** Toxiproxy's `enabled`: false closes the port and every open connection until set back. */
  async setEnabled(enabled: boolean): Promise<void> {
    this.isEnabled = enabled;
    this.reconcile();
    await this.settled();
  }

  /** Resolves once the port is in the state the rules and `enabled` ask for. */
  async settled(): Promise<void> {
    await this.reopening;
  }

  connections(): LinkStats[] {
    return [...this.links.values()].map((link) => link.stats());
  }

  totals(): { accepted: number; open: number; bytesIn: number; bytesOut: number } {
    let bytesIn = this.closedBytesIn;
    let bytesOut = this.closedBytesOut;
    for (const link of this.links.values()) {
      bytesIn += link.client.bytesRead;
      bytesOut += link.client.bytesWritten;
    }
    return { accepted: this.accepted, open: this.links.size, bytesIn, bytesOut };
  }

  /** Closes every open connection (FIN), keeps listening. */
  closeConnections(): void {
    for (const link of this.links.values()) link.close('close');
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    for (const timers of this.timers.values()) for (const timer of timers) timer.cancel();
    this.timers.clear();
    await this.reopening;
    const server = this.server;
    this.server = undefined;
    for (const link of this.links.values()) link.close('reset');
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private createServer(): net.Server {
    // Nagle off: toxics, not Nagle, decide how bytes are grouped. Half-open as a default net.Server:
    // the client's FIN ends the twin's side too once its writes are out (a proxy changes that, see pipeLinked).
    const server = net.createServer({ noDelay: true, allowHalfOpen: false }, (client) => this.accept(client));
    server.on('error', (error) => this.ctx.log.warn('link listener error', { twin: this.ctx.name, error: String(error) }));
    return server;
  }

  private accept(client: net.Socket): void {
    const id = this.nextId++;
    const info: LinkInfo = { id, remoteAddress: client.remoteAddress ?? '', remotePort: client.remotePort ?? 0 };
    const from = `#${id} from ${info.remoteAddress}:${info.remotePort}`;
    if (this.server === undefined) return this.refuse(client, info, from);
    // Each link holds a descriptor and buffers: past the limit a new connection is turned away at
    // once rather than let one client starve the process (and every other twin) of descriptors.
    const limit = this.ctx.limits.connectionsPerTwin;
    if (this.links.size >= limit) return this.refuse(client, info, `${from}: ${limit} connections open (limit connectionsPerTwin)`);
    // Journaled before the decisions, so the journal reads open → faults → close.
    this.record(info, 'open', `open ${from}`);
    const decisions = this.decide(info);
    if (decisions.some(([, d]) => d.action === DOWN)) return this.refuse(client, info, from);
    this.accepted++;
    const link = new Link(id, client, (closed) => this.onLinkClosed(closed));
    this.links.set(id, link);
    for (const [direction, decision] of decisions) this.install(link, direction, decision);
    try {
      this.handler(client, info);
      link.handedOver();
    } catch (error) {
      this.ctx.log.error('connection handler failed', { twin: this.ctx.name, error: String(error) });
      link.close('reset');
    }
  }

  /** A connection that came in while the port is going down, or drew a `down` rule: RST. */
  private refuse(client: net.Socket, info: LinkInfo, from: string): void {
    client.on('error', () => {});
    client.resetAndDestroy();
    this.record(info, 'refused', `refused ${from}`);
  }

  /** Every rule that fires for a new connection, per direction, oldest first (Toxiproxy's chain order). */
  private decide(info: LinkInfo): Array<[Direction, ConnectionDecision]> {
    const out: Array<[Direction, ConnectionDecision]> = [];
    // The fast path: no rule at the point, no evaluation, no toxic, bytes go straight through.
    if (this.ctx.faults.rulesAt(connectionPoint).length === 0) return out;
    for (const direction of DIRECTIONS) {
      const fired = this.ctx.faults.decideAll(connectionPoint, linkEvent(info, direction), `#${info.id} ${direction}`);
      for (let i = fired.length - 1; i >= 0; i--) out.push([direction, fired[i]!]);
    }
    return out;
  }

  private install(link: Link, direction: Direction, decision: ConnectionDecision): void {
    const kind = TOXICS[decision.action];
    if (!kind) return;
    link.addToxic(direction, decision.rule.id, (out) => kind.create(decision.params, decision.rng, out));
  }

  private onRuleChange(change: RuleChange): void {
    if (change.rule.point !== connectionPoint.name || this.stopped) return;
    try {
      if (change.type === 'added') this.watch(change.rule);
      else this.unwatch(change.rule);
    } catch (error) {
      // The engine calls listeners inside add/remove: a failure here must not fail the API call.
      this.ctx.log.error('applying a connection rule failed', { twin: this.ctx.name, rule: change.rule.id, error: String(error) });
    }
  }

  /** Applies a rule now, or when its `from` window opens; lifts it when `until` closes it. */
  private watch(rule: FaultRule): void {
    const elapsed = this.ctx.now() - rule.createdAt;
    const { from, until } = rule.trigger;
    const timers: LongTimer[] = [];
    if (from !== undefined && from > elapsed) timers.push(longTimeout(() => this.apply(rule), from - elapsed));
    else this.apply(rule);
    if (until !== undefined) timers.push(longTimeout(() => this.lift(rule), until - elapsed));
    for (const timer of timers) timer.unref();
    if (timers.length > 0) this.timers.set(rule.id, timers);
  }

  private unwatch(rule: FaultRule): void {
    for (const timer of this.timers.get(rule.id) ?? []) timer.cancel();
    this.timers.delete(rule.id);
    this.lift(rule);
  }

  private apply(rule: FaultRule): void {
    const direction = directionOf(rule);
    if (rule.action.type === DOWN) {
      if (this.ctx.faults.decideRule(connectionPoint, rule.id, { direction }, 'listener')) {
        this.downRules.add(rule.id);
        this.reconcile();
      }
      return;
    }
    // A rule added while connections are open acts on them too, each deciding by its own draw.
    for (const link of this.links.values()) {
      if (!link.open || link.lane(direction).has(rule.id)) continue;
      const info: LinkInfo = { id: link.id, remoteAddress: link.client.remoteAddress ?? '', remotePort: link.client.remotePort ?? 0 };
      const decision = this.ctx.faults.decideRule(connectionPoint, rule.id, linkEvent(info, direction), `#${link.id} ${direction}`);
      if (decision) this.install(link, direction, decision);
    }
  }

  private lift(rule: FaultRule): void {
    if (rule.action.type === DOWN) {
      if (this.downRules.delete(rule.id)) this.reconcile();
      return;
    }
    for (const link of this.links.values()) link.removeToxic(rule.id);
  }

  private shouldListen(): boolean {
    return !this.stopped && this.isEnabled && this.downRules.size === 0;
  }

  /** Brings the port in line with `enabled` and the down rules. Going down is immediate. */
  private reconcile(): void {
    if (!this.shouldListen()) {
      const server = this.server;
      if (!server) return;
      this.server = undefined;
      server.close(); // the port refuses from here on
      this.closeConnections();
      return;
    }
    if (!this.server && !this.reopening) {
      this.reopening = this.reopen().finally(() => {
        this.reopening = undefined;
      });
    }
  }

  private async reopen(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (!this.shouldListen()) return;
      const server = this.createServer();
      try {
        await listen(server, this.host, this.port, this.ctx.name);
      } catch (error) {
        if (attempt >= RELISTEN_ATTEMPTS) {
          this.ctx.log.error('cannot listen again after down', { twin: this.ctx.name, port: this.port, error: String(error) });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, RELISTEN_PAUSE_MS));
        continue;
      }
      // Down again (or stopped) while we were binding: give the port back.
      if (!this.shouldListen()) {
        server.close();
        return;
      }
      this.server = server;
      return;
    }
  }

  private onLinkClosed(link: Link): void {
    this.links.delete(link.id);
    const { bytesIn, bytesOut, remoteAddress, remotePort } = link.stats();
    this.closedBytesIn += bytesIn;
    this.closedBytesOut += bytesOut;
    this.ctx.journal.record({
      point: connectionPoint.name,
      type: 'connection',
      summary: `close #${link.id} (${bytesIn} bytes in, ${bytesOut} out)`,
      data: { id: link.id, event: 'close', remoteAddress, remotePort, bytesIn, bytesOut, durationMs: Date.now() - link.openedAt },
    });
  }

  private record(info: LinkInfo, event: 'open' | 'refused', summary: string): void {
    this.ctx.journal.record({ point: connectionPoint.name, type: 'connection', summary, data: { ...info, event } });
  }
}

function linkEvent(info: LinkInfo, direction: Direction): FaultEvent {
  return { direction, link: info.id, remoteAddress: info.remoteAddress, remotePort: info.remotePort };
}
