// The http twin behind the link layer: TCP toxics at point `connection` act on its answers.
import { afterEach, describe, expect, it } from 'vitest';
import { httpTwin } from '../../twins/http/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

let harness: TwinHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function start(): Promise<{ url: string; h: TwinHarness }> {
  harness = await startTwin(httpTwin, {
    stubs: [{ request: { path: '/big' }, response: { body: 'x'.repeat(10_000) } }],
  });
  return { url: harness.twin.endpoints.url as string, h: harness };
}

describe('http twin at point connection', () => {
  it('latency delays the answer by at least the toxic latency', async () => {
    const { url, h } = await start();
    h.addRule({ point: 'connection', action: { latency: { latency: 250 } } });
    const t = performance.now();
    expect((await (await fetch(`${url}/big`)).text()).length).toBe(10_000);
    expect(performance.now() - t).toBeGreaterThanOrEqual(245);
  });

  it('limit_data cuts the answer after N bytes, so reading the body fails', async () => {
    const { url, h } = await start();
    h.addRule({ point: 'connection', action: { limit_data: { bytes: 500 } } });
    await expect(fetch(`${url}/big`).then((r) => r.text())).rejects.toThrow();
  });
});
