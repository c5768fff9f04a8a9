// The postgres twin's TLS identity, for clients that ask for SSL (`sslmode=require`, `verify-full`):
// the shared self-signed certificate for localhost, 127.0.0.1 and ::1 (src/core/tls-identity.ts),
// whose file clients name as their root certificate (sslrootcert), plus the channel binding data
// SCRAM-SHA-256-PLUS checks.
import { createHash, X509Certificate } from 'node:crypto';
import { removeTlsIdentities, tlsIdentity as sharedIdentity, type TlsIdentity as SharedIdentity } from '../../src/core/index.ts';

export interface TlsIdentity extends SharedIdentity {
  /**
   * tls-server-end-point channel binding data (RFC 5929 §4.1): the certificate hashed with its
   * signature's hash, SHA-256 (the shared certificate is signed with it).
   */
  endPoint: Buffer;
}

export async function tlsIdentity(cacheDir: string): Promise<TlsIdentity> {
  const identity = await sharedIdentity(cacheDir, 'postgres');
  return { ...identity, endPoint: createHash('sha256').update(new X509Certificate(identity.cert).raw).digest() };
}

/** Removes the certificate file (the twin kind's shutdown). */
export function removeTlsIdentity(): Promise<void> {
  return removeTlsIdentities('postgres');
}
