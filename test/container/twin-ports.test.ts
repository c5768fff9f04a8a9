// --twin-ports: twins whose config pins no port take one from the range (what a container
// publishes); a pinned port outside it is refused; a full range is a 409 naming the range.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePortRange, type PortRange } from '../../src/core/index.ts';
import { startControlPlane, type ControlPlane } from '../support/control-plane.ts';

/** Three consecutive free ports (probed, then released), the range under test. */
async function freeRange(size: number): Promise<PortRange> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = 20_000 + Math.floor(Math.random() * 20_000);
    const servers: net.Server[] = [];
    try {
      for (let port = first; port < first + size; port++) servers.push(await listenOn(port));
      return parsePortRange(`${first}-${first + size - 1}`, 'test');
    } catch {
      // one was taken: another base
    } finally {
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    }
  }
  throw new Error('no free port range found');
}

function listenOn(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve(server));
  });
}

const portOf = (url: string): number => Number(new URL(url).port);

let cp: ControlPlane;
let range: PortRange;
let squatter: net.Server;

beforeAll(async () => {
  range = await freeRange(3);
  // Another process holds the range's first port: twins must skip it, not fail.
  squatter = await listenOn(range.first);
  cp = await startControlPlane([], { twinPorts: range });
});
afterAll(async () => {
  await cp?.[Symbol.asyncDispose]();
  await new Promise((r) => squatter?.close(r));
});

describe('--twin-ports', () => {
  it('gives unpinned twins ports from the range, skipping one taken by another process', async () => {
    const env = await cp.createEnv({ twins: { a: { kind: 'http' }, b: { kind: 'http' } } });
    const ports = [portOf(env.twins.a.endpoints.url), portOf(env.twins.b.endpoints.url)].sort();
    expect(ports).toEqual([range.first + 1, range.first + 2]);
    for (const twin of ['a', 'b']) expect((await fetch(`${env.twins[twin].endpoints.url}/anything`)).status).toBe(404);

    // The range is full: a clear 409 naming the range and the flag, and nothing left half-started.
    const full = await cp.call('POST', '/environments', { body: { twins: { c: { kind: 'http' } } } });
    expect(full.status).toBe(409);
    expect(full.body.code).toBe('STANDIN_ERR_TWIN_PORTS_EXHAUSTED');
    expect(full.body.message).toContain(`${range}`);
    expect(full.body.message).toContain('--twin-ports');

    // Destroying gives the ports back.
    expect((await cp.call('DELETE', `/environments/${env.id}`, { token: env.token })).status).toBe(204);
    const again = await cp.createEnv({ twins: { c: { kind: 'http' } } });
    expect(range.includes(portOf(again.twins.c.endpoints.url))).toBe(true);
    await cp.call('DELETE', `/environments/${again.id}`, { token: again.token });
  });

  it('refuses a pinned port outside the range, naming the field and the range', async () => {
    const outside = range.first > 1024 ? range.first - 1 : range.last + 1;
    const refused = await cp.call('POST', '/environments', { body: { twins: { api: { kind: 'http', port: outside } } } });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('STANDIN_ERR_TWIN_PORT_REFUSED');
    expect(refused.body.message).toContain('twins.api.port');
    expect(refused.body.message).toContain(`${range}`);
  });

  it('takes every listener of a twin from the range: a kafka cluster of two brokers', async () => {
    const env = await cp.createEnv({ twins: { bus: { kind: 'kafka', brokers: 2 } } });
    try {
      const brokers = String(env.twins.bus.endpoints.bootstrap).split(',').map((b) => Number(b.split(':')[1]));
      expect(brokers).toHaveLength(2);
      for (const port of brokers) expect(range.includes(port)).toBe(true);
    } finally {
      await cp.call('DELETE', `/environments/${env.id}`, { token: env.token });
    }
  });
});

describe('parsePortRange', () => {
  it('reads FIRST-LAST and a single port', () => {
    expect(`${parsePortRange('45000-45099', '--twin-ports')}`).toBe('45000-45099');
    expect(parsePortRange('45000', '--twin-ports').size).toBe(1);
  });
  it.each(['', 'abc', '45099-45000', '0-10', '1-70000', '45000-'])('refuses %j naming the flag', (text) => {
    expect(() => parsePortRange(text, '--twin-ports')).toThrow(/--twin-ports: .* is not a port range/);
  });
});

describe('standin serve', () => {
  it.each([
    [['--twin-ports', '9-1'], {}, '--twin-ports: "9-1" is not a port range'],
    [[], { STANDIN_TWIN_PORTS: 'all' }, 'STANDIN_TWIN_PORTS: "all" is not a port range'],
  ])('refuses a bad range naming where it came from (%j %j)', async (args, env, message) => {
    const { code, stderr } = await runStandin(['serve', '--port', '0', ...args], env);
    expect(code).toBe(1);
    expect(stderr).toContain(message);
  }, 30_000);
});

function runStandin(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/standin.js', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    // A server that did start would not exit by itself: killed after 20 s (code null, the test fails).
    const timer = setTimeout(() => child.kill(), 20_000);
    child.once('exit', (code) => (clearTimeout(timer), resolve({ code, stderr })));
  });
}
