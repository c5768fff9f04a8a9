import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.ts';
import { limitData } from './limit-data.ts';
import { outletRecorder } from './outlet-recorder.test-support.ts';

describe('limit_data toxic', () => {
  it('passes exactly `bytes` bytes, then closes the connection', () => {
    const out = outletRecorder();
    const toxic = limitData.create({ bytes: 5 }, createRng(1), out);
    toxic.push(Buffer.from('abc'));
    expect(out.events.map((e) => e.kind)).toEqual(['push']);
    toxic.push(Buffer.from('defgh'));
    toxic.push(Buffer.from('ijk'));
    expect(out.text()).toBe('abcde');
    expect(out.events.filter((e) => e.kind === 'close')).toEqual([expect.objectContaining({ how: 'close' })]);
  });
});
