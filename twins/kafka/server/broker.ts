// One broker's listener: its own port through the link layer, stopped and restarted by the
// broker-down / broker-up actions (a down broker's port refuses connections). With TLS every
// connection is a TLS session over the linked socket (security protocol SSL or SASL_SSL).
import type tls from 'node:tls';
import { listenLinked, serverTls, type LinkServer } from '../../../src/core/index.ts';
import { FetchSessionCache } from '../cluster/fetch-sessions.ts';
import { serveConnection, type BrokerRuntime } from './connection.ts';

export class BrokerListener {
  private server: LinkServer | undefined;
  private readonly rt: BrokerRuntime;
  /** The broker's incremental fetch sessions (KIP-227): gone when it goes down or stops, and on reset. */
  readonly fetchSessions: FetchSessionCache;

  constructor(
    rt: Omit<BrokerRuntime, 'fetchSessions'>,
    private readonly tlsContext?: tls.SecureContext,
  ) {
    const { limits } = rt.twin;
    this.fetchSessions = new FetchSessionCache({ sessions: limits.kafkaFetchSessions, partitions: limits.kafkaFetchSessionPartitions }, rt.twin.rng('fetch-session', rt.broker.nodeId));
    this.rt = { ...rt, fetchSessions: this.fetchSessions };
  }

  get port(): number {
    return this.rt.broker.port;
  }

  async start(port: number): Promise<void> {
    this.server = await listenLinked(this.rt.twin, { host: this.rt.broker.host, port }, (socket, info) =>
      serveConnection(this.tlsContext ? serverTls(socket, { secureContext: this.tlsContext }) : socket, info, this.rt),
    );
    this.rt.broker.port = this.server.port;
  }

  async down(): Promise<void> {
    this.rt.cluster.setBrokerUp(this.rt.broker.nodeId, false);
    this.fetchSessions.clear();
    const server = this.server;
    this.server = undefined;
    await server?.close();
  }

  async up(): Promise<void> {
    if (this.server) return;
    await this.start(this.rt.broker.port);
    this.rt.cluster.setBrokerUp(this.rt.broker.nodeId, true);
  }

  async stop(): Promise<void> {
    this.fetchSessions.clear();
    await this.server?.close();
    this.server = undefined;
  }
}
