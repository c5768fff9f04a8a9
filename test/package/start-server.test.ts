// `standin/server`: startServer() in the test runner's own process — a free port, the SDK against it,
// and close() (or `await using`) destroying what it holds.
import { describe, expect, it } from 'vitest';
import { StandinClient } from '../../src/sdk/index.ts';
import { startServer } from '../../src/server.ts';

describe('startServer', () => {
  it('listens on a free loopback port, serves the SDK, and close() destroys its environments', async () => {
    const server = await startServer();
    const client = new StandinClient({ url: server.url });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const env = await client.environments.create({ twins: { api: { kind: 'http' } } });
    const twinUrl = env.twins.api!.endpoints.url!;
    expect((await fetch(`${twinUrl}/nothing`)).status).toBe(404);
    await server.close();
    await expect(fetch(`${twinUrl}/nothing`)).rejects.toThrow();
    await expect(client.health()).rejects.toMatchObject({ code: 'STANDIN_ERR_API_UNREACHABLE' });
  });

  it('takes limits, and refuses a bad value or a name that is no limit, naming it', async () => {
    await using server = await startServer({ limits: { twinsPerEnvironment: 1 } });
    const client = new StandinClient({ url: server.url });
    await expect(client.environments.create({ twins: { a: { kind: 'http' }, b: { kind: 'http' } } })).rejects.toMatchObject({ code: 'STANDIN_ERR_LIMIT_TWINS' });
    await using one = await client.environments.create({ twins: { a: { kind: 'http' } } });
    expect(one.twins.a?.endpoints.url).toMatch(/^http:/);
    await expect(startServer({ limits: { journalBytes: 0 } })).rejects.toThrow(/limits\.journalBytes: 0 is not a positive integer/);
    await expect(startServer({ limits: { journalByte: 5 } as never })).rejects.toThrow(/limits\.journalByte is not a limit/);
  });

  it('is disposed by `await using`', async () => {
    let url: string;
    {
      await using server = await startServer();
      url = server.url;
      expect((await new StandinClient({ url }).health()).status).toBe('ok');
    }
    await expect(new StandinClient({ url }).health()).rejects.toMatchObject({ code: 'STANDIN_ERR_API_UNREACHABLE' });
  });
});
