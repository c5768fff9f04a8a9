import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.ts';
import { outletRecorder } from './outlet-recorder.test-support.ts';
import { timeout } from './timeout.ts';

describe('timeout toxic', () => {
  it('drops all data and closes after `timeout` ms', async () => {
    const out = outletRecorder();
    const toxic = timeout.create({ timeout: 30 }, createRng(1), out);
    toxic.push(Buffer.from('lost'));
    expect(toxic.held).toBe(0);
    await out.until(1);
    expect(out.events).toEqual([expect.objectContaining({ kind: 'close', how: 'close' })]);
    expect(out.events[0]!.at).toBeGreaterThanOrEqual(29);
  });

  it('with 0 never closes; removed after dropping data, it closes the broken stream', async () => {
    const out = outletRecorder();
    const toxic = timeout.create({ timeout: 0 }, createRng(1), out);
    toxic.push(Buffer.from('lost'));
    await out.settled(40);
    expect(out.events).toEqual([]);
    toxic.flush();
    expect(out.events.map((e) => e.kind)).toEqual(['close']);
  });

  it('removed before any data, it just goes away', () => {
    const out = outletRecorder();
    const toxic = timeout.create({ timeout: 0 }, createRng(1), out);
    toxic.flush();
    expect(out.events).toEqual([]);
  });
});
