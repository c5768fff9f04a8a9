// Where a client may make twins and proxies listen. A server without an admin token is reachable from
// this machine only, so its twins bind loopback addresses only and no privileged port; a host is an
// IP literal (or localhost), never a name to look up. With an admin token the operator chose to expose
// Standin, and any address is allowed.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, silentLogger } from '../../src/core/index.ts';
import { EnvironmentManager } from '../../src/environments/environment-manager.ts';
import { defaultRegistry } from '../../src/environments/default-kinds.ts';
import { runScenarioFiles } from '../../src/scenario/run-scenarios.ts';
import { startStandin } from '../../src/server-process.ts';
import { startControlPlane, type ControlPlane } from '../support/control-plane.ts';

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.[Symbol.asyncDispose]();
});

async function create(plane: ControlPlane, twin: Record<string, unknown>, token?: string) {
  return plane.call('POST', '/environments', { body: { twins: { web: { kind: 'http', ...twin } } }, token });
}

describe('twin bind addresses on a loopback server without an admin token', () => {
  it.each([
    ['an empty host', ''],
    ['every IPv4 interface', '0.0.0.0'],
    ['every IPv6 interface', '::'],
    ['a non-loopback address', '192.0.2.1'],
  ])('refuses %s with a 400 naming twins.web.host', async (_what, host) => {
    const { status, body } = await create(cp, { host });
    expect(status).toBe(400);
    expect(body.code).toBe('STANDIN_ERR_TWIN_HOST_REFUSED');
    expect(body.message).toMatch(/^twins\.web\.host: /);
    expect((await cp.call('GET', '/environments')).body.environments).toHaveLength(0);
  });

  it('refuses a host name with a 400 naming the field, without looking it up', async () => {
    const { status, body } = await create(cp, { host: 'no-such-host.invalid' });
    expect(status).toBe(400);
    expect(body.code).toBe('STANDIN_ERR_TWIN_HOST_REFUSED');
    expect(body.message).toMatch(/^twins\.web\.host: .*IP address/);
  });

  it('accepts loopback literals and localhost (as 127.0.0.1)', async () => {
    for (const [host, shown] of [['localhost', '127.0.0.1'], ['127.0.0.2', '127.0.0.2'], ['::1', '[::1]']] as const) {
      const { status, body } = await create(cp, { host });
      expect(status, JSON.stringify(body)).toBe(201);
      expect(body.twins.web.endpoints.url).toMatch(new RegExp(`^http://${shown.replace(/[.[\]]/g, '\\$&')}:\\d+$`));
      expect((await cp.call('DELETE', `/environments/${body.id}`, { token: body.token })).status).toBe(204);
    }
  });

  it('refuses a privileged port (below 1024), naming the field', async () => {
    const http = await create(cp, { port: 80 });
    expect(http.status).toBe(400);
    expect(http.body.code).toBe('STANDIN_ERR_TWIN_PORT_REFUSED');
    expect(http.body.message).toMatch(/^twins\.web\.port: /);
    const kafka = await cp.call('POST', '/environments', { body: { twins: { k: { kind: 'kafka', brokers: 2, ports: [0, 443] } } } });
    expect(kafka.status).toBe(400);
    expect(kafka.body.message).toMatch(/^twins\.k\.ports\[1\]: /);
  });

  it('refuses a Toxiproxy listen address beyond loopback or on a privileged port, naming body.listen', async () => {
    for (const listen of ['0.0.0.0:0', '[::]:0', ':0', 'example.com:0', '127.0.0.1:25']) {
      const { status, body } = await cp.call('POST', '/proxies', { body: { name: 'p', listen, upstream: '127.0.0.1:9' } });
      expect(status, listen).toBe(400);
      expect(body.error, listen).toMatch(/^body\.listen: /);
    }
    expect((await cp.call('GET', '/proxies')).body).toEqual({});
  });

  // The command loads every twin kind before it refuses: generous on a loaded machine.
  it('a server given --twin-host 0.0.0.0 without an admin token does not start', { timeout: 90_000 }, async () => {
    await expect(startStandin({ port: 0, log: silentLogger, twinHost: '0.0.0.0' })).rejects.toThrow(/--twin-host: .*admin token/);
    const child = spawn(process.execPath, [join(import.meta.dirname, '../../bin/standin.js'), 'serve', '--port', '0', '--twin-host', '0.0.0.0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/STANDIN_ERR_TWIN_HOST_REFUSED: --twin-host: .*admin token/);
  });
});

describe('twin bind addresses on a server with an admin token', () => {
  it('lets twins bind any address and a pinned port, still refusing an empty host or a name', async () => {
    await using open = await startControlPlane([], { adminToken: 'admin-secret', limits: DEFAULT_LIMITS });
    const any = await create(open, { host: '0.0.0.0' }, 'admin-secret');
    expect(any.status, JSON.stringify(any.body)).toBe(201);
    expect((await open.call('DELETE', `/environments/${any.body.id}`, { token: any.body.token })).status).toBe(204);
    expect((await create(open, { host: '' }, 'admin-secret')).body.code).toBe('STANDIN_ERR_TWIN_HOST_REFUSED');
    expect((await create(open, { host: 'example.com' }, 'admin-secret')).body.code).toBe('STANDIN_ERR_TWIN_HOST_REFUSED');
  });
});

describe('a scenario file run by its operator', () => {
  it('may bind what it says under standin run; the same text sent to POST /scenarios/run may not', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'standin-bind-'));
    const manager = new EnvironmentManager({ registry: defaultRegistry(), log: silentLogger });
    try {
      const text = ['name: every interface', 'twins:', "  web: { kind: http, host: '0.0.0.0' }"].join('\n');
      await writeFile(join(dir, 'open.yaml'), text);
      const summary = await runScenarioFiles([join(dir, 'open.yaml')], manager);
      expect(summary.scenarios[0]).toMatchObject({ status: 'passed' });
      const sent = await cp.call('POST', '/scenarios/run', { body: { scenario: text } });
      expect(sent.body).toMatchObject({ status: 'error', error: expect.stringMatching(/twins\.web\.host: 0\.0\.0\.0 is not a loopback address/) });
    } finally {
      await manager.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
