// Opens one upstream session for one client connection: connects to the real PostgreSQL, logs in
// as the twin's role (trust, SCRAM-SHA-256, md5 or cleartext, whatever the server asks), and
// collects what the client must see: ParameterStatus values and the BackendKeyData.
// @see https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-START-UP
import net from 'node:net';
import { BackendError } from './backend-error.ts';
import { FrameSource } from './frame-source.ts';
import { AuthCode, BackendCode } from './message-codes.ts';
import { md5Password, SCRAM_MECHANISM, ScramClient } from './scram.ts';
import { WireReader } from './wire-reader.ts';
import { cancelRequest, passwordMessage, saslInitialResponse, startupMessage } from './wire-writer.ts';

/** Where the upstream server listens: a unix socket path or TCP. */
export type UpstreamTarget = { path: string } | { host: string; port: number };

export interface UpstreamLogin {
  user: string;
  database: string;
  password?: string;
  /** Other startup parameters the client sent (application_name, options, DateStyle…). */
  params?: Record<string, string>;
}

export interface UpstreamSession {
  socket: net.Socket;
  /** Holds any bytes that arrived after ReadyForQuery. */
  reader: WireReader;
  /** ParameterStatus messages as received, to replay to the client. */
  parameterStatus: Buffer[];
  /** BackendKeyData body (process id + secret key). */
  key: Buffer;
  /** The transaction status of the first ReadyForQuery. */
  status: number;
}

export function connectSocket(target: UpstreamTarget): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = 'path' in target ? net.connect(target.path) : net.connect(target.port, target.host);
    socket.setNoDelay(true);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

export async function connectUpstream(target: UpstreamTarget, login: UpstreamLogin, maxBytes: number): Promise<UpstreamSession> {
  const socket = await connectSocket(target);
  const source = new FrameSource(socket, new WireReader(true, maxBytes));
  try {
    socket.write(startupMessage({ ...login.params, user: login.user, database: login.database }));
    const parameterStatus: Buffer[] = [];
    let key = Buffer.alloc(0);
    let scram: ScramClient | undefined;
    for (;;) {
      const frame = await source.next();
      switch (frame.type) {
        case BackendCode.Authentication: {
          const body = frame.reader();
          const code = body.int32();
          if (code === AuthCode.Ok) break;
          if (code === AuthCode.SASL) {
            scram = new ScramClient(requirePassword(login));
            socket.write(saslInitialResponse(SCRAM_MECHANISM, Buffer.from(scram.first())));
          } else if (code === AuthCode.SASLContinue && scram) {
            socket.write(passwordMessage(Buffer.from(scram.final(body.rest().toString()))));
          } else if (code === AuthCode.SASLFinal && scram) {
            if (!scram.verify(body.rest().toString())) throw new Error('upstream SCRAM server signature mismatch');
          } else if (code === AuthCode.MD5Password) {
            socket.write(passwordMessage(Buffer.from(`${md5Password(login.user, requirePassword(login), body.bytes(4))}\0`)));
          } else if (code === AuthCode.CleartextPassword) {
            socket.write(passwordMessage(Buffer.from(`${requirePassword(login)}\0`)));
          } else {
            throw new Error(`upstream asks for unsupported authentication ${code}`);
          }
          break;
        }
        case BackendCode.ParameterStatus:
          parameterStatus.push(Buffer.from(frame.raw));
          break;
        case BackendCode.BackendKeyData:
          key = Buffer.from(frame.body);
          break;
        case BackendCode.ErrorResponse:
          throw BackendError.parse(frame.body);
        case BackendCode.ReadyForQuery:
          source.detach();
          return { socket, reader: source.reader, parameterStatus, key, status: frame.body[0] as number };
        default:
          // NoticeResponse, NegotiateProtocolVersion: nothing the client needs before it is ready.
          break;
      }
    }
  } catch (error) {
    source.detach();
    socket.destroy();
    throw error;
  }
}

function requirePassword(login: UpstreamLogin): string {
  if (login.password === undefined) throw new Error(`upstream asks a password for ${login.user} and none is configured`);
  return login.password;
}

/** Sends a CancelRequest with the upstream backend's own key. Fire and forget, as libpq does. */
export async function sendCancel(target: UpstreamTarget, key: Buffer): Promise<void> {
  const socket = await connectSocket(target);
  // The server closes the connection once it has read the request; waiting for that keeps the
  // cancel ordered before whatever the caller does next.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 2_000);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('error', () => {});
    socket.end(cancelRequest(key));
  });
  socket.destroy();
}
