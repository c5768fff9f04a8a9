// The client end of the postgres bench, in its own worker thread so that, as in real use, the
// client and the twin do not share one event loop. Holds one node `pg` client per path and runs a
// SELECT-by-primary-key loop (a named prepared statement, extended protocol) that takes the paths
// in turn, query by query, starting each turn with another path: whatever the shared machine does
// at a given moment lands on every path alike. Returns each path's round trips in microseconds.
// Plain JS: workers start without the TS loader.
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import pg from 'pg';

async function loop({ targets, count, warmup, keys }) {
  const clients = [];
  try {
    for (const target of targets) {
      const client = new pg.Client(target);
      await client.connect();
      clients.push(client);
    }
    const samples = targets.map(() => new Float64Array(count));
    for (let i = 0; i < warmup + count; i++) {
      for (let j = 0; j < clients.length; j++) {
        const k = (i + j) % clients.length;
        const t = performance.now();
        await clients[k].query({ name: 'by-pk', text: 'SELECT id, v FROM kv WHERE id = $1', values: [(i % keys) + 1] });
        if (i >= warmup) samples[k][i - warmup] = (performance.now() - t) * 1000;
      }
    }
    return { samples };
  } finally {
    for (const client of clients) await client.end();
  }
}

parentPort.on('message', async (job) => {
  try {
    parentPort.postMessage({ ok: await loop(job) });
  } catch (error) {
    parentPort.postMessage({ error: String(error?.stack ?? error) });
  }
});
