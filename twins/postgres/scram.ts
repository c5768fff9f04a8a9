// SCRAM-SHA-256 (RFC 5802 / RFC 7677) as PostgreSQL uses it: the server side, to check a client's
// password at the front, and the client side, to log in to an upstream that asks for it. No channel
// binding (the front answers SSLRequest with N). Nonces come from crypto, not the seeded rng: they
// guard a login and must be unpredictable; they change no simulated behaviour.
// @see https://www.postgresql.org/docs/current/sasl-authentication.html
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export const SCRAM_MECHANISM = 'SCRAM-SHA-256';
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
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
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

/** The server's side of one exchange: feed it the client's messages in order. */
export class ScramServer {
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';

  /** `serverNonce` is for tests against published vectors; by default it is random. */
  constructor(
    private readonly secret: ScramSecret,
    private readonly serverNonce: string = randomBytes(18).toString('base64'),
  ) {}

  /** client-first-message → server-first-message; undefined when malformed or asking for channel binding. */
  first(clientFirst: string): string | undefined {
    const match = /^([ny]),[^,]*,(.*)$/.exec(clientFirst);
    if (!match) return undefined;
    this.clientFirstBare = match[2] as string;
    const clientNonce = attributes(this.clientFirstBare).get('r');
    if (!clientNonce) return undefined;
    this.nonce = clientNonce + this.serverNonce;
    this.serverFirst = `r=${this.nonce},s=${this.secret.salt.toString('base64')},i=${this.secret.iterations}`;
    return this.serverFirst;
  }

  /** client-final-message → server-final-message, or undefined when the proof is wrong. */
  final(clientFinal: string): string | undefined {
    const attrs = attributes(clientFinal);
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
    const salted = pbkdf2Sync(this.password, Buffer.from(attrs.get('s') ?? '', 'base64'), Number(attrs.get('i')), 32, 'sha256');
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
