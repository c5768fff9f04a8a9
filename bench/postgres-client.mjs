// The client end of the postgres bench, in its own worker thread so that, as in real use, the
// client and the twin do not share one event loop. Runs a node `pg` SELECT-by-primary-key loop
// (a named prepared statement, extended protocol) and returns each round trip in microseconds.
// Plain JS: workers start without the TS loader.
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import pg from 'pg';

async function loop({ target, count, warmup, keys }) {
  const client = new pg.Client(target);
  await client.connect();
  const samples = new Float64Array(count);
  try {
    for (let i = 0; i < warmup + count; i++) {
      const t = performance.now();
      await client.query({ name: 'by-pk', text: 'SELECT id, v FROM kv WHERE id = $1', values: [(i % keys) + 1] });
      if (i >= warmup) samples[i - warmup] = (performance.now() - t) * 1000;
    }
  } finally {
    await client.end();
  }
  return { samples };
}

parentPort.on('message', async (job) => {
  try {
    parentPort.postMessage({ ok: await loop(job) });
  } catch (error) {
    parentPort.postMessage({ error: String(error?.stack ?? error) });
  }
});
