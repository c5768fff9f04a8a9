// The one place the SDK speaks HTTP: JSON in and out over fetch, bearer tokens, errors turned into
// StandinApiError, and the raw response for the journal's event stream.
import { apiErrorOf, unreachableError } from './api-error.ts';

export interface CallOptions {
  body?: unknown;
  /** Bearer token: an environment's own, or the admin token. */
  token?: string;
  /** Query parameters: each defined field of a flat object (InspectQuery, JournalFilter), as text. */
  query?: object;
  signal?: AbortSignal;
}

export class ControlApi {
  readonly url: string;

  constructor(url: string, private readonly fetchImpl: typeof fetch = fetch) {
    this.url = url.replace(/\/+$/, '');
  }

  /** Answers the parsed JSON body (undefined for 204); throws StandinApiError for any non-2xx. */
  async call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    const response = await this.send(method, path, options, 'application/json');
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** The response of a streaming GET, its body unread; throws StandinApiError for any non-2xx. */
  async open(path: string, options: CallOptions = {}): Promise<Response> {
    return this.send('GET', path, options, 'text/event-stream');
  }

  private async send(method: string, path: string, options: CallOptions, accept: string): Promise<Response> {
    const headers: Record<string, string> = { accept };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.url}${path}${queryString(options.query)}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
      });
    } catch (error) {
      // The caller's own abort stays an AbortError; anything else means no server answered.
      if (options.signal?.aborted) throw error;
      throw unreachableError(this.url, error);
    }
    if (!response.ok) throw apiErrorOf(response.status, await response.text());
    return response;
  }
}

/** Path segments are user data (twin names, rule ids): always encoded. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

function queryString(query: CallOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query) as Array<[string, unknown]>) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}
