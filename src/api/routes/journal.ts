// The journal of an environment: a filtered query, and a live stream over server-sent events.
// A stream holds at most limits.streamBufferBytes that its reader has not taken yet: past that it
// sends `event: overflow` naming the last seq it wrote and ends, and the reader resumes with
// Last-Event-ID. Without the bound a reader that never reads grows the server without end.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { JournalEvent } from '../../core/index.ts';
import { EnvParamsSchema, JournalPageSchema, JournalQuerySchema, errors } from '../schemas.ts';
import type { RouteContext } from '../server.ts';

const KEEPALIVE_MS = 15_000;
/** Events per replay page: what a stream holds at most while its reader catches up. */
const REPLAY_PAGE = 100;
/** How long an overflowed stream may take to flush its last bytes before its socket is closed. */
const OVERFLOW_GRACE_MS = 10_000;

export function journalRoutes({ manager }: RouteContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/environments/:id/journal',
      {
        config: { access: 'environment' },
        schema: {
          tags: ['journal'],
          summary: 'Journal events, oldest first, filtered',
          params: EnvParamsSchema,
          querystring: JournalQuerySchema,
          response: { 200: JournalPageSchema, ...errors(400, 401, 404) },
        },
      },
      async (request) => request.environment.journal.query(request.query),
    );

    app.get(
      '/environments/:id/journal/stream',
      {
        config: { access: 'environment' },
        schema: {
          tags: ['journal'],
          summary:
            'Live journal as server-sent events (event: journal, id: seq); `since` or Last-Event-ID replays first; a reader too far behind gets event: overflow {lastSeq} and the stream ends',
          params: EnvParamsSchema,
          querystring: JournalQuerySchema,
          response: errors(400, 401, 404),
        },
      },
      async (request, reply) => {
        const env = request.environment;
        const filter = { ...request.query };
        const lastEventId = Number(request.headers['last-event-id']);
        if (Number.isInteger(lastEventId) && lastEventId >= 0) filter.since = lastEventId;

        reply.hijack();
        const raw = reply.raw;
        const maxUnsent = manager.limits.streamBufferBytes;
        raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        raw.write(': standin journal\n\n');
        let lastSent = filter.since ?? 0;
        let open = true;
        let live = filter.since === undefined;
        let checking = false;
        const stop = (): void => {
          open = false;
          clearInterval(keepalive);
          unsubscribe();
          offClose();
        };
        const send = (event: JournalEvent): void => {
          raw.write(`id: ${event.seq}\nevent: journal\ndata: ${JSON.stringify(event)}\n\n`);
          lastSent = event.seq;
          // Judged after this turn, once the socket has handed the kernel what it takes: writes are
          // corked within a turn, so a burst alone must not count as a reader falling behind.
          if (!checking) {
            checking = true;
            setImmediate(() => {
              checking = false;
              if (open && raw.writableLength > maxUnsent) overflow();
            });
          }
        };
        const overflow = (): void => {
          stop();
          // The connection closes after the last event, as EventSource readers expect of an ended stream.
          const socket = raw.socket; // detached from the response once it has finished
          raw.end(`event: overflow\ndata: ${JSON.stringify({ lastSeq: lastSent })}\n\n`, () => socket?.end());
          // A reader that never reads never lets those bytes go: close it once the grace is over.
          const grace = setTimeout(() => raw.destroy(), OVERFLOW_GRACE_MS).unref();
          raw.once('close', () => clearTimeout(grace));
        };
        const unsubscribe = env.journal.subscribe((event) => {
          if (live && open) send(event);
        }, filter);
        // A destroyed environment writes no more: its followers get a last event and the stream ends.
        const offClose = env.journal.onClose(() => {
          if (!open) return;
          stop();
          raw.end(`event: end\ndata: ${JSON.stringify({ reason: 'environment destroyed', lastSeq: lastSent })}\n\n`);
        });
        const keepalive = setInterval(() => raw.write(': keepalive\n\n'), KEEPALIVE_MS);
        // Replay a page at a time, each once the reader has taken the one before, then go live in
        // the same turn as the last (empty) page, so that no event falls in between.
        const replay = async (): Promise<void> => {
          while (open && !live) {
            const page = env.journal.query({ ...filter, since: lastSent, limit: REPLAY_PAGE });
            if (page.events.length === 0) live = true;
            for (const event of page.events) send(event);
            if (raw.writableNeedDrain) await new Promise((resolve) => raw.once('drain', resolve).once('close', resolve));
          }
        };
        void replay();
        request.raw.on('close', stop);
      },
    );
  };
}
