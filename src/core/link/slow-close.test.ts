import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.ts';
import { outletRecorder } from './outlet-recorder.test-support.ts';
import { slowClose } from './slow-close.ts';

describe('slow_close toxic', () => {
  it('passes data at once and the end `delay` ms late', async () => {
    const out = outletRecorder();
    const toxic = slowClose.create({ delay: 40 }, createRng(1), out);
    toxic.push(Buffer.from('now'));
    toxic.end();
    expect(out.events.map((e) => e.kind)).toEqual(['push']);
    await out.until(2);
    expect(out.events.map((e) => e.kind)).toEqual(['push', 'end']);
    expect(out.events[1]!.at).toBeGreaterThanOrEqual(39);
  });

  it('flush sends the pending end at once', () => {
    const out = outletRecorder();
    const toxic = slowClose.create({ delay: 10_000 }, createRng(1), out);
    toxic.end();
    toxic.flush();
    expect(out.events.map((e) => e.kind)).toEqual(['end']);
  });
});
