// The API edge as a client reads it: every answer fits the response schema the API exports (and the
// SDK types), access is declared per route and checked by one hook, and the OpenAPI document and UI,
// built on their first request, are served behind the same host guard.
import { Value } from '@sinclair/typebox/value';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/index.ts';
import { addAccessCheck } from '../../src/api/auth.ts';
import { HealthSchema, KindListSchema, ScenarioReportSchema } from '../../src/api/schemas.ts';
import { EnvironmentManager } from '../../src/environments/environment-manager.ts';
import { defaultRegistry } from '../../src/environments/default-kinds.ts';
import { startControlPlane } from '../support/control-plane.ts';

/** What Value.Check found wrong, as readable lines (empty when the value fits). */
function misfits(schema: Parameters<typeof Value.Errors>[0], value: unknown): string[] {
  return [...Value.Errors(schema, value)].map((e) => `${e.path}: ${e.message}`);
}

describe('answers fit the exported response schemas', () => {
  it('GET /health and GET /kinds, with each kind’s JSON Schemas passed through whole', async () => {
    await using cp = await startControlPlane();
    const health = await cp.call('GET', '/health');
    expect(misfits(HealthSchema, health.body)).toEqual([]);
    const kinds = await cp.call('GET', '/kinds');
    expect(kinds.status).toBe(200);
    expect(misfits(KindListSchema, kinds.body)).toEqual([]);
    const http = kinds.body.kinds.find((k: { kind: string }) => k.kind === 'http');
    // The serializer must not cut a schema down to its declared (open) shape.
    expect(Object.keys(http.config.properties)).toContain('stubs');
    expect(http.points.find((p: { name: string }) => p.name === 'request').actions).toHaveProperty('error');
  });

  it('POST /scenarios/run answers the whole report', async () => {
    await using cp = await startControlPlane();
    const text = ['name: exits zero', 'twins: {}', `run: { command: ['${process.execPath}', '-e', ''] }`, 'expect:', '  - exitCode: 0'].join('\n');
    const { status, body } = await cp.call('POST', '/scenarios/run', { body: { scenario: text, seed: 5 } });
    expect(status).toBe(200);
    expect(misfits(ScenarioReportSchema, body)).toEqual([]);
    expect(body).toMatchObject({ status: 'passed', seed: 5, sut: { exitCode: 0, signal: null, timedOut: false } });
    expect(body.expectations).toEqual([expect.objectContaining({ index: 0, type: 'exitCode', passed: true })]);
    expect(body.replay).toContain('--seed 5');
  }, 60_000);
});

describe('access', () => {
  it('refuses, when it is added, a route under /environments/:id that does not declare environment access', async () => {
    const manager = new EnvironmentManager({ registry: defaultRegistry(), log: silentLogger });
    const app = Fastify();
    addAccessCheck(app, manager, undefined);
    expect(() => app.get('/environments/:id/secrets', async () => ({ leaked: true }))).toThrow(
      /GET \/environments\/:id\/secrets must declare config.access 'environment'/,
    );
    app.get('/environments/:id/open', { config: { access: 'environment' } }, async () => ({}));
    await app.close();
    await manager.close();
  });

  it('checks the environment token on every environment route, as before', async () => {
    await using cp = await startControlPlane();
    const env = await cp.createEnv({ twins: { web: { kind: 'http' } } });
    const routes: Array<[string, string, unknown?]> = [
      ['GET', ''],
      ['POST', '/reset'],
      ['GET', '/faults'],
      ['POST', '/faults', { twin: 'web', point: 'request', action: { error: { status: 503 } } }],
      ['GET', '/faults/r1'],
      ['DELETE', '/faults/r1'],
      ['DELETE', '/faults'],
      ['GET', '/journal'],
      ['GET', '/twins/web'],
      ['POST', '/twins/web/actions/add-stub', {}],
      ['DELETE', ''],
    ];
    for (const [method, path, body] of routes) {
      const answer = await cp.call(method, `/environments/${env.id}${path}`, { body, token: 'not-the-token' });
      expect([method, path, answer.status, answer.body.code]).toEqual([method, path, 401, 'STANDIN_ERR_API_UNAUTHORIZED']);
    }
    expect((await cp.call('GET', `/environments/${env.id}`, { token: env.token })).status).toBe(200);
  });

  it('a twin action with a body that is not an object is a 400 naming the body', async () => {
    await using cp = await startControlPlane();
    const env = await cp.createEnv({ twins: { web: { kind: 'http' } } });
    const answer = await cp.call('POST', `/environments/${env.id}/twins/web/actions/add-stub`, { body: '[1, 2]', token: env.token });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'STANDIN_ERR_API_VALIDATION', message: expect.stringMatching(/ body: must be an object$/) });
  });
});

describe('/docs, built on its first request', () => {
  it('serves the UI, the document as JSON and YAML, and a coded 404 below it, behind the host guard', async () => {
    await using cp = await startControlPlane();
    const ui = await fetch(`${cp.url}/docs`);
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await ui.text()).toContain('swagger');
    const { body: json } = await cp.call('GET', '/docs/json');
    expect(json.info.title).toBe('Standin control API');
    expect(Object.keys(json.paths)).toEqual(expect.arrayContaining(['/health', '/kinds', '/scenarios/run', '/environments/{id}/journal', '/proxies']));
    expect(Object.keys(json.paths).filter((path) => path.startsWith('/docs'))).toEqual([]);
    expect(json.paths['/scenarios/run'].post.responses['200'].content['application/json'].schema.properties).toHaveProperty('expectations');
    expect(await (await fetch(`${cp.url}/docs/yaml`)).text()).toMatch(/^openapi: 3/);
    expect((await cp.call('GET', '/docs/nope')).body.code).toBe('STANDIN_ERR_API_NOT_FOUND');

    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(cp.url);
      request({ host: url.hostname, port: url.port, path: '/docs/json', headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(403);
  }, 60_000);
});
