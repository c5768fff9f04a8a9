// The twin's TLS identity, for clients that ask for SSL (`sslmode=require`, `verify-full`): one
// self-signed certificate per process for localhost and 127.0.0.1, made on first use. Its PEM is
// written to a file clients can name as their root certificate (sslrootcert); the key stays in memory.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import selfsigned from 'selfsigned';

export interface TlsIdentity {
  context: tls.SecureContext;
  /** The certificate (PEM): the root a verifying client trusts. */
  certFile: string;
}

let identity: Promise<TlsIdentity> | undefined;
let dir: string | undefined;

export function tlsIdentity(): Promise<TlsIdentity> {
  identity ??= make().catch((error: unknown) => {
    identity = undefined;
    throw error;
  });
  return identity;
}

async function make(): Promise<TlsIdentity> {
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 365 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  dir ??= mkdtempSync(join(tmpdir(), 'standin-pg-tls-'));
  const certFile = join(dir, 'root.crt');
  writeFileSync(certFile, pems.cert);
  return { context: tls.createSecureContext({ key: pems.private, cert: pems.cert }), certFile };
}

/** Removes the certificate file (the twin kind's shutdown). */
export function removeTlsIdentity(): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
  identity = undefined;
}
