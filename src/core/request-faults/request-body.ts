// Reading a request body, the one way the HTTP-speaking twins do it, held to one limit
// (limits.httpRequestBodyBytes): past it the body is drained and dropped, and the twin answers 413
// in its own protocol's error form. The twin buffers each body whole, to match rules and stubs on it.
import type { IncomingMessage } from 'node:http';

export type BodyRead = { tooLarge: false; body: Buffer } | { tooLarge: true; size: number };

const EMPTY = Buffer.alloc(0);

/** Whether the request announces a body (a Content-Length above 0, or chunked). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/** Calls `done` once the whole body has arrived (at once when there is none: no tick, no promise). */
export function readRequestBody(req: IncomingMessage, limit: number, done: (read: BodyRead) => void): void {
  if (!hasBody(req)) return done({ tooLarge: false, body: EMPTY });
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  });
  req.on('end', () => {
    if (size > limit) done({ tooLarge: true, size });
    else done({ tooLarge: false, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size) });
  });
}

/**
 * Reads the body and puts it back (`unshift`) before the stream ends, so whoever reads the request
 * next (oidc-provider) gets the same bytes as if nobody had looked. Undefined past the limit, with
 * what was read put back all the same.
 */
export function peekRequestBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (!hasBody(req)) return Promise.resolve(EMPTY);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (whole: boolean): void => {
      req.off('readable', onReadable);
      const body = Buffer.concat(chunks, size);
      if (body.length > 0) req.unshift(body);
      resolve(whole ? body : undefined);
    };
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while ((chunk = req.read() as Buffer | null) !== null) {
        chunks.push(chunk);
        size += chunk.length;
        if (size > limit) return finish(false);
      }
      if (req.complete) finish(true);
    };
    req.on('readable', onReadable);
  });
}
