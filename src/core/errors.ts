// Every error the control plane can answer with, in one table: code, HTTP status and message
// template. `{name}` placeholders are filled from the params given to `standinError`.
// docs/errors.md lists the same table; test/errors.test.ts keeps the two in step.

export const ERRORS = {
  STANDIN_ERR_API_VALIDATION: { status: 400, message: 'invalid request: {detail}' },
  STANDIN_ERR_API_NOT_FOUND: { status: 404, message: 'no route {method} {url}' },
  STANDIN_ERR_API_UNAUTHORIZED: { status: 401, message: 'missing or wrong bearer token for {resource}' },
  STANDIN_ERR_API_FORBIDDEN_HOST: { status: 403, message: 'requests for host {host} are refused: this server answers loopback names only (or use an admin token)' },
  STANDIN_ERR_API_BODY_TOO_LARGE: { status: 413, message: 'request body is larger than {limit} bytes (--limit-api-body-bytes)' },
  STANDIN_ERR_API_MEDIA_TYPE: { status: 415, message: 'content-type {type} is not accepted: send application/json' },
  STANDIN_ERR_API_IDEMPOTENCY_MISMATCH: { status: 422, message: 'this Idempotency-Key was first sent with a different request body; use a new key for a different environment' },
  STANDIN_ERR_API_INTERNAL: { status: 500, message: 'internal error: {detail}' },

  STANDIN_ERR_ENV_NOT_FOUND: { status: 404, message: 'environment {id} not found' },
  STANDIN_ERR_ENV_NAME_TAKEN: { status: 409, message: 'an environment named {name} already exists' },
  STANDIN_ERR_ENV_START_FAILED: { status: 500, message: 'environment could not start: twin {twin} failed: {detail}' },

  STANDIN_ERR_TWIN_NOT_FOUND: { status: 404, message: 'twin {twin} not found in environment {env}' },
  STANDIN_ERR_TWIN_NAME_TAKEN: { status: 409, message: 'environment {env} already has a twin named {twin}' },
  STANDIN_ERR_TWIN_UNKNOWN_KIND: { status: 400, message: 'twins.{twin}.kind: unknown twin kind {kind}; known kinds: {known}' },
  STANDIN_ERR_TWIN_CONFIG_INVALID: { status: 400, message: 'twins.{twin}{path}: {detail}' },
  STANDIN_ERR_TWIN_PORT_IN_USE: { status: 409, message: 'twin {twin} cannot listen on {host}:{port}: the port is already in use' },
  STANDIN_ERR_TWIN_UNKNOWN_ACTION: { status: 404, message: 'twin {twin} ({kind}) has no action {verb}; its actions: {known}' },
  STANDIN_ERR_TWIN_ACTION_FAILED: { status: 400, message: 'action {verb} on twin {twin} failed: {detail}' },
  STANDIN_ERR_TWIN_HOST_REFUSED: { status: 400, message: '{field}: {detail}' },
  STANDIN_ERR_TWIN_PORT_REFUSED: { status: 400, message: '{field}: {detail}' },
  STANDIN_ERR_TWIN_PORTS_EXHAUSTED: { status: 409, message: 'twin {twin} cannot listen on {host}: all {size} ports of the twin port range {range} (--twin-ports) are taken; destroy an environment or widen the range' },
  STANDIN_ERR_TWIN_BACKEND_UNAVAILABLE: { status: 503, message: 'twin {twin} backend unavailable: {detail}' },

  STANDIN_ERR_FAULT_NOT_FOUND: { status: 404, message: 'fault rule {id} not found' },
  STANDIN_ERR_FAULT_ID_TAKEN: { status: 409, message: 'a fault rule with id {id} already exists' },
  STANDIN_ERR_FAULT_UNKNOWN_TWIN: { status: 400, message: '{field}: no twin named {twin}; twins: {known}' },
  STANDIN_ERR_FAULT_UNKNOWN_POINT: { status: 400, message: '{field}: twin {twin} ({kind}) has no fault point {point}; its points: {known}' },
  STANDIN_ERR_FAULT_UNKNOWN_ACTION: { status: 400, message: '{field}: fault point {point} of {kind} has no action {action}; its actions: {known}' },
  STANDIN_ERR_FAULT_INVALID: { status: 400, message: '{field}: {detail}' },

  STANDIN_ERR_SCENARIO_INVALID: { status: 400, message: '{file}:{line}:{column}: {field}: {detail}' },
  STANDIN_ERR_SCENARIO_NOT_FOUND: { status: 404, message: 'no scenario file at {file}' },

  STANDIN_ERR_FILES_REFUSED: { status: 403, message: '{field}: this server reads no files named by API clients; start it with --files-root DIR to allow files under DIR' },
  STANDIN_ERR_FILES_OUTSIDE_ROOT: { status: 403, message: '{field}: {file} is outside {root}, the folder this server reads files from' },

  STANDIN_ERR_LIMIT_ENVIRONMENTS: { status: 429, message: 'this server already has {limit} environments (--limit-environments); destroy one first' },
  STANDIN_ERR_LIMIT_TWINS: { status: 429, message: '{field}: {detail}' },
  STANDIN_ERR_LIMIT_RULES: { status: 429, message: '{field}: this environment already has {limit} fault rules (--limit-rules-per-environment); remove some first' },
  STANDIN_ERR_LIMIT_EXPLORE_RUNS: { status: 400, message: '{field}: {value} is more runs than this server explores at once ({limit}, --limit-explore-runs)' },
  STANDIN_ERR_LIMIT_JOURNAL: { status: 400, message: 'journalCapacity: {value} is more than this server allows ({limit}, --limit-journal-events)' },

  STANDIN_ERR_TOXIPROXY_NOT_FOUND: { status: 404, message: '{what} not found' },
  STANDIN_ERR_TOXIPROXY_EXISTS: { status: 409, message: '{what} already exists' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** An error that knows its code and HTTP status; the API serializes it as `{code, message, statusCode}`. */
export class StandinError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly params: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, params: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(formatMessage(ERRORS[code].message, params), options);
    this.name = 'StandinError';
    this.code = code;
    this.statusCode = ERRORS[code].status;
    this.params = params;
  }

  toJSON(): { code: ErrorCode; message: string; statusCode: number } {
    return { code: this.code, message: this.message, statusCode: this.statusCode };
  }
}

export function isStandinError(e: unknown): e is StandinError {
  return e instanceof StandinError;
}

function formatMessage(template: string, params: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const value = params[key];
    if (value === undefined) return key === 'path' ? '' : whole;
    return Array.isArray(value) ? value.join(', ') : String(value);
  });
}
