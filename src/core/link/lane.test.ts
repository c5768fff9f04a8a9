import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.ts';
import { bandwidth } from './bandwidth.ts';
import { Lane, type LaneSink } from './lane.ts';
import { latency } from './latency.ts';
import type { CloseHow } from './toxic.ts';

function lane(options: { congested?: () => boolean } = {}) {
  const received: string[] = [];
  const closes: CloseHow[] = [];
  let ended = false;
  let paused = 0;
  let resumed = 0;
  const sink: LaneSink = {
    write: (chunk) => {
      received.push(chunk.toString());
      return !(options.congested?.() ?? false);
    },
    end: () => {
      ended = true;
    },
  };
  const source = { pause: () => void paused++, resume: () => void resumed++ };
  const subject = new Lane('downstream', sink, source, (how) => closes.push(how));
  return { subject, received, closes, ended: () => ended, paused: () => paused, resumed: () => resumed };
}

describe('Lane', () => {
  it('with no toxic, hands chunks and the end straight to the sink', () => {
    const { subject, received, ended } = lane();
    subject.write(Buffer.from('a'));
    subject.end();
    expect(received).toEqual(['a']);
    expect(ended()).toBe(true);
  });

  it('removing a toxic hands what it held on at once, in order, before newer bytes', () => {
    const { subject, received } = lane();
    subject.add('slow', (out) => latency.create({ latency: 60_000 }, createRng(1), out));
    subject.write(Buffer.from('1'));
    subject.write(Buffer.from('2'));
    expect(received).toEqual([]);
    subject.remove('slow');
    subject.write(Buffer.from('3'));
    expect(received).toEqual(['1', '2', '3']);
    expect(subject.toxics).toEqual([]);
  });

  it('keeps order when a toxic in the middle of a chain goes', () => {
    const { subject, received, ended } = lane();
    subject.add('a', (out) => latency.create({ latency: 60_000 }, createRng(1), out));
    subject.add('b', (out) => latency.create({ latency: 60_000 }, createRng(1), out));
    subject.write(Buffer.from('x'));
    subject.end();
    subject.remove('a'); // x and the end move on into b
    expect(received).toEqual([]);
    subject.remove('b');
    expect(received).toEqual(['x']);
    expect(ended()).toBe(true);
  });

  it('pauses the source when toxics hold over a MiB, resumes once they let go', () => {
    const { subject, paused, resumed } = lane();
    subject.add('choke', (out) => bandwidth.create({ rate: 0 }, createRng(1), out));
    subject.write(Buffer.alloc(2 << 20));
    expect(paused()).toBe(1);
    subject.remove('choke');
    expect(resumed()).toBe(1);
  });

  it('pauses the source while the sink is congested', () => {
    let congested = true;
    const { subject, paused, resumed } = lane({ congested: () => congested });
    subject.write(Buffer.from('a'));
    expect(paused()).toBe(1);
    congested = false;
    subject.drained();
    expect(resumed()).toBe(1);
  });

  it('ignores toxics added once the direction has ended', () => {
    const { subject } = lane();
    subject.end();
    subject.add('late', (out) => latency.create({ latency: 1 }, createRng(1), out));
    expect(subject.toxics).toEqual([]);
  });
});
