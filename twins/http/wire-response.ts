// A response ready for the wire: the core's HttpAnswer (status, flat lower-case headers, the whole
// body). Stubs, msw handlers, error faults and the 404 all produce one; the request actions that
// corrupt or cut answers (src/core/request-faults) work on its bytes.
import type { HttpAnswer } from '../../src/core/index.ts';

export type WireResponse = HttpAnswer;

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

function hasHeader(headers: readonly string[], name: string): boolean {
  for (let i = 0; i < headers.length; i += 2) if (headers[i] === name) return true;
  return false;
}
