// The twin's TLS identity, for clients that ask for SSL (`sslmode=require`, `verify-full`): one
// self-signed certificate per process for localhost and 127.0.0.1, made on first use. Its PEM is
// written to a file clients can name as their root certificate (sslrootcert); the key stays in memory.
// The file is `<cacheDir>/postgres/tls/<pid>.crt`: one fixed folder, not a temp dir per process, and
// each start removes the files of processes that are gone, so a SIGKILLed Standin leaves at most its
// own file behind until the next start.
import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import tls from 'node:tls';
import selfsigned from 'selfsigned';

export interface TlsIdentity {
  context: tls.SecureContext;
  /** The certificate (PEM): the root a verifying client trusts. */
  certFile: string;
  /**
   * tls-server-end-point channel binding data (RFC 5929 §4.1): the certificate hashed with its
   * signature's hash, SHA-256 (the certificate below is signed with it).
   */
  endPoint: Buffer;
}

let identity: Promise<TlsIdentity> | undefined;
let written: string | undefined;

export function tlsIdentity(cacheDir: string): Promise<TlsIdentity> {
  identity ??= make(cacheDir).catch((error: unknown) => {
    identity = undefined;
    throw error;
  });
  return identity;
}

async function make(cacheDir: string): Promise<TlsIdentity> {
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
  const dir = join(cacheDir, 'postgres', 'tls');
  mkdirSync(dir, { recursive: true });
  removeStale(dir);
  const certFile = join(dir, `${process.pid}.crt`);
  // Written aside and renamed, so a client never reads half a certificate.
  writeFileSync(`${certFile}.tmp`, pems.cert);
  renameSync(`${certFile}.tmp`, certFile);
  written = certFile;
  const endPoint = createHash('sha256').update(new X509Certificate(pems.cert).raw).digest();
  return { context: tls.createSecureContext({ key: pems.private, cert: pems.cert }), certFile, endPoint };
}

/** Removes the certificate file (the twin kind's shutdown). */
export function removeTlsIdentity(): void {
  if (written) rmSync(written, { force: true });
  written = undefined;
  identity = undefined;
}

/** Files of processes that no longer run (killed before their shutdown could remove them). */
function removeStale(dir: string): void {
  for (const entry of readdirSync(dir)) {
    const pid = Number(/^(\d+)\.crt(\.tmp)?$/.exec(entry)?.[1]);
    if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) rmSync(join(dir, entry), { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
