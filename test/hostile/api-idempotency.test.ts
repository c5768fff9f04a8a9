// Issue 11 item 20 (the API's part): a client whose create answer was lost retries with the same
// Idempotency-Key and gets the same environment, id and token, instead of a second environment it
// could never destroy. A different body under the same key is refused; a retry while the first is
// still starting waits for it; the key is forgotten with its environment; with an admin token, a
// replay needs that token like a create does.
import { afterEach, describe, expect, it } from 'vitest';
import { IdempotencyStore } from '../../src/api/idempotency-store.ts';
import { startControlPlane, type ControlPlane } from '../support/control-plane.ts';
import { rawRequest } from '../support/raw-http.ts';

let cp: ControlPlane | undefined;
afterEach(async () => {
  await cp?.[Symbol.asyncDispose]();
  cp = undefined;
});

function create(url: string, body: unknown, key?: string, token?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== undefined) headers['idempotency-key'] = key;
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return rawRequest(url, 'POST', '/environments', { headers, body: JSON.stringify(body) });
}

const spec = { seed: 3, twins: { web: { kind: 'http', stubs: [{ request: { path: '/' }, response: { status: 200 } }] } } };

describe('POST /environments with Idempotency-Key', () => {
  it('answers a retry with the same environment, id and token, marked as replayed', async () => {
    cp = await startControlPlane();
    const first = await create(cp.url, spec, 'retry-1');
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    // The same body with its keys in another order is the same request.
    const again = await create(cp.url, { twins: spec.twins, seed: 3 }, 'retry-1');
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.token).toBe(first.body.token);
    expect(again.body.twins.web.endpoints).toEqual(first.body.twins.web.endpoints);
    expect((await cp.call('GET', '/environments')).body.environments).toHaveLength(1);

    const other = await create(cp.url, spec, 'retry-2');
    expect(other.body.id).not.toBe(first.body.id);
  });

  it('refuses the same key with another body (422) and creates nothing', async () => {
    cp = await startControlPlane();
    await create(cp.url, spec, 'k');
    const changed = await create(cp.url, { ...spec, seed: 4 }, 'k');
    expect(changed.status).toBe(422);
    expect(changed.body.code).toBe('STANDIN_ERR_API_IDEMPOTENCY_MISMATCH');
    expect((await cp.call('GET', '/environments')).body.environments).toHaveLength(1);
  });

  it('makes concurrent retries wait for the one create in progress', async () => {
    cp = await startControlPlane();
    const url = cp.url;
    const answers = await Promise.all(Array.from({ length: 5 }, () => create(url, spec, 'same-time')));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(new Set(answers.map((a) => a.body.token)).size).toBe(1);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(4);
    expect((await cp.call('GET', '/environments')).body.environments).toHaveLength(1);
  });

  it('forgets the key when its environment is destroyed, and a failed create', async () => {
    cp = await startControlPlane();
    const first = await create(cp.url, spec, 'once');
    expect((await cp.call('DELETE', `/environments/${first.body.id}`, { token: first.body.token })).status).toBe(204);
    const after = await create(cp.url, spec, 'once');
    expect(after.status).toBe(201);
    expect(after.body.id).not.toBe(first.body.id);
    expect(after.headers['idempotent-replayed']).toBeUndefined();

    const bad = { twins: { web: { kind: 'no-such-kind' } } };
    expect((await create(cp.url, bad, 'failing')).status).toBe(400);
    expect((await create(cp.url, bad, 'failing')).body.code).toBe('STANDIN_ERR_TWIN_UNKNOWN_KIND');
  });

  it('replays only to a caller with the admin token when the server has one', async () => {
    cp = await startControlPlane([], { adminToken: 'admin-secret' });
    const first = await create(cp.url, spec, 'guarded', 'admin-secret');
    expect(first.status).toBe(201);
    const stranger = await create(cp.url, spec, 'guarded');
    expect(stranger.status).toBe(401);
    expect(JSON.stringify(stranger.body)).not.toContain(first.body.token);
    const wrong = await create(cp.url, spec, 'guarded', first.body.token);
    expect(wrong.status).toBe(401);
    expect((await create(cp.url, spec, 'guarded', 'admin-secret')).body.token).toBe(first.body.token);
  });

  it('refuses an empty or oversized key naming the header', async () => {
    cp = await startControlPlane();
    for (const key of ['', 'k'.repeat(256)]) {
      const answer = await create(cp.url, spec, key);
      expect(answer.status).toBe(400);
      expect(answer.body.message).toContain('headers.idempotency-key');
    }
    expect((await cp.call('GET', '/environments')).body.environments).toHaveLength(0);
  });
});

describe('IdempotencyStore', () => {
  it('remembers at most maxKeys keys, for ttlMs, forgetting the oldest first', async () => {
    let now = 0;
    const live = new Set<string>();
    const store = new IdempotencyStore({ maxKeys: 2, ttlMs: 1000, isLive: (id) => live.has(id), now: () => now });
    let n = 0;
    const make = async () => {
      const id = `env_${++n}`;
      live.add(id);
      return { id } as never;
    };
    const a = await store.run('a', {}, make);
    await store.run('b', {}, make);
    await store.run('c', {}, make);
    expect(store.size).toBe(2);
    expect((await store.run('a', {}, make)).env).not.toBe(a.env);
    expect((await store.run('c', {}, make)).replayed).toBe(true);
    now = 1001;
    expect((await store.run('c', {}, make)).replayed).toBe(false);
  });
});
