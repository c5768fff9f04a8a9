// GET / sends a browser to the docs; GET /version answers Standin's version, except to Toxiproxy's
// clients (recognised by User-Agent), which keep Toxiproxy's answer.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Toxiproxy } from 'toxiproxy-node-client';
import { startControlPlane, type ControlPlane } from '../support/control-plane.ts';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.[Symbol.asyncDispose]();
});

/** A GET with exactly these headers (fetch always adds its own User-Agent). */
function get(path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${cp.url}${path}`, { headers }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('GET /', () => {
  it('redirects to the API docs', async () => {
    const answer = await get('/', { 'user-agent': 'Mozilla/5.0' });
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBe('/docs');
  });
});

describe('GET /version', () => {
  it("answers Standin's version to curl, a browser or no agent at all", async () => {
    for (const agent of ['curl/8.5.0', 'Mozilla/5.0 (X11; Linux x86_64)', undefined]) {
      const answer = await get('/version', agent === undefined ? {} : { 'user-agent': agent });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ name: 'standin', version, toxiproxy: '2.12.0' });
    }
  });

  it("answers Toxiproxy's version to Toxiproxy's clients", async () => {
    for (const agent of ['node', 'Go-http-client/1.1', 'python-requests/2.31.0', 'toxiproxy-cli/2.12']) {
      expect(JSON.parse((await get('/version', { 'user-agent': agent })).body)).toEqual({ version: '2.12.0' });
    }
    expect(await new Toxiproxy(cp.url).getVersion()).toContain('2.12.0');
  });
});
