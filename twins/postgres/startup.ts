// The server side of a connection's start: SSLRequest answered 'S' and the connection taken over
// by TLS when the twin has `tls` (else 'N'), or TLS from the first byte (direct SSL negotiation),
// GSSENCRequest 'N', CancelRequest routed, the StartupMessage read, `startup` rules and maxConnections applied, the client
// authenticated (SCRAM-SHA-256 or trust), its database name mapped to the twin's, and only then an
// upstream session opened whose ParameterStatus and BackendKeyData the client receives.
// @see https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-START-UP
import type { Duplex } from 'node:stream';
import type tls from 'node:tls';
import { cutConnection, delayMs, serverTls } from '../../src/core/index.ts';
import { BackendError } from './backend-error.ts';
import { errorOf, startupPoint } from './faults.ts';
import { ConnectionClosed, FrameSource } from './frame-source.ts';
import type { Front, FrontTls } from './front.ts';
import type { Route } from './backend.ts';
import { AuthCode, FrontendCode, MAX_MESSAGE, MAX_STARTUP_PACKET, StartupCode } from './message-codes.ts';
import { SCRAM_PLUS_MECHANISM, ScramServer } from './scram.ts';
import { connectUpstream, type UpstreamSession } from './upstream.ts';
import { FrameError, WireReader } from './wire-reader.ts';
import { authentication, authSasl, message, negotiateProtocolVersion, parameterStatus, readyForQuery } from './wire-writer.ts';
import { BackendCode } from './message-codes.ts';

const N = Buffer.from('N');
/** The first byte of a TLS record carrying a handshake: a ClientHello where a length was expected. */
const TLS_HANDSHAKE = 0x16;
/** The ALPN protocol id PostgreSQL registered, which a direct-SSL client must offer. */
const ALPN = 'postgresql';
const MITM_DETAIL = 'This could be either a client-software bug or evidence of an attempted man-in-the-middle attack.';
/** The newest protocol minor version (3.2, PostgreSQL 18's), whose cancel keys are longer. */
const LATEST_MINOR = 2;
/** PostgreSQL's MAX_STARTUP_PACKET_LENGTH counts the packet less its own length word. */
const STARTUP_PACKET_LIMIT = MAX_STARTUP_PACKET + 4;
const S = Buffer.from('S');

export interface Started {
  /** The client connection from here on: the link socket, or the TLS socket over it. */
  socket: Duplex;
  reader: WireReader;
  upstream: UpstreamSession;
  /** The BackendKeyData the client was given (Front.clientKey), which its CancelRequests name. */
  key: Buffer;
  /** The client half-closed already, its last messages buffered in `reader`. */
  clientEnded: boolean;
  /** Call when the session ends: frees its maxConnections slot. */
  release(): void;
}

/** Runs the handshake; undefined when the connection ended (cancel, fault, refusal, client gone). */
export async function startup(raw: Duplex, front: Front): Promise<Started | undefined> {
  let socket = raw;
  let source = new FrameSource(socket, new WireReader(false, STARTUP_PACKET_LIMIT));
  let encrypted = false;
  let release: (() => void) | undefined;
  const refuse = (error: BackendError): undefined => {
    socket.end(error.toMessage());
    return undefined;
  };
  const deadline = authDeadline(raw, front.ctx.limits.postgresAuthTimeoutMs, () => front.ctx.log.debug('postgres: authentication timeout; connection closed'));
  /** TLS takes the connection over; bytes read already (a ClientHello, bytes pipelined) go to it first. */
  const startTls = (options: FrontTls): tls.TLSSocket => {
    const early = source.reader.take();
    source.detach();
    if (early.length > 0) {
      raw.pause(); // unshifted into a flowing stream with no listener, they would be lost
      raw.unshift(early);
    }
    const secured = serverTls(raw, { secureContext: options.context, ALPNProtocols: [ALPN] });
    socket = secured;
    source = new FrameSource(secured, new WireReader(false, STARTUP_PACKET_LIMIT));
    encrypted = true;
    return secured;
  };
  try {
    let params: Map<string, string> | undefined;
    let minor = 0;
    if (front.tls && (await source.firstByte()) === TLS_HANDSHAKE) {
      // Direct SSL negotiation (PostgreSQL 17+): the connection opens with a TLS ClientHello, and
      // only a client that names the protocol by ALPN is served; any other is closed once the
      // handshake is done, without a word, as PostgreSQL only logs it.
      const secured = startTls(front.tls);
      await new Promise<void>((resolve, reject) => {
        secured.once('secure', resolve);
        secured.once('error', reject);
        secured.once('close', () => reject(new ConnectionClosed()));
      });
      if (secured.alpnProtocol !== ALPN) {
        front.ctx.log.debug('postgres: direct SSL connection without ALPN; connection closed');
        secured.destroy();
        raw.destroy();
        return undefined;
      }
    }
    while (!params) {
      const frame = await source.next();
      const body = frame.reader();
      const code = body.int32();
      if ((code === StartupCode.SSLRequest || code === StartupCode.GSSENCRequest) && encrypted) {
        return refuse(BackendError.of('08P01', { message: 'encryption requested over an encrypted connection' }));
      }
      if (code === StartupCode.SSLRequest || code === StartupCode.GSSENCRequest) {
        const tlsNow = code === StartupCode.SSLRequest && front.tls !== undefined;
        socket.write(tlsNow ? S : N);
        if (tlsNow) {
          // Bytes the client sent before reading the 'S' go to the handshake, as PostgreSQL 17+
          // feeds them to its TLS layer: a pipelined ClientHello works, plaintext fails the handshake.
          startTls(front.tls!);
          continue;
        }
        // 'N': the client goes on in the clear or gives up; bytes it sent before reading the answer
        // are refused, as they could have been injected by a man in the middle (CVE-2021-23214).
        if (source.reader.buffered > 0) {
          const what = code === StartupCode.SSLRequest ? 'SSL' : 'GSSAPI encryption';
          return refuse(BackendError.of('08P01', { severity: 'FATAL', message: `received unencrypted data after ${what} request`, detail: MITM_DETAIL }));
        }
        continue;
      }
      if (code === StartupCode.CancelRequest) {
        source.detach();
        socket.end();
        await front.cancel(body.rest());
        return undefined;
      }
      if (code >> 16 !== 3) {
        const refusal = BackendError.of('0A000', { message: `unsupported frontend protocol ${code >> 16}.${code & 0xffff}: server supports 3.0 to 3.${LATEST_MINOR}` });
        // A client older than 3.0 could not read a v3 ErrorResponse: PostgreSQL answers it in the 2.0 form.
        socket.end(code >> 16 < 3 ? errorV2(refusal) : refusal.toMessage());
        return undefined;
      }
      minor = code & 0xffff;
      params = startupParams(frame.body.subarray(4));
      if (!params) return refuse(BackendError.of('08P01', { message: 'invalid startup packet layout: expected terminator as last byte' }));
    }
    source.reader.typed = true;

    const user = params.get('user');
    if (!user) return refuse(BackendError.of('28000', { message: 'no PostgreSQL user name specified in startup packet' }));
    const database = params.get('database') || user;
    if (front.tls?.required && !encrypted) {
      return refuse(BackendError.of('28000', { message: `no pg_hba.conf entry for host "${(raw as Duplex & { remoteAddress?: string }).remoteAddress ?? ''}", user "${user}", database "${database}", no encryption` }));
    }
    const unrecognized = [...params.keys()].filter((k) => k.startsWith('_pq_.'));
    // PostgreSQL 18 speaks 3.0 and 3.2 (3.1 was never used); a later minor is offered 3.2.
    if (minor > LATEST_MINOR || unrecognized.length > 0) socket.write(negotiateProtocolVersion(Math.min(minor, LATEST_MINOR), unrecognized));

    const decision = front.ctx.faults.decide(startupPoint, { user, database, application_name: params.get('application_name') ?? '' }, `${user}@${database}`);
    if (decision?.action === 'error') return refuse(errorOf(decision.params, 'FATAL'));
    if (decision?.action === 'disconnect') {
      cutConnection(raw, decision.params.reset === true ? 'reset' : 'close');
      return undefined;
    }
    if (decision) {
      // The twin's own waits (a startup rule) are not the client's time to authenticate.
      deadline.clear();
      if (decision.action === 'hang') {
        // Until the client gives up (or the twin stops, which closes every connection).
        await source.next().catch(() => undefined);
        socket.destroy();
        return undefined;
      }
      if (!(await front.timers.delay(delayMs(decision.params, decision.rng.next)))) return undefined;
      deadline.restart();
    }

    release = front.admit();
    if (!release) return refuse(BackendError.of('53300'));

    if (front.auth === 'scram-sha-256') {
      const refusal = await authenticate(socket, source, front, user, encrypted);
      if (refusal) {
        release();
        return refuse(refusal);
      }
    }
    deadline.clear();
    let route: Route | undefined;
    try {
      route = await front.route(database);
    } catch (error) {
      release();
      front.ctx.log.warn('postgres: could not make a database a client named', { database, error: (error as Error).message });
      return refuse(BackendError.of('57P03', { message: `database "${database}" unavailable: ${(error as Error).message}` }));
    }
    if (!route) {
      release();
      return refuse(BackendError.of('3D000', { message: `database "${database}" does not exist` }));
    }

    const passOn: Record<string, string> = {};
    for (const [k, v] of params) if (k !== 'user' && k !== 'database' && !k.startsWith('_pq_.')) passOn[k] = v;
    let upstream: UpstreamSession;
    try {
      upstream = await connectUpstream(route.target, { ...route.login, params: passOn }, MAX_MESSAGE);
    } catch (error) {
      release();
      if (error instanceof BackendError) return refuse(error);
      front.ctx.log.warn('postgres: upstream unavailable', { error: (error as Error).message });
      return refuse(BackendError.of('57P03', { message: `upstream unavailable: ${(error as Error).message}` }));
    }
    const clientEnded = source.ended;
    source.detach();
    source.reader.maxBytes = MAX_MESSAGE;
    const key = front.clientKey(upstream.key, Math.min(minor, LATEST_MINOR));
    socket.write(
      Buffer.concat([
        authentication(AuthCode.Ok),
        ...upstream.parameterStatus.map((status) => asLoggedIn(status, user)),
        message(BackendCode.BackendKeyData, key),
        readyForQuery(upstream.status),
      ]),
    );
    return { socket, reader: source.reader, upstream, key, release, clientEnded };
  } catch (error) {
    deadline.clear();
    source.detach();
    release?.();
    // A first packet whose length is out of range is only logged by PostgreSQL, which then closes:
    // the bytes may be anything (an HTTP probe, a client's Terminate before it sent a startup packet).
    if (error instanceof FrameError && !source.reader.typed) front.ctx.log.debug('postgres: invalid length of startup packet; connection closed');
    else if (error instanceof FrameError) return refuse(BackendError.of('08P01', { message: `invalid startup packet: ${error.message}` }));
    if (!(error instanceof ConnectionClosed)) front.ctx.log.debug('postgres: startup failed', { error: (error as Error).message });
    socket.destroy();
    raw.destroy();
    return undefined;
  }
}

/**
 * A ParameterStatus as the client must see it: session_authorization names the user it logged in
 * as, not the role the upstream session runs as (unique per environment, so named after its random id).
 */
function asLoggedIn(status: Buffer, user: string): Buffer {
  const name = 'session_authorization';
  return status.toString('latin1', 5, 5 + name.length + 1) === `${name}\0` ? parameterStatus(name, user) : status;
}

/**
 * A StartupMessage's parameters, read as PostgreSQL's ProcessStartupPacket reads them: name/value
 * pairs up to an empty name, which must be the packet's last byte; undefined when it is not (a name
 * without a value, no terminator, bytes after it).
 */
function startupParams(body: Buffer): Map<string, string> | undefined {
  const params = new Map<string, string>();
  // PostgreSQL reads the packet into a buffer one zero byte longer, so a string never runs past it.
  const end = (from: number): number => {
    const zero = body.indexOf(0, from);
    return zero === -1 ? body.length : zero;
  };
  let offset = 0;
  while (offset < body.length && body[offset] !== 0) {
    const nameEnd = end(offset);
    if (nameEnd + 1 >= body.length) break;
    const valueEnd = end(nameEnd + 1);
    params.set(body.toString('utf8', offset, nameEnd), body.toString('utf8', nameEnd + 1, valueEnd));
    offset = valueEnd + 1;
  }
  return offset === body.length - 1 ? params : undefined;
}

/** An ErrorResponse in protocol 2.0's form: 'E', then the text as the server logs it. */
function errorV2(error: BackendError): Buffer {
  return Buffer.concat([Buffer.from('E'), Buffer.from(`${error.severity}:  ${error.message}\n\0`)]);
}

/**
 * SCRAM-SHA-256 (and -PLUS over TLS), the server side: undefined when the client proved the
 * password, else the error it gets. Any user name but the twin's fails like a wrong password.
 */
async function authenticate(socket: Duplex, source: FrameSource, front: Front, user: string, encrypted: boolean): Promise<BackendError | undefined> {
  const wrongPassword = BackendError.of('28P01', { message: `password authentication failed for user "${user}"` });
  const binding = encrypted ? front.tls?.endPoint : undefined;
  const offered = ScramServer.mechanisms(binding !== undefined);
  socket.write(authSasl(offered));
  const initial = await source.next(MAX_STARTUP_PACKET);
  if (initial.type !== FrontendCode.Password) throw new FrameError(`expected SASLInitialResponse, got message type ${initial.type}`);
  const body = initial.reader();
  const mechanism = body.cstring();
  if (!offered.includes(mechanism)) return BackendError.of('08P01', { severity: 'FATAL', message: 'client selected an invalid SASL authentication mechanism' });
  const length = body.int32();
  const scram = new ScramServer(front.secret, { binding, plus: mechanism === SCRAM_PLUS_MECHANISM });
  try {
    const serverFirst = scram.first(body.bytes(Math.max(0, length)).toString());
    if (serverFirst === undefined) return wrongPassword;
    socket.write(authentication(AuthCode.SASLContinue, Buffer.from(serverFirst)));
    const response = await source.next(MAX_STARTUP_PACKET);
    if (response.type !== FrontendCode.Password) throw new FrameError(`expected SASLResponse, got message type ${response.type}`);
    const serverFinal = scram.final(response.body.toString());
    if (serverFinal === undefined || user !== front.user) return wrongPassword;
    socket.write(authentication(AuthCode.SASLFinal, Buffer.from(serverFinal)));
    return undefined;
  } catch (error) {
    if (error instanceof BackendError) return error;
    throw error;
  }
}

/**
 * PostgreSQL's authentication_timeout: a client that has not sent its startup packet and finished
 * authenticating in time is dropped. PostgreSQL 18 closes the connection without a message in every
 * phase, measured: before the startup packet is complete it just exits; during authentication it
 * logs FATAL "canceling authentication due to timeout" but does not send it (the client may be
 * mid-exchange). The twin does the same.
 */
function authDeadline(socket: Duplex, ms: number, onTimeout: () => void): { clear(): void; restart(): void } {
  let timer: NodeJS.Timeout | undefined;
  const clear = (): void => {
    clearTimeout(timer);
    timer = undefined;
  };
  const restart = (): void => {
    clear();
    if (socket.destroyed) return;
    timer = setTimeout(() => {
      onTimeout();
      socket.destroy();
    }, ms);
    timer.unref(); // a guard on the socket, which holds the process by itself while it is open
  };
  restart();
  socket.once('close', clear);
  return { clear, restart };
}
