import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.ts';
import { outletRecorder } from './outlet-recorder.test-support.ts';
import { resetPeer } from './reset-peer.ts';

describe('reset_peer toxic', () => {
  it('resets `timeout` ms after the first data, sending none of it', async () => {
    const out = outletRecorder();
    const toxic = resetPeer.create({ timeout: 30 }, createRng(1), out);
    await out.settled(10);
    expect(out.events).toEqual([]); // no data, no timer
    toxic.push(Buffer.from('x'));
    await out.until(1);
    expect(out.events).toEqual([expect.objectContaining({ kind: 'close', how: 'reset' })]);
    expect(out.events[0]!.at).toBeGreaterThanOrEqual(39);
  });

  it('resets at once with timeout 0', () => {
    const out = outletRecorder();
    resetPeer.create({ timeout: 0 }, createRng(1), out).push(Buffer.from('x'));
    expect(out.events).toEqual([expect.objectContaining({ kind: 'close', how: 'reset' })]);
  });

  it('removed before it fires, hands the held bytes on and never resets', async () => {
    const out = outletRecorder();
    const toxic = resetPeer.create({ timeout: 20 }, createRng(1), out);
    toxic.push(Buffer.from('kept'));
    toxic.flush();
    toxic.destroy();
    await out.settled(50);
    expect(out.events.map((e) => e.kind)).toEqual(['push']);
    expect(out.text()).toBe('kept');
  });
});
