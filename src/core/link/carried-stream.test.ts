// TLS over a linked socket: with the socket carried as a plain Duplex, toxics act on the encrypted
// bytes of an open connection, as on any other.
import { once } from 'node:events';
import tls from 'node:tls';
import selfsigned from 'selfsigned';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultEngine } from '../fault-engine.ts';
import { Journal } from '../journal.ts';
import { createTwinContext } from '../twin-context.ts';
import { silentLogger, type TwinKind } from '../twin.ts';
import { carriedStream } from './carried-stream.ts';
import { connectionPoint, listenLinked } from './index.ts';

const kind = { kind: 'probe', points: [connectionPoint] } as unknown as TwinKind;
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('carriedStream', () => {
  it('lets toxics added to an open TLS connection act on it', { timeout: 60_000 }, async () => {
    const journal = new Journal();
    const faults = new FaultEngine({ seed: 3, journal, twins: { kindOf: () => kind, names: () => ['probe'] } });
    const ctx = createTwinContext({ envId: 'e', name: 'probe', seed: 3, host: '127.0.0.1', journal, faults, log: silentLogger });
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' });
    const secureContext = tls.createSecureContext({ key: pems.private, cert: pems.cert });
    const link = await listenLinked(ctx, {}, (socket) => {
      const secured = new tls.TLSSocket(carriedStream(socket), { isServer: true, secureContext });
      secured.on('error', () => {});
      secured.on('data', (chunk: Buffer) => secured.write(chunk.toString().toUpperCase().repeat(10)));
    });
    cleanups.push(() => link.close());

    const client = tls.connect({ port: link.port, host: '127.0.0.1', rejectUnauthorized: false });
    client.on('error', () => {});
    cleanups.push(() => void client.destroy());
    await once(client, 'secureConnect');
    let received = '';
    client.on('data', (chunk: Buffer) => {
      received += chunk.toString();
    });
    const answered = async (length: number): Promise<void> => {
      while (received.length < length && !client.destroyed) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    client.write('hello');
    await answered(50);
    expect(received).toBe('HELLO'.repeat(10));

    // Sliced both ways, the records still decrypt; then a downstream limit cuts the connection.
    faults.add({ id: 'slices', twin: 'probe', point: 'connection', action: { slicer: { average_size: 7, size_variation: 5 } } });
    faults.add({ id: 'slices-up', twin: 'probe', point: 'connection', match: { direction: 'upstream' }, action: { slicer: { average_size: 3 } } });
    client.write('again');
    await answered(100);
    expect(received.slice(50)).toBe('AGAIN'.repeat(10));
    expect(link.connections()[0]?.toxics).toEqual({ upstream: ['slices-up'], downstream: ['slices'] });

    faults.add({ id: 'cut', twin: 'probe', point: 'connection', action: { limit_data: { bytes: 10 } } });
    client.write('cut');
    await once(client, 'close');
    expect(received.length).toBe(100); // no whole record got through 10 bytes
  });
});
