// What `standin explore` tries against an http twin: each request the system under test made, by
// method and path, answered with the failures a third-party API has — server errors, a rate limit,
// a body that is not JSON, a cut connection and no answer at all.
import type { ExploreVocabulary, FaultCandidate, Interaction } from '../../src/core/index.ts';

const FAULTS: FaultCandidate[] = [
  { label: '500', class: 'error', action: { error: { status: 500 } } },
  { label: '503', class: 'error', action: { error: { status: 503 } } },
  { label: '429 rate limited', class: 'error', action: { error: { status: 429, headers: { 'retry-after': '1' } } } },
  { label: 'malformed JSON', class: 'corrupt', action: { corrupt: { how: 'malformed-json' } } },
  { label: 'connection closed before the answer', class: 'disconnect', action: { disconnect: {} } },
  { label: 'no answer', class: 'hang', action: { hang: {} }, cost: 'slow' },
];

export const httpExplore: ExploreVocabulary = {
  interaction(event): Interaction | undefined {
    const { method, path } = event.data ?? {};
    // An unmatched request is journaled twice (`unmatched`, then its 404 as `request`): counted once.
    if (event.point !== 'request' || event.type !== 'request' || typeof method !== 'string' || typeof path !== 'string') return undefined;
    return { point: 'request', match: { method, path }, label: `${method} ${path}` };
  },
  faults: () => FAULTS,
};
