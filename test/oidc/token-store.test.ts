// The store oidc-provider persists into: lookups, expiry on the real clock, grant revocation, and
// the issued-token counts inspect() reports.
import { describe, expect, it } from 'vitest';
import { TokenStore } from '../../twins/oidc/token-store.ts';

describe('TokenStore', () => {
  it('finds by id, uid and user code within one model only', async () => {
    const store = new TokenStore();
    const sessions = store.adapter('Session');
    const codes = store.adapter('DeviceCode');
    await sessions.upsert('s1', { uid: 'u1', accountId: 'a' }, 60);
    await codes.upsert('d1', { userCode: 'ABCD', uid: 'u1' }, 60);
    expect(await sessions.find('s1')).toMatchObject({ accountId: 'a' });
    expect(await sessions.findByUid('u1')).toMatchObject({ accountId: 'a' });
    expect(await codes.findByUserCode('ABCD')).toMatchObject({ uid: 'u1' });
    expect(await sessions.findByUserCode('ABCD')).toBeUndefined();
    await sessions.destroy('s1');
    expect(await sessions.findByUid('u1')).toBeUndefined();
  });

  it('expires entries by their TTL and marks consumed ones', async () => {
    const store = new TokenStore();
    const codes = store.adapter('AuthorizationCode');
    await codes.upsert('c1', {}, 1);
    await codes.upsert('c2', {});
    await codes.consume('c1');
    expect((await codes.find('c1'))?.consumed).toBeTypeOf('number');
    await new Promise((resolve) => setTimeout(resolve, 1050));
    expect(await codes.find('c1')).toBeUndefined();
    expect(await codes.find('c2')).toBeDefined();
  });

  it('revokes everything issued under a grant and counts what was issued', async () => {
    const store = new TokenStore();
    const access = store.adapter('AccessToken');
    const refresh = store.adapter('RefreshToken');
    await access.upsert('at1', { grantId: 'g1' }, 60);
    await access.upsert('at1', { grantId: 'g1', extra: 1 }, 60); // a re-save is not a new token
    await refresh.upsert('rt1', { grantId: 'g1' }, 60);
    await access.upsert('at2', { grantId: 'g2' }, 60);
    await access.revokeByGrantId('g1');
    expect(await access.find('at1')).toBeUndefined();
    expect(await refresh.find('rt1')).toBeUndefined();
    expect(await access.find('at2')).toBeDefined();
    expect(store.issued()).toEqual({ AccessToken: 2, RefreshToken: 1 });
    expect(store.counts()).toEqual({ AccessToken: 1 });
    store.clear();
    expect(store.issued()).toEqual({});
  });
});
