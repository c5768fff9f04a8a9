// Control API figures: fault rule create + delete per second over HTTP, and a filtered journal
// query over 1,000,000 events, each next to a baseline measured in the same run.
import { pathToFileURL } from 'node:url';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import Fastify from 'fastify';
import { silentLogger } from '../src/core/index.ts';
import { TwinRegistry } from '../src/environments/twin-registry.ts';
import { startStandin } from '../src/server-process.ts';
import { echoTwin } from '../test/support/echo-twin.ts';
import { percentile, type BenchRow } from './bench-row.ts';

const RULE_PAIRS = 20_000;
const CONCURRENCY = 16;
const JOURNAL_EVENTS = 1_000_000;

/** A JSON call for set-up and queries (the throughput loop is in rule-load.mjs). */
async function call(url: string, method: string, body?: unknown, token?: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.text() };
}

/** Rule pairs per second, the load coming from a worker thread (its own core). */
async function pairsPerSecond(base: string, paths: { create: string; deletePrefix: string }, body: unknown, token?: string): Promise<number> {
  const worker = new Worker(new URL('./rule-load.mjs', import.meta.url), {
    workerData: { base, createPath: paths.create, deletePrefix: paths.deletePrefix, body, token, pairs: RULE_PAIRS, concurrency: CONCURRENCY },
  });
  const [{ seconds }] = (await once(worker, 'message')) as [{ seconds: number }];
  await worker.terminate();
  return RULE_PAIRS / seconds;
}

export default async function bench(): Promise<BenchRow[]> {
  const standin = await startStandin({ port: 0, log: silentLogger, registry: new TwinRegistry([echoTwin]) });
  const bare = Fastify();
  bare.post('/rules', async (_req, reply) => reply.status(201).send({ id: 'r1' }));
  bare.delete('/rules/:id', async (_req, reply) => reply.status(204).send());
  await bare.listen({ port: 0, host: '127.0.0.1' });
  try {
    const created = JSON.parse((await call(`${standin.url}/environments`, 'POST', { journalCapacity: JOURNAL_EVENTS, twins: { t: { kind: 'echo' } } })).body);
    const api = {
      call: (method: string, path: string, body?: unknown) => call(`${standin.url}${path}`, method, body, created.token),
    };
    const rule = { twin: 't', point: 'line', match: { text: 'x' }, action: { delay: { ms: 5 } }, trigger: { probability: 0.5 } };
    // Warm up both servers before measuring.
    for (let i = 0; i < 500; i++) {
      const r = JSON.parse((await api.call('POST', `/environments/${created.id}/faults`, rule)).body);
      await api.call('DELETE', `/environments/${created.id}/faults/${r.id}`);
    }
    const standinRate = await pairsPerSecond(
      standin.url,
      { create: `/environments/${created.id}/faults`, deletePrefix: `/environments/${created.id}/faults/` },
      rule,
      created.token,
    );
    const bareUrl = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}`;
    const bareRate = await pairsPerSecond(bareUrl, { create: '/rules', deletePrefix: '/rules/' }, rule);

    // 1,000,000 events of 4 twins and 3 types; the query asks for one rule's fault events.
    const env = standin.manager.get(created.id);
    for (let i = 0; i < JOURNAL_EVENTS; i++) {
      const fault = i % 1000 === 0 ? { rule: 'r7', action: 'delay' } : undefined;
      env.journal.append({ twin: `t${i % 4}`, point: 'request', type: fault ? 'fault' : 'request', summary: `GET /items/${i}`, ...(fault ? { fault } : {}) });
    }
    const queryTimes: number[] = [];
    let found = 0;
    for (let i = 0; i < 15; i++) {
      const started = performance.now();
      const res = await api.call('GET', `/environments/${created.id}/journal?rule=r7&type=fault&twin=t0`);
      queryTimes.push(performance.now() - started);
      found = (JSON.parse(res.body) as { events: unknown[] }).events.length;
    }
    const events = env.journal.query({ limit: JOURNAL_EVENTS }).events;
    const scanTimes: number[] = [];
    for (let i = 0; i < 15; i++) {
      const started = performance.now();
      events.filter((e) => e.fault?.rule === 'r7' && e.type === 'fault' && e.twin === 't0');
      scanTimes.push(performance.now() - started);
    }
    const queryP50 = percentile(queryTimes.sort((a, b) => a - b), 50);
    if (found !== 1000) throw new Error(`journal query found ${found} events, expected 1000`);
    return [
      {
        name: `fault rule create + delete over HTTP (${CONCURRENCY} in flight)`,
        unit: 'pairs/s',
        standin: Math.round(standinRate),
        baseline: { name: 'bare Fastify POST + DELETE', value: Math.round(bareRate) },
        goal: '≥ 5,000/s',
        met: standinRate >= 5000,
      },
      {
        name: 'journal query, 3 filters over 1,000,000 events (HTTP, p50)',
        unit: 'ms',
        standin: Number(queryP50.toFixed(1)),
        baseline: { name: 'Array.filter over the same events in process', value: Number(percentile(scanTimes.sort((a, b) => a - b), 50).toFixed(1)) },
        goal: '< 100 ms',
        met: queryP50 < 100,
      },
    ];
  } finally {
    await bare.close();
    await standin.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.table(await bench());
}
