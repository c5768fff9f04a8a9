// What `standin explore` tries against a tcp twin: each connection the system under test opened
// through the proxy, cut the two ways a network cuts one — a reset (RST) as soon as the upstream
// answers, so the request reached it and its answer is lost, and a clean close before a byte of the
// answer — and stalled: the connection stays open and the answer never comes.
import type { ExploreVocabulary, FaultCandidate, Interaction } from '../../src/core/index.ts';

const FAULTS: FaultCandidate[] = [
  { label: 'reset as the answer starts', class: 'answer-lost', action: { reset_peer: {} } },
  { label: 'closed before the answer', class: 'disconnect', action: { limit_data: { bytes: 0 } } },
  { label: 'stalled: the answer never arrives', class: 'hang', action: { timeout: {} }, cost: 'slow' },
];

export const tcpExplore: ExploreVocabulary = {
  interaction(event): Interaction | undefined {
    // A connection's rules are decided when it opens; its close and a refusal are no place to act.
    if (event.point !== 'connection' || event.type !== 'connection' || event.data?.event !== 'open') return undefined;
    return { point: 'connection', match: {}, label: 'connection' };
  },
  faults: () => FAULTS,
};
