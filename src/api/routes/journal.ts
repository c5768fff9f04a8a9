// The journal of an environment: a filtered query, and a live stream over server-sent events.
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { JournalEvent, JournalFilter } from '../../core/index.ts';
import { authorizedEnvironment } from '../auth.ts';
import { EnvParamsSchema, JournalEventSchema, JournalQuerySchema, errors } from '../schemas.ts';
import type { RouteContext } from '../server.ts';

const KEEPALIVE_MS = 15_000;

export function journalRoutes({ manager, adminToken }: RouteContext): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/environments/:id/journal',
      {
        schema: {
          tags: ['journal'],
          summary: 'Journal events, oldest first, filtered',
          params: EnvParamsSchema,
          querystring: JournalQuerySchema,
          response: {
            200: Type.Object({
              events: Type.Array(JournalEventSchema),
              dropped: Type.Integer({ description: 'events evicted past the journal capacity' }),
              lastSeq: Type.Integer(),
            }),
            ...errors(400, 401, 404),
          },
        },
      },
      async (request) => {
        const { id } = request.params as { id: string };
        return authorizedEnvironment(request, manager, id, adminToken).journal.query(request.query as JournalFilter);
      },
    );

    app.get(
      '/environments/:id/journal/stream',
      {
        schema: {
          tags: ['journal'],
          summary: 'Live journal as server-sent events (event: journal, id: seq); `since` or Last-Event-ID replays first',
          params: EnvParamsSchema,
          querystring: JournalQuerySchema,
          response: errors(400, 401, 404),
        },
      },
      async (request, reply) => {
        const { id } = request.params as { id: string };
        const env = authorizedEnvironment(request, manager, id, adminToken);
        const filter = { ...(request.query as JournalFilter) };
        const lastEventId = Number(request.headers['last-event-id']);
        if (Number.isInteger(lastEventId) && lastEventId >= 0) filter.since = lastEventId;

        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        raw.write(': standin journal\n\n');
        const send = (event: JournalEvent): void => {
          raw.write(`id: ${event.seq}\nevent: journal\ndata: ${JSON.stringify(event)}\n\n`);
        };
        // Subscribe before replaying so nothing appended in between is lost; skip what replay sent.
        let replayedUpTo = 0;
        const unsubscribe = env.journal.subscribe((event) => {
          if (event.seq > replayedUpTo) send(event);
        }, filter);
        if (filter.since !== undefined) {
          const page = env.journal.query({ ...filter, limit: Number.MAX_SAFE_INTEGER });
          for (const event of page.events) send(event);
          replayedUpTo = page.lastSeq;
        }
        const keepalive = setInterval(() => raw.write(': keepalive\n\n'), KEEPALIVE_MS);
        request.raw.on('close', () => {
          clearInterval(keepalive);
          unsubscribe();
        });
      },
    );
  };
}
