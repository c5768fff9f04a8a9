// Issue 11 item 17 (postgres part): an init script the engine refuses is the client's mistake, a
// 400 naming the field with PostgreSQL's SQLSTATE, message and position, never a 500. An init that
// names a file that is not SQL must not become a way to read it: the answer quotes none of its text.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresTwin } from '../../twins/postgres/index.ts';
import { startControlPlane, type ControlPlane } from '../support/control-plane.ts';

const root = mkdtempSync(join(tmpdir(), 'standin-init-errors-'));
chmodSync(root, 0o755);
writeFileSync(join(root, 'secrets.env'), 'rootpw: hunter2-SECRET\nAPI_KEY="sk_live_SECRET"\n');
writeFileSync(join(root, 'broken.sql'), 'CREATE TABLE ok (id int);\nINSERT INTO "missing_SECRET" VALUES (1);\n');
let cp: ControlPlane;

beforeAll(async () => {
  cp = await startControlPlane([], { filesRoot: root });
});

afterAll(async () => {
  await cp?.[Symbol.asyncDispose]();
  await postgresTwin.shutdown?.();
  rmSync(root, { recursive: true, force: true });
});

const create = (init: unknown[]): Promise<{ status: number; body: any }> => cp.call('POST', '/environments', { body: { twins: { db: { kind: 'postgres', init } } } });

describe('postgres init errors', () => {
  it('answers a syntax error in inline SQL with 400, the field, line and column, message and SQLSTATE', async () => {
    const { status, body } = await create(['CREATE TABLE a (id int)', 'SELECT 1;\nCREATE TABLE b (id int,,);']);
    expect(status).toBe(400);
    expect(body.code).toBe('STANDIN_ERR_TWIN_CONFIG_INVALID');
    expect(body.message).toBe('twins.db.init[1]: line 2, column 24: syntax error at or near "," (SQLSTATE 42601)');
  }, 60_000);

  it('answers an error without a position (raised at run time) with the failing statement: its number, line and column', async () => {
    const duplicate = await create(['CREATE TABLE u (id int PRIMARY KEY);\nINSERT INTO u VALUES (1); -- one; two\n  INSERT INTO u VALUES (1);']);
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.message).toBe(
      'twins.db.init[0]: statement 3 (line 3, column 3): duplicate key value violates unique constraint "u_pkey" (SQLSTATE 23505)',
    );
    const raised = await create(["SELECT 1;\nDO $$ BEGIN PERFORM 1; PERFORM * FROM nowhere; END $$"]);
    expect(raised.status).toBe(400);
    expect(raised.body.message).toBe('twins.db.init[0]: statement 2 (line 2, column 1): relation "nowhere" does not exist (SQLSTATE 42P01)');
  }, 60_000);

  it('does not quote the text of a file it reads: a non-SQL file, or names inside a SQL file', async () => {
    const secret = await create([{ file: 'secrets.env' }]);
    expect(secret.status).toBe(400);
    expect(secret.body.message).toMatch(/^twins\.db\.init\[0\]: secrets\.env line 1, column 1: syntax error at or near "…" \(SQLSTATE 42601\)$/);
    expect(secret.body.message).not.toMatch(/SECRET|rootpw|hunter2/);

    const broken = await create(['CREATE TABLE first (id int)', 'broken.sql']);
    expect(broken.status).toBe(400);
    expect(broken.body.message).toBe('twins.db.init[1]: broken.sql line 2, column 13: relation "…" does not exist (SQLSTATE 42P01)');
  }, 60_000);

  it('answers an init file that cannot be read with 400 naming the field', async () => {
    const { status, body } = await create([{ file: 'absent.sql' }]);
    expect(status).toBe(400);
    expect(body.message).toBe('twins.db.init[0]: cannot read absent.sql: ENOENT');
  }, 60_000);
});
