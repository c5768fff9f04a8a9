// The expectations a kind declares are part of what GET /kinds describes, beside its points and
// actions, so a client (or an agent writing a scenario) learns them where it learns the rest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../support/control-plane.ts';

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.[Symbol.asyncDispose]();
});

describe('GET /kinds', { timeout: 60_000 }, () => {
  it("lists each kind's scenario expectations with their schemas", async () => {
    const { status, body } = await cp.call('GET', '/kinds');
    expect(status).toBe(200);
    const byKind = Object.fromEntries(body.kinds.map((k: { kind: string; expectations: Record<string, unknown> }) => [k.kind, Object.keys(k.expectations)]));
    expect(byKind).toEqual({ http: ['http'], tcp: [], postgres: ['sql'], kafka: ['topic'], oidc: [], stripe: ['stripe'] });
    const postgres = body.kinds.find((k: { kind: string }) => k.kind === 'postgres');
    expect(postgres.expectations.sql.schema).toMatchObject({ type: 'object', required: expect.arrayContaining(['twin', 'query']) });
  });
});
