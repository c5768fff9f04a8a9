// Which server files a client's twin configs may read. Through the API (environments, POST
// /scenarios/run, an MCP agent) files resolve only under the root the operator chose with
// --files-root, and none without one; `..`, absolute paths and links may not leave it. A refusal
// names the field and never shows what a file holds.
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/index.ts';
import { EnvironmentManager } from '../../src/environments/environment-manager.ts';
import { defaultRegistry } from '../../src/environments/default-kinds.ts';
import { LocalBackend } from '../../src/mcp/local-backend.ts';
import { startStandin } from '../../src/server-process.ts';
import { startControlPlane, type ControlPlane } from '../support/control-plane.ts';

/** Set by the module outside the root when it is imported: it never may be. */
const MARK = '__standinOutsideImported';
const imported = (): unknown => (globalThis as Record<string, unknown>)[MARK];

let outside: string;
let root: string;
beforeAll(async () => {
  outside = await mkdtemp(join(tmpdir(), 'standin-outside-'));
  root = await mkdtemp(join(tmpdir(), 'standin-root-'));
  // A module with a side effect: importing it is running server-side code of the client's choosing.
  await writeFile(join(outside, 'handlers.mjs'), `globalThis.${MARK} = true;\nexport const handlers = [];\n`);
  await writeFile(join(root, 'handlers.mjs'), 'export const handlers = [];\n');
  await writeFile(join(outside, 'secret.sql'), 'root:$6$very-secret-hash:19000:0:99999:7:::\n');
  await symlink(join(outside, 'handlers.mjs'), join(root, 'link.mjs'));
  await writeFile(join(root, 'service.env'), 'API_TOKEN=hunter2-very-secret\n');
  await writeFile(join(root, 'notes'), 'the vault password is hunter2-very-secret\n');
});
afterAll(async () => {
  await rm(outside, { recursive: true, force: true });
  await rm(root, { recursive: true, force: true });
});

function scenario(handlers: string): string {
  return ['name: reads a file', 'twins:', `  api: { kind: http, handlers: '${handlers}' }`].join('\n');
}

describe('a server without --files-root', () => {
  let cp: ControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane();
  });
  afterAll(async () => {
    await cp?.[Symbol.asyncDispose]();
  });

  it('POST /environments refuses a file with 403 naming the twin field, without its content', async () => {
    const { status, body } = await cp.call('POST', '/environments', { body: { twins: { api: { kind: 'http', handlers: join(outside, 'handlers.mjs') } } } });
    expect(status).toBe(403);
    expect(body.code).toBe('STANDIN_ERR_FILES_REFUSED');
    expect(body.message).toMatch(/^twins\.api\.handlers: .*--files-root/);
    const pg = await cp.call('POST', '/environments', { body: { twins: { db: { kind: 'postgres', init: [{ file: join(outside, 'secret.sql') }] } } } });
    expect(pg.body.code).toBe('STANDIN_ERR_FILES_REFUSED');
    expect(pg.body.message).toMatch(/^twins\.db\.init\[0\]: /);
    expect(JSON.stringify(pg.body)).not.toContain('secret');
    expect(imported()).toBeUndefined();
  });

  it('POST /scenarios/run does not read files beside the `file` it names', async () => {
    // The scenario claims to live beside the module; the server must not take its word for it.
    const { status, body } = await cp.call('POST', '/scenarios/run', { body: { scenario: scenario('./handlers.mjs'), file: join(outside, 'scenario.yaml') } });
    expect(status).toBe(200);
    expect(body.status).toBe('error');
    expect(body.error).toMatch(/twins\.api\.handlers: this server reads no files/);
    expect(imported()).toBeUndefined();
  });
});

describe('a server with --files-root', () => {
  let cp: ControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane([], { filesRoot: root });
  });
  afterAll(async () => {
    await cp?.[Symbol.asyncDispose]();
  });

  it('reads files under the root and refuses `..`, absolute paths and links out of it', async () => {
    const inside = await cp.call('POST', '/scenarios/run', { body: { scenario: scenario('handlers.mjs') } });
    expect(inside.body.status, JSON.stringify(inside.body)).toBe('passed');
    for (const handlers of [`../${outside.split('/').pop()}/handlers.mjs`, join(outside, 'handlers.mjs'), 'link.mjs']) {
      const { status, body } = await cp.call('POST', '/environments', { body: { twins: { api: { kind: 'http', handlers } } } });
      expect(status, handlers).toBe(403);
      expect(body.code).toBe('STANDIN_ERR_FILES_OUTSIDE_ROOT');
      expect(body.message).toMatch(/^twins\.api\.handlers: /);
    }
    // A data file under the root is not a module: refused without quoting it back.
    for (const handlers of ['service.env', 'notes']) {
      const { status, body } = await cp.call('POST', '/environments', { body: { twins: { api: { kind: 'http', handlers } } } });
      expect(JSON.stringify(body), handlers).not.toContain('hunter2');
      expect(status, handlers).toBe(400);
      expect(body.message).toMatch(/^twins\.api\.handlers: .*not a JavaScript or TypeScript module/);
    }
    const scenarioRun = await cp.call('POST', '/scenarios/run', { body: { scenario: scenario('./handlers.mjs'), file: join(outside, 'scenario.yaml') } });
    expect(scenarioRun.body.status).toBe('passed'); // ./handlers.mjs is the root's, not the one beside `file`
    expect(imported()).toBeUndefined();
    expect((await cp.call('GET', '/environments')).body.environments).toHaveLength(0);
  });
});

describe('--files-root', () => {
  it('that is not a folder stops the server from starting, rather than refusing every file later', async () => {
    await expect(startStandin({ port: 0, log: silentLogger, filesRoot: join(root, 'no-such-folder') })).rejects.toThrow(
      /--files-root: .*no-such-folder is not a folder/,
    );
    await expect(startStandin({ port: 0, log: silentLogger, filesRoot: join(root, 'service.env') })).rejects.toThrow(/is not a folder/);
  });
});

describe('the MCP server in this process (standin mcp)', () => {
  it('runs a scenario file only when it lies under its --files-root', async () => {
    const scenarioFile = join(outside, 'scenario.yaml');
    await writeFile(scenarioFile, scenario('./handlers.mjs'));
    const closed = new LocalBackend(new EnvironmentManager({ registry: defaultRegistry(), log: silentLogger }));
    try {
      await expect(closed.runScenario({ path: scenarioFile })).rejects.toMatchObject({ code: 'STANDIN_ERR_FILES_REFUSED', message: /^file: / });
    } finally {
      await closed.close();
    }
    const rooted = new LocalBackend(new EnvironmentManager({ registry: defaultRegistry(), log: silentLogger, filesRoot: root }));
    try {
      await expect(rooted.runScenario({ path: scenarioFile })).rejects.toMatchObject({ code: 'STANDIN_ERR_FILES_OUTSIDE_ROOT', message: /^file: / });
      await writeFile(join(root, 'scenario.yaml'), scenario('./handlers.mjs'));
      expect(await rooted.runScenario({ path: join(root, 'scenario.yaml') })).toMatchObject({ status: 'passed' });
    } finally {
      await rooted.close();
    }
    expect(imported()).toBeUndefined();
  });
});
