// Stripe's error object as data: `{error: {type, code?, decline_code?, message, param?, doc_url?}}`
// with the HTTP status Stripe answers it with. stripe-node picks its error class from the status
// (402 → StripeCardError, 401 → StripeAuthenticationError, 429 → StripeRateLimitError…), so the
// status must be right for the client to behave as it does against the real API.
// @see https://docs.stripe.com/api/errors

export const ERROR_TYPES = [
  'api_error',
  'card_error',
  'idempotency_error',
  'invalid_request_error',
  'rate_limit_error',
  'authentication_error',
  'permission_error',
] as const;
export type StripeErrorType = (typeof ERROR_TYPES)[number];

/** The status Stripe answers each type with when nothing more specific applies. */
export const DEFAULT_STATUS: Record<StripeErrorType, number> = {
  api_error: 500,
  card_error: 402,
  idempotency_error: 400,
  invalid_request_error: 400,
  rate_limit_error: 429,
  authentication_error: 401,
  permission_error: 403,
};

export interface StripeErrorFields {
  type: StripeErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  /** Objects Stripe attaches to a card error: payment_intent, setup_intent, payment_method, charge. */
  extra?: Record<string, unknown>;
}

export class StripeApiError extends Error {
  readonly status: number;
  readonly fields: StripeErrorFields;
  /** Extra response headers, e.g. `Stripe-Should-Retry`. */
  readonly headers: Record<string, string>;

  constructor(status: number, fields: StripeErrorFields, headers: Record<string, string> = {}) {
    super(fields.message);
    this.status = status;
    this.fields = fields;
    this.headers = headers;
  }

  /** The body Stripe sends: doc_url for coded errors, attached objects last. */
  toBody(requestId: string): { error: Record<string, unknown> } {
    const { type, message, code, decline_code, param, extra } = this.fields;
    const error: Record<string, unknown> = {};
    if (extra?.charge !== undefined) error.charge = extra.charge;
    if (code !== undefined) error.code = code;
    if (decline_code !== undefined) error.decline_code = decline_code;
    if (code !== undefined) error.doc_url = `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
    error.message = message;
    if (param !== undefined) error.param = param;
    for (const [k, v] of Object.entries(extra ?? {})) if (k !== 'charge') error[k] = v;
    error.request_log_url = `https://dashboard.stripe.com/test/logs/${requestId}`;
    error.type = type;
    return { error };
  }
}

export function invalidRequest(message: string, param?: string, code?: string, status = 400): StripeApiError {
  return new StripeApiError(status, { type: 'invalid_request_error', message, param, code });
}

export function missingParam(param: string): StripeApiError {
  return invalidRequest(`Missing required param: ${param}.`, param, 'parameter_missing');
}

export function unknownParam(param: string): StripeApiError {
  return invalidRequest(`Received unknown parameter: ${param}`, param, 'parameter_unknown');
}

export function emptyParam(param: string): StripeApiError {
  return invalidRequest(
    `You passed an empty string for '${param}'. We assume empty values are an attempt to unset a parameter; however '${param}' cannot be unset. You should remove '${param}' from your request or supply a non-empty value.`,
    param,
    'parameter_invalid_empty',
  );
}

/** 404 for an id that does not exist, as Stripe words it: `No such customer: 'cus_123'`. */
export function noSuchObject(noun: string, id: string, param = 'id'): StripeApiError {
  return invalidRequest(`No such ${noun}: '${id}'`, param, 'resource_missing', 404);
}

/** A state-machine violation, e.g. capturing a PaymentIntent that is not requires_capture. */
export function unexpectedState(message: string, code = 'payment_intent_unexpected_state'): StripeApiError {
  return invalidRequest(message, undefined, code);
}

export function unrecognizedUrl(method: string, path: string): StripeApiError {
  return invalidRequest(
    `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
    undefined,
    undefined,
    404,
  );
}
