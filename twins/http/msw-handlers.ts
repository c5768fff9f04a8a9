// Users' own msw handlers (`http.get(...)`, the ones their unit tests use), answered over the twin's
// real port. Matching and resolving are msw's: each request becomes a fetch Request handed to msw's
// exported `getResponse`. msw is imported only when a twin names a handlers module.
//
// Requests are presented at `origin` (the twin's own URL, or `handlersOrigin` when the handlers were
// written for the real API's absolute URLs, e.g. https://api.example.com), and relative handler
// paths resolve against it. `passthrough()` falls through to the twin's 404; `HttpResponse.error()`
// becomes a dropped connection, as a network error would be.
import { pathToFileURL } from 'node:url';
import type { RequestHandler } from 'msw';
import type { FileAccess } from '../../src/core/index.ts';
import { FieldError } from './field-error.ts';
import type { RecordedRequest } from './recorded-request.ts';
import { jsonResponse, type WireResponse } from './wire-response.ts';

export type MswAnswer = WireResponse | 'network-error' | undefined;

export interface MswResponder {
  /** msw's own one-line description of each handler, e.g. `GET /user/:id`. */
  describe(): string[];
  answer(request: RecordedRequest): Promise<MswAnswer>;
  /** Makes `{once: true}` handlers answer again. */
  restore(): void;
}

/**
 * Only module files are imported: pointed at a data file (`.env`, a key), the import's syntax error
 * would quote the file back to the client.
 */
const MODULE_FILE = /\.(?:[cm]?js|[cm]?ts)$/i;

/** Imports the module at `file` (one the twin's FileAccess allows) and returns its handlers. */
export async function loadHandlers(file: string, files: FileAccess, field = 'handlers'): Promise<RequestHandler[]> {
  const path = files.resolve(file, field);
  if (!MODULE_FILE.test(path)) throw new FieldError(field, `${file} is not a JavaScript or TypeScript module (.js, .mjs, .cjs, .ts, .mts, .cts)`);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new FieldError(field, `cannot load msw handlers from ${path}: ${(error as Error).message}`);
  }
  const handlers = module.handlers ?? module.default;
  if (!Array.isArray(handlers)) {
    throw new FieldError(field, `${path} must export an array of msw handlers as \`handlers\` or default`);
  }
  // Checked by shape, not instanceof: the user's module may resolve its own copy of msw.
  handlers.forEach((handler: unknown, i) => {
    if (typeof (handler as { run?: unknown } | null)?.run !== 'function') {
      throw new FieldError(field, `${path}: handlers[${i}] is not an msw request handler`);
    }
  });
  return handlers as RequestHandler[];
}

/** `origin` is read per request: the twin's own URL is known only once it listens. */
export async function createMswResponder(handlers: RequestHandler[], origin: () => string): Promise<MswResponder> {
  const { getResponse } = await import('msw');
  return {
    describe: () => handlers.map((h) => h.info.header),
    restore: () => {
      // `restore` is protected in msw's types but it is what msw's own handlers controller calls (restoreHandlers) to
      // re-arm `{once: true}` handlers and generator resolvers; older 2.x only has `isUsed`.
      for (const handler of handlers) {
        const rearmable = handler as unknown as { restore?: () => void };
        if (typeof rearmable.restore === 'function') rearmable.restore();
        else handler.isUsed = false;
      }
    },
    async answer(request) {
      const baseUrl = origin().replace(/\/$/, '');
      let response: Response | undefined;
      try {
        response = await getResponse(handlers, toFetchRequest(request, baseUrl), { baseUrl, quiet: true });
      } catch (error) {
        // What msw's own server integration does with a resolver that throws: a 500 naming it.
        return jsonResponse(500, { error: 'msw handler threw', message: (error as Error).message });
      }
      if (response === undefined || response.headers.get('x-msw-intention') === 'passthrough') return undefined;
      if (response.type === 'error') return 'network-error';
      return toWireResponse(response);
    },
  };
}

function toFetchRequest(request: RecordedRequest, baseUrl: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    for (const v of [value].flat()) headers.append(name, v);
  }
  const hasBody = request.body.length > 0 && request.method !== 'GET' && request.method !== 'HEAD';
  return new Request(baseUrl + request.url, {
    method: request.method,
    headers,
    ...(hasBody && { body: request.body }),
  });
}

/** Hop-by-hop and framing headers are node:http's to write, from the body it actually sends. */
const SKIPPED = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'set-cookie']);

async function toWireResponse(response: Response): Promise<WireResponse> {
  const headers: string[] = [];
  response.headers.forEach((value, name) => {
    if (!SKIPPED.has(name)) headers.push(name, value);
  });
  for (const cookie of response.headers.getSetCookie()) headers.push('set-cookie', cookie);
  return { status: response.status, headers, body: Buffer.from(await response.arrayBuffer()) };
}
