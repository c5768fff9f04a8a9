// A response ready for the wire: status, headers and the whole body. Stubs, msw handlers, error
// faults and the 404 all produce one; faults that corrupt or cut answers work on its bytes.
import type { ServerResponse } from 'node:http';

export interface WireResponse {
  status: number;
  /** Flat `[name, value, name, value…]` with lower-case names and no content-length. */
  headers: readonly string[];
  body: Buffer;
}

export function jsonResponse(status: number, value: unknown, headers: readonly string[] = []): WireResponse {
  return {
    status,
    headers: hasHeader(headers, 'content-type') ? headers : [...headers, 'content-type', 'application/json'],
    body: Buffer.from(JSON.stringify(value)),
  };
}

/** A string body is sent as is (text/plain unless a content-type is given), anything else as JSON. */
export function bodyResponse(status: number, body: unknown, headers: readonly string[] = []): WireResponse {
  if (body === undefined) return { status, headers, body: Buffer.alloc(0) };
  if (typeof body !== 'string') return jsonResponse(status, body, headers);
  return {
    status,
    headers: hasHeader(headers, 'content-type') ? headers : [...headers, 'content-type', 'text/plain; charset=utf-8'],
    body: Buffer.from(body),
  };
}

/** `{Name: value}` → flat lower-case pairs. */
export function flatHeaders(headers: Record<string, string> | undefined): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) out.push(name.toLowerCase(), value);
  return out;
}

export function headerOf(response: WireResponse, name: string): string | undefined {
  const { headers } = response;
  for (let i = 0; i < headers.length; i += 2) if (headers[i] === name) return headers[i + 1];
  return undefined;
}

/** The response with header `name` set to `value`, replacing any earlier value. */
export function withHeader(response: WireResponse, name: string, value: string): WireResponse {
  const headers: string[] = [];
  for (let i = 0; i < response.headers.length; i += 2) {
    if (response.headers[i] !== name) headers.push(response.headers[i] as string, response.headers[i + 1] as string);
  }
  headers.push(name, value);
  return { ...response, headers };
}

/** Writes the head, with the Content-Length of the whole body; the body is the caller's. */
export function writeHead(res: ServerResponse, response: WireResponse): void {
  const { status } = response;
  const noBody = status < 200 || status === 204 || status === 304;
  res.writeHead(status, noBody ? [...response.headers] : [...response.headers, 'content-length', String(response.body.length)]);
}

export function writeResponse(res: ServerResponse, response: WireResponse): void {
  writeHead(res, response);
  res.end(response.body);
}

function hasHeader(headers: readonly string[], name: string): boolean {
  for (let i = 0; i < headers.length; i += 2) if (headers[i] === name) return true;
  return false;
}
