// Load generator for bench/control-api.ts, in a worker thread so the client does not share the
// server's core: `pairs` times POST a rule then DELETE it, `concurrency` in flight.
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { base, createPath, deletePrefix, body, token, pairs, concurrency } = workerData;
const url = new URL(base);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const payload = JSON.stringify(body);

function call(method, path, data) {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        agent,
        headers: {
          ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode, text }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next++ < pairs) {
      const created = await call('POST', createPath, payload);
      if (created.status !== 201) throw new Error(`create: ${created.status} ${created.text}`);
      const id = JSON.parse(created.text).id;
      const deleted = await call('DELETE', `${deletePrefix}${id}`);
      if (deleted.status !== 204) throw new Error(`delete: ${deleted.status} ${deleted.text}`);
    }
  }),
);
parentPort.postMessage({ seconds: (performance.now() - started) / 1000 });
agent.destroy();
