// An error answered by the control API, as the client sees it: the server's `{code, message,
// statusCode}` carried as data so callers can branch on `code` instead of parsing messages.

export interface ApiErrorBody {
  code: string;
  message: string;
  statusCode: number;
}

export class StandinApiError extends Error {
  /** A `STANDIN_ERR_*` code from the server's error table (docs/errors.md), or one of the client's
   * own: `STANDIN_ERR_API_UNREACHABLE` (no server answered), `STANDIN_ERR_API_UNEXPECTED`. */
  readonly code: string;
  /** The HTTP status; 0 when no server answered. */
  readonly statusCode: number;

  constructor(body: ApiErrorBody, options?: { cause?: unknown }) {
    super(body.message, options);
    this.name = 'StandinApiError';
    this.code = body.code;
    this.statusCode = body.statusCode;
  }

  toJSON(): ApiErrorBody {
    return { code: this.code, message: this.message, statusCode: this.statusCode };
  }
}

export function isStandinApiError(error: unknown): error is StandinApiError {
  return error instanceof StandinApiError;
}

/**
 * The error of a non-2xx answer. The server always sends `{code, message, statusCode}`; anything else
 * (a proxy's HTML page, an empty body) still becomes a StandinApiError so callers have one type to catch.
 */
export function apiErrorOf(status: number, text: string): StandinApiError {
  try {
    const body = JSON.parse(text) as Partial<ApiErrorBody>;
    if (typeof body.code === 'string' && typeof body.message === 'string') {
      return new StandinApiError({ code: body.code, message: body.message, statusCode: body.statusCode ?? status });
    }
  } catch {
    // not JSON: fall through
  }
  return new StandinApiError({ code: 'STANDIN_ERR_API_UNEXPECTED', message: `HTTP ${status}: ${text.slice(0, 200)}`, statusCode: status });
}

/** No HTTP answer at all (connection refused, unknown host, reset): says where it looked and how to
 * start a server, instead of fetch's bare `fetch failed`. */
export function unreachableError(url: string, error: unknown): StandinApiError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (error as Error).message;
  return new StandinApiError(
    {
      code: 'STANDIN_ERR_API_UNREACHABLE',
      message:
        `no Standin server answers at ${url} (${reason}): start one with \`npx standin serve\`, ` +
        'or point the client at yours (the url option, or STANDIN_URL for fromEnv())',
      statusCode: 0,
    },
    { cause: error },
  );
}
