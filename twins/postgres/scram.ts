// SCRAM-SHA-256 (RFC 5802 / RFC 7677) as PostgreSQL uses it: the server side, to check a client's
// password at the front, and the client side, to log in to an upstream that asks for it. Over TLS
// the server side also offers SCRAM-SHA-256-PLUS with `tls-server-end-point` channel binding (RFC
// 5929), and holds a client to the choice it made, with PostgreSQL's errors. Passwords go through
// SASLprep first, as PostgreSQL's do. Nonces come from crypto, not the seeded rng: they guard a
// login and must be unpredictable; they change no simulated behaviour.
// @see https://www.postgresql.org/docs/current/sasl-authentication.html
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { BackendError } from './backend-error.ts';
import { scramPassword } from './saslprep.ts';

export const SCRAM_MECHANISM = 'SCRAM-SHA-256';
export const SCRAM_PLUS_MECHANISM = 'SCRAM-SHA-256-PLUS';
/** The one channel binding type PostgreSQL supports. */
const BINDING_TYPE = 'tls-server-end-point';
const ITERATIONS = 4096;

const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();
const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

export interface ScramSecret {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

export function scramSecret(password: string, salt: Buffer, iterations = ITERATIONS): ScramSecret {
  const salted = pbkdf2Sync(scramPassword(password), salt, iterations, 32, 'sha256');
  return { salt, iterations, storedKey: sha256(hmac(salted, 'Client Key')), serverKey: hmac(salted, 'Server Key') };
}

function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq === 1) out.set(part[0] as string, part.slice(2));
  }
  return out;
}

/** A SCRAM message PostgreSQL refuses as a protocol violation (FATAL 08P01), not as a wrong password. */
function violation(message: string, detail?: string): BackendError {
  return BackendError.of('08P01', { severity: 'FATAL', message, detail });
}

export interface ScramServerOptions {
  /** The connection's tls-server-end-point data, when it runs over TLS (PLUS is then offered). */
  binding?: Buffer;
  /** The client chose SCRAM-SHA-256-PLUS. */
  plus?: boolean;
  /** For tests against published vectors; by default random. */
  serverNonce?: string;
}

/**
 * The server's side of one exchange: feed it the client's messages in order. A wrong password (or
 * a malformed message) answers undefined; a channel binding the client got wrong throws the
 * BackendError PostgreSQL sends.
 */
export class ScramServer {
  private gs2Header = '';
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private readonly serverNonce: string;

  constructor(
    private readonly secret: ScramSecret,
    private readonly options: ScramServerOptions = {},
  ) {
    this.serverNonce = options.serverNonce ?? randomBytes(18).toString('base64');
  }

  /** The mechanisms to offer, best first: PLUS only where there is a channel to bind to. */
  static mechanisms(tls: boolean): string[] {
    return tls ? [SCRAM_PLUS_MECHANISM, SCRAM_MECHANISM] : [SCRAM_MECHANISM];
  }

  /** client-first-message → server-first-message; undefined when malformed. */
  first(clientFirst: string): string | undefined {
    // gs2-header: the channel binding flag (n, y, or p=<type>), an authzid PostgreSQL ignores, then the bare message.
    const match = /^(n|y|p=([^,]*)),[^,]*,(.*)$/.exec(clientFirst);
    if (!match) return undefined;
    const [, flag, type, bare] = match as unknown as [string, string, string | undefined, string];
    if (type !== undefined) {
      if (!this.options.plus) throw violation('malformed SCRAM message', 'The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data.');
      if (type !== BINDING_TYPE) throw violation(`unsupported SCRAM channel-binding type "${type}"`);
    } else if (this.options.plus) {
      throw violation('malformed SCRAM message', 'The client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not include channel binding data.');
    } else if (flag === 'y' && this.options.binding) {
      throw violation(
        'SCRAM channel binding negotiation error',
        'The client supports SCRAM channel binding but thinks the server does not.  However, this server does support channel binding.',
      );
    }
    this.gs2Header = clientFirst.slice(0, clientFirst.length - bare.length);
    this.clientFirstBare = bare;
    const clientNonce = attributes(this.clientFirstBare).get('r');
    if (!clientNonce) return undefined;
    this.nonce = clientNonce + this.serverNonce;
    this.serverFirst = `r=${this.nonce},s=${this.secret.salt.toString('base64')},i=${this.secret.iterations}`;
    return this.serverFirst;
  }

  /** client-final-message → server-final-message, or undefined when the proof is wrong. */
  final(clientFinal: string): string | undefined {
    const attrs = attributes(clientFinal);
    // c= repeats the gs2-header, and with PLUS the binding data, which must be this connection's.
    const bound = Buffer.concat([Buffer.from(this.gs2Header), this.options.plus ? (this.options.binding ?? Buffer.alloc(0)) : Buffer.alloc(0)]);
    if (attrs.get('c') !== bound.toString('base64')) {
      throw violation(this.options.plus ? 'SCRAM channel binding check failed' : 'unexpected SCRAM channel-binding attribute in client-final-message');
    }
    const proofAt = clientFinal.lastIndexOf(',p=');
    if (attrs.get('r') !== this.nonce || proofAt < 0) return undefined;
    const withoutProof = clientFinal.slice(0, proofAt);
    const proof = Buffer.from(attrs.get('p') ?? '', 'base64');
    if (proof.length !== 32) return undefined;
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const signature = hmac(this.secret.storedKey, authMessage);
    const clientKey = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) clientKey[i] = (proof[i] as number) ^ (signature[i] as number);
    if (!timingSafeEqual(sha256(clientKey), this.secret.storedKey)) return undefined;
    return `v=${hmac(this.secret.serverKey, authMessage).toString('base64')}`;
  }
}

/** The client's side, for logging in upstream. */
export class ScramClient {
  private readonly clientFirstBare: string;
  private expectedServerSignature = '';

  /** `clientNonce` and `user` are for tests against published vectors; PostgreSQL ignores the name. */
  constructor(
    private readonly password: string,
    private readonly clientNonce: string = randomBytes(18).toString('base64'),
    user = '*',
  ) {
    this.clientFirstBare = `n=${user},r=${this.clientNonce}`;
  }

  first(): string {
    return `n,,${this.clientFirstBare}`;
  }

  final(serverFirst: string): string {
    const attrs = attributes(serverFirst);
    const nonce = attrs.get('r') ?? '';
    if (!nonce.startsWith(this.clientNonce)) throw new Error('SCRAM: server nonce does not extend ours');
    const salted = pbkdf2Sync(scramPassword(this.password), Buffer.from(attrs.get('s') ?? '', 'base64'), Number(attrs.get('i')), 32, 'sha256');
    const clientKey = hmac(salted, 'Client Key');
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const signature = hmac(sha256(clientKey), authMessage);
    const proof = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) proof[i] = (clientKey[i] as number) ^ (signature[i] as number);
    this.expectedServerSignature = hmac(hmac(salted, 'Server Key'), authMessage).toString('base64');
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  verify(serverFinal: string): boolean {
    return attributes(serverFinal).get('v') === this.expectedServerSignature;
  }
}

/** PostgreSQL's md5 password response: 'md5' + md5(md5(password + user) + salt). */
export function md5Password(user: string, password: string, salt: Buffer): string {
  const inner = createHash('md5').update(password + user).digest('hex');
  return `md5${createHash('md5').update(Buffer.concat([Buffer.from(inner), salt])).digest('hex')}`;
}
