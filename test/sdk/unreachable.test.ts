// The SDK with no server behind its url: one StandinApiError that says where it looked and how to
// start a server, not fetch's bare `fetch failed`.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Standin, StandinApiError, StandinClient } from '../../src/sdk/index.ts';

/** A loopback port nothing listens on: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('SDK without a server', () => {
  it('names the URL it tried and `npx standin serve`', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const error = await new StandinClient({ url }).health().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StandinApiError);
    expect(error).toMatchObject({ code: 'STANDIN_ERR_API_UNREACHABLE', statusCode: 0 });
    expect((error as Error).message).toContain(url);
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect((error as Error).message).toContain('npx standin serve');

    const built = await Standin.environment().withTwin('api', { kind: 'http' }).start(new StandinClient({ url })).catch((e: unknown) => e);
    expect(built).toMatchObject({ code: 'STANDIN_ERR_API_UNREACHABLE' });
  });
});
