// What `standin explore` tries against a Stripe twin. An API call is an interaction by method and
// path, with object ids written `:id` so the second call about any PaymentIntent counts as the
// second occurrence of the same kind of call. The faults are the ones a payment integration must
// survive, the lost answer first: the charge happened and the client never heard, which is what
// idempotency keys exist for. A webhook's first delivery is an interaction too (duplicates and
// drops are what a webhook consumer must survive).
import type { ExploreVocabulary, FaultCandidate, Interaction } from '../../src/core/index.ts';

/**
 * A path segment that is an object id: a lower-case prefix, `_`, and base62 text with a capital or
 * a digit (`pi_3Qx…`, `cus_N4…`, as ids.ts draws them). Resource names (`payment_intents`) have
 * neither, and a test token such as `pm_card_visa` stays literal: it names a fixed card, not an object.
 */
const OBJECT_ID = /^[a-z]+(?:_[a-z]+)*_(?=[A-Za-z0-9]*[A-Z0-9])[A-Za-z0-9]+$/;

/** The path with its object ids as `:id`, `:id2`… (a rule's path glob names each parameter once). */
export function pathPattern(path: string): string {
  let ids = 0;
  return path
    .split('/')
    .map((segment) => (OBJECT_ID.test(segment) ? `:id${++ids === 1 ? '' : ids}` : segment))
    .join('/');
}

/** Calls that move money: there a declined card is an answer the client must handle. */
const PAYING = new Set(['POST /v1/payment_intents', 'POST /v1/payment_intents/:id/confirm', 'POST /v1/charges']);

const ANSWER_LOST: FaultCandidate = { label: 'answer lost after the call ran', class: 'answer-lost', action: { disconnect: { after: 'request-ran' } } };
const SERVER_ERROR: FaultCandidate = { label: '500 api_error', class: 'error', action: { error: { type: 'api_error', status: 500 } } };
const CARD_DECLINED: FaultCandidate = {
  label: 'card declined (insufficient_funds)',
  class: 'error',
  action: { error: { type: 'card_error', decline_code: 'insufficient_funds' } },
};
/** The rest, for every call. */
const OTHER_FAULTS: FaultCandidate[] = [
  { label: '429 rate limit', class: 'error', action: { error: { type: 'rate_limit_error', status: 429 } } },
  { label: 'connection reset before the call ran', class: 'disconnect', action: { disconnect: { reset: true } } },
  { label: 'answer 5 s late (past a short client timeout)', class: 'delay', action: { delay: { ms: 5000 } }, cost: 'slow' },
  { label: 'no answer', class: 'hang', action: { hang: {} }, cost: 'slow' },
];
const API_FAULTS = [ANSWER_LOST, SERVER_ERROR, ...OTHER_FAULTS];
/** On a call that pays, a decline is the next most common answer after the lost one and the server error. */
const PAYING_FAULTS = [ANSWER_LOST, SERVER_ERROR, CARD_DECLINED, ...OTHER_FAULTS];

const WEBHOOK_FAULTS: FaultCandidate[] = [
  { label: 'delivered twice', class: 'duplicate', action: { duplicate: {} } },
  { label: 'never delivered', class: 'drop', action: { drop: {} } },
];

export const stripeExplore: ExploreVocabulary = {
  interaction(event): Interaction | undefined {
    const data = event.data ?? {};
    if (event.point === 'request' && event.type === 'request' && typeof data.method === 'string' && typeof data.path === 'string') {
      const path = pathPattern(data.path);
      return { point: 'request', match: { method: data.method, path }, label: `${data.method} ${path}` };
    }
    // The webhook point acts on a delivery's first attempt; retries are the twin's own doing.
    if (event.point === 'webhook' && data.attempt === 1 && typeof data.type === 'string') {
      return { point: 'webhook', match: { type: data.type }, label: `webhook ${data.type}` };
    }
    return undefined;
  },
  faults(interaction) {
    if (interaction.point === 'webhook') return WEBHOOK_FAULTS;
    const { method, path } = interaction.match;
    return PAYING.has(`${String(method)} ${String(path)}`) ? PAYING_FAULTS : API_FAULTS;
  },
};
