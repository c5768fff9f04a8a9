// A twin's TLS identity, for clients that verify the server (postgres `sslmode=verify-full`, Kafka's
// SSL listeners): one self-signed certificate per process, twin kind and set of host names, made on
// first use and signing itself, so a client trusts it as its CA and checks the server's name against
// it. Its PEM is written to `<cacheDir>/<kind>/tls/<pid>-<hosts hash>.crt`: one fixed folder, not a
// temp dir per process, and each new file removes those of processes that are gone, so a SIGKILLed
// Standin leaves at most its own files behind until the next start. The key stays in memory.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import selfsigned from 'selfsigned';

export interface TlsIdentity {
  context: tls.SecureContext;
  /** The certificate (PEM file): the CA a verifying client names. */
  certFile: string;
  /** The certificate in PEM. */
  cert: string;
}

const made = new Map<string, Promise<TlsIdentity>>();

/** The identity of a `kind`'s listeners answering as `hosts` (localhost, 127.0.0.1 and ::1 always). */
export function tlsIdentity(cacheDir: string, kind: string, hosts: string[] = []): Promise<TlsIdentity> {
  const names = [...new Set(['localhost', '127.0.0.1', '::1', ...hosts])].sort();
  const key = `${cacheDir}\0${kind}\0${names.join(',')}`;
  let identity = made.get(key);
  if (!identity) {
    identity = make(join(cacheDir, kind, 'tls'), kind, names).catch((error: unknown) => {
      made.delete(key);
      throw error;
    });
    made.set(key, identity);
  }
  return identity;
}

async function make(dir: string, kind: string, hosts: string[]): Promise<TlsIdentity> {
  const altNames = hosts.map((h) => (isIP(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h }));
  const pems = await selfsigned.generate([{ name: 'commonName', value: `standin-${kind}` }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 365 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  mkdirSync(dir, { recursive: true });
  removeStale(dir);
  const certFile = join(dir, `${process.pid}-${createHash('sha256').update(hosts.join(',')).digest('hex').slice(0, 12)}.crt`);
  // Written aside and renamed, so a client never reads half a certificate.
  writeFileSync(`${certFile}.tmp`, pems.cert);
  renameSync(`${certFile}.tmp`, certFile);
  return { context: tls.createSecureContext({ key: pems.private, cert: pems.cert }), certFile, cert: pems.cert };
}

/** Removes this process's certificate files of a kind (the twin kind's shutdown). */
export async function removeTlsIdentities(kind: string): Promise<void> {
  for (const [key, identity] of made) {
    if (key.split('\0')[1] !== kind) continue;
    made.delete(key);
    const settled = await identity.catch(() => undefined);
    if (settled) rmSync(settled.certFile, { force: true });
  }
}

/** Files of processes that no longer run (killed before their shutdown could remove them). */
function removeStale(dir: string): void {
  for (const entry of readdirSync(dir)) {
    const pid = Number(/^(\d+)-/.exec(entry)?.[1]);
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
