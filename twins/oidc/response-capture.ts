// Holds back a response the provider writes, so a fault can rewrite or cut it before it reaches
// the socket. Only requests a `corrupt` or `disconnect: partial-response` rule fired on pass through
// here; the normal path writes straight through.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

export interface CapturedResponse {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

type Chunk = string | Uint8Array;

/** Diverts the response's writes; `done` gets the whole response once the writer ends it. */
export function captureResponse(res: ServerResponse, done: (captured: CapturedResponse) => void): void {
  const chunks: Buffer[] = [];
  const push = (chunk: unknown, encoding: unknown): void => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8') : Buffer.from(chunk as Uint8Array));
  };
  const restore = (): void => {
    // The overrides are own properties; deleting them brings back ServerResponse's methods.
    delete (res as unknown as Record<string, unknown>).write;
    delete (res as unknown as Record<string, unknown>).end;
    delete (res as unknown as Record<string, unknown>).writeHead;
  };
  Object.assign(res, {
    writeHead(status: number, ...rest: unknown[]) {
      res.statusCode = status;
      const headers = rest.find((r) => typeof r === 'object' && r !== null) as OutgoingHttpHeaders | undefined;
      for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) res.setHeader(name, value);
      return res;
    },
    write(chunk: Chunk, encoding?: unknown, cb?: () => void) {
      push(chunk, encoding);
      (typeof encoding === 'function' ? (encoding as () => void) : cb)?.();
      return true;
    },
    end(chunk?: unknown, encoding?: unknown, cb?: () => void) {
      push(chunk, encoding);
      restore();
      done({ status: res.statusCode, headers: res.getHeaders(), body: Buffer.concat(chunks) });
      (typeof chunk === 'function' ? (chunk as () => void) : typeof encoding === 'function' ? (encoding as () => void) : cb)?.();
      return res;
    },
  });
}

/** Sends a (rewritten) response with a Content-Length that fits its body. */
export function sendCaptured(res: ServerResponse, captured: CapturedResponse): void {
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  for (const [name, value] of Object.entries(captured.headers)) {
    if (value !== undefined && name !== 'content-length' && name !== 'transfer-encoding') res.setHeader(name, value);
  }
  res.setHeader('content-length', captured.body.length);
  res.statusCode = captured.status;
  res.end(captured.body);
}
