// TLS for the brokers' listeners (Kafka's SSL and SASL_SSL security protocols): one self-signed
// certificate per process and set of host names (localhost, 127.0.0.1, ::1 and the advertised host),
// made on first use, signing itself, so a client trusts it as its CA (kafkajs `ssl.ca`, librdkafka
// `ssl.ca.location`, kafka-python `ssl_cafile`) and verifies the broker's name against it. Its PEM is
// written to `<cacheDir>/kafka/tls/<pid>-<hosts hash>.crt`; each new file removes those of processes
// that are gone. The key stays in memory.
// @see https://kafka.apache.org/documentation/#security_ssl
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import selfsigned from 'selfsigned';
import { carriedStream, cutConnection } from '../../../src/core/index.ts';

export interface BrokerTls {
  context: tls.SecureContext;
  /** The certificate (PEM file): the CA a verifying client names. */
  caFile: string;
}

const made = new Map<string, Promise<BrokerTls>>();

export function brokerTls(cacheDir: string, advertisedHost: string): Promise<BrokerTls> {
  const hosts = [...new Set(['localhost', '127.0.0.1', '::1', advertisedHost])].sort();
  const key = hosts.join(',');
  let identity = made.get(key);
  if (!identity) {
    identity = make(cacheDir, hosts).catch((error: unknown) => {
      made.delete(key);
      throw error;
    });
    made.set(key, identity);
  }
  return identity;
}

async function make(cacheDir: string, hosts: string[]): Promise<BrokerTls> {
  const altNames = hosts.map((h) => (isIP(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h }));
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'standin-kafka' }], {
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
  const dir = join(cacheDir, 'kafka', 'tls');
  mkdirSync(dir, { recursive: true });
  for (const entry of readdirSync(dir)) {
    const pid = Number(/^(\d+)-/.exec(entry)?.[1]);
    if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) rmSync(join(dir, entry), { force: true });
  }
  const caFile = join(dir, `${process.pid}-${createHash('sha256').update(hosts.join(',')).digest('hex').slice(0, 12)}.crt`);
  // Written aside and renamed, so a client never reads half a certificate.
  writeFileSync(`${caFile}.tmp`, pems.cert);
  renameSync(`${caFile}.tmp`, caFile);
  return { context: tls.createSecureContext({ key: pems.private, cert: pems.cert }), caFile };
}

/** Removes this process's certificate files (the twin kind's shutdown). */
export async function removeBrokerTls(): Promise<void> {
  const identities = await Promise.allSettled(made.values());
  made.clear();
  for (const i of identities) if (i.status === 'fulfilled') rmSync(i.value.caFile, { force: true });
}

/**
 * The server side of TLS over a client's linked connection. The link's toxics still see the
 * encrypted bytes (carriedStream), and a `reset` cut resets the TCP connection under it.
 */
export function serverTls(socket: Duplex, context: tls.SecureContext): tls.TLSSocket {
  const secured = new tls.TLSSocket(carriedStream(socket), { isServer: true, secureContext: context });
  secured.on('error', () => {}); // a failed handshake ends this connection only
  secured.resetAndDestroy = () => {
    cutConnection(socket, 'reset');
    return secured.destroy();
  };
  return secured;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
