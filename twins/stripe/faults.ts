// The Stripe twin's fault points. `request` acts on API calls with the request actions every
// HTTP-speaking twin shares (src/core/request-faults: delay, hang, disconnect, corrupt, and the
// method/path/query/headers/body matchers), plus Stripe's own: `error` answers a Stripe error object
// (card errors on paying endpoints decline the payment for real), `params`/`idempotencyKey` match
// the decoded call, and `disconnect {after: 'request-ran'}` is "the charge happened but the answer
// was lost" — what idempotency keys exist for. `webhook` acts on deliveries.
import { Type, type Static } from '@sinclair/typebox';
import {
  CommonActions,
  DelaySchema,
  DisconnectFields,
  HangSchema,
  RequestMatchFields,
  connectionPoint,
  corruptSchema,
  definePoint,
  matchFields,
  matchesRequest,
  type FaultPoint,
  type RequestEvent,
} from '../../src/core/index.ts';
import { DEFAULT_STATUS, ERROR_TYPES, StripeApiError, type StripeErrorType } from './errors.ts';
import type { Params } from './params.ts';
import { declineFor, type Decline } from './test-cards.ts';

export const ErrorActionSchema = Type.Object(
  {
    type: Type.Optional(
      Type.Union([...ERROR_TYPES.map((t) => Type.Literal(t)), Type.Literal('lock_timeout')], {
        description: 'Stripe error type (default: from status, else api_error); lock_timeout is shorthand for a 429 lock_timeout',
      }),
    ),
    code: Type.Optional(Type.String({ description: 'e.g. card_declined, rate_limit, lock_timeout' })),
    decline_code: Type.Optional(Type.String({ description: 'card_error: e.g. insufficient_funds, lost_card, do_not_honor' })),
    status: Type.Optional(Type.Integer({ minimum: 400, maximum: 599 })),
    message: Type.Optional(Type.String()),
    param: Type.Optional(Type.String()),
    shouldRetry: Type.Optional(Type.Boolean({ description: 'Stripe-Should-Retry header; default true for rate limits and lock timeouts' })),
  },
  { additionalProperties: false },
);
export type ErrorAction = Static<typeof ErrorActionSchema>;

/** The common `disconnect`, plus Stripe's lost answer. */
const DisconnectSchema = Type.Object(
  {
    after: Type.Optional(
      Type.Union([Type.Literal('request'), Type.Literal('partial-response'), Type.Literal('request-ran')], {
        description:
          'request: cut before the API runs (default); partial-response: it runs, then the head and `bytes` of the body are sent before the cut; request-ran: it runs (the charge happens, stored against its Idempotency-Key), then the answer is lost',
      }),
    ),
    ...DisconnectFields,
    rawBytes: Type.Optional(Type.Integer({ minimum: 0, description: 'with request-ran: bytes of the raw response (head included) sent before the cut; default 0' })),
  },
  { additionalProperties: false },
);

const RequestMatchSchema = Type.Object(
  {
    ...RequestMatchFields,
    params: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'subset of the decoded parameters' })),
    idempotencyKey: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/** An API call as the `request` point sees it: the shared request fields and the decoded call. */
export interface StripeRequestEvent extends RequestEvent {
  /** The route's template (`/v1/customers/:id`), or null for a URL no route knows. */
  route: string | null;
  params: Params;
  idempotencyKey: string | null;
}

export const requestPoint = definePoint({
  name: 'request',
  description: 'each API request: Stripe errors, delay, hang, disconnect before it ran, part-way through its answer or after it ran, corrupt',
  match: RequestMatchSchema,
  matches: (match, event: StripeRequestEvent) =>
    matchesRequest(match, event) && matchFields({ params: match.params, idempotencyKey: match.idempotencyKey }, event),
  actions: {
    error: ErrorActionSchema,
    delay: DelaySchema,
    hang: HangSchema,
    disconnect: DisconnectSchema,
    corrupt: corruptSchema(),
  },
});

export const WebhookCorruptSchema = Type.Object(
  {
    how: Type.Union([Type.Literal('signature'), Type.Literal('timestamp'), Type.Literal('payload')], {
      description: 'signature: signed with a wrong secret; timestamp: signed 10 minutes ago (outside the 5-minute tolerance); payload: body changed after signing',
    }),
  },
  { additionalProperties: false },
);

/** A webhook delivery as the `webhook` point sees it. */
export interface WebhookEvent {
  [field: string]: unknown;
  type: string;
  url: string;
  endpoint: string;
  event: string;
}

export const webhookPoint = definePoint({
  name: 'webhook',
  description: "each webhook delivery's first attempt: delay, drop, duplicate, reorder, corrupt",
  match: Type.Object(
    {
      type: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())], { description: 'event type' })),
      url: Type.Optional(Type.String()),
      endpoint: Type.Optional(Type.String()),
    },
    { additionalProperties: false },
  ),
  matches: (match, event: WebhookEvent) => matchFields(match, event),
  actions: {
    delay: DelaySchema,
    drop: CommonActions.drop,
    duplicate: CommonActions.duplicate,
    reorder: Type.Object(
      { holdMs: Type.Optional(Type.Number({ minimum: 0, description: 'longest hold when no later event comes (default 1000)' })) },
      { additionalProperties: false, description: 'hold this delivery until the next one to the same endpoint was sent' },
    ),
    corrupt: WebhookCorruptSchema,
  },
});

export const stripePoints: readonly FaultPoint[] = [requestPoint, webhookPoint, connectionPoint];

const MESSAGES: Partial<Record<StripeErrorType, string>> = {
  api_error:
    "Sorry, something went wrong. We've already been notified of the problem, but if you need any help, you can reach us at support.stripe.com/contact.",
  rate_limit_error: 'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
  idempotency_error:
    'Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than the one you sent if you meant to execute a different request.',
  authentication_error: 'Invalid API Key provided.',
  permission_error: 'The provided key does not have the required permissions for this endpoint.',
  invalid_request_error: 'Invalid request.',
};

const LOCK_TIMEOUT_MESSAGE =
  'This object cannot be accessed right now because another API request or Stripe process is currently accessing it. If you see this error intermittently, retry the request. If you see this error frequently and are making multiple concurrent requests to a single object, make your requests serially or at a lower rate.';

/** The type Stripe gives an error of this status, for rules that name only a status. */
function typeForStatus(status: number | undefined): StripeErrorType {
  if (status === undefined || status >= 500) return 'api_error';
  if (status === 402) return 'card_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  return 'invalid_request_error';
}

/** A rule's error with its type filled in (`{status: 503}` is an api_error). */
export function errorType(action: ErrorAction): StripeErrorType | 'lock_timeout' {
  return action.type ?? typeForStatus(action.status);
}

/** The decline a card_error rule stands for. */
export function forcedDecline(action: ErrorAction): Decline {
  const decline = declineFor(action.decline_code ?? 'generic_decline');
  return { ...decline, code: action.code ?? decline.code, message: action.message ?? decline.message };
}

/** The error response an `error` action answers with. */
export function errorFromAction(action: ErrorAction): StripeApiError {
  const kind = errorType(action);
  if (kind === 'card_error') {
    const decline = forcedDecline(action);
    return new StripeApiError(action.status ?? 402, {
      type: 'card_error',
      code: decline.code,
      decline_code: decline.decline_code,
      message: decline.message,
      param: action.param ?? decline.param,
    }, shouldRetryHeader(action.shouldRetry ?? false));
  }
  if (kind === 'lock_timeout' || action.code === 'lock_timeout') {
    return new StripeApiError(
      action.status ?? 429,
      { type: 'invalid_request_error', code: 'lock_timeout', message: action.message ?? LOCK_TIMEOUT_MESSAGE, param: action.param },
      shouldRetryHeader(action.shouldRetry ?? true),
    );
  }
  const type = kind;
  const code = action.code ?? (type === 'rate_limit_error' ? 'rate_limit' : undefined);
  const retry = action.shouldRetry ?? (type === 'rate_limit_error' ? true : undefined);
  return new StripeApiError(
    action.status ?? DEFAULT_STATUS[type],
    { type, code, message: action.message ?? MESSAGES[type] ?? 'Error.', param: action.param },
    retry === undefined ? {} : shouldRetryHeader(retry),
  );
}

function shouldRetryHeader(retry: boolean): Record<string, string> {
  return { 'Stripe-Should-Retry': retry ? 'true' : 'false' };
}
